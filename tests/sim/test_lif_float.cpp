// The float64 reference path against closed forms of the discretized and continuous LIF equations.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "sim/lif_population.hpp"
#include "sim/network.hpp"

using namespace qsnn::sim;

namespace {

LifParameters reference_parameters() {
  LifParameters p;
  p.dt_ms = 0.1;
  p.tau_mem_ms = 20.0;
  p.tau_syn_ms = {5.0};
  p.v_rest = -65.0;
  p.v_reset = -65.0;
  p.v_threshold = -50.0;
  return p;
}

}  // namespace

TEST_CASE("float path: constant current gives the closed-form interspike interval") {
  Network net({.dt_ms = 0.1, .threads = 1, .seed = 1});
  LifParameters p = reference_parameters();
  p.refractory_ms = 2.0;
  const auto id = net.add_lif("n", 1, p, NumericPath::float64);
  auto& population = net.population_as<FloatLifPopulation>(id);
  // Steady state 20 mV above rest: V_n = 20 (1 - beta^n) relative to rest, threshold 15 mV.
  const double beta = std::exp(-0.1 / 20.0);
  const double drive = 20.0;
  const std::vector<double> injection{drive * (1.0 - beta)};
  population.set_injection(injection);
  auto& spikes = net.record_spikes({.population = id});
  net.run(20000);

  // Discrete closed form: first n with 20 (1 - beta^n) > 15, then 20 refractory steps, then again from 0.
  const int charge_steps = static_cast<int>(std::floor(std::log(1.0 - 15.0 / drive) / std::log(beta))) + 1;
  REQUIRE(spikes.count() > 10);
  CHECK(spikes.steps()[0] == static_cast<Step>(charge_steps - 1));  // step index counts from 0
  for (std::size_t k = 1; k < spikes.count(); ++k)
    CHECK(spikes.steps()[k] - spikes.steps()[k - 1] == static_cast<Step>(charge_steps + 20));
  // Continuous time: T = tau ln(I / (I - theta)) + t_ref, within one step.
  const double continuous_ms = 20.0 * std::log(drive / (drive - 15.0)) + 2.0;
  CHECK(std::abs((spikes.steps()[1] - spikes.steps()[0]) * 0.1 - continuous_ms) <= 0.1);
}

TEST_CASE("float path: an impulse gives the double-exponential membrane response") {
  Network net({.dt_ms = 0.1, .threads = 1, .seed = 1});
  LifParameters p = reference_parameters();
  p.v_threshold = 100.0;  // never spikes
  const auto input = net.add_spike_times("in", 1, {{10, 0}});
  const auto id = net.add_lif("n", 1, p, NumericPath::float64);
  const double w = 0.5;
  net.connect({.pre = input, .post = id, .connectivity = OneToOne{}, .weights = ConstantWeight{w}});
  auto& trace = net.record_state({.population = id, .variable = {StateKind::voltage, 0}});
  net.run(3000);

  const double alpha = std::exp(-0.1 / 5.0), beta = std::exp(-0.1 / 20.0);
  double max_continuous_error = 0.0;
  for (std::size_t s = 0; s < trace.steps().size(); ++s) {
    const double v = trace.value(s, 0) - p.v_rest;
    const auto step = static_cast<long>(trace.steps()[s]);
    const long n = step - 11;  // the spike of step 10 arrives at step 11
    if (n < 0) {
      CHECK(v == 0.0);
      continue;
    }
    // Discrete: V_n = w (alpha^(n+1) - beta^(n+1)) / (alpha - beta).
    const double discrete = w * (std::pow(alpha, n + 1) - std::pow(beta, n + 1)) / (alpha - beta);
    CHECK(v == doctest::Approx(discrete).epsilon(1e-12));
    // Continuous: the same charge w / (1 - alpha) as a current decaying with tau_syn into tau_mem.
    const double t = (n + 1) * 0.1;
    const double amplitude = w / (1.0 - alpha) * 20.0 / (20.0 - 5.0);
    const double continuous = amplitude * (std::exp(-t / 20.0) - std::exp(-t / 5.0));
    max_continuous_error = std::max(max_continuous_error, std::abs(v - continuous));
  }
  const double peak = w / (1.0 - alpha) * 20.0 / 15.0 * 0.472;  // the response peaks at t = 9.24 ms
  CHECK(max_continuous_error < 0.02 * peak);     // discretization error at dt = tau / 50
}
