#pragma once
// Independent Poisson spike trains in discrete time: neuron i spikes at step t with probability rate_i * dt,
// decided by the counter-based RNG keyed by (seed, stream, t, i), so the trains do not depend on the thread
// count, the block layout or what else the network draws.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "quant/counter_rng.hpp"
#include "sim/population.hpp"

namespace qsnn::sim {

class PoissonSource final : public Population {
 public:
  PoissonSource(std::string name, NeuronIndex size, double dt_ms, quant::CounterRng rng);

  // Rates in Hz, one per neuron or one for all. rate * dt must stay <= 1.
  void set_rates(std::span<const double> rates_hz);
  void set_rate(double rate_hz);
  double rate(NeuronIndex neuron) const;

  void update_block(Step step, NeuronIndex begin, NeuronIndex end, BlockOutput& out) override;

 private:
  double dt_ms_;
  quant::CounterRng rng_;
  // Spike iff a 32-bit draw is below threshold_[i] = round(rate_i * dt * 2^32) (2^32 = always).
  std::vector<std::uint64_t> threshold_;
  std::vector<double> rates_hz_;
};

}  // namespace qsnn::sim
