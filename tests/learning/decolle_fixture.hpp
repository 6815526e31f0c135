#pragma once
// Shared set-up of the DECOLLE tests: spike-pattern classification data drawn from the counter RNG.
#include <cstdint>
#include <vector>

#include "learning/decolle_network.hpp"
#include "quant/counter_rng.hpp"

namespace qsnn::test {

// `classes` fixed random rate patterns over `inputs` neurons (each input is active, firing with probability
// p_high per step, with probability `active`, else fires with p_low); a sample is `steps` steps of
// independent Bernoulli spikes from its class's pattern. Samples alternate classes.
struct PatternTask {
  std::uint32_t classes = 4, inputs = 40, steps = 30;
  double active = 0.3, p_high = 0.3, p_low = 0.02;
  std::uint64_t seed = 5;

  double rate(std::uint32_t c, std::uint32_t i) const {
    return quant::CounterRng(seed, 1).uniform01(c, i) < active ? p_high : p_low;
  }
  // Samples first .. first + count - 1 (disjoint ranges give disjoint draws).
  std::vector<learning::DecolleSample> samples(std::uint64_t first, std::uint64_t count) const {
    const quant::CounterRng rng(seed, 2);
    std::vector<learning::DecolleSample> out;
    for (std::uint64_t n = first; n < first + count; ++n) {
      learning::DecolleSample s;
      s.label = static_cast<std::uint32_t>(n % classes);
      s.spikes.resize(steps);
      for (std::uint32_t t = 0; t < steps; ++t)
        for (std::uint32_t i = 0; i < inputs; ++i)
          if (rng.uniform01(n * steps + t, i) < rate(s.label, i)) s.spikes[t].push_back(i);
      out.push_back(std::move(s));
    }
    return out;
  }
};

// Random 0/1 input of one step.
inline std::vector<std::uint8_t> random_spikes(std::size_t n, double p, std::uint64_t seed, std::uint64_t step) {
  const quant::CounterRng rng(seed, 3);
  std::vector<std::uint8_t> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = rng.uniform01(step, i) < p ? 1 : 0;
  return out;
}

}  // namespace qsnn::test
