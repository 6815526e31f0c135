#include "sim/spike_time_source.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace qsnn::sim {

SpikeTimeSource::SpikeTimeSource(std::string name, NeuronIndex size) : Population(std::move(name), size) {}

void SpikeTimeSource::set_spikes(std::vector<TimedSpike> spikes) {
  for (const TimedSpike& spike : spikes) {
    if (spike.neuron >= size())
      throw std::invalid_argument("spike source '" + name() + "': neuron " + std::to_string(spike.neuron) +
                                  " outside 0.." + std::to_string(size() - 1));
  }
  std::sort(spikes.begin(), spikes.end());
  spikes.erase(std::unique(spikes.begin(), spikes.end()), spikes.end());
  spikes_ = std::move(spikes);
}

void SpikeTimeSource::update_block(Step step, NeuronIndex begin, NeuronIndex end, BlockOutput& out) {
  auto first = std::lower_bound(spikes_.begin(), spikes_.end(), TimedSpike{step, begin});
  for (; first != spikes_.end() && first->step == step && first->neuron < end; ++first) out.spikes.push_back(first->neuron);
}

}  // namespace qsnn::sim
