#pragma once
// A projection: the synapses from one population to one receptor of another, stored as one CSR block per
// postsynaptic block (kernels/csr_block.hpp). Fixed-point targets hold b-bit integer weight codes with one
// power-of-two scale per projection; float64 targets hold the real weights.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "kernels/csr_block.hpp"
#include "kernels/csr_transpose.hpp"
#include "kernels/lif_constants.hpp"
#include "quant/overflow.hpp"
#include "quant/rounders.hpp"
#include "sim/connectivity.hpp"
#include "sim/types.hpp"

namespace qsnn::sim {

enum class SignMode : std::uint8_t {
  mixed,       // signed codes: [-2^(b-1), 2^(b-1) - 1]
  excitatory,  // codes 0 .. 2^b - 1; negative weights saturate to 0
  inhibitory   // codes -(2^b - 1) .. 0; positive weights saturate to 0
};
std::string_view sign_mode_name(SignMode mode);
SignMode parse_sign_mode(std::string_view name);  // "mixed", "excitatory", "inhibitory"

// How real weights become integer codes for a fixed-point target: w ~= code * 2^exponent state codes.
// A projection whose summed input of a step is rounded to a multiple of 2^grid_exponent state codes before
// it joins the other inputs of its target, as Lava's Dense process floors a * 2^weight_exp before the LIF
// aligns it by << 6 (lava-nc/lava, proc/dense/models.py and proc/lif/models.py). Without it, all
// projections of a target are summed exactly and rounded once.
struct PartialSumRounding {
  int grid_exponent = 0;
  quant::RoundingSpec rounding{quant::RoundingMode::floor};
};

struct WeightQuantization {
  int bits = 8;                         // 1..16 (1..15 for excitatory / inhibitory)
  SignMode sign = SignMode::mixed;
  std::optional<int> exponent;          // -24..24; chosen as the smallest that holds max |w| when absent
  quant::RoundingSpec rounding{quant::RoundingMode::nearest_even};
  std::optional<PartialSumRounding> partial_sum;  // fixed-point targets only
};

struct ProjectionSpec {
  std::string name;
  PopulationId pre;
  PopulationId post;
  std::size_t receptor = 0;
  Connectivity connectivity = AllToAll{};
  WeightSpec weights = ConstantWeight{1.0};
  DelaySpec delays = ConstantDelay{1};
  WeightQuantization quantization;
  // Float64 targets: use the dequantized b-bit weights instead of the exact ones (isolates state quantization).
  bool float_uses_quantized_weights = false;
  // Random connectivity, weights and delays are drawn from this stream of the network's seed; projections
  // given the same stream get the same synapses (a fixed-point network and its float64 twin). Default:
  // a stream of its own per projection.
  std::optional<std::uint64_t> stream;
};

// What the network tells a projection about its target when building it.
struct PostLayout {
  NeuronIndex pre_size = 0;
  NeuronIndex post_size = 0;
  bool same_population = false;
  NumericPath post_path = NumericPath::float64;
  double state_step = 1.0;                         // voltage units per state code (fixed targets)
  std::vector<NeuronIndex> block_begin;            // block b holds [block_begin[b], block_begin[b+1])
  quant::CounterRng rng{0, 0};
  // The spec's weight rounding, keyed by the network (seed, stream) for stochastic modes.
  quant::RoundingSpec weight_rounding{quant::RoundingMode::nearest_even};
};

using Int8Blocks = std::vector<kernels::CsrBlock<std::int8_t>>;
using Int16Blocks = std::vector<kernels::CsrBlock<std::int16_t>>;
using RealBlocks = std::vector<kernels::CsrBlock<double>>;

class Projection {
 public:
  explicit Projection(ProjectionSpec spec);

  const ProjectionSpec& spec() const { return spec_; }
  const std::string& name() const { return spec_.name; }

  // (Re)builds the synapses for the target's block layout; deterministic in the spec and the RNG key.
  void build(const PostLayout& layout);
  bool built() const { return built_; }

  std::size_t synapse_count() const { return synapse_count_; }
  std::size_t bytes() const;                     // synapse storage incl. row starts
  std::uint16_t max_delay() const { return max_delay_; }
  bool has_uniform_delay() const { return uniform_delay_; }
  std::uint16_t uniform_delay_steps() const { return uniform_delay_steps_; }
  int weight_exponent() const { return weight_exponent_; }     // fixed targets
  // True when this projection's sums need their own accumulators and rounding (PartialSumRounding): a
  // fixed-point target and a weight exponent below the grid.
  bool rounds_partial_sum() const {
    return built_ && fixed_target_ && spec_.quantization.partial_sum &&
           weight_exponent_ < spec_.quantization.partial_sum->grid_exponent;
  }
  int weight_bits() const { return spec_.quantization.bits; }
  double weight_step() const { return weight_step_; }          // voltage units per code (fixed targets)
  const quant::OverflowCounts& weight_saturations() const { return weight_saturations_; }

  const std::variant<Int8Blocks, Int16Blocks, RealBlocks>& blocks() const { return blocks_; }
  // For learning rules (learning/): they change weight values in place, never the structure (rows,
  // targets, delays), so delivery and the transposed index stay valid.
  std::variant<Int8Blocks, Int16Blocks, RealBlocks>& mutable_blocks() { return blocks_; }
  // The weight code range of the projection's bits and sign mode (defined in sim/projection_access.cpp):
  // mixed [-2^(b-1), 2^(b-1) - 1], excitatory [0, 2^b - 1], inhibitory [-(2^b - 1), 0].
  std::int64_t min_weight_code() const;
  std::int64_t max_weight_code() const;

  // The post -> synapse index of every block (kernels/csr_transpose.hpp), built on first request: only
  // learning rules that walk a neuron's inputs pay its 8 bytes per synapse.
  const std::vector<kernels::CsrTranspose>& transposed();

  // Every synapse as (pre, post, weight in voltage units per step, delay), in storage order; for tests,
  // recorders and result files, not hot paths.
  struct Synapse {
    NeuronIndex pre;
    NeuronIndex post;
    double weight;
    std::int32_t code;  // 0 for float64 targets
    std::uint16_t delay;
  };
  std::vector<Synapse> synapses() const;

 private:
  ProjectionSpec spec_;
  bool built_ = false;
  bool fixed_target_ = false;
  std::variant<Int8Blocks, Int16Blocks, RealBlocks> blocks_;
  std::size_t synapse_count_ = 0;
  std::uint16_t max_delay_ = 1;
  bool uniform_delay_ = true;
  std::uint16_t uniform_delay_steps_ = 1;
  int weight_exponent_ = 0;
  double weight_step_ = 1.0;
  quant::OverflowCounts weight_saturations_;
  std::vector<kernels::CsrTranspose> transposed_;
};

}  // namespace qsnn::sim
