// Quantization diagnostics: a fixed-point network against its float64 twin built from one description.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/lif_population.hpp"
#include "sim/network.hpp"
#include "sim/network_description.hpp"
#include "sim/quantization_diagnostics.hpp"

using namespace qsnn::sim;
using qsnn::quant::OverflowMode;
using qsnn::quant::RoundingMode;

namespace {

constexpr StateVariable kVoltage{StateKind::voltage, 0};

// Poisson excitation on receptor 0 drives the membrane above threshold (1 mV over rest; about 65 spikes/s);
// Poisson inhibition on receptor 1 now and then pulls it to about 3 mV below rest, beyond a 10-bit voltage
// format with 8 fractional bits ([-2, 2) mV).
NetworkDescription poisson_network(const FixedPointSpec& spec, int weight_bits) {
  NetworkDescription d;
  const auto excitation = d.add(PoissonSourceDescription{.name = "excitation", .size = 60, .rate_hz = 40.0});
  const auto inhibition = d.add(PoissonSourceDescription{.name = "inhibition", .size = 30, .rate_hz = 40.0});
  LifParameters p;
  p.tau_mem_ms = 20.0;
  p.tau_syn_ms = {5.0, 10.0};
  p.v_rest = -65.0;
  p.v_reset = -65.0;
  p.v_threshold = -64.0;
  const auto exc = d.add(LifPopulationDescription{.name = "exc", .size = 40, .parameters = p, .fixed = spec});
  d.connect({.pre = excitation,
             .post = exc,
             .connectivity = FixedProbability{0.3},
             .weights = UniformWeight{0.0, 0.1},
             .quantization = {.bits = weight_bits}});
  d.connect({.pre = inhibition,
             .post = exc,
             .receptor = 1,
             .connectivity = FixedProbability{0.3},
             .weights = UniformWeight{-0.05, 0.0},
             .quantization = {.bits = weight_bits}});
  return d;
}

constexpr NetworkOptions kOptions{.dt_ms = 1.0, .threads = 1, .seed = 5};
constexpr Step kSteps = 3000;

}  // namespace

TEST_CASE("build gives a fixed network and its float64 twin the same inputs and synapses") {
  FixedPointSpec spec;
  NetworkDescription d = poisson_network(spec, 8);
  d.projections[0].delays = UniformDelay{1, 5};
  Network fixed(kOptions), twin(kOptions);
  const BuiltNetwork built = build(fixed, d);
  build(twin, d, NumericPath::float64);
  REQUIRE(built.populations.size() == 3);
  REQUIRE(built.projections.size() == 2);
  CHECK(dynamic_cast<FixedLifPopulation*>(&fixed.population(built.populations[2])) != nullptr);
  CHECK(dynamic_cast<FloatLifPopulation*>(&twin.population(built.populations[2])) != nullptr);
  auto& fixed_input = fixed.record_spikes({.population = built.populations[0]});
  auto& twin_input = twin.record_spikes({.population = built.populations[0]});
  fixed.run(200);
  twin.run(200);
  CHECK(fixed_input.count() > 100);
  CHECK(std::vector<Step>(fixed_input.steps().begin(), fixed_input.steps().end()) ==
        std::vector<Step>(twin_input.steps().begin(), twin_input.steps().end()));
  CHECK(std::vector<NeuronIndex>(fixed_input.neurons().begin(), fixed_input.neurons().end()) ==
        std::vector<NeuronIndex>(twin_input.neurons().begin(), twin_input.neurons().end()));
  for (const ProjectionId q : built.projections) {
    const auto a = fixed.projection(q).synapses();
    const auto b = twin.projection(q).synapses();
    REQUIRE(a.size() == b.size());
    CHECK(a.size() > 100);
    bool same = true;
    for (std::size_t k = 0; k < a.size(); ++k) {
      same = same && a[k].pre == b[k].pre && a[k].post == b[k].post && a[k].delay == b[k].delay;
      // 8-bit codes: each fixed weight is within half a weight step of the exact one.
      same = same && std::abs(a[k].weight - b[k].weight) <= 0.5 * fixed.projection(q).weight_step() + 1e-12;
    }
    CHECK(same);
  }
  // A second build into a used network would shift every stream index.
  CHECK_THROWS_AS(build(fixed, d), std::invalid_argument);
}

