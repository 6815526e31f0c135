// Diehl & Cook 2015 STDP, both forms: hand-computed spike patterns, an event-by-event analytic reference on
// random trains (float64 exactly, fixed-point traces and 8-bit codes within their rounding bounds), the
// (w_max - w)^mu dependence, and x_tar turning uncorrelated input into depression.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "learning/diehl_cook_stdp.hpp"
#include "learning_fixture.hpp"

using namespace qsnn;
using namespace qsnn::test;
using learning::DiehlCookForm;
using learning::DiehlCookStdp;
using learning::Pairing;
using learning::WriteBackMode;

namespace {

constexpr double kInitial = 50.0;  // steps
constexpr double kUpper = 100.0;   // steps

// Spike steps of one synapse's pre and post neuron, ascending.
struct SynapseTrains {
  std::vector<Step> pre, post;
};

// A trace just before step t: the spikes of earlier steps, each decayed exactly as exp(-lag / tau).
double trace_before(const std::vector<Step>& spikes, Step t, double tau_ms, Pairing pairing) {
  double x = 0.0;
  for (Step s : spikes) {
    if (s >= t) break;
    const double decayed = std::exp(-static_cast<double>(t - s) / tau_ms);
    x = pairing == Pairing::nearest ? decayed : x + decayed;
  }
  return x;
}

bool contains(const std::vector<Step>& spikes, Step t) { return std::binary_search(spikes.begin(), spikes.end(), t); }

struct Reference {
  double w;
  bool clipped;  // a bound was hit on the way
};

// The rule replayed event by event on one synapse, in the kernel's order within a step (pre hook, then post
// hook, each reading traces of earlier steps), with hard bounds [0, kUpper] in float64.
Reference replay(const DiehlCookStdp& rule, const SynapseTrains& s, Step steps, double w) {
  bool clipped = false;
  auto clip = [&] {
    clipped = clipped || w < 0.0 || w > kUpper;
    w = std::clamp(w, 0.0, kUpper);
  };
  for (Step t = 0; t < steps; ++t) {
    if (contains(s.pre, t) && rule.form == DiehlCookForm::published_code) {
      w -= rule.eta_pre * trace_before(s.post, t, rule.tau_post1_ms, rule.pairing);
      clip();
    }
    if (contains(s.post, t)) {
      const double x_pre = trace_before(s.pre, t, rule.tau_pre_ms, rule.pairing);
      if (rule.form == DiehlCookForm::published_code) {
        w += rule.eta_post * x_pre * trace_before(s.post, t, rule.tau_post2_ms, rule.pairing);
      } else {
        w += rule.eta_post * (x_pre - rule.x_tar) * std::pow((kUpper - w) / kUpper, rule.mu);
      }
      clip();
    }
  }
  return {w, clipped};
}

// Synapse i connects pre i to post i. The first four follow hand-made patterns (see the first test case),
// the others random sparse trains.
constexpr NeuronIndex kHandMade = 4;
constexpr NeuronIndex kSynapses = 40;
constexpr Step kSteps = 300;

std::vector<SynapseTrains> protocol() {
  std::vector<SynapseTrains> s(kSynapses);
  s[0] = {{10}, {15}};            // pre -> post
  s[1] = {{15}, {10}};            // post -> pre
  s[2] = {{15}, {10, 20}};        // post -> pre -> post
  s[3] = {{}, {10, 20}};          // two posts, no pre
  const quant::CounterRng rng{314, 0};
  for (NeuronIndex i = kHandMade; i < kSynapses; ++i) {
    for (Step t = 0; t < kSteps; ++t) {
      if (rng.uniform01(t, 2 * i) < 0.04) s[i].pre.push_back(t);
      if (rng.uniform01(t, 2 * i + 1) < 0.04) s[i].post.push_back(t);
    }
  }
  return s;
}

SpikeTrains to_spike_trains(const std::vector<SynapseTrains>& synapses) {
  SpikeTrains trains(kSteps);
  for (NeuronIndex i = 0; i < synapses.size(); ++i) {
    for (Step t : synapses[i].pre) trains.add_pre(t, i);
    for (Step t : synapses[i].post) trains.add_post(t, i);
  }
  return trains;  // neurons are added in ascending order per step
}

std::vector<double> float_run(const DiehlCookStdp& rule) {
  LearningNet n(sim::NumericPath::float64, kSynapses, kSynapses, sim::OneToOne{}, kInitial,
                {.sign = sim::SignMode::excitatory});
  learning::PlasticProjection plastic(n.net, n.projection, rule, {.write_back = {.upper_bound = kUpper}});
  REQUIRE(plastic.write_back().mode == WriteBackMode::exact);
  feed(plastic, to_spike_trains(protocol()));
  return plastic.weights_in_steps();
}

}  // namespace

