// Pair STDP: the measured window against the analytic exponentials, pairing schemes, weight dependence.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "learning/pair_stdp.hpp"
#include "learning_fixture.hpp"

using namespace qsnn;
using namespace qsnn::test;
using learning::PairStdp;
using learning::Pairing;
using learning::WriteBackMode;

namespace {

constexpr int kMaxLag = 50;
constexpr Step kPreStep = 60;

// Pair i (pre neuron i -> post neuron i) has lag dt = i - 50 steps (1 ms each): 101 isolated pairs.
SpikeTrains window_protocol() {
  SpikeTrains trains(kPreStep + kMaxLag + 2);
  for (int i = 0; i <= 2 * kMaxLag; ++i) {
    const int dt = i - kMaxLag;
    trains.add_pre(kPreStep, static_cast<NeuronIndex>(i));
    trains.add_post(static_cast<Step>(static_cast<int>(kPreStep) + dt), static_cast<NeuronIndex>(i));
  }
  for (auto& step : trains.post) std::sort(step.begin(), step.end());
  return trains;
}

double analytic_window(const PairStdp& rule, int dt) {
  if (dt > 0) return rule.a_plus * std::exp(-dt / rule.tau_plus_ms);
  if (dt < 0) return -rule.a_minus * std::exp(dt / rule.tau_minus_ms);
  return 0.0;  // same-step pairs do not see each other (kernels/plasticity.hpp)
}

}  // namespace

TEST_CASE("pair STDP window: isolated pairs at -50..50 ms match A+ exp(-dt/tau+) and -A- exp(dt/tau-) in float64") {
  for (Pairing pairing : {Pairing::all_to_all, Pairing::nearest}) {
    INFO("pairing ", pairing == Pairing::nearest ? "nearest" : "all-to-all");
    LearningNet n(sim::NumericPath::float64, 101, 101, sim::OneToOne{}, 0.0);
    const PairStdp rule{.a_plus = 1.0, .a_minus = 0.8, .tau_plus_ms = 17.0, .tau_minus_ms = 34.0, .pairing = pairing};
    learning::PlasticProjection plastic(n.net, n.projection, rule);
    CHECK(plastic.write_back().mode == WriteBackMode::exact);
    feed(plastic, window_protocol());
    const auto w = plastic.weights_in_steps();
    REQUIRE(w.size() == 101);
    for (int i = 0; i <= 2 * kMaxLag; ++i) {
      const int dt = i - kMaxLag;
      INFO("dt = ", dt, " ms");
      const double expected = analytic_window(rule, dt);
      // The trace is decayed step by step (dt multiplications by exp(-1/tau)): equal to exp(-dt/tau) up to
      // the double rounding of those products.
      CHECK(std::abs(w[i] - expected) <= 1e-13 * std::max(1.0, std::abs(expected)));
    }
    CHECK(w[kMaxLag] == 0.0);
    CHECK(w[kMaxLag + 1] > 0.9);   // dt = +1: A+ e^(-1/17)
    CHECK(w[kMaxLag - 1] < -0.7);  // dt = -1: -A- e^(-1/34)
  }
}

TEST_CASE("pair STDP window with 8-bit weights: a float64 shadow is exact and the forward codes within half a step") {
  const PairStdp rule{.a_plus = 20.0, .a_minus = 16.0, .tau_plus_ms = 17.0, .tau_minus_ms = 34.0};
  LearningNet n(sim::NumericPath::fixed_point, 101, 101, sim::OneToOne{}, 0.0, {.bits = 8});
  learning::PlasticProjection plastic(n.net, n.projection, rule, {.write_back = {.mode = WriteBackMode::shadow}});
  feed(plastic, window_protocol());
  const auto shadow = plastic.weights_in_steps();
  const auto codes = n.codes();
  int moved = 0;
  for (int i = 0; i <= 2 * kMaxLag; ++i) {
    const int dt = i - kMaxLag;
    INFO("dt = ", dt, " ms");
    const double expected = analytic_window(rule, dt);
    CHECK(std::abs(shadow[i] - expected) <= 1e-13 * std::max(1.0, std::abs(expected)));
    // Forward code = nearest-even(shadow): within half a step of the window.
    CHECK(std::abs(codes[i] - expected) <= 0.5 + 1e-12);
    if (codes[i] != 0) ++moved;
  }
  CHECK(moved > 60);  // the window spans many codes, so the check above has teeth
}