TEST_CASE("wide state and 16-bit weights: the fixed network follows its twin and needs no wider format") {
  FixedPointSpec spec;
  spec.state_frac_bits = 16;
  spec.current_bits = spec.voltage_bits = spec.theta_bits = 32;
  spec.decay_shift = 24;  // decay constants within 2^-25 of exp(-dt/tau): no systematic leak error
  const QuantizationReport report = diagnose_quantization(poisson_network(spec, 16), kOptions, kSteps);
  const PopulationDiagnostics* exc = report.population("exc");
  REQUIRE(exc != nullptr);
  REQUIRE(exc->fixed_point);
  INFO(quantization_report_text(report));
  CHECK(exc->reference_spikes > 1000);  // the comparison covers spiking, not only subthreshold traces
  // Weight codes are within 2^-17 of the exact weights and state codes 2^-16 mV: the membranes differ by
  // about 1e-5 mV, so only a membrane that lands that close to the threshold can spike one step apart.
  CHECK(exc->spike_mismatches * 100 <= exc->reference_spikes);
  CHECK(std::abs(exc->spike_count_difference) * 200 <= static_cast<std::int64_t>(exc->reference_spikes));
  CHECK(exc->membrane_rmse < 0.02);  // including the steps of those few flips
  CHECK(exc->overflow.current.total() + exc->overflow.voltage.total() == 0);
  REQUIRE(exc->variables.size() == 3);  // I0, I1, v: no theta without an adaptive threshold
  for (const StateDiagnostics& v : exc->variables) {
    INFO(state_variable_name(v.variable));
    CHECK(v.format.total_bits() == 32);
    CHECK(v.suggested_bits <= v.format.total_bits());
    CHECK(v.bits_needed < 32);  // the traces span a few mV: far less than the format
    CHECK(v.bits_used <= v.bits_needed);
    CHECK(v.updates == kSteps * 40);
    CHECK(v.updates_at_limit == 0);
    CHECK(v.zeroed_representable == 0);
    CHECK(v.reference_min < v.reference_max);
    CHECK(v.agreeing_updates > v.updates * 9 / 10);
    // While spikes agree the error is rounding only: a few 1e-5 mV per step, accumulated by the decays.
    CHECK(v.rmse < 1e-3);
    CHECK(v.max_abs_error < (v.variable.kind == StateKind::current ? 2e-4 : 2e-3));
  }
  // The reference range includes the pre-reset membrane: above threshold (1 mV over rest) since it spiked.
  CHECK(exc->find(kVoltage)->reference_max > 1.0);
  for (const ProjectionDiagnostics& q : report.projections) {
    CHECK(q.fixed_point);
    CHECK(q.saturations.total() == 0);
    CHECK(q.bits_used <= q.weight_bits);
    CHECK(q.max_abs_error <= 0.5 * q.weight_step);
  }
}

TEST_CASE("a 10-bit membrane saturates, is flagged, and the suggested width holds the run") {
  for (const OverflowMode mode : {OverflowMode::saturate, OverflowMode::saturate_symmetric}) {
    INFO("overflow mode ", overflow_name(mode));
    // The lowest code the mode keeps: saturate_symmetric never produces -2^(b-1).
    auto lowest = [mode](int bits) {
      const std::int64_t half = std::int64_t{1} << (bits - 1);
      return mode == OverflowMode::saturate ? -half : -(half - 1);
    };
    FixedPointSpec narrow;
    narrow.state_frac_bits = 8;
    narrow.voltage_bits = 10;  // [-2, 1.996] mV
    narrow.voltage_overflow = mode;
    const QuantizationReport report = diagnose_quantization(poisson_network(narrow, 8), kOptions, kSteps);
    const PopulationDiagnostics& exc = *report.population("exc");
    const StateDiagnostics& v = *exc.find(kVoltage);
    const std::string text = quantization_report_text(report);
    INFO(text);
    CHECK(exc.overflow.voltage.saturated() > 0);
    CHECK(exc.overflow.current.total() == 0);
    CHECK(v.updates_at_limit > 0);
    CHECK(v.min_code == lowest(10));  // the fixed path sat at the format's lower limit
    CHECK(v.reference_min < -2.0);    // where the ideal membrane went
    CHECK(v.bits_needed > 10);
    CHECK(v.suggested_bits > 10);
    // The suggested width holds the reference's range.
    const double step = std::ldexp(1.0, -narrow.state_frac_bits);
    const double top = static_cast<double>((std::int64_t{1} << (v.suggested_bits - 1)) - 1) * step;
    CHECK(static_cast<double>(lowest(v.suggested_bits)) * step <= v.reference_min);
    CHECK(top >= v.reference_max);
    CHECK(text.find("!! 'exc' v:") != std::string::npos);
    CHECK(text.find("saturations") != std::string::npos);

    // Rerun with the suggestion: no saturation, and the membrane uses the range it lacked.
    FixedPointSpec widened = narrow;
    widened.voltage_bits = v.suggested_bits;
    const QuantizationReport rerun = diagnose_quantization(poisson_network(widened, 8), kOptions, kSteps);
    const PopulationDiagnostics& exc2 = *rerun.population("exc");
    INFO(quantization_report_text(rerun));
    CHECK(exc2.overflow.voltage.total() == 0);
    CHECK(exc2.find(kVoltage)->bits_needed <= v.suggested_bits);
    CHECK(exc2.find(kVoltage)->min_code < lowest(10));
    CHECK(quantization_report_text(rerun).find("!! 'exc' v:") == std::string::npos);
  }
}