TEST_CASE("Diehl and Cook published-code form: hand-made pairs give -eta_pre x_post1 and +eta_post x_pre x_post2") {
  const DiehlCookStdp rule{.eta_pre = 2.0, .eta_post = 5.0};
  CHECK(rule.form == DiehlCookForm::published_code);
  const auto w = float_run(rule);
  const double e = 1e-12;
  CHECK(w[0] - kInitial == doctest::Approx(0.0).epsilon(e));  // an isolated pre -> post pair: no earlier post
  CHECK(w[1] - kInitial == doctest::Approx(-2.0 * std::exp(-5.0 / 20.0)).epsilon(e));
  CHECK(w[2] - kInitial ==
        doctest::Approx(-2.0 * std::exp(-5.0 / 20.0) + 5.0 * std::exp(-5.0 / 20.0) * std::exp(-10.0 / 40.0)).epsilon(e));
  CHECK(w[3] - kInitial == doctest::Approx(0.0).epsilon(e));  // no pre spike at all
}

TEST_CASE("Diehl and Cook paper form: a post spike gives eta_post (x_pre - x_tar), pre spikes alone nothing") {
  const DiehlCookStdp rule{.form = DiehlCookForm::presynaptic_target, .eta_post = 5.0, .x_tar = 0.4, .mu = 0.0};
  const auto w = float_run(rule);
  const double e = 1e-12;
  CHECK(w[0] - kInitial == doctest::Approx(5.0 * (std::exp(-5.0 / 20.0) - 0.4)).epsilon(e));
  CHECK(w[1] - kInitial == doctest::Approx(-2.0).epsilon(e));  // the post spike found no pre trace
  CHECK(w[2] - kInitial == doctest::Approx(-2.0 + 5.0 * (std::exp(-5.0 / 20.0) - 0.4)).epsilon(e));
  CHECK(w[3] - kInitial == doctest::Approx(-4.0).epsilon(e));
}

TEST_CASE("Diehl and Cook STDP in float64 equals the event-by-event analytic reference on random trains") {
  const auto synapses = protocol();
  for (const DiehlCookForm form : {DiehlCookForm::published_code, DiehlCookForm::presynaptic_target}) {
    for (const Pairing pairing : {Pairing::nearest, Pairing::all_to_all}) {
      for (const double mu : {0.0, 0.2, 1.0}) {
        if (form == DiehlCookForm::published_code && mu != 0.2) continue;  // mu belongs to the paper form
        INFO(std::string(form == DiehlCookForm::published_code ? "code form" : "paper form"), ", ",
             pairing == Pairing::nearest ? "nearest" : "all-to-all", ", mu = ", mu);
        const DiehlCookStdp rule{.form = form, .eta_pre = 3.0, .eta_post = 4.0, .mu = mu, .pairing = pairing};
        const auto w = float_run(rule);
        int moved = 0;
        for (NeuronIndex i = 0; i < kSynapses; ++i) {
          const double expected = replay(rule, synapses[i], kSteps, kInitial).w;
          INFO("synapse ", i);
          CHECK(w[i] == doctest::Approx(expected).epsilon(1e-11));
          if (std::abs(expected - kInitial) > 0.5) ++moved;
        }
        CHECK(moved > static_cast<int>(kSynapses) / 2);
      }
    }
  }
}

