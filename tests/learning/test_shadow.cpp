// Shadow (quantization-aware) write-back: whatever the rounding, the b-bit forward weights end within one
// step of float64 learning on the same spikes.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "learning/pair_stdp.hpp"
#include "learning_fixture.hpp"
#include "quant/rounding_mode.hpp"

using namespace qsnn;
using namespace qsnn::test;
using learning::WriteBackMode;

namespace {

constexpr NeuronIndex kN = 30;
constexpr Step kSteps = 500;
constexpr int kExtraBits = 16;
const learning::PairStdp kRule{.a_plus = 1.5, .a_minus = 1.6, .tau_plus_ms = 20.0, .tau_minus_ms = 20.0};

// Float64 learning: exact real weights in steps, no grid.
std::vector<double> float_learning(const SpikeTrains& trains) {
  LearningNet n(sim::NumericPath::float64, kN, kN, sim::AllToAll{}, 0.0, {.bits = 8});
  learning::PlasticProjection plastic(n.net, n.projection, kRule);
  feed(plastic, trains);
  return plastic.weights_in_steps();
}

// The most updates any one synapse can receive: its pre neuron's spikes plus its post neuron's.
double most_updates(const SpikeTrains& trains) {
  std::vector<int> pre(kN, 0), post(kN, 0);
  for (Step t = 0; t < trains.steps(); ++t) {
    for (NeuronIndex i : trains.pre[t]) ++pre[i];
    for (NeuronIndex j : trains.post[t]) ++post[j];
  }
  return *std::max_element(pre.begin(), pre.end()) + *std::max_element(post.begin(), post.end());
}

}  // namespace

TEST_CASE("shadow write-back with any rounding ends within one step of float64 learning") {
  const SpikeTrains trains = poisson_trains(kSteps, kN, kN, 0.03, 11);
  const auto reference = float_learning(trains);
  REQUIRE(std::any_of(reference.begin(), reference.end(), [](double w) { return std::abs(w) > 5.0; }));
  REQUIRE(std::all_of(reference.begin(), reference.end(), [](double w) { return std::abs(w) < 100.0; }));  // no bound hit
  // A fixed-point shadow errs by less than 2^-extra per update (directed roundings; half that for nearest).
  const double shadow_error = most_updates(trains) * std::ldexp(1.0, -kExtraBits);

  for (quant::RoundingMode mode : quant::all_rounding_modes()) {
    for (const bool fixed_shadow : {false, true}) {
      for (const sim::Step every : {sim::Step{1}, sim::Step{7}}) {
        INFO(quant::rounding_name(mode), fixed_shadow ? ", 16 extra bits" : ", float64 shadow",
             ", requantized every ", every, " steps");
        LearningNet n(sim::NumericPath::fixed_point, kN, kN, sim::AllToAll{}, 0.0, {.bits = 8});
        learning::ShadowSpec shadow{.rounding = {mode}, .forward_rounding = {mode}, .requantize_every = every};
        if (fixed_shadow) shadow.extra_frac_bits = kExtraBits;
        learning::PlasticProjection plastic(n.net, n.projection, kRule,
                                            {.write_back = {.mode = WriteBackMode::shadow, .shadow = shadow}});
        feed(plastic, trains);
        plastic.requantize();
        const auto codes = n.codes();
        const double forward_error =
            mode == quant::RoundingMode::nearest_even || mode == quant::RoundingMode::nearest_away ? 0.5 : 1.0;
        double worst = 0.0;
        for (std::size_t k = 0; k < codes.size(); ++k) worst = std::max(worst, std::abs(codes[k] - reference[k]));
        CHECK(worst <= forward_error + (fixed_shadow ? shadow_error : 1e-9));
        CHECK(plastic.statistics().forward_changes > 0);
      }
    }
  }
}

TEST_CASE("fully quantized nearest rounding of the same updates stalls where the shadow does not") {
  // The contrast that motivates shadow weights: A = 0.3 steps, all lost without a shadow.
  const SpikeTrains trains = poisson_trains(kSteps, kN, kN, 0.03, 11);
  const learning::PairStdp small{.a_plus = 0.3, .a_minus = 0.32, .pairing = learning::Pairing::nearest};
  LearningNet quantized(sim::NumericPath::fixed_point, kN, kN, sim::AllToAll{}, 0.0, {.bits = 8});
  LearningNet shadowed(sim::NumericPath::fixed_point, kN, kN, sim::AllToAll{}, 0.0, {.bits = 8});
  learning::PlasticProjection q(quantized.net, quantized.projection, small);
  learning::PlasticProjection s(shadowed.net, shadowed.projection, small, {.write_back = {.mode = WriteBackMode::shadow}});
  feed(q, trains);
  feed(s, trains);
  const auto q_codes = quantized.codes();
  const auto s_codes = shadowed.codes();
  CHECK(std::all_of(q_codes.begin(), q_codes.end(), [](std::int32_t c) { return c == 0; }));
  CHECK(std::count_if(s_codes.begin(), s_codes.end(), [](std::int32_t c) { return c != 0; }) > 100);
}