TEST_CASE("first divergence, spike counts and values lost to zero on a constructed case") {
  // One input spike per step 0..9, arriving at steps 1..10. Currents do not carry over (tau_syn 0.01 ms),
  // the membrane does not leak (tau_mem 1e9 ms), the state resolution is 1 mV and the threshold 1.1 mV
  // (code 1). Neuron 0 gets 0.4 mV per input: the float membrane reaches 0.4, 0.8, 1.2 and spikes every third
  // input (steps 3, 6, 9), while each fixed input rounds to code 0 and the fixed neuron never moves. Neuron 1
  // gets 0.6 mV: code 1 per input in the fixed path, spikes on every second input in both (steps 2, 4, .., 10).
  LifParameters p;
  p.tau_mem_ms = 1e9;
  p.tau_syn_ms = {0.01};
  p.v_threshold = 1.1;
  FixedPointSpec spec;
  spec.state_frac_bits = 0;
  NetworkDescription d;
  std::vector<TimedSpike> spikes;
  for (Step t = 0; t < 10; ++t) spikes.push_back({t, 0});
  const auto input = d.add(SpikeTimeSourceDescription{.name = "input", .size = 1, .spikes = spikes});
  const auto n = d.add(LifPopulationDescription{.name = "n", .size = 2, .parameters = p, .fixed = spec});
  d.connect(
      {.pre = input, .post = n, .connectivity = ExplicitSynapses{.pre = {0, 0}, .post = {0, 1}, .weight = {0.4, 0.6}}});

  QuantizationDiagnostics diagnostics(d, {.dt_ms = 1.0, .threads = 1, .seed = 1});
  auto& fixed_spikes = diagnostics.fixed_network().record_spikes({.population = n});
  auto& reference_spikes = diagnostics.reference_network().record_spikes({.population = n});
  diagnostics.run(7);
  diagnostics.run(5);  // resuming continues the comparison
  CHECK(diagnostics.steps() == 12);
  const QuantizationReport report = diagnostics.report();
  const PopulationDiagnostics& pop = *report.population("n");
  INFO(quantization_report_text(report));

  CHECK(pop.fixed_spikes == 5);
  CHECK(pop.reference_spikes == 8);
  CHECK(pop.spike_count_difference == -3);
  CHECK(pop.spike_mismatches == 3);
  REQUIRE(pop.first_divergence_step.has_value());
  CHECK(*pop.first_divergence_step == 3);
  CHECK(pop.first_divergence_neuron == 0);

  // The same from the recorders, independently of the diagnostics' own bookkeeping.
  auto trains = [](const SpikeRecorder& r) {
    std::set<std::pair<Step, NeuronIndex>> out;
    for (std::size_t k = 0; k < r.count(); ++k) out.insert({r.steps()[k], r.neurons()[k]});
    return out;
  };
  const auto fixed_train = trains(fixed_spikes), reference_train = trains(reference_spikes);
  std::vector<std::pair<Step, NeuronIndex>> only_one;
  std::set_symmetric_difference(fixed_train.begin(), fixed_train.end(), reference_train.begin(), reference_train.end(),
                                std::back_inserter(only_one));
  REQUIRE_FALSE(only_one.empty());
  CHECK(pop.fixed_spikes == fixed_spikes.count());
  CHECK(pop.reference_spikes == reference_spikes.count());
  CHECK(pop.spike_mismatches == only_one.size());
  CHECK(*pop.first_divergence_step == only_one.front().first);
  CHECK(pop.first_divergence_neuron == only_one.front().second);

  // Precision lost. Neuron 0's spikes disagree from step 3 on, so only its steps 1 and 2 count: fixed code 0
  // while the float membrane holds 0.4 (below half a code), then 0.8 (representable). Neuron 1 agrees
  // throughout; its fixed membrane is 0 after each reset, where the float one is 0 too, except after step 11:
  // the float current keeps 0.6 * e^-100 of its last input, which the membrane adds (a float64 decay tail).
  const StateDiagnostics& v = *pop.find(kVoltage);
  CHECK(v.zeroed_below_resolution == 2);
  CHECK(v.zeroed_representable == 1);
  CHECK(v.largest_zeroed_reference == doctest::Approx(0.8));
  // Neuron 0's current: 0.4 after steps 1 and 2 rounds to code 0; neuron 1's tail after step 11.
  const StateDiagnostics& current = *pop.find({StateKind::current, 0});
  CHECK(current.zeroed_below_resolution == 3);
  CHECK(current.zeroed_representable == 0);
  CHECK(current.largest_zeroed_reference == doctest::Approx(0.4));
  CHECK(pop.diverged_neurons == 1);
  CHECK(v.agreeing_updates == 3 + 12);             // neuron 0 at steps 0..2, neuron 1 throughout
  CHECK(v.reference_max == doctest::Approx(1.2));  // the float membrane before its reset
  CHECK(quantization_report_text(report).find("spike trains first differ at step 3 (neuron 0)") != std::string::npos);

  // The networks must be stepped together.
  diagnostics.fixed_network().run(1);
  CHECK_THROWS_AS(diagnostics.run(1), std::logic_error);
}

