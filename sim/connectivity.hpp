#pragma once
// Who connects to whom, with what weight and axonal delay. Builders generate one presynaptic row at a time
// (targets ascending), so a projection of tens of millions of synapses is built without an intermediate
// synapse list. Random choices draw from the counter-based RNG keyed by (seed, stream, row, draw), and
// random weights and delays by (seed, stream, pre, post): the network is the same for any thread count.
#include <cstdint>
#include <functional>
#include <span>
#include <variant>
#include <vector>

#include "quant/counter_rng.hpp"
#include "sim/types.hpp"

namespace qsnn::sim {

struct AllToAll {
  bool allow_self = true;  // when pre and post are one population
};
struct OneToOne {};
struct FixedProbability {
  double probability = 0.1;
  bool allow_self = true;
};
// Each postsynaptic neuron draws exactly `fan_in` distinct presynaptic partners.
struct FixedFanIn {
  std::uint32_t fan_in = 10;
  bool allow_self = true;
};
// An explicit synapse list; weights and delays optional (empty: taken from the projection's specs).
struct ExplicitSynapses {
  std::vector<NeuronIndex> pre;
  std::vector<NeuronIndex> post;
  std::vector<double> weight;
  std::vector<std::uint16_t> delay_steps;
};
// 2-D convolution over feature maps C x H x W (channel-major), one shared kernel per (out, in) channel pair,
// stride and zero padding; weights are the kernels, kernel[out][in][ky][kx] flattened.
struct Conv2d {
  std::uint32_t in_channels = 1, in_height = 1, in_width = 1;
  std::uint32_t out_channels = 1, kernel_height = 1, kernel_width = 1;
  std::uint32_t stride = 1, padding = 0;
  std::vector<double> kernel;

  std::uint32_t out_height() const { return (in_height + 2 * padding - kernel_height) / stride + 1; }
  std::uint32_t out_width() const { return (in_width + 2 * padding - kernel_width) / stride + 1; }
};
// Pooling as connectivity: each output sums its window of the same channel with one weight (sum pooling;
// average pooling is weight = 1 / window area).
struct Pool2d {
  std::uint32_t channels = 1, in_height = 1, in_width = 1;
  std::uint32_t window = 2, stride = 2;
  double weight = 1.0;

  std::uint32_t out_height() const { return (in_height - window) / stride + 1; }
  std::uint32_t out_width() const { return (in_width - window) / stride + 1; }
};

using Connectivity = std::variant<AllToAll, OneToOne, FixedProbability, FixedFanIn, ExplicitSynapses, Conv2d, Pool2d>;

struct ConstantWeight {
  double value = 0.0;
};
struct UniformWeight {
  double low = 0.0, high = 1.0;
};
struct NormalWeight {
  double mean = 0.0, sd = 1.0;
};
using WeightSpec = std::variant<ConstantWeight, UniformWeight, NormalWeight>;

struct ConstantDelay {
  std::uint16_t steps = 1;
};
struct UniformDelay {
  std::uint16_t min_steps = 1, max_steps = 1;  // inclusive
};
using DelaySpec = std::variant<ConstantDelay, UniformDelay>;

inline constexpr std::uint16_t kMaxDelaySteps = 255;

// One presynaptic row: ascending targets and, per target, its weight and delay.
struct RowView {
  NeuronIndex pre = 0;
  std::span<const NeuronIndex> post;
  std::span<const double> weight;
  std::span<const std::uint16_t> delay;
};

struct ConnectivityContext {
  NeuronIndex pre_size = 0;
  NeuronIndex post_size = 0;
  bool same_population = false;
  quant::CounterRng rng{0, 0};
};

// Throws std::invalid_argument for sizes or parameters that do not fit the populations.
void validate_connectivity(const Connectivity& connectivity, const ConnectivityContext& context);

// Calls visit(row) for every presynaptic neuron in ascending order (rows may be empty).
void generate_rows(const Connectivity& connectivity, const WeightSpec& weights, const DelaySpec& delays,
                   const ConnectivityContext& context, const std::function<void(const RowView&)>& visit);
// The same rows for presynaptic neurons [first_pre, end_pre) only, identical to those of the full call.
// Cheap for connectivities whose rows are independent (rows_are_independent); the others build every row's
// tuples and emit the range.
void generate_rows(const Connectivity& connectivity, const WeightSpec& weights, const DelaySpec& delays,
                   const ConnectivityContext& context, NeuronIndex first_pre, NeuronIndex end_pre,
                   const std::function<void(const RowView&)>& visit);
// True when a row is drawn from its own presynaptic index alone (all but FixedFanIn and ExplicitSynapses),
// so row ranges can be generated in parallel.
bool rows_are_independent(const Connectivity& connectivity);

// True when every synapse gets the same delay; then `steps` is that delay.
bool uniform_delay(const Connectivity& connectivity, const DelaySpec& delays, std::uint16_t& steps);

}  // namespace qsnn::sim
