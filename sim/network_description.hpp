#pragma once
// A network as plain data: populations in order and projections between them. One description builds any
// number of networks, in particular a fixed-point network and its float64 twin with identical inputs and
// synapses (sim/quantization_diagnostics.hpp). A Network, once built, cannot be copied; its description can.
//
// Why the twin sees the same inputs: Network derives every random stream from (seed, object index) —
// Poisson sources from their population index, connectivity/weights/delays from ProjectionSpec::stream
// (default: the projection index). build() adds populations and projections in description order into an
// empty network, so both networks assign the same indices and, with the same NetworkOptions::seed, draw
// the same spikes and synapses.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sim/lif_parameters.hpp"
#include "sim/network.hpp"
#include "sim/projection.hpp"
#include "sim/spike_time_source.hpp"
#include "sim/types.hpp"

namespace qsnn::sim {

struct LifPopulationDescription {
  std::string name;
  NeuronIndex size = 0;
  LifParameters parameters;  // dt_ms is replaced by the network's
  NumericPath path = NumericPath::fixed_point;
  FixedPointSpec fixed;                 // used on the fixed-point path only
  std::vector<double> initial_voltage;  // absolute, model units, one per neuron; empty: every neuron at v_rest
  std::vector<double> injection;        // constant injected current per neuron; empty: none
};

struct PoissonSourceDescription {
  std::string name;
  NeuronIndex size = 0;
  double rate_hz = 0.0;
  std::vector<double> rates_hz;  // one per neuron; empty: rate_hz for all
};

struct SpikeTimeSourceDescription {
  std::string name;
  NeuronIndex size = 0;
  std::vector<TimedSpike> spikes;
};

using PopulationDescription =
    std::variant<LifPopulationDescription, PoissonSourceDescription, SpikeTimeSourceDescription>;

struct NetworkDescription {
  // Population i becomes PopulationId{i}; projections refer to populations by these ids.
  std::vector<PopulationDescription> populations;
  std::vector<ProjectionSpec> projections;

  // Appends and returns the id the population will have in a built network.
  PopulationId add(PopulationDescription population);
  ProjectionId connect(ProjectionSpec projection);
  const std::string& population_name(PopulationId id) const;  // throws std::invalid_argument for unknown ids
};

const std::string& population_description_name(const PopulationDescription& population);

struct BuiltNetwork {
  std::vector<PopulationId> populations;  // populations[i] == PopulationId{i}
  std::vector<ProjectionId> projections;
};

// Adds the described populations and projections to `network`, which must be empty (no populations, no
// projections: see above for why indices matter); throws std::invalid_argument otherwise or when a
// projection names an unknown population. `force_path` replaces the numeric path of every LIF population
// (float64: the ideal twin of a fixed-point network). Every projection gets an explicit stream (its own if
// given, else its index), so the networks built from one description share their synapses. A forced
// float64 target of a projection with float_uses_quantized_weights and an explicit exponent gets the
// exponent shifted by the population's state_frac_bits: Projection counts exponents in state codes, which
// are 2^-state_frac_bits voltage units on the fixed path and 1 on the float path, and the twin must use the
// same dequantized weights as the fixed network.
BuiltNetwork build(Network& network, const NetworkDescription& description,
                   std::optional<NumericPath> force_path = std::nullopt);

}  // namespace qsnn::sim
