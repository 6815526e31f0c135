// The key rounding experiment (../shared/reference/papers.md §5): fully quantized 4-bit weights receiving
// STDP updates smaller than half a step. Deterministic round-to-nearest and truncation lose every update,
// floor (ceil) turns every depression (potentiation) into a whole step, and stochastic rounding follows
// the float64 learning on average.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "learning/pair_stdp.hpp"
#include "learning_fixture.hpp"

using namespace qsnn;
using namespace qsnn::test;
using learning::RoundOf;
using learning::WriteBackMode;
using learning::WriteBackSpec;
using quant::RoundingMode;

namespace {

constexpr NeuronIndex kPre = 40;
constexpr NeuronIndex kPost = 50;
constexpr Step kSteps = 400;
constexpr double kInitial = 8.0;  // codes 0..15 (4-bit excitatory)

// Nearest-spike traces never exceed 1, so |dw| <= max(A+, A-) < 1/2 step.
const learning::PairStdp kRule{.a_plus = 0.45, .a_minus = 0.3, .tau_plus_ms = 20.0, .tau_minus_ms = 20.0,
                               .pairing = learning::Pairing::nearest};

SpikeTrains trains() { return poisson_trains(kSteps, kPre, kPost, 0.02, 3); }

struct Outcome {
  std::vector<double> change;  // weight - initial, steps, synapse (i, j) at i * kPost + j
  learning::WeightStatistics stats;
};

Outcome run(const WriteBackSpec& write_back) {
  LearningNet n(sim::NumericPath::fixed_point, kPre, kPost, sim::AllToAll{}, kInitial,
                {.bits = 4, .sign = sim::SignMode::excitatory});
  learning::PlasticProjection plastic(n.net, n.projection, kRule, {.write_back = write_back});
  feed(plastic, trains());
  Outcome out{plastic.weights_in_steps(), plastic.statistics()};
  for (double& w : out.change) w -= kInitial;
  // In quantized mode what learning sees is the stored code itself.
  if (plastic.write_back().mode == WriteBackMode::quantized) {
    const auto codes = n.codes();
    for (std::size_t k = 0; k < codes.size(); ++k) REQUIRE(codes[k] - kInitial == out.change[k]);
  }
  return out;
}

// The float64 expectation: the same updates accumulated in a float64 shadow.
Outcome float_reference() { return run({.mode = WriteBackMode::shadow}); }

double mean(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()); }

// Per synapse: how many pre spikes met an earlier post spike (depressions) and post spikes an earlier pre
// spike (potentiations); with float64 traces every such update is non-zero.
std::vector<int> count_updates(bool depressions) {
  const SpikeTrains spikes = trains();
  std::vector<Step> first_pre(kPre, kSteps), first_post(kPost, kSteps);
  for (Step t = 0; t < kSteps; ++t) {
    for (NeuronIndex i : spikes.pre[t]) first_pre[i] = std::min(first_pre[i], t);
    for (NeuronIndex j : spikes.post[t]) first_post[j] = std::min(first_post[j], t);
  }
  std::vector<int> count(static_cast<std::size_t>(kPre) * kPost, 0);
  for (Step t = 0; t < kSteps; ++t) {
    if (depressions) {
      for (NeuronIndex i : spikes.pre[t])
        for (NeuronIndex j = 0; j < kPost; ++j) count[i * kPost + j] += first_post[j] < t ? 1 : 0;
    } else {
      for (NeuronIndex j : spikes.post[t])
        for (NeuronIndex i = 0; i < kPre; ++i) count[i * kPost + j] += first_pre[i] < t ? 1 : 0;
    }
  }
  return count;
}

}  // namespace

TEST_CASE("4-bit weights, updates below half a step: the float64 expectation is a clear drift") {
  const Outcome f = float_reference();
  CHECK(f.stats.saturated() == 0);
  CHECK(f.stats.proposed > 20000);
  CHECK(mean(f.change) > 0.2);  // potentiation wins on average (A+ > A-)
  CHECK(std::any_of(f.change.begin(), f.change.end(), [](double c) { return std::abs(c) > 1.0; }));
}

