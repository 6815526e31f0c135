#pragma once
// Input encoders: images to spike trains (Poisson rate, latency) and event streams to time steps (binning).
// Outputs are sim::TimedSpike lists for sim::SpikeTimeSource or per-step neuron lists for DecolleSample.
#include <cstdint>
#include <span>
#include <vector>

#include "experiments/datasets/event_stream.hpp"
#include "sim/spike_time_source.hpp"

namespace qsnn::experiments::datasets {

struct PoissonEncoding {
  double max_rate_hz = 100.0;  // rate of a pixel of intensity 255; intensity i fires at i / 255 * max_rate_hz
  std::uint32_t dt_us = 1000;  // one simulation step
  std::uint32_t steps = 100;
  std::uint64_t seed = 0;
  std::uint64_t stream = 0;
};

// Bernoulli approximation of a Poisson process (Diehl & Cook 2015, Front. Comput. Neurosci. 9:99, input
// encoding): pixel n spikes in step t with probability p = i_n / 255 * max_rate_hz * dt. The draw for
// (sample, step t, pixel n) is CounterRng(seed, stream).uniform01(t, n, sample), so the train is a pure
// function of those keys. Throws std::invalid_argument when max_rate_hz * dt exceeds 1 or is negative.
std::vector<sim::TimedSpike> poisson_encode(std::span<const std::uint8_t> image, const PoissonEncoding& encoding,
                                            std::uint64_t sample, sim::Step first_step = 0);

struct LatencyEncoding {
  std::uint32_t steps = 100;        // spikes fall in [0, steps)
  std::uint8_t min_intensity = 1;   // dimmer pixels do not spike at all
};

// Time-to-first-spike code (Thorpe, Delorme & Van Rullen 2001, Neural Networks 14:715): one spike per pixel,
// linear in intensity, at step floor((255 - i) * (steps - 1) / 255) (quant::multiply_divide, floor rounder):
// 255 fires at step 0, the dimmest firing pixel last.
std::vector<sim::TimedSpike> latency_encode(std::span<const std::uint8_t> image, const LatencyEncoding& encoding,
                                            sim::Step first_step = 0);

// Events counted per (step, neuron); event at t_us falls in step floor(t_us / dt_us). With separate
// polarities, neuron = (polarity * height + y) * width + x (OFF plane, then ON plane), else y * width + x.
struct BinnedEvents {
  std::uint32_t steps = 0;
  std::uint32_t neurons = 0;
  std::vector<std::uint32_t> counts;  // steps x neurons, step-major
  std::uint64_t events_after_window = 0;  // events at t_us >= steps * dt_us, not counted

  std::span<const std::uint32_t> step_counts(std::uint32_t step) const {
    return std::span<const std::uint32_t>(counts).subspan(std::size_t(step) * neurons, neurons);
  }
};

BinnedEvents bin_events(const EventStream& events, std::uint32_t dt_us, std::uint32_t steps,
                        bool separate_polarities = true);

// Per step, the neurons with at least one event (ascending): DecolleSample::spikes.
std::vector<std::vector<std::uint32_t>> spike_lists(const BinnedEvents& binned);
// One spike per (step, neuron) with at least one event, for sim::SpikeTimeSource::set_spikes.
std::vector<sim::TimedSpike> timed_spikes(const BinnedEvents& binned, sim::Step first_step = 0);
// 0/1 input of one step, for DecolleNetwork::step.
std::vector<std::uint8_t> step_input(const BinnedEvents& binned, std::uint32_t step);
// Groups timed spikes (steps relative to first_step) into per-step neuron lists.
std::vector<std::vector<std::uint32_t>> spike_lists(std::span<const sim::TimedSpike> spikes, std::uint32_t steps,
                                                    sim::Step first_step = 0);

}  // namespace qsnn::experiments::datasets
