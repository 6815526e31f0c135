// Input encoders: Poisson rate statistics and determinism, latency order, event binning.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

#include "experiments/datasets/encoders.hpp"
#include "quant/counter_rng.hpp"

namespace ds = qsnn::experiments::datasets;

TEST_CASE("poisson encoding fires at intensity over 255 times the max rate within 3 standard errors") {
  // 200 pixels at 255, 200 at 64, 200 at 0; 1000 steps of 1 ms at 100 Hz max.
  std::vector<std::uint8_t> image(600, 0);
  std::fill(image.begin(), image.begin() + 200, 255);
  std::fill(image.begin() + 200, image.begin() + 400, 64);
  ds::PoissonEncoding encoding;
  encoding.max_rate_hz = 100.0;
  encoding.dt_us = 1000;
  encoding.steps = 1000;
  encoding.seed = 7;
  const auto spikes = ds::poisson_encode(image, encoding, /*sample=*/3);
  std::array<double, 3> counts{};
  for (const auto& s : spikes) {
    REQUIRE(s.step < encoding.steps);
    ++counts[s.neuron / 200];
  }
  const double trials = 200.0 * encoding.steps;
  for (const auto& [group, intensity] : {std::pair{0, 255}, std::pair{1, 64}}) {
    const double p = intensity / 255.0 * encoding.max_rate_hz * 1e-3;
    const double standard_error = std::sqrt(trials * p * (1.0 - p));
    CHECK(std::abs(counts[std::size_t(group)] - trials * p) < 3.0 * standard_error);
  }
  CHECK(counts[2] == 0.0);
  // A pure function of (seed, stream, step, index, sample): same keys, same train; another sample differs.
  CHECK(ds::poisson_encode(image, encoding, 3) == spikes);
  CHECK(ds::poisson_encode(image, encoding, 4) != spikes);
  encoding.max_rate_hz = 2000.0;  // 2 spikes per 1 ms step is no probability
  CHECK_THROWS_AS(ds::poisson_encode(image, encoding, 0), std::invalid_argument);
}

TEST_CASE("latency encoding fires brighter pixels no later than dimmer ones") {
  std::vector<std::uint8_t> image(256);
  std::iota(image.begin(), image.end(), 0);  // pixel n has intensity n
  const ds::LatencyEncoding encoding{.steps = 100, .min_intensity = 1};
  const auto spikes = ds::latency_encode(image, encoding, /*first_step=*/10);
  REQUIRE(spikes.size() == 255);  // intensity 0 stays silent
  std::vector<std::uint64_t> step_of(256, 0);
  for (const auto& s : spikes) step_of[s.neuron] = s.step - 10;
  CHECK(step_of[255] == 0);
  CHECK(step_of[1] == 98);  // floor(254 * 99 / 255)
  for (std::size_t n = 2; n < 256; ++n) CHECK(step_of[n] <= step_of[n - 1]);
  CHECK(step_of[128] < step_of[64]);
  CHECK(ds::latency_encode(image, ds::LatencyEncoding{.steps = 100, .min_intensity = 200}).size() == 56);
}

TEST_CASE("event binning conserves the event count and maps polarity planes") {
  ds::EventStream events;
  events.width = 34;
  events.height = 34;
  const qsnn::quant::CounterRng rng(11, 0);
  std::uint64_t t = 0;
  for (std::uint64_t i = 0; i < 5000; ++i) {
    t += rng.uniform_bits(0, i, 5);  // 0..31 us apart: many events share a 1 ms step and a pixel
    events.push_back(t, std::uint16_t(rng.uniform_bits(1, i, 5)), std::uint16_t(rng.uniform_bits(2, i, 5)),
                     rng.uniform_bits(3, i, 1) != 0 ? ds::Polarity::on : ds::Polarity::off);
  }
  const std::uint32_t steps = std::uint32_t(t / 1000) + 1;
  const auto all = ds::bin_events(events, 1000, steps);
  CHECK(all.neurons == 2U * 34U * 34U);
  CHECK(std::accumulate(all.counts.begin(), all.counts.end(), std::uint64_t{0}) == 5000);
  CHECK(all.events_after_window == 0);

  const auto half = ds::bin_events(events, 1000, steps / 2, /*separate_polarities=*/false);
  std::uint64_t late = 0;
  for (const auto time : events.t_us) late += time >= std::uint64_t(steps / 2) * 1000 ? 1 : 0;
  CHECK(half.neurons == 34U * 34U);
  CHECK(std::accumulate(half.counts.begin(), half.counts.end(), std::uint64_t{0}) + half.events_after_window ==
        5000);
  CHECK(half.events_after_window == late);

  // The three views agree: lists, timed spikes and dense inputs mark the same (step, neuron) pairs.
  const auto lists = ds::spike_lists(all);
  const auto timed = ds::timed_spikes(all, 5);
  std::size_t marked = 0;
  for (std::uint32_t s = 0; s < steps; ++s) {
    const auto input = ds::step_input(all, s);
    CHECK(std::accumulate(input.begin(), input.end(), std::size_t{0}) == lists[s].size());
    marked += lists[s].size();
  }
  CHECK(timed.size() == marked);
  CHECK(ds::spike_lists(timed, steps, 5) == lists);

  // One ON event at (x 2, y 1), 2.5 ms: step 2, neuron plane(34 * 34) + 1 * 34 + 2.
  ds::EventStream one;
  one.width = 34;
  one.height = 34;
  one.push_back(2500, 2, 1, ds::Polarity::on);
  const auto single = ds::timed_spikes(ds::bin_events(one, 1000, 3));
  REQUIRE(single.size() == 1);
  CHECK(single[0].step == 2);
  CHECK(single[0].neuron == 34U * 34U + 34U + 2U);
}