TEST_CASE("4-bit weights, updates below half a step: nearest rounding and truncation leave every weight unchanged") {
  struct Case {
    RoundingMode mode;
    RoundOf round_of;
  };
  const Outcome f = float_reference();
  for (const Case c : {Case{RoundingMode::nearest_even, RoundOf::sum}, Case{RoundingMode::nearest_away, RoundOf::sum},
                       Case{RoundingMode::nearest_even, RoundOf::update}, Case{RoundingMode::truncate, RoundOf::update}}) {
    INFO(quant::rounding_name(c.mode), c.round_of == RoundOf::sum ? " of code + dw" : " of dw");
    const Outcome q = run({.rounding = {c.mode}, .round_of = c.round_of});
    CHECK(std::all_of(q.change.begin(), q.change.end(), [](double d) { return d == 0.0; }));
    CHECK(q.stats.proposed == f.stats.proposed);
    CHECK(q.stats.lost_to_rounding == q.stats.proposed);
    CHECK(q.stats.changed == 0);
  }
  // Truncating code + dw instead rounds positive codes toward zero: every depression costs a step, the
  // potentiations are lost - a downward drift, unlike truncating dw itself (weight_writeback.hpp, RoundOf).
  const Outcome sum = run({.rounding = {RoundingMode::truncate}, .round_of = RoundOf::sum});
  CHECK(std::all_of(sum.change.begin(), sum.change.end(), [](double d) { return d <= 0.0; }));
  CHECK(mean(sum.change) < -1.0);
}

TEST_CASE("4-bit weights, updates below half a step: stochastic rounding follows the float64 mean within 3 standard errors") {
  const Outcome f = float_reference();
  const Outcome q = run({.rounding = {RoundingMode::stochastic}});
  CHECK(q.stats.saturated() == 0);
  std::vector<double> d(q.change.size());
  for (std::size_t k = 0; k < d.size(); ++k) d[k] = q.change[k] - f.change[k];
  const double m = mean(d);
  double ss = 0.0;
  for (double x : d) ss += (x - m) * (x - m);
  const double se = std::sqrt(ss / static_cast<double>(d.size() - 1)) / std::sqrt(static_cast<double>(d.size()));
  INFO("stochastic mean change ", mean(q.change), ", float64 ", mean(f.change), ", standard error ", se);
  CHECK(se > 0.0);
  CHECK(std::abs(m) <= 3.0 * se);
  CHECK(mean(f.change) > 10.0 * se);  // the drift it follows is far beyond the noise
  CHECK(q.stats.changed > q.stats.proposed / 10);
}

TEST_CASE("4-bit weights, updates below half a step: floor drifts down one step per depression, ceil up per potentiation") {
  const auto depressions = count_updates(true);
  const auto potentiations = count_updates(false);
  const Outcome floor = run({.rounding = {RoundingMode::floor}});
  const Outcome ceil = run({.rounding = {RoundingMode::ceil}});
  const Outcome f = float_reference();
  double expected_floor_bias = 0.0;
  for (std::size_t k = 0; k < floor.change.size(); ++k) {
    INFO("synapse ", k);
    // floor(code + dw) is code - 1 for every dw in (-1/2, 0) and code for dw in (0, 1/2); clipped at 0.
    CHECK(floor.change[k] == std::max(-kInitial, -static_cast<double>(depressions[k])));
    CHECK(ceil.change[k] == std::min(15.0 - kInitial, static_cast<double>(potentiations[k])));
    expected_floor_bias += floor.change[k] - f.change[k];
  }
  // Against the float64 learning, floor's bias is strongly negative (papers.md §5: "biases toward depression").
  CHECK(mean(floor.change) < 0.0);
  CHECK(mean(f.change) > 0.0);
  CHECK(expected_floor_bias / static_cast<double>(floor.change.size()) < -1.0);
}
