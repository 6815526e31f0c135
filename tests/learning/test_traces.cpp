// Spike traces: exact decay in float64, pairing schemes, Loihi-style 7-bit stochastic traces.
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "learning/trace.hpp"

using namespace qsnn;
using learning::Pairing;
using learning::TraceArray;
using learning::TraceFixedPoint;
using learning::TraceSpec;
using sim::NeuronIndex;
using sim::Step;

namespace {

// Runs steps [0, steps) of the trace protocol: decay, then the spikes of the step.
void run(TraceArray& trace, Step from, Step to, const std::vector<NeuronIndex>& spikes_at_from) {
  for (Step t = from; t < to; ++t) {
    trace.decay(t);
    trace.add_spikes(t, t == from ? spikes_at_from : std::vector<NeuronIndex>{});
  }
}

std::vector<NeuronIndex> every_neuron(NeuronIndex n) {
  std::vector<NeuronIndex> v(n);
  std::iota(v.begin(), v.end(), NeuronIndex{0});
  return v;
}

}  // namespace

TEST_CASE("float64 traces decay by exp(-dt/tau) per step, all-to-all pairing adds impulses, nearest resets") {
  for (Pairing pairing : {Pairing::all_to_all, Pairing::nearest}) {
    TraceArray trace({.tau_ms = 10.0, .impulse = 1.0, .pairing = pairing}, 2, 0.5, 1, 1);
    run(trace, 0, 6, {0});
    CHECK(trace[0] == doctest::Approx(std::exp(-5 * 0.5 / 10.0)).epsilon(1e-15));
    CHECK(trace[1] == 0.0);
    run(trace, 6, 7, {0});
    const double expected = pairing == Pairing::all_to_all ? std::exp(-6 * 0.5 / 10.0) + 1.0 : 1.0;
    CHECK(trace[0] == doctest::Approx(expected).epsilon(1e-15));
  }
}

TEST_CASE("Loihi-style 7-bit traces with stochastic rounding decay without bias, nearest-rounded traces stall") {
  constexpr NeuronIndex kN = 20000;
  const TraceFixedPoint loihi{.bits = 7, .frac_bits = 5, .rounding = {quant::RoundingMode::stochastic}};
  TraceArray sr({.tau_ms = 20.0, .fixed = loihi}, kN, 1.0, 3, 9);
  run(sr, 0, 41, every_neuron(kN));  // impulse at step 0, then 40 decays
  const auto v = sr.values();
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / kN;
  double ss = 0.0;
  for (double x : v) ss += (x - mean) * (x - mean);
  const double se = std::sqrt(ss / (kN - 1)) / std::sqrt(static_cast<double>(kN));
  INFO("mean ", mean, ", expected ", std::exp(-2.0), ", standard error ", se);
  CHECK(se > 0.0);
  CHECK(std::abs(mean - std::exp(-40.0 / 20.0)) <= 3.0 * se);
  for (double x : v) CHECK(x * 32.0 == std::floor(x * 32.0));  // codes of 1/32

  // Round-to-nearest stalls once a step's decay x (1 - e^(-1/20)) is below half a code: from 32 codes the
  // trace falls to 10 codes (10 * 0.951 = 9.51 rounds back to 10) and stays there, while e^(-100/20) * 32
  // is 0.2 codes.
  TraceArray nearest({.tau_ms = 20.0, .fixed = TraceFixedPoint{.bits = 7, .frac_bits = 5,
                                                               .rounding = {quant::RoundingMode::nearest_even}}},
                     1, 1.0, 3, 9);
  run(nearest, 0, 101, {0});
  CHECK(nearest[0] == 10.0 / 32.0);
  run(nearest, 101, 300, {});
  CHECK(nearest[0] == 10.0 / 32.0);
  // Floor decays to zero (biased low instead).
  TraceArray floor({.tau_ms = 20.0, .fixed = TraceFixedPoint{.bits = 7, .frac_bits = 5,
                                                             .rounding = {quant::RoundingMode::floor}}},
                   1, 1.0, 3, 9);
  run(floor, 0, 101, {0});
  CHECK(floor[0] == 0.0);
}

TEST_CASE("fixed-point traces saturate at the top code and count it, stochastic draws are keyed by seed and stream") {
  const TraceFixedPoint loihi{.bits = 7, .frac_bits = 5, .rounding = {quant::RoundingMode::stochastic}};
  TraceArray trace({.tau_ms = 1000.0, .fixed = loihi}, 1, 1.0, 3, 9);
  for (Step t = 0; t < 6; ++t) {
    trace.decay(t);
    trace.add_spikes(t, std::vector<NeuronIndex>{0});
  }
  CHECK(trace[0] == 127.0 / 32.0);
  CHECK(trace.saturations().saturated_high >= 1);

  auto decayed = [&](std::uint64_t stream) {
    TraceArray t({.tau_ms = 7.0, .fixed = loihi}, 500, 1.0, 3, stream);
    run(t, 0, 5, every_neuron(500));
    return std::vector<double>(t.values().begin(), t.values().end());
  };
  CHECK(decayed(9) == decayed(9));
  CHECK(decayed(9) != decayed(10));
  CHECK_THROWS_AS(TraceArray({.impulse = 4.0, .fixed = loihi}, 1, 1.0, 3, 9), std::invalid_argument);  // 128 codes
}
