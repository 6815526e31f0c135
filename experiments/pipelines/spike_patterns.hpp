#pragma once
// A synthetic spike-pattern classification set for DECOLLE runs that need no downloaded data: each class is a
// fixed random rate pattern over `inputs` neurons (an input belongs to the class's pattern with probability
// `active` and then fires with probability p_high per step, otherwise with p_low); a sample is `steps` steps of
// independent Bernoulli spikes of its class's pattern. Deterministic: class patterns from quant::CounterRng
// (seed, stream, class, input), spikes from (seed, stream + 1, sample * steps + step, input).
#include <cstdint>
#include <vector>

#include "learning/decolle_network.hpp"

namespace qsnn::experiments {

struct SpikePatternSet {
  std::uint32_t classes = 4, inputs = 40, steps = 30;
  double active = 0.3, p_high = 0.3, p_low = 0.02;
  std::uint64_t seed = 1, stream = 0x5A77E2;

  // Samples first .. first + count - 1; labels cycle through the classes.
  std::vector<learning::DecolleSample> samples(std::uint64_t first, std::uint64_t count) const;
};

}  // namespace qsnn::experiments
