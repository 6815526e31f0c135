#include "sim/poisson_source.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace qsnn::sim {
namespace {

std::uint64_t probability_threshold(double rate_hz, double dt_ms, const std::string& name) {
  const double probability = rate_hz * dt_ms * 1e-3;
  if (!std::isfinite(rate_hz) || rate_hz < 0.0 || probability > 1.0)
    throw std::invalid_argument("Poisson source '" + name + "': rate " + std::to_string(rate_hz) +
                                " Hz (allowed: 0 .. " + std::to_string(1e3 / dt_ms) + " Hz at dt = " +
                                std::to_string(dt_ms) + " ms)");
  return static_cast<std::uint64_t>(std::llround(std::ldexp(probability, 32)));
}

}  // namespace

PoissonSource::PoissonSource(std::string name, NeuronIndex size, double dt_ms, quant::CounterRng rng)
    : Population(std::move(name), size), dt_ms_(dt_ms), rng_(rng), threshold_(size, 0), rates_hz_(size, 0.0) {}

void PoissonSource::set_rates(std::span<const double> rates_hz) {
  if (rates_hz.size() != size())
    throw std::invalid_argument("Poisson source '" + name() + "': " + std::to_string(rates_hz.size()) +
                                " rates for " + std::to_string(size()) + " neurons");
  for (NeuronIndex i = 0; i < size(); ++i) threshold_[i] = probability_threshold(rates_hz[i], dt_ms_, name());
  rates_hz_.assign(rates_hz.begin(), rates_hz.end());
}

void PoissonSource::set_rate(double rate_hz) {
  std::fill(threshold_.begin(), threshold_.end(), probability_threshold(rate_hz, dt_ms_, name()));
  std::fill(rates_hz_.begin(), rates_hz_.end(), rate_hz);
}

double PoissonSource::rate(NeuronIndex neuron) const { return rates_hz_.at(neuron); }

void PoissonSource::update_block(Step step, NeuronIndex begin, NeuronIndex end, BlockOutput& out) {
  // One Philox block gives 256 random bits: 32 for each of 8 consecutive neurons.
  NeuronIndex i = begin;
  while (i < end) {
    const std::uint64_t group = i / 8;
    const NeuronIndex group_end = std::min<NeuronIndex>(end, static_cast<NeuronIndex>((group + 1) * 8));
    // Silent neurons (rate 0: half the pixels of an image) never spike, whatever the draw: a group of
    // them skips its Philox block. Other groups draw exactly as before, so the spike trains are unchanged.
    if (std::all_of(threshold_.begin() + i, threshold_.begin() + group_end, [](std::uint64_t t) { return t == 0; })) {
      i = group_end;
      continue;
    }
    const auto words = rng_.block(step, group);
    for (; i < group_end; ++i) {
      const unsigned lane = i % 8;
      const std::uint64_t draw = (words[lane / 2] >> ((lane % 2) * 32)) & 0xffffffffULL;
      if (draw < threshold_[i]) out.spikes.push_back(i);
    }
  }
}

}  // namespace qsnn::sim
