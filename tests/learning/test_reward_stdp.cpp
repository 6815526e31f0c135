// Reward-modulated STDP: no reward, no change; the change is lr * R * e, so it follows the reward's sign.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "learning/reward_stdp.hpp"
#include "learning_fixture.hpp"
#include "sim/lif_population.hpp"

using namespace qsnn;
using namespace qsnn::test;
using learning::PairStdp;
using learning::RewardStdp;

namespace {

const RewardStdp kRule{.stdp = PairStdp{.a_plus = 1.0, .a_minus = 1.2, .tau_plus_ms = 20.0, .tau_minus_ms = 20.0},
                       .tau_e_ms = 200.0};

// Feeds the trains; `reward` is delivered at the last step.
std::vector<double> run_rewarded(const SpikeTrains& trains, double reward, std::vector<double>* eligibility = nullptr,
                                 learning::WeightStatistics* stats = nullptr) {
  LearningNet n(sim::NumericPath::float64, 20, 20, sim::AllToAll{}, 0.0);
  learning::PlasticProjection plastic(n.net, n.projection, kRule);
  for (Step t = 0; t < trains.steps(); ++t) {
    if (t + 1 == trains.steps()) plastic.rule<RewardStdp>().reward = reward;
    plastic.apply(t, trains.pre[t], trains.post[t]);
  }
  CHECK(plastic.rule<RewardStdp>().reward == 0.0);  // applied once, then cleared
  if (eligibility != nullptr) *eligibility = plastic.eligibilities();
  if (stats != nullptr) *stats = plastic.statistics();
  return plastic.weights_in_steps();
}

}  // namespace

TEST_CASE("R-STDP: zero reward changes nothing and the weight change follows the sign of the reward") {
  const SpikeTrains trains = poisson_trains(300, 20, 20, 0.05, 7);
  std::vector<double> e;
  learning::WeightStatistics stats;
  const auto unrewarded = run_rewarded(trains, 0.0, &e, &stats);
  for (double w : unrewarded) CHECK(w == 0.0);
  CHECK(stats.proposed == 0);
  // The pairings did happen, in both directions: eligibility of both signs.
  const auto positive = std::count_if(e.begin(), e.end(), [](double x) { return x > 0.0; });
  const auto negative = std::count_if(e.begin(), e.end(), [](double x) { return x < 0.0; });
  CHECK(positive > 20);
  CHECK(negative > 20);

  const auto rewarded = run_rewarded(trains, 0.5);
  const auto punished = run_rewarded(trains, -0.5);
  for (std::size_t k = 0; k < e.size(); ++k) {
    INFO("synapse ", k);
    CHECK(rewarded[k] == 0.5 * e[k]);  // dw = lr R e(t), lr = 1, the step's own pairings included
    CHECK(punished[k] == -rewarded[k]);
    if (e[k] != 0.0) CHECK((rewarded[k] > 0.0) == (e[k] > 0.0));
  }
}

TEST_CASE("R-STDP: the eligibility of a pair decays with tau_e until the reward arrives") {
  // Pre at 10, post at 15: e = A+ e^(-5/tau+); reward R at step 55 with learning rate 0.25.
  SpikeTrains trains(56);
  trains.add_pre(10, 0);
  trains.add_post(15, 0);
  LearningNet n(sim::NumericPath::float64, 1, 1, sim::OneToOne{}, 0.0);
  learning::PlasticProjection plastic(n.net, n.projection, kRule, {.write_back = {.rate = {.initial = 0.25}}});
  for (Step t = 0; t < trains.steps(); ++t) {
    if (t == 55) plastic.rule<RewardStdp>().reward = 2.0;
    plastic.apply(t, trains.pre[t], trains.post[t]);
  }
  const double expected = 0.25 * 2.0 * 1.0 * std::exp(-5.0 / 20.0) * std::exp(-40.0 / 200.0);
  CHECK(plastic.weights_in_steps()[0] == doctest::Approx(expected).epsilon(1e-12));
  CHECK_THROWS_AS(plastic.rule<PairStdp>(), std::invalid_argument);
}

TEST_CASE("R-STDP in a running network without reward leaves the weights bit-identical") {
  sim::Network net({.dt_ms = 1.0, .threads = 2, .seed = 5});
  const auto input = net.add_poisson("input", 60, 40.0);
  const auto out = net.add_lif("out", 10, sim::LifParameters{}, sim::NumericPath::float64);
  const auto id = net.connect({.pre = input, .post = out, .connectivity = sim::AllToAll{},
                               .weights = sim::UniformWeight{0.1, 0.4}});
  learning::PlasticProjection plastic(net, id, kRule);
  const auto before = plastic.weights_in_steps();
  learning::run_with_plasticity(net, {&plastic}, 400, [&](Step) { plastic.rule<RewardStdp>().reward = 0.0; });
  CHECK(net.spike_count(out) > 50);
  CHECK(plastic.weights_in_steps() == before);
  const auto e = plastic.eligibilities();
  CHECK(std::any_of(e.begin(), e.end(), [](double x) { return x != 0.0; }));
}