TEST_CASE("Diehl and Cook STDP with 16-bit fixed-point traces and 8-bit codes stays within the rounding bounds") {
  // Each trace, rounded to nearest after every decay, errs by at most (1/2 LSB) / (1 - e^(-1/tau))
  // (test_pair_stdp.cpp); each quantized write-back by at most 1/2 step (nearest) or < 1 (stochastic).
  const learning::TraceFixedPoint format{.bits = 16, .frac_bits = 14, .rounding = {quant::RoundingMode::nearest_even}};
  const double lsb = std::ldexp(1.0, -format.frac_bits);
  auto trace_error = [&](double tau) { return 0.5 * lsb / (1.0 - std::exp(-1.0 / tau)); };
  const auto synapses = protocol();
  for (const DiehlCookForm form : {DiehlCookForm::published_code, DiehlCookForm::presynaptic_target}) {
    for (const quant::RoundingMode mode : {quant::RoundingMode::nearest_even, quant::RoundingMode::stochastic}) {
      INFO(std::string(form == DiehlCookForm::published_code ? "code form" : "paper form"), ", ", quant::rounding_name(mode));
      // mu = 0 in the paper form: a weight dependence would feed each rounding error into later updates.
      // The paper form potentiates at every post spike: a smaller rate keeps most weights off the bounds.
      const double eta_post = form == DiehlCookForm::published_code ? 30.0 : 8.0;
      const DiehlCookStdp rule{
          .form = form, .eta_pre = 20.0, .eta_post = eta_post, .x_tar = 0.1, .mu = 0.0, .trace_format = format};
      LearningNet n(sim::NumericPath::fixed_point, kSynapses, kSynapses, sim::OneToOne{}, kInitial,
                    {.bits = 8, .sign = sim::SignMode::excitatory});
      learning::PlasticProjection plastic(n.net, n.projection, rule,
                                          {.write_back = {.rounding = {mode}, .upper_bound = kUpper}});
      REQUIRE(plastic.write_back().mode == WriteBackMode::quantized);
      feed(plastic, to_spike_trains(protocol()));
      const auto codes = n.codes();
      const double per_write = mode == quant::RoundingMode::nearest_even ? 0.5 : 1.0;
      const double e_pre = trace_error(rule.tau_pre_ms), e_post1 = trace_error(rule.tau_post1_ms),
                   e_post2 = trace_error(rule.tau_post2_ms);
      int moved = 0, clipped = 0;
      for (NeuronIndex i = 0; i < kSynapses; ++i) {
        const Reference reference = replay(rule, synapses[i], kSteps, kInitial);
        if (reference.clipped) {  // a bound absorbs errors unevenly: the bound below would not hold
          ++clipped;
          continue;
        }
        const double expected = reference.w;
        const auto n_pre = static_cast<double>(synapses[i].pre.size());
        const auto n_post = static_cast<double>(synapses[i].post.size());
        const double bound =
            form == DiehlCookForm::published_code
                ? n_pre * (rule.eta_pre * e_post1 + per_write) +
                      n_post * (rule.eta_post * (e_pre + e_post2 + e_pre * e_post2) + per_write)
                : n_post * (rule.eta_post * e_pre + per_write);
        INFO("synapse ", i, ": code ", codes[i], ", reference ", expected, ", bound ", bound);
        CHECK(std::abs(codes[i] - expected) <= bound);
        if (std::abs(codes[i] - kInitial) >= 5) ++moved;
      }
      INFO(clipped, " synapses clipped");
      CHECK(moved > static_cast<int>(kSynapses) / 3);
    }
  }
}

