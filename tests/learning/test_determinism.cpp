// Learning in a running network is bit-identical for 1, 2 and 3 threads (different block layouts), with
// stochastic rounding of weights and traces, a shadow with shared stochastic rounding and R-STDP.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "learning/pair_stdp.hpp"
#include "learning/reward_stdp.hpp"
#include "learning/triplet_stdp.hpp"
#include "learning_fixture.hpp"
#include "sim/lif_population.hpp"

using namespace qsnn;
using namespace qsnn::test;
using learning::WriteBackMode;
using quant::RoundingMode;

namespace {

struct Result {
  std::vector<double> input_exc, exc_exc, input_readout;
  std::vector<std::int32_t> exc_exc_codes;
  std::vector<std::uint64_t> counts;
  friend bool operator==(const Result&, const Result&) = default;
};

std::vector<std::uint64_t> counts_of(const learning::WeightStatistics& s) {
  return {s.proposed, s.changed, s.lost_to_rounding, s.saturations.saturated_high, s.saturations.saturated_low,
          s.forward_changes};
}

Result run(std::size_t threads, std::uint64_t seed) {
  sim::Network net({.dt_ms = 1.0, .threads = threads, .seed = seed});
  const auto input = net.add_poisson("input", 200, 20.0);
  const auto exc = net.add_lif("exc", 120, sim::LifParameters{}, sim::NumericPath::fixed_point);
  const auto readout = net.add_lif("readout", 20, sim::LifParameters{}, sim::NumericPath::float64);
  const auto in_exc = net.connect({.pre = input, .post = exc, .connectivity = sim::FixedProbability{0.2},
                                   .weights = sim::UniformWeight{0.1, 0.5},
                                   .quantization = {.bits = 6, .sign = sim::SignMode::excitatory}});
  const auto exc_exc = net.connect({.pre = exc, .post = exc, .connectivity = sim::FixedProbability{0.05, false},
                                    .weights = sim::NormalWeight{0.05, 0.02}, .delays = sim::UniformDelay{1, 4}});
  const auto in_readout = net.connect({.pre = input, .post = readout, .connectivity = sim::AllToAll{},
                                       .weights = sim::UniformWeight{0.0, 0.1}});

  const learning::TraceFixedPoint loihi{.bits = 7, .frac_bits = 5, .rounding = {RoundingMode::stochastic}};
  learning::PlasticProjection stdp(net, in_exc, learning::PairStdp{.a_plus = 0.4, .a_minus = 0.42, .trace_format = loihi},
                                   {.write_back = {.rounding = {RoundingMode::stochastic}}, .min_parallel_synapses = 0});
  learning::PlasticProjection triplet(
      net, exc_exc, learning::TripletStdp{.a2_plus = 0.0, .a3_plus = 0.3, .a2_minus = 0.35},
      {.write_back = {.mode = WriteBackMode::shadow,
                      .shadow = {.extra_frac_bits = 8, .rounding = {RoundingMode::stochastic_shared},
                                 .forward_rounding = {RoundingMode::stochastic}, .requantize_every = 5}},
       .min_parallel_synapses = 0});
  learning::PlasticProjection reward(net, in_readout, learning::RewardStdp{.stdp = {.a_plus = 0.01, .a_minus = 0.011}},
                                     {.min_parallel_synapses = 0});
  learning::run_with_plasticity(net, {&stdp, &triplet, &reward}, 300, [&](Step t) {
    if (t % 50 == 49) reward.rule<learning::RewardStdp>().reward = (t / 50) % 2 == 0 ? 0.5 : -0.5;
  });

  Result r{stdp.weights_in_steps(), triplet.weights_in_steps(), reward.weights_in_steps(), {}, {}};
  for (const auto& s : net.projection(exc_exc).synapses()) r.exc_exc_codes.push_back(s.code);
  for (auto* p : {&stdp, &triplet, &reward}) {
    const auto c = counts_of(p->statistics());
    r.counts.insert(r.counts.end(), c.begin(), c.end());
  }
  r.counts.push_back(net.spike_count(exc));
  r.counts.push_back(net.spike_count(readout));
  return r;
}

}  // namespace

TEST_CASE("learning is bit-identical for 1, 2 and 3 threads, stochastic rounding included") {
  const Result one = run(1, 21);
  // Non-trivial: neurons fire and every rule changed weights.
  REQUIRE(one.counts.size() == 20);
  CHECK(one.counts[18] > 500);  // exc spikes
  CHECK(one.counts[19] > 0);    // readout spikes
  CHECK(one.counts[1] > 100);   // pair STDP changes
  CHECK(one.counts[7] > 100);   // triplet shadow changes
  CHECK(one.counts[13] > 100);  // R-STDP changes
  for (std::size_t threads : {std::size_t{2}, std::size_t{3}}) {
    INFO(threads, " threads");
    CHECK(run(threads, 21) == one);
  }
  CHECK_FALSE(run(2, 22) == one);
}
