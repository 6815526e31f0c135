#pragma once
// Spikes per neuron of one population since the last reset: the per-sample output of a classifier (readout
// spike counts, Diehl & Cook label assignment). A StepHook, so it counts in phase 4 of every step it is
// attached for; cost one increment per spike.
//
//   sim::SpikeCounter counts(net, readout);   // attaches itself
//   net.run(sample_steps);
//   auto predicted = counts.most_active();    // then counts.reset() for the next sample
#include <cstdint>
#include <span>
#include <vector>

#include "sim/network.hpp"
#include "sim/step_hook.hpp"
#include "sim/types.hpp"

namespace qsnn::sim {

class SpikeCounter final : public StepHook {
 public:
  // Attaches itself to `net`; destroy it before the network.
  SpikeCounter(Network& net, PopulationId population);
  ~SpikeCounter() override;
  SpikeCounter(const SpikeCounter&) = delete;
  SpikeCounter& operator=(const SpikeCounter&) = delete;

  void after_spikes(Network& net, Step t) override;

  std::span<const std::uint32_t> counts() const { return counts_; }
  std::uint64_t total() const { return total_; }
  // The neuron with the most spikes, the lowest index on ties; 0 when nothing spiked.
  NeuronIndex most_active() const;
  void reset();

 private:
  Network& net_;
  PopulationId population_;
  std::vector<std::uint32_t> counts_;
  std::uint64_t total_ = 0;
};

}  // namespace qsnn::sim
