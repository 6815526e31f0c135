#pragma once
// Samples one state variable of chosen neurons every k steps (Brian2's StateMonitor), in model units and,
// for fixed-point populations, as the raw integer codes too.
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "sim/population.hpp"
#include "sim/state_variable.hpp"
#include "sim/types.hpp"

namespace qsnn::sim {

struct StateRecorderSpec {
  PopulationId population;
  StateVariable variable;
  std::vector<NeuronIndex> neurons;  // empty: all
  Step every = 1;
  Step from = 0;
  Step to = std::numeric_limits<Step>::max();
};

class StateRecorder {
 public:
  // Throws std::invalid_argument when the population has no such variable or a neuron is out of range.
  StateRecorder(StateRecorderSpec spec, const Population& population);

  const StateRecorderSpec& spec() const { return spec_; }
  void sample(Step step, const Population& population);

  std::span<const Step> steps() const { return steps_; }
  std::span<const NeuronIndex> neurons() const { return neurons_; }
  // values()[s * neurons().size() + n]: sample s of neuron n.
  std::span<const double> values() const { return values_; }
  std::span<const std::int64_t> codes() const { return codes_; }  // empty for float64 populations
  double value(std::size_t sample, std::size_t neuron_slot) const { return values_.at(sample * neurons_.size() + neuron_slot); }

 private:
  StateRecorderSpec spec_;
  std::vector<NeuronIndex> neurons_;
  bool has_codes_;
  std::vector<Step> steps_;
  std::vector<double> values_;
  std::vector<std::int64_t> codes_;
};

}  // namespace qsnn::sim