TEST_CASE("weights below half a weight step are counted as quantized to zero, exactly") {
  // Weight step 0.25 mV (state_frac_bits 4, exponent 2: 2^-4 * 2^2); nearest-even rounding sends
  // |w| < 0.125 to 0, and the tie 0.125 too. The exact zero does not count: nothing was lost.
  const std::vector<double> weights{0.1, -0.1, 0.125, 0.13, 0.0, 0.5, -0.2, 1e-9, 0.2, 40.0, -0.124};
  const std::vector<bool> zeroed{true, true, true, false, false, false, false, true, false, false, true};
  const auto expected_zeroed = static_cast<std::uint64_t>(std::count(zeroed.begin(), zeroed.end(), true));
  LifParameters p;
  p.v_threshold = 1000.0;
  FixedPointSpec spec;
  spec.state_frac_bits = 4;
  for (bool float_uses_quantized_weights : {false, true}) {
    INFO("float_uses_quantized_weights ", float_uses_quantized_weights);
    NetworkDescription d;
    const auto input = d.add(PoissonSourceDescription{.name = "input", .size = 1, .rate_hz = 100.0});
    const auto n = d.add(LifPopulationDescription{
        .name = "n", .size = static_cast<NeuronIndex>(weights.size()), .parameters = p, .fixed = spec});
    ExplicitSynapses list;
    for (std::size_t k = 0; k < weights.size(); ++k) {
      list.pre.push_back(0);
      list.post.push_back(static_cast<NeuronIndex>(k));
    }
    list.weight = weights;
    d.connect({.name = "list",
               .pre = input,
               .post = n,
               .connectivity = list,
               .quantization = {.bits = 8, .exponent = 2, .rounding = {RoundingMode::nearest_even}},
               .float_uses_quantized_weights = float_uses_quantized_weights});
    QuantizationDiagnostics diagnostics(d, kOptions);
    diagnostics.run(20);
    const QuantizationReport report = diagnostics.report();
    const ProjectionDiagnostics& q = *report.projection("list");
    INFO(quantization_report_text(report));
    CHECK(q.weight_step == 0.25);
    CHECK(q.exponent == 2);
    CHECK(q.synapses == weights.size());
    CHECK(q.zeroed_weights == expected_zeroed);
    CHECK(q.saturations.saturated_high == 1);  // 40 / 0.25 = 160 > 127
    CHECK(q.min_code == -1);
    CHECK(q.max_code == 127);
    CHECK(q.bits_used == 8);
    CHECK(q.exact_min == -0.2);
    CHECK(q.exact_max == 40.0);
    const auto synapses = diagnostics.fixed_network().projection(ProjectionId{0}).synapses();
    for (std::size_t k = 0; k < weights.size(); ++k) CHECK((synapses[k].code == 0 && weights[k] != 0.0) == zeroed[k]);
    // The twin's dequantized weights sit on the same 0.25 grid (the exponent shifted for the float path).
    const auto twin = diagnostics.reference_network().projection(ProjectionId{0}).synapses();
    for (std::size_t k = 0; k < weights.size(); ++k)
      CHECK(twin[k].weight == (float_uses_quantized_weights ? synapses[k].weight : weights[k]));
    CHECK(quantization_report_text(report).find("!! 'list': " + std::to_string(expected_zeroed) +
                                                " non-zero weights quantized to code 0") != std::string::npos);
  }
}

