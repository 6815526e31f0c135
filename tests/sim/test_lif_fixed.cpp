// The fixed-point path: bounds against the float path, exact integer trajectories, overflow counters.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "sim/lif_population.hpp"
#include "sim/network.hpp"

using namespace qsnn::sim;
using qsnn::kernels::FixedLifConstants;
using qsnn::quant::OverflowMode;
using qsnn::quant::QFormat;
using qsnn::quant::RoundingMode;

namespace {

LifParameters subthreshold_parameters() {
  LifParameters p;
  p.tau_mem_ms = 20.0;
  p.tau_syn_ms = {5.0};
  p.v_rest = 0.0;
  p.v_reset = 0.0;
  p.v_threshold = 100.0;  // never reached: the traces stay comparable step by step
  return p;
}

}  // namespace

TEST_CASE("fixed path with 16-bit state stays within its quantization bound of the float path") {
  // Poisson-driven membrane traces of 50 neurons, same inputs in both paths.
  FixedPointSpec spec;
  spec.state_frac_bits = 8;  // 1/256 mV per code; 16-bit range +-128 mV
  spec.current_bits = 16;
  spec.voltage_bits = 16;
  Network net({.dt_ms = 1.0, .threads = 1, .seed = 7});
  const auto input = net.add_poisson("in", 100, 20.0);
  const auto fixed = net.add_lif("fixed", 50, subthreshold_parameters(), NumericPath::fixed_point, spec);
  const auto real = net.add_lif("float", 50, subthreshold_parameters(), NumericPath::float64);
  // Weights on the 8-bit grid of the fixed projection, so only state arithmetic differs.
  for (auto post : {fixed, real})
    net.connect({.pre = input, .post = post, .connectivity = FixedProbability{0.2},
                 .weights = UniformWeight{-0.3, 0.6}, .quantization = {.bits = 8},
                 .float_uses_quantized_weights = true, .stream = 0});
  auto& fixed_v = net.record_state({.population = fixed, .variable = {StateKind::voltage, 0}});
  auto& float_v = net.record_state({.population = real, .variable = {StateKind::voltage, 0}});
  auto& fixed_i = net.record_state({.population = fixed, .variable = {StateKind::current, 0}});
  auto& float_i = net.record_state({.population = real, .variable = {StateKind::current, 0}});
  net.run(2000);

  // Per step the fixed path adds at most half a code of rounding per decay plus the error of the 12-bit
  // decay constants times the state; errors then decay geometrically:
  //   |eI| <= (0.5 + dA * Imax) / (1 - alpha),  |eV| <= (0.5 + dB * Vmax + |eI|) / (1 - beta)   [codes]
  const double alpha = std::exp(-1.0 / 5.0), beta = std::exp(-1.0 / 20.0);
  const double d_alpha = std::abs(std::round(alpha * 4096) / 4096 - alpha);
  const double d_beta = std::abs(std::round(beta * 4096) / 4096 - beta);
  double i_max = 0, v_max = 0, i_error = 0, v_error = 0;
  for (std::size_t k = 0; k < float_v.values().size(); ++k) {
    i_max = std::max(i_max, std::abs(float_i.values()[k]) * 256);
    v_max = std::max(v_max, std::abs(float_v.values()[k]) * 256);
    i_error = std::max(i_error, std::abs(fixed_i.values()[k] - float_i.values()[k]) * 256);
    v_error = std::max(v_error, std::abs(fixed_v.values()[k] - float_v.values()[k]) * 256);
  }
  const double i_bound = (0.5 + d_alpha * i_max) / (1 - alpha);
  const double v_bound = (0.5 + d_beta * v_max + i_bound) / (1 - beta);
  INFO("current error ", i_error, " codes (bound ", i_bound, "), voltage error ", v_error, " (bound ", v_bound, ")");
  CHECK(v_max > 256 * 2.0);  // the traces move several mV: the comparison is not trivial
  CHECK(i_error <= i_bound);
  CHECK(v_error <= v_bound);
  CHECK(v_error > 0.0);      // and the paths really differ
  CHECK(net.overflow(fixed).current.total() == 0);
  CHECK(net.overflow(fixed).voltage.total() == 0);
}

TEST_CASE("saturation and wrap counters count exactly on a constructed overflow") {
  // 8-bit current and voltage, no decay of the current's input: +40 codes per step from a spike train.
  FixedLifConstants c;
  c.decay_shift = 12;
  c.current_decay = {0};     // current = input of this step
  c.voltage_decay = 4096;    // no leak
  c.threshold = 1'000'000;   // unreachable (and outside the 8-bit format on purpose: never compared true)
  c.current_format = QFormat(8, 0, true);
  c.voltage_format = QFormat(8, 0, true);
  c.current_decay_rounding = {RoundingMode::floor};
  c.voltage_decay_rounding = {RoundingMode::floor};
  for (OverflowMode mode : {OverflowMode::saturate, OverflowMode::wrap}) {
    c.voltage_overflow = mode;
    Network net({.dt_ms = 1.0, .threads = 1, .seed = 1});
    std::vector<TimedSpike> spikes;
    for (Step t = 0; t < 10; ++t) spikes.push_back({t, 0});
    const auto input = net.add_spike_times("in", 1, spikes);
    const auto n = net.add_fixed_lif("n", 1, c, 1.0, 0.0);
    net.connect({.pre = input, .post = n, .connectivity = OneToOne{}, .weights = ConstantWeight{40.0},
                 .quantization = {.bits = 8, .exponent = 0}});
    auto& v = net.record_state({.population = n, .variable = {StateKind::voltage, 0}});
    net.run(12);
    // Input arrives at steps 1..10: V = 40, 80, 120, then 160 > 127.
    const auto counts = net.overflow(n).voltage;
    if (mode == OverflowMode::saturate) {
      CHECK(counts.saturated_high == 7);  // steps 4..10
      CHECK(counts.wrapped == 0);
      CHECK(v.codes().back() == 127);
    } else {
      // 120 + 40 = 160 -> -96, then -56, -16, 24, 64, 104, 144 -> -112: two wraps.
      CHECK(counts.wrapped == 2);
      CHECK(counts.saturated() == 0);
      CHECK(v.codes().back() == -112);
    }
    CHECK(net.overflow(n).current.total() == 0);
  }
}

