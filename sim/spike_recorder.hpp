#pragma once
// Records the spikes of one population (all neurons or a subset, within a window of steps) in memory, as
// parallel arrays of steps and neuron indices sorted by time then neuron — the SONATA layout the results
// writer stores. No file I/O here.
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "sim/types.hpp"

namespace qsnn::sim {

struct SpikeRecorderSpec {
  PopulationId population;
  std::vector<NeuronIndex> neurons;  // empty: all
  Step from = 0;                     // first recorded step
  Step to = std::numeric_limits<Step>::max();  // one past the last
};

class SpikeRecorder {
 public:
  SpikeRecorder(SpikeRecorderSpec spec, NeuronIndex population_size);

  const SpikeRecorderSpec& spec() const { return spec_; }
  void record(Step step, std::span<const NeuronIndex> spikes);

  std::span<const Step> steps() const { return steps_; }
  std::span<const NeuronIndex> neurons() const { return neurons_; }
  std::size_t count() const { return steps_.size(); }
  std::vector<std::uint64_t> counts_per_neuron(NeuronIndex population_size) const;
  void clear();

 private:
  SpikeRecorderSpec spec_;
  std::vector<bool> selected_;  // empty when all neurons are recorded
  std::vector<Step> steps_;
  std::vector<NeuronIndex> neurons_;
};

}  // namespace qsnn::sim
