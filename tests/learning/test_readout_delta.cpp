// The readout delta rule: exact update, write-back options, and a readout that learns to classify patterns.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "learning/readout_delta_rule.hpp"
#include "learning_fixture.hpp"
#include "sim/poisson_source.hpp"
#include "sim/spike_counter.hpp"

using namespace qsnn;
using namespace qsnn::test;
using learning::WriteBackMode;
using quant::RoundingMode;

TEST_CASE("readout delta rule changes every synapse by eta times error times presynaptic activity, once") {
  LearningNet n(sim::NumericPath::float64, 3, 2, sim::AllToAll{}, 1.0);
  learning::PlasticProjection readout(n.net, n.projection, learning::ReadoutDelta{.eta = 0.25},
                                      {.write_back = {.mode = WriteBackMode::exact}});
  const std::vector<double> activity = {1.0, 2.0, 0.0}, error = {0.5, -4.0};
  readout.rule<learning::ReadoutDelta>().schedule(activity, error);
  readout.apply(0, {}, {});
  CHECK_FALSE(readout.rule<learning::ReadoutDelta>().pending());
  const auto synapses = n.net.projection(n.projection).synapses();
  const auto w = readout.weights_in_steps();
  REQUIRE(w.size() == 6);
  for (std::size_t k = 0; k < w.size(); ++k) {
    const auto& s = synapses[k];
    CHECK(w[k] == 1.0 + 0.25 * error[s.post] * activity[s.pre]);
  }
  readout.apply(1, {}, {});  // nothing scheduled: no change
  CHECK(readout.weights_in_steps() == w);
  CHECK(readout.statistics().proposed == 4);  // the two synapses of the silent input propose nothing
}

TEST_CASE("readout delta rule writes through the quantized write-back with its rounding") {
  // 4-bit codes, dw = 0.3 steps: nearest leaves the codes, stochastic moves 30 % of them up by one step.
  for (const auto mode : {RoundingMode::nearest_even, RoundingMode::stochastic}) {
    LearningNet fresh(sim::NumericPath::fixed_point, 200, 10, sim::AllToAll{}, 3.0, {.bits = 4});
    learning::PlasticProjection readout(fresh.net, fresh.projection, learning::ReadoutDelta{.eta = 0.3},
                                        {.write_back = {.rounding = {mode}}});
    readout.rule<learning::ReadoutDelta>().schedule(std::vector<double>(200, 1.0), std::vector<double>(10, 1.0));
    readout.apply(0, {}, {});
    const auto codes = fresh.codes();
    double mean = 0.0;
    for (const auto c : codes) mean += c;
    mean /= static_cast<double>(codes.size());
    if (mode == RoundingMode::nearest_even) {
      CHECK(mean == 3.0);
      CHECK(readout.statistics().lost_to_rounding == 2000);
    } else {
      // 2000 Bernoulli(0.3) draws: standard error 0.0102.
      CHECK(std::abs(mean - 3.3) < 3 * 0.0103);
    }
  }
}

