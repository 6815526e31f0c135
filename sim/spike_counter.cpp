#include "sim/spike_counter.hpp"

#include <algorithm>

namespace qsnn::sim {

SpikeCounter::SpikeCounter(Network& net, PopulationId population)
    : net_(net), population_(population), counts_(net.population(population).size(), 0) {
  net_.attach(*this);
}

SpikeCounter::~SpikeCounter() { net_.detach(*this); }

void SpikeCounter::after_spikes(Network& net, Step) {
  const auto spikes = net.population(population_).last_spikes();
  for (const NeuronIndex i : spikes) ++counts_[i];
  total_ += spikes.size();
}

NeuronIndex SpikeCounter::most_active() const {
  if (counts_.empty()) return 0;
  return static_cast<NeuronIndex>(std::max_element(counts_.begin(), counts_.end()) - counts_.begin());
}

void SpikeCounter::reset() {
  std::fill(counts_.begin(), counts_.end(), 0u);
  total_ = 0;
}

}  // namespace qsnn::sim