TEST_CASE("pair STDP window with 16-bit nearest-rounded traces stays within the documented trace error bound") {
  // A trace rounded to nearest after every decay: e_{n+1} = f e_n + r_n with |r_n| <= 1/2 LSB and e_0 = 0
  // (the impulse 1 is exact), so |e_n| <= (1/2 LSB) / (1 - f). dw = A x inherits A times that.
  const learning::TraceFixedPoint format{.bits = 16, .frac_bits = 14, .rounding = {quant::RoundingMode::nearest_even}};
  const PairStdp rule{.a_plus = 20.0, .a_minus = 16.0, .tau_plus_ms = 17.0, .tau_minus_ms = 34.0,
                      .trace_format = format};
  LearningNet n(sim::NumericPath::float64, 101, 101, sim::OneToOne{}, 0.0);
  learning::PlasticProjection plastic(n.net, n.projection, rule);
  feed(plastic, window_protocol());
  const auto w = plastic.weights_in_steps();
  const double lsb = std::ldexp(1.0, -format.frac_bits);
  const double bound_plus = rule.a_plus * 0.5 * lsb / (1.0 - std::exp(-1.0 / rule.tau_plus_ms));
  const double bound_minus = rule.a_minus * 0.5 * lsb / (1.0 - std::exp(-1.0 / rule.tau_minus_ms));
  double largest_error = 0.0;
  for (int i = 0; i <= 2 * kMaxLag; ++i) {
    const int dt = i - kMaxLag;
    INFO("dt = ", dt, " ms");
    const double error = std::abs(w[i] - analytic_window(rule, dt));
    CHECK(error <= (dt > 0 ? bound_plus : bound_minus));
    // Every value is a multiple of the LSB times A: the traces really are fixed point.
    CHECK(std::abs(w[i]) / (dt > 0 ? rule.a_plus : rule.a_minus) / lsb ==
          doctest::Approx(std::round(std::abs(w[i]) / (dt > 0 ? rule.a_plus : rule.a_minus) / lsb)).epsilon(1e-9));
    largest_error = std::max(largest_error, error);
  }
  CHECK(largest_error > 0.0);
}

TEST_CASE("all-to-all pairing sums every earlier partner spike, nearest-spike pairing only the latest") {
  // Pre spikes at steps 10 and 12, post spike at 20: x = e^(-10/tau) + e^(-8/tau) or e^(-8/tau).
  SpikeTrains trains(22);
  trains.add_pre(10, 0);
  trains.add_pre(12, 0);
  trains.add_post(20, 0);
  for (Pairing pairing : {Pairing::all_to_all, Pairing::nearest}) {
    LearningNet n(sim::NumericPath::float64, 1, 1, sim::OneToOne{}, 0.0);
    const PairStdp rule{.a_plus = 1.0, .a_minus = 0.0, .tau_plus_ms = 20.0, .pairing = pairing};
    learning::PlasticProjection plastic(n.net, n.projection, rule);
    feed(plastic, trains);
    const double expected =
        pairing == Pairing::all_to_all ? std::exp(-10.0 / 20.0) + std::exp(-8.0 / 20.0) : std::exp(-8.0 / 20.0);
    CHECK(plastic.weights_in_steps()[0] == doctest::Approx(expected).epsilon(1e-13));
  }
}

TEST_CASE("weight-dependent STDP: multiplicative (Gutig mu = 1) and van Rossum (additive up, multiplicative down)") {
  // Four synapses 0->0, 1->1, 2->2, 3->3 with weights 20, 80, 20, 80 steps in bounds [0, 100];
  // pairs 0 and 1 at dt = +5, pairs 2 and 3 at dt = -5.
  const double step = 1.0;  // float64 target: weight_step() = 1
  sim::ExplicitSynapses synapses{{0, 1, 2, 3}, {0, 1, 2, 3}, {20 * step, 80 * step, 20 * step, 80 * step}, {}};
  SpikeTrains trains(30);
  trains.add_pre(10, 0);
  trains.add_pre(10, 1);
  trains.add_post(15, 0);
  trains.add_post(15, 1);
  trains.add_post(10, 2);
  trains.add_post(10, 3);
  trains.add_pre(15, 2);
  trains.add_pre(15, 3);
  for (auto& s : trains.pre) std::sort(s.begin(), s.end());
  for (auto& s : trains.post) std::sort(s.begin(), s.end());
  const double x = std::exp(-5.0 / 20.0);
  struct Case {
    double mu_plus, mu_minus;
    std::vector<double> expected_dw;
  };
  const double a_plus = 4.0, a_minus = 3.0;
  for (const Case& c : {Case{1.0, 1.0, {a_plus * x * 0.8, a_plus * x * 0.2, -a_minus * x * 0.2, -a_minus * x * 0.8}},
                        Case{0.0, 1.0, {a_plus * x, a_plus * x, -a_minus * x * 0.2, -a_minus * x * 0.8}}}) {
    INFO("mu+ = ", c.mu_plus, ", mu- = ", c.mu_minus);
    LearningNet n(sim::NumericPath::float64, 4, 4, synapses, 0.0, {.sign = sim::SignMode::excitatory});
    const PairStdp rule{.a_plus = a_plus, .a_minus = a_minus, .mu_plus = c.mu_plus, .mu_minus = c.mu_minus};
    learning::PlasticProjection plastic(n.net, n.projection, rule, {.write_back = {.upper_bound = 100.0}});
    feed(plastic, trains);
    const auto w = plastic.weights_in_steps();
    const double initial[] = {20, 80, 20, 80};
    for (std::size_t k = 0; k < 4; ++k) CHECK(w[k] - initial[k] == doctest::Approx(c.expected_dw[k]).epsilon(1e-12));
  }
  // Weight dependence needs finite bounds: mixed-sign exact float weights have none.
  LearningNet unbounded(sim::NumericPath::float64, 4, 4, synapses, 0.0);
  CHECK_THROWS_AS(learning::PlasticProjection(unbounded.net, unbounded.projection, PairStdp{.mu_minus = 1.0}),
                  std::invalid_argument);
}
