#include "experiments/datasets/encoders.hpp"

#include <algorithm>
#include <stdexcept>

#include "quant/counter_rng.hpp"
#include "quant/rounded_division.hpp"
#include "quant/rounders.hpp"

namespace qsnn::experiments::datasets {

std::vector<sim::TimedSpike> poisson_encode(std::span<const std::uint8_t> image, const PoissonEncoding& encoding,
                                            std::uint64_t sample, sim::Step first_step) {
  const double max_probability = encoding.max_rate_hz * double(encoding.dt_us) * 1e-6;
  if (!(max_probability >= 0.0) || max_probability > 1.0)
    throw std::invalid_argument("poisson_encode: max_rate_hz * dt must lie in [0, 1], got " +
                                std::to_string(max_probability));
  const quant::CounterRng rng(encoding.seed, encoding.stream);
  std::vector<sim::TimedSpike> spikes;
  for (std::uint32_t t = 0; t < encoding.steps; ++t)
    for (std::size_t n = 0; n < image.size(); ++n) {
      if (image[n] == 0) continue;
      const double p = double(image[n]) / 255.0 * max_probability;
      if (rng.uniform01(t, n, sample) < p)
        spikes.push_back({first_step + t, static_cast<sim::NeuronIndex>(n)});
    }
  return spikes;
}

std::vector<sim::TimedSpike> latency_encode(std::span<const std::uint8_t> image, const LatencyEncoding& encoding,
                                            sim::Step first_step) {
  if (encoding.steps == 0) throw std::invalid_argument("latency_encode: steps must be > 0");
  std::vector<sim::TimedSpike> spikes;
  for (std::size_t n = 0; n < image.size(); ++n) {
    if (image[n] < encoding.min_intensity || image[n] == 0) continue;
    const auto delay = quant::multiply_divide(255 - image[n], std::int64_t{encoding.steps} - 1, 255,
                                              quant::FloorRounder{});
    spikes.push_back({first_step + static_cast<sim::Step>(delay), static_cast<sim::NeuronIndex>(n)});
  }
  std::sort(spikes.begin(), spikes.end());
  return spikes;
}

BinnedEvents bin_events(const EventStream& events, std::uint32_t dt_us, std::uint32_t steps,
                        bool separate_polarities) {
  if (dt_us == 0) throw std::invalid_argument("bin_events: dt_us must be > 0");
  const std::uint64_t plane = std::uint64_t(events.width) * events.height;
  BinnedEvents binned;
  binned.steps = steps;
  binned.neurons = static_cast<std::uint32_t>(separate_polarities ? 2 * plane : plane);
  binned.counts.assign(std::size_t(steps) * binned.neurons, 0);
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events.x[i] >= events.width || events.y[i] >= events.height)
      throw std::invalid_argument("bin_events: event " + std::to_string(i) + " lies outside the sensor");
    const std::uint64_t step = events.t_us[i] / dt_us;
    if (step >= steps) {
      ++binned.events_after_window;
      continue;
    }
    const std::uint64_t pixel = std::uint64_t(events.y[i]) * events.width + events.x[i];
    const std::uint64_t neuron = separate_polarities ? events.polarity[i] * plane + pixel : pixel;
    ++binned.counts[step * binned.neurons + neuron];
  }
  return binned;
}

std::vector<std::vector<std::uint32_t>> spike_lists(const BinnedEvents& binned) {
  std::vector<std::vector<std::uint32_t>> lists(binned.steps);
  for (std::uint32_t t = 0; t < binned.steps; ++t) {
    const auto counts = binned.step_counts(t);
    for (std::uint32_t n = 0; n < binned.neurons; ++n)
      if (counts[n] > 0) lists[t].push_back(n);
  }
  return lists;
}

std::vector<sim::TimedSpike> timed_spikes(const BinnedEvents& binned, sim::Step first_step) {
  std::vector<sim::TimedSpike> spikes;
  for (std::uint32_t t = 0; t < binned.steps; ++t) {
    const auto counts = binned.step_counts(t);
    for (std::uint32_t n = 0; n < binned.neurons; ++n)
      if (counts[n] > 0) spikes.push_back({first_step + t, n});
  }
  return spikes;
}

std::vector<std::uint8_t> step_input(const BinnedEvents& binned, std::uint32_t step) {
  if (step >= binned.steps) throw std::out_of_range("step_input: step outside the binned window");
  const auto counts = binned.step_counts(step);
  std::vector<std::uint8_t> input(binned.neurons);
  for (std::uint32_t n = 0; n < binned.neurons; ++n) input[n] = counts[n] > 0 ? 1 : 0;
  return input;
}

std::vector<std::vector<std::uint32_t>> spike_lists(std::span<const sim::TimedSpike> spikes, std::uint32_t steps,
                                                    sim::Step first_step) {
  std::vector<std::vector<std::uint32_t>> lists(steps);
  for (const auto& s : spikes) {
    if (s.step < first_step || s.step - first_step >= steps)
      throw std::out_of_range("spike_lists: spike outside [first_step, first_step + steps)");
    lists[s.step - first_step].push_back(s.neuron);
  }
  for (auto& list : lists) std::sort(list.begin(), list.end());
  return lists;
}

}  // namespace qsnn::experiments::datasets
