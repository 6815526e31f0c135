#include "experiments/pipelines/spike_patterns.hpp"

#include "quant/counter_rng.hpp"

namespace qsnn::experiments {

std::vector<learning::DecolleSample> SpikePatternSet::samples(std::uint64_t first, std::uint64_t count) const {
  const quant::CounterRng pattern_rng{seed, stream}, spike_rng{seed, stream + 1};
  std::vector<double> rate(std::size_t{classes} * inputs);
  for (std::uint32_t c = 0; c < classes; ++c)
    for (std::uint32_t i = 0; i < inputs; ++i)
      rate[std::size_t{c} * inputs + i] = pattern_rng.uniform01(c, i) < active ? p_high : p_low;
  std::vector<learning::DecolleSample> out(count);
  for (std::uint64_t n = 0; n < count; ++n) {
    learning::DecolleSample& sample = out[n];
    const std::uint64_t index = first + n;
    sample.label = static_cast<std::uint32_t>(index % classes);
    sample.spikes.resize(steps);
    for (std::uint32_t t = 0; t < steps; ++t)
      for (std::uint32_t i = 0; i < inputs; ++i)
        if (spike_rng.uniform01(index * steps + t, i) < rate[std::size_t{sample.label} * inputs + i])
          sample.spikes[t].push_back(i);
  }
  return out;
}

}  // namespace qsnn::experiments