namespace {

// Three classes of Poisson patterns over 60 inputs: class c drives inputs [20c, 20c + 20) at 50 Hz, the rest at
// 2 Hz. A readout of three LIF neurons learns, from spike counts or from the membrane of non-spiking
// neurons, which class a 100 ms sample belongs to. Returns the test accuracy.
enum class Signal { spike_count, membrane };

double classify(sim::NumericPath path, Signal signal, learning::WriteBackSpec write_back, int bits,
                std::uint64_t seed = 3) {
  constexpr sim::NeuronIndex kInputs = 60, kClasses = 3;
  constexpr sim::Step kSampleSteps = 100, kRestSteps = 50;
  sim::Network net({.dt_ms = 1.0, .threads = 1, .seed = seed});
  const auto input = net.add_poisson("input", kInputs, 0.0);
  sim::LifParameters p;
  p.tau_mem_ms = 20.0;
  p.tau_syn_ms = {5.0};
  if (signal == Signal::membrane) {  // a linear (non-spiking) readout integrating most of the sample
    p.v_threshold = 1e6;
    p.tau_mem_ms = 20.0;
  }
  sim::FixedPointSpec spec;
  const auto output = net.add_lif("readout", kClasses, p, path, spec);
  const auto projection = net.connect({.pre = input, .post = output, .connectivity = sim::AllToAll{},
                                       .weights = sim::UniformWeight{-0.1, 0.1}, .quantization = {.bits = bits}});
  net.prepare();
  // The rule works in weight steps: eta in volts per unit error and input spike, divided by the step.
  const double step = net.projection(projection).weight_step();
  const double eta_volts = 3e-4;
  learning::PlasticProjection readout(net, projection, learning::ReadoutDelta{.eta = eta_volts / step},
                                      {.write_back = write_back});
  net.attach(readout);
  sim::SpikeCounter input_counts(net, input), output_counts(net, output);
  auto& source = net.population_as<sim::PoissonSource>(input);
  auto& membrane = net.record_state({.population = output, .variable = {sim::StateKind::voltage, 0}});

  auto run_sample = [&](std::size_t sample, bool learn) {
    const std::size_t label = (sample * 7 + sample / 3) % kClasses;
    source.set_rate(0.0);  // a rest, so that each sample starts from the resting state
    net.run(kRestSteps);
    std::vector<double> rates(kInputs, 2.0);
    for (sim::NeuronIndex i = 0; i < kInputs / kClasses; ++i) rates[label * (kInputs / kClasses) + i] = 50.0;
    source.set_rates(rates);
    input_counts.reset();
    output_counts.reset();
    net.run(kSampleSteps);
    std::vector<double> outputs(kClasses);
    const std::size_t first_sample = membrane.steps().size() - kSampleSteps;
    for (sim::NeuronIndex j = 0; j < kClasses; ++j) {
      if (signal == Signal::spike_count) {
        outputs[j] = output_counts.counts()[j];
      } else {
        for (std::size_t k = first_sample; k < membrane.steps().size(); ++k) outputs[j] += membrane.value(k, j);
        outputs[j] /= static_cast<double>(kSampleSteps);
      }
    }
    bool unique_max = true;  // silent readouts and ties count as errors
    std::size_t predicted = 0;
    for (std::size_t j = 1; j < kClasses; ++j) {
      if (outputs[j] == outputs[predicted]) unique_max = false;
      if (outputs[j] > outputs[predicted]) {
        predicted = j;
        unique_max = true;
      }
    }
    if (learn) {
      std::vector<double> activity(input_counts.counts().begin(), input_counts.counts().end());
      readout.rule<learning::ReadoutDelta>().schedule(
          activity, learning::one_hot_errors(outputs, label, signal == Signal::spike_count ? 8.0 : 1.0, 0.0));
    }
    return unique_max && predicted == label;
  };
  // The membrane readout sees more Poisson noise per sample (a mean over 100 steps, not a threshold), so it
  // needs a smaller step and more samples to converge than the spike counts.
  const std::size_t train = signal == Signal::spike_count ? 150 : 900;
  for (std::size_t sample = 0; sample < train; ++sample) run_sample(sample, true);
  int correct = 0;
  for (std::size_t sample = train; sample < train + 60; ++sample) correct += run_sample(sample, false);
  return correct / 60.0;
}

}  // namespace

TEST_CASE("a readout trained by the delta rule on spike counts classifies Poisson patterns") {
  // Without learning (rate 0) the random initial weights are no better than a guess.
  CHECK(classify(sim::NumericPath::float64, Signal::spike_count, {.mode = WriteBackMode::exact, .rate = {.initial = 0.0}},
                 8) < 0.6);
  CHECK(classify(sim::NumericPath::float64, Signal::spike_count, {.mode = WriteBackMode::exact}, 8) >= 0.95);
  CHECK(classify(sim::NumericPath::fixed_point, Signal::spike_count, {.rounding = {RoundingMode::stochastic}}, 4) >=
        0.9);
  CHECK(classify(sim::NumericPath::fixed_point, Signal::spike_count,
                 {.mode = WriteBackMode::shadow, .shadow = {.extra_frac_bits = 8}}, 4) >= 0.9);
}

TEST_CASE("a non-spiking readout trained by the delta rule on its membrane classifies Poisson patterns") {
  CHECK(classify(sim::NumericPath::float64, Signal::membrane, {.mode = WriteBackMode::exact}, 8) >= 0.95);
}