TEST_CASE("fixed path: reset by subtraction keeps the overshoot, refractory holds the reset value") {
  FixedLifConstants c;
  c.current_decay = {0};
  c.voltage_decay = 4096;
  c.threshold = 100;
  c.reset = qsnn::kernels::ResetMode::subtract;
  c.refractory_steps = 2;
  c.current_format = QFormat(16, 0, true);
  c.voltage_format = QFormat(16, 0, true);
  Network net({.dt_ms = 1.0, .threads = 1, .seed = 1});
  const auto n = net.add_fixed_lif("n", 1, c, 1.0, 0.0);
  net.population_as<FixedLifPopulation>(n).set_injection(std::vector<double>{30.0});
  auto& v = net.record_state({.population = n, .variable = {StateKind::voltage, 0}});
  auto& s = net.record_spikes({.population = n});
  net.run(10);
  // 30, 60, 90, 120 > 100 -> spike, 120 - 100 = 20; then held at reset (0) for 2 steps; then 30, 60, ...
  const std::vector<std::int64_t> expected{30, 60, 90, 20, 0, 0, 30, 60, 90, 20};
  CHECK(std::vector<std::int64_t>(v.codes().begin(), v.codes().end()) == expected);
  CHECK(std::vector<Step>(s.steps().begin(), s.steps().end()) == std::vector<Step>{3, 9});
}

TEST_CASE("adaptive threshold: theta jumps at each spike and decays") {
  LifParameters p;
  p.tau_mem_ms = 1e9;  // no leak
  p.v_threshold = 10.0;
  p.adaptive_threshold = true;
  p.theta_plus = 5.0;
  p.tau_theta_ms = 100.0;
  for (NumericPath path : {NumericPath::float64, NumericPath::fixed_point}) {
    Network net({.dt_ms = 1.0, .threads = 1, .seed = 1});
    FixedPointSpec spec;
    spec.state_frac_bits = 4;
    const auto n = net.add_lif("n", 1, p, path, spec);
    const std::vector<double> drive{4.0};
    if (path == NumericPath::float64) net.population_as<FloatLifPopulation>(n).set_injection(drive);
    else net.population_as<FixedLifPopulation>(n).set_injection(drive);
    auto& s = net.record_spikes({.population = n});
    auto& theta = net.record_state({.population = n, .variable = {StateKind::theta, 0}});
    net.run(60);
    REQUIRE(s.count() >= 3);
    // Interspike intervals grow as theta accumulates.
    CHECK(s.steps()[2] - s.steps()[1] > s.steps()[1] - s.steps()[0]);
    // Theta right after the first spike (step 2: V = 12 > 10): 5 * gamma.
    CHECK(theta.value(2, 0) == doctest::Approx(5.0 * std::exp(-0.01)).epsilon(0.01));
  }
}

TEST_CASE("a per-step injection schedule drives both paths identically when the values are on the grid") {
  LifParameters p;
  p.tau_mem_ms = 10.0;
  p.v_threshold = 50.0;
  FixedPointSpec spec;
  spec.state_frac_bits = 6;
  Network net({.dt_ms = 1.0, .threads = 2, .seed = 1, .min_parallel_neurons = 0});
  const auto fixed = net.add_lif("fixed", 3, p, NumericPath::fixed_point, spec);
  const auto real = net.add_lif("float", 3, p, NumericPath::float64);
  // Neuron i receives (i + 1) * 0.5 mV per step during steps 10..19 only.
  auto schedule = [](Step step, std::span<double> current) {
    if (step < 10 || step >= 20) return;
    for (std::size_t i = 0; i < current.size(); ++i) current[i] = 0.5 * static_cast<double>(i + 1);
  };
  net.population_as<FixedLifPopulation>(fixed).set_injection_schedule(schedule);
  net.population_as<FloatLifPopulation>(real).set_injection_schedule(schedule);
  auto& vf = net.record_state({.population = fixed, .variable = {StateKind::voltage, 0}});
  auto& vr = net.record_state({.population = real, .variable = {StateKind::voltage, 0}});
  net.run(40);
  for (std::size_t s = 0; s < 10; ++s) CHECK(vf.value(s, 2) == 0.0);
  CHECK(vf.value(10, 2) == 1.5);
  CHECK(vr.value(10, 2) == 1.5);
  CHECK(vf.value(11, 0) == doctest::Approx(0.5 + 0.5 * std::exp(-0.1)).epsilon(0.01));
  for (std::size_t s = 0; s < 40; ++s)
    for (std::size_t n = 0; n < 3; ++n) CHECK(std::abs(vf.value(s, n) - vr.value(s, n)) < 0.1);
  CHECK(vr.value(39, 2) < vr.value(20, 2));  // decays after the schedule ends
}
