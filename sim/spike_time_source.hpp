#pragma once
// Replays given spike times (from a dataset or a test): neuron n spikes at the listed steps.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sim/population.hpp"

namespace qsnn::sim {

struct TimedSpike {
  Step step = 0;
  NeuronIndex neuron = 0;
  friend auto operator<=>(const TimedSpike&, const TimedSpike&) = default;
};

class SpikeTimeSource final : public Population {
 public:
  SpikeTimeSource(std::string name, NeuronIndex size);

  // Replaces the schedule; steps are absolute. Sorted internally; duplicates are kept once.
  // Throws std::invalid_argument for a neuron index outside the population.
  void set_spikes(std::vector<TimedSpike> spikes);
  std::span<const TimedSpike> spikes() const { return spikes_; }

  void update_block(Step step, NeuronIndex begin, NeuronIndex end, BlockOutput& out) override;

 private:
  std::vector<TimedSpike> spikes_;  // sorted by (step, neuron)
};

}  // namespace qsnn::sim