TEST_CASE("Diehl and Cook paper form scales updates by ((w_max - w) / (w_max - w_min))^mu") {
  // Synapses with weights 20, 80, 100 (= w_max) and 20 again, all paired pre at 10, post at 15.
  sim::ExplicitSynapses synapses{{0, 1, 2, 3}, {0, 1, 2, 3}, {20.0, 80.0, 100.0, 20.0}, {}};
  SpikeTrains trains(20);
  for (NeuronIndex i = 0; i < 4; ++i) trains.add_pre(10, i);
  for (NeuronIndex i = 0; i < 3; ++i) trains.add_post(15, i);  // synapse 3 gets no post spike: unchanged
  const double x = std::exp(-5.0 / 20.0);
  for (const double mu : {0.2, 0.5, 1.0}) {
    INFO("mu = ", mu);
    LearningNet n(sim::NumericPath::float64, 4, 4, synapses, 0.0, {.sign = sim::SignMode::excitatory});
    const DiehlCookStdp rule{.form = DiehlCookForm::presynaptic_target, .eta_post = 2.0, .x_tar = 0.1, .mu = mu};
    learning::PlasticProjection plastic(n.net, n.projection, rule, {.write_back = {.upper_bound = kUpper}});
    feed(plastic, trains);
    const auto w = plastic.weights_in_steps();
    const double dw20 = w[0] - 20.0, dw80 = w[1] - 80.0;
    CHECK(dw20 == doctest::Approx(2.0 * (x - 0.1) * std::pow(0.8, mu)).epsilon(1e-12));
    CHECK(dw80 == doctest::Approx(2.0 * (x - 0.1) * std::pow(0.2, mu)).epsilon(1e-12));
    CHECK(dw20 / dw80 == doctest::Approx(std::pow(4.0, mu)).epsilon(1e-12));
    CHECK(w[2] == 100.0);  // no headroom left at w_max
    CHECK(w[3] == 20.0);
  }
  // With the lower bound at 20 the same weights sit at fractions 0 and 0.75 of the range [20, 100].
  LearningNet n(sim::NumericPath::float64, 4, 4, synapses, 0.0, {.sign = sim::SignMode::excitatory});
  const DiehlCookStdp rule{.form = DiehlCookForm::presynaptic_target, .eta_post = 2.0, .x_tar = 0.1, .mu = 1.0};
  learning::PlasticProjection plastic(n.net, n.projection, rule,
                                      {.write_back = {.lower_bound = 20.0, .upper_bound = kUpper}});
  feed(plastic, trains);
  const auto w = plastic.weights_in_steps();
  CHECK(w[0] - 20.0 == doctest::Approx(2.0 * (x - 0.1)).epsilon(1e-12));
  CHECK(w[1] - 80.0 == doctest::Approx(2.0 * (x - 0.1) * 0.25).epsilon(1e-12));
}

