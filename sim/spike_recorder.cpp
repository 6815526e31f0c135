#include "sim/spike_recorder.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace qsnn::sim {

SpikeRecorder::SpikeRecorder(SpikeRecorderSpec spec, NeuronIndex population_size) : spec_(std::move(spec)) {
  if (spec_.from > spec_.to) throw std::invalid_argument("spike recorder window starts after it ends");
  if (!spec_.neurons.empty()) {
    selected_.assign(population_size, false);
    for (NeuronIndex n : spec_.neurons) {
      if (n >= population_size)
        throw std::invalid_argument("spike recorder: neuron " + std::to_string(n) + " outside 0.." +
                                    std::to_string(population_size - 1));
      selected_[n] = true;
    }
  }
}

void SpikeRecorder::record(Step step, std::span<const NeuronIndex> spikes) {
  if (step < spec_.from || step >= spec_.to) return;
  for (NeuronIndex n : spikes) {
    if (!selected_.empty() && !selected_[n]) continue;
    steps_.push_back(step);
    neurons_.push_back(n);
  }
}

std::vector<std::uint64_t> SpikeRecorder::counts_per_neuron(NeuronIndex population_size) const {
  std::vector<std::uint64_t> counts(population_size, 0);
  for (NeuronIndex n : neurons_) ++counts.at(n);
  return counts;
}

void SpikeRecorder::clear() {
  steps_.clear();
  neurons_.clear();
}

}  // namespace qsnn::sim
