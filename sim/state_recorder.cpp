#include "sim/state_recorder.hpp"

#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

namespace qsnn::sim {

StateRecorder::StateRecorder(StateRecorderSpec spec, const Population& population) : spec_(std::move(spec)) {
  if (spec_.every == 0) throw std::invalid_argument("state recorder: 'every' must be >= 1 step");
  neurons_ = spec_.neurons;
  if (neurons_.empty()) {
    neurons_.resize(population.size());
    std::iota(neurons_.begin(), neurons_.end(), NeuronIndex{0});
  }
  for (NeuronIndex n : neurons_) {
    if (n >= population.size())
      throw std::invalid_argument("state recorder: neuron " + std::to_string(n) + " outside population '" +
                                  population.name() + "' of " + std::to_string(population.size()));
  }
  if (!population.state_value(spec_.variable, neurons_.front()))
    throw std::invalid_argument("population '" + population.name() + "' has no state variable '" +
                                state_variable_name(spec_.variable) + "'");
  has_codes_ = population.state_code(spec_.variable, neurons_.front()).has_value();
}

void StateRecorder::sample(Step step, const Population& population) {
  if (step < spec_.from || step >= spec_.to || (step - spec_.from) % spec_.every != 0) return;
  steps_.push_back(step);
  for (NeuronIndex n : neurons_) {
    values_.push_back(*population.state_value(spec_.variable, n));
    if (has_codes_) codes_.push_back(*population.state_code(spec_.variable, n));
  }
}

}  // namespace qsnn::sim