TEST_CASE("Diehl and Cook x_tar depresses inputs uncorrelated with the post spikes and keeps causal ones") {
  // 30 independent Poisson inputs (1% per 1 ms step) onto 4 neurons firing independently (3%); input 30
  // instead fires one step before every spike of neuron 0. Mean nearest-spike trace of a 10 Hz input is
  // about 0.01 / (1 - 0.99 e^(-1/20)) = 0.17 < x_tar = 0.4, so uncorrelated synapses lose on average; the
  // causal synapse 30 -> 0 finds x_pre = e^(-1/20) = 0.95 at every post spike and grows.
  constexpr NeuronIndex kInputs = 31, kNeurons = 4;
  constexpr Step kLong = 3000;
  SpikeTrains trains = poisson_trains(kLong, kInputs - 1, kNeurons, 0.01, 5);
  const quant::CounterRng post_rng{5, 2};
  for (Step t = 0; t < kLong; ++t) {
    trains.post[t].clear();
    for (NeuronIndex j = 0; j < kNeurons; ++j)
      if (t > 0 && post_rng.uniform01(t, j) < 0.03) trains.add_post(t, j);
  }
  for (Step t = 1; t < kLong; ++t)
    if (std::find(trains.post[t].begin(), trains.post[t].end(), 0U) != trains.post[t].end())
      trains.add_pre(t - 1, kInputs - 1);  // the highest index: the step's list stays ascending
  for (const double x_tar : {0.4, 0.0}) {
    INFO("x_tar = ", x_tar);
    LearningNet n(sim::NumericPath::float64, kInputs, kNeurons, sim::AllToAll{}, kInitial,
                  {.sign = sim::SignMode::excitatory});
    const DiehlCookStdp rule{.form = DiehlCookForm::presynaptic_target, .eta_post = 0.2, .x_tar = x_tar};
    learning::PlasticProjection plastic(n.net, n.projection, rule, {.write_back = {.upper_bound = kUpper}});
    feed(plastic, trains);
    const auto w = plastic.weights_in_steps();
    const auto all = n.net.projection(n.projection).synapses();
    int uncorrelated_down = 0, uncorrelated = 0;
    for (std::size_t k = 0; k < all.size(); ++k) {
      if (all[k].pre == kInputs - 1) {
        if (all[k].post == 0) CHECK(w[k] > kInitial + 5.0);  // causal: grows in both cases
        continue;
      }
      ++uncorrelated;
      if (w[k] < kInitial) ++uncorrelated_down;
    }
    if (x_tar > 0.0) CHECK(uncorrelated_down == uncorrelated);  // every uncorrelated synapse depressed
    else CHECK(uncorrelated_down == 0);                         // without a target nothing can depress
  }
}

TEST_CASE("Diehl and Cook defaults are the published code's and bad parameters are rejected by name") {
  const DiehlCookStdp defaults;
  CHECK(defaults.form == DiehlCookForm::published_code);
  CHECK(defaults.eta_pre == 0.0001);
  CHECK(defaults.eta_post == 0.01);
  CHECK(defaults.tau_pre_ms == 20.0);
  CHECK(defaults.tau_post1_ms == 20.0);
  CHECK(defaults.tau_post2_ms == 40.0);
  CHECK(defaults.pairing == Pairing::nearest);
  CHECK(defaults.post_traces().size() == 2);
  CHECK(DiehlCookStdp{.form = DiehlCookForm::presynaptic_target}.post_traces().empty());

  LearningNet n(sim::NumericPath::float64, 3, 3, sim::OneToOne{}, kInitial);  // mixed sign: unbounded exact weights
  auto rejects = [&](const DiehlCookStdp& rule, const std::string& name) {
    INFO("expects a message naming ", name);
    try {
      learning::PlasticProjection plastic(n.net, n.projection, rule);
      FAIL("accepted");
    } catch (const std::invalid_argument& error) {
      CHECK(std::string(error.what()).find(name) != std::string::npos);
    }
  };
  rejects({.tau_pre_ms = 0.0}, "tau_pre_ms");
  rejects({.tau_post2_ms = -1.0}, "tau_post2_ms");
  rejects({.eta_pre = -0.1}, "eta_pre");
  rejects({.eta_post = std::nan("")}, "eta_post");
  rejects({.form = DiehlCookForm::presynaptic_target, .mu = -0.5}, "mu");
  rejects({.form = DiehlCookForm::presynaptic_target, .x_tar = std::numeric_limits<double>::infinity(), .mu = 0.0}, "x_tar");
  rejects({.form = DiehlCookForm::presynaptic_target, .mu = 0.2}, "finite weight bounds");  // w_max unknown
  // The same rule is fine without a weight dependence, and the code form needs no bounds at all.
  CHECK_NOTHROW(learning::PlasticProjection(n.net, n.projection, DiehlCookStdp{.form = DiehlCookForm::presynaptic_target, .mu = 0.0}));
  CHECK_NOTHROW(learning::PlasticProjection(n.net, n.projection, DiehlCookStdp{}));
}
