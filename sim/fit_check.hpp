#pragma once
// Does a network fit a chip? Maps every neuron population onto cores of a preset (sim/chip_preset.hpp) and
// reports the cores needed, the synapse memory per core, and every violated limit as one line each, e.g.
//   projection 'exc->inh': fan-in 4100 exceeds loihi1's 4096 input axons per core
//
// The mapping model:
//   - Neuron populations (fixed-point or float64 LIF) are split into contiguous slices of near-equal size,
//     one slice per core; cores are never shared between populations. Spike sources (Poisson, spike
//     times) stand for off-chip input and take no cores, but their projections take input axons.
//   - A core's input axons are its distinct (projection, presynaptic neuron) pairs with at least one synapse
//     onto the slice (projections do not share axons); with a row-signed chip (BrainScaleS-2) a
//     presynaptic neuron reaching the slice with both signs takes two.
//   - A core's synapse memory is the sum over those rows of SynapseMemoryFormat::row_bits.
//   - With split_populations, each population gets the fewest slices found such that every slice fits the
//     neurons, input axons and synapse memory of one core (a search over slice counts: the result is a
//     valid mapping, not a proven minimum). A limit one neuron alone exceeds is a violation.
//   - Without it, each population must fit one core.
// Weight limits are checked on the declared quantization (bits per sign mode, allowed widths, chip exponent)
// and, for fixed-point targets, on the codes actually stored (largest magnitude, distinct weights per
// neuron). State limits are checked on each fixed-point population's current, voltage (and, when adaptive,
// theta) formats; a float64 population does not fit any chip.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/chip_preset.hpp"
#include "sim/types.hpp"

namespace qsnn::sim {

class Network;

struct FitOptions {
  std::uint64_t chips = 1;        // chips available (>= 1)
  bool split_populations = true;  // false: every population must fit one core
};

struct CoreUsage {
  std::string population;
  NeuronIndex first_neuron = 0;
  NeuronIndex neurons = 0;
  std::uint64_t input_axons = 0;
  std::uint64_t synapses = 0;
  std::uint64_t synapse_memory_bits = 0;
};

struct PopulationFit {
  std::string name;
  NeuronIndex size = 0;
  bool on_chip = false;           // false for spike sources
  std::uint64_t cores = 0;
  std::uint64_t max_fan_in = 0;   // input axons the busiest single neuron needs, over all its projections
  int state_bits = 0;             // widest state format (0 for sources and float64)
};

struct ProjectionFit {
  std::string name;
  std::uint64_t synapses = 0;
  std::uint64_t max_fan_in = 0;  // distinct presynaptic neurons onto the busiest neuron
  int weight_bits = 0;
  SignMode sign = SignMode::mixed;
  std::int64_t max_abs_code = 0;  // largest |stored code| (fixed-point targets; 0 otherwise)
  std::optional<int> chip_exponent;  // the chip's own weight exponent, when it has one
};

struct FitReport {
  std::string preset;
  std::uint64_t chips_available = 1;
  std::uint64_t cores_needed = 0;
  std::uint64_t chips_needed = 0;  // ceil(cores / cores per chip); 0 when the preset has no core count
  std::uint64_t max_synapse_memory_bits_per_core = 0;
  std::uint64_t total_synapse_memory_bits = 0;
  std::vector<PopulationFit> populations;  // in network order
  std::vector<ProjectionFit> projections;  // in network order
  std::vector<CoreUsage> cores;            // population by population, slice by slice
  std::vector<std::string> violations;     // one line each, no trailing period
  std::vector<std::string> unchecked;      // limits the preset does not know

  bool fits() const { return violations.empty(); }
  // A readable multi-line summary: totals, populations, violations, unchecked limits.
  std::string to_string() const;
};

// Prepares the network (Network::prepare builds the synapses), so no population or projection can be added
// afterwards. Throws std::invalid_argument for chips == 0.
FitReport check_fit(Network& network, const ChipPreset& preset, const FitOptions& options = {});

}  // namespace qsnn::sim