TEST_CASE("an adaptive threshold's range includes theta before its decay, and a narrow theta format is flagged") {
  // A 2 mV input every step drives the neuron (threshold 1 mV, refractory 2 steps); each spike adds 0.3 mV
  // to theta, which decays with tau 50 ms. In the reference theta climbs to about 3 mV, peaking right after
  // an increment; an 8-bit theta format with 8 fractional bits holds [-0.5, 0.5) mV.
  LifParameters p;
  p.tau_mem_ms = 20.0;
  p.tau_syn_ms = {0.01};
  p.v_threshold = 1.0;
  p.refractory_ms = 2.0;
  p.adaptive_threshold = true;
  p.theta_plus = 0.3;
  p.tau_theta_ms = 50.0;
  auto describe = [&](int theta_bits) {
    FixedPointSpec spec;
    spec.state_frac_bits = 8;
    spec.theta_bits = theta_bits;
    NetworkDescription d;
    std::vector<TimedSpike> spikes;
    for (Step t = 0; t < 400; ++t) spikes.push_back({t, 0});
    const auto input = d.add(SpikeTimeSourceDescription{.name = "input", .size = 1, .spikes = spikes});
    const auto n = d.add(LifPopulationDescription{.name = "n", .size = 1, .parameters = p, .fixed = spec});
    d.connect({.pre = input, .post = n, .connectivity = OneToOne{}, .weights = ConstantWeight{2.0}});
    return d;
  };
  QuantizationDiagnostics diagnostics(describe(8), kOptions);
  auto& theta =
      diagnostics.reference_network().record_state({.population = PopulationId{1}, .variable = {StateKind::theta, 0}});
  auto& spikes = diagnostics.reference_network().record_spikes({.population = PopulationId{1}});
  diagnostics.run(400);
  const QuantizationReport report = diagnostics.report();
  const PopulationDiagnostics& n = *report.population("n");
  INFO(quantization_report_text(report));
  REQUIRE(n.variables.size() == 3);  // I0, v, theta
  const StateDiagnostics& t = *n.find({StateKind::theta, 0});
  CHECK(n.overflow.theta.saturated_high > 0);
  // Saturated at code 127 after the increment, then decayed by round(4096 gamma) / 4096 = 4015 / 4096
  // within the same step: the codes held after a step peak at 124.
  CHECK(t.max_code == 124);
  // The largest theta the reference held before a decay: after a spike's increment, recorded as decayed.
  const double gamma = std::exp(-1.0 / 50.0);
  double peak = 0.0;
  for (std::size_t k = 0; k < spikes.count(); ++k) peak = std::max(peak, theta.values()[spikes.steps()[k]] / gamma);
  CHECK(peak > 1.0);
  CHECK(t.reference_max == doctest::Approx(peak).epsilon(1e-12));
  CHECK(t.suggested_bits > 8);
  CHECK(quantization_report_text(report).find("!! 'n' theta:") != std::string::npos);

  const QuantizationReport rerun = diagnose_quantization(describe(t.suggested_bits), kOptions, 400);
  INFO(quantization_report_text(rerun));
  CHECK(rerun.population("n")->overflow.theta.total() == 0);
}
