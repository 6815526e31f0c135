// Divisive weight normalization (Diehl & Cook 2015): each neuron's input sum reaches the target exactly in
// float64 and within one step per input in integer arithmetic, for every rounding, in quantized and shadow
// modes; zero sums, bounds, keyed stochastic draws and thread-count independence.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "learning/diehl_cook_stdp.hpp"
#include "learning/pair_stdp.hpp"
#include "learning/weight_normalization.hpp"
#include "learning_fixture.hpp"
#include "quant/rounding_mode.hpp"

using namespace qsnn;
using namespace qsnn::test;
using learning::WriteBackMode;
using quant::RoundingMode;

namespace {

constexpr NeuronIndex kInputs = 120, kNeurons = 40;

// kInputs spike-time sources onto kNeurons LIF neurons, 30% connectivity (fan-in varies per neuron),
// weights uniform in [0, 100] steps: one step is one code (exponent 0) on every path, so weights are in
// steps on float64 targets too.
struct RandomNet {
  sim::Network net;
  sim::ProjectionId projection;

  RandomNet(sim::NumericPath path, bool float_on_grid = false, std::size_t threads = 1)
      : net({.dt_ms = 1.0, .threads = threads, .seed = 3, .min_parallel_neurons = 0}) {
    const auto pre = net.add_spike_times("pre", kInputs);
    const auto post = net.add_lif("post", kNeurons, sim::LifParameters{}, path);
    const double step = path == sim::NumericPath::fixed_point ? sim::FixedPointSpec{}.state_step() : 1.0;
    projection = net.connect({.name = "input", .pre = pre, .post = post, .connectivity = sim::FixedProbability{0.3},
                              .weights = sim::UniformWeight{0.0, 100.0 * step},
                              .quantization = {.bits = 8, .sign = sim::SignMode::excitatory, .exponent = 0},
                              .float_uses_quantized_weights = float_on_grid});
    net.prepare();
  }
};

// Per postsynaptic neuron: the sum of the weights learning sees (steps) and the number of non-zero inputs.
struct ColumnSums {
  std::vector<double> sum;
  std::vector<int> nonzero;
};
ColumnSums column_sums(const sim::Projection& projection, const std::vector<double>& weights) {
  ColumnSums c{std::vector<double>(kNeurons, 0.0), std::vector<int>(kNeurons, 0)};
  const auto synapses = projection.synapses();
  for (std::size_t k = 0; k < synapses.size(); ++k) {
    c.sum[synapses[k].post] += weights[k];
    if (weights[k] != 0.0) ++c.nonzero[synapses[k].post];
  }
  return c;
}

// Exact floor(w T / S) and the remainder, for integer weights, in 64-bit integers.
struct Exact {
  std::int64_t floor, remainder, divisor;
};
Exact exact_quotient(std::int64_t w, std::int64_t target, std::int64_t sum) {
  const std::int64_t n = w * target;
  std::int64_t q = n / sum, r = n % sum;
  if (r < 0) {
    q -= 1;
    r += sum;
  }
  return {q, r, sum};
}

}  // namespace

TEST_CASE("normalization of exact float64 weights sets every neuron's input sum to the target, ratios kept") {
  RandomNet n(sim::NumericPath::float64);
  learning::PlasticProjection plastic(n.net, n.projection, learning::DiehlCookStdp{});
  REQUIRE(plastic.write_back().mode == WriteBackMode::exact);
  const auto before = plastic.weights_in_steps();
  const auto before_sums = column_sums(n.net.projection(n.projection), before);
  const double target = 78.4;
  const auto stats = learning::normalize_incoming_weights(plastic, target);
  const auto after = plastic.weights_in_steps();
  const auto sums = column_sums(n.net.projection(n.projection), after);
  CHECK(stats.neurons_normalized == kNeurons);
  CHECK(stats.zero_sum_neurons == 0);
  CHECK(stats.saturated() == 0);
  CHECK(stats.max_abs_deviation < 1e-11);
  for (NeuronIndex j = 0; j < kNeurons; ++j) {
    REQUIRE(before_sums.sum[j] > 500.0);  // far from the target: the normalization really scaled
    CHECK(sums.sum[j] == doctest::Approx(target).epsilon(1e-13));
  }
  const auto synapses = n.net.projection(n.projection).synapses();
  for (std::size_t k = 0; k < after.size(); ++k)
    CHECK(after[k] == doctest::Approx(before[k] * target / before_sums.sum[synapses[k].post]).epsilon(1e-13));
}

TEST_CASE("quantized normalization keeps each neuron's sum within one step per input of the target, every rounding") {
  for (const bool float_on_grid : {false, true}) {
    for (const RoundingMode mode : quant::all_rounding_modes()) {
      for (const double target : {1500.0, 777.25}) {
        INFO(std::string(float_on_grid ? "float64 target on the grid, " : "fixed-point target, "), quant::rounding_name(mode),
             ", target ", target);
        RandomNet n(float_on_grid ? sim::NumericPath::float64 : sim::NumericPath::fixed_point, float_on_grid);
        learning::PlasticProjection plastic(n.net, n.projection, learning::DiehlCookStdp{},
                                            {.write_back = {.rounding = {mode}}});
        REQUIRE(plastic.write_back().mode == WriteBackMode::quantized);
        const auto before = plastic.weights_in_steps();
        const auto before_sums = column_sums(n.net.projection(n.projection), before);
        const auto stats = learning::normalize_incoming_weights(plastic, target);
        const auto after = plastic.weights_in_steps();
        const auto sums = column_sums(n.net.projection(n.projection), after);
        REQUIRE(stats.saturated() == 0);
        CHECK(stats.neurons_normalized == kNeurons);
        double worst = 0.0;
        for (NeuronIndex j = 0; j < kNeurons; ++j) {
          const double deviation = std::abs(sums.sum[j] - target);
          worst = std::max(worst, deviation);
          CHECK(deviation < before_sums.nonzero[j]);  // the documented guarantee
          if (mode == RoundingMode::nearest_even || mode == RoundingMode::nearest_away)
            CHECK(deviation <= 0.5 * before_sums.nonzero[j] + 0.5);
          if (mode == RoundingMode::floor) CHECK(sums.sum[j] <= target + 0.5);  // every term rounded down
          if (mode == RoundingMode::ceil) CHECK(sums.sum[j] >= target - 0.5);
        }
        CHECK(stats.max_abs_deviation == doctest::Approx(worst).epsilon(1e-12));
        // Every code is one of the two integers around w T / S, as the mode picks it.
        const auto synapses = n.net.projection(n.projection).synapses();
        const auto target_units = static_cast<std::int64_t>(std::nearbyint(target));  // 777.25 -> 777
        int fractional = 0;
        for (std::size_t k = 0; k < after.size(); ++k) {
          REQUIRE(after[k] == std::floor(after[k]));  // still on the grid
          const Exact e = exact_quotient(static_cast<std::int64_t>(before[k]), target_units,
                                         static_cast<std::int64_t>(before_sums.sum[synapses[k].post]));
          const auto code = static_cast<std::int64_t>(after[k]);
          if (e.remainder != 0) ++fractional;
          if (e.remainder == 0) {
            CHECK(code == e.floor);
          } else if (mode == RoundingMode::floor || (mode == RoundingMode::truncate)) {
            CHECK(code == e.floor);  // positive weights: truncation is floor
          } else if (mode == RoundingMode::ceil) {
            CHECK(code == e.floor + 1);
          } else if (mode == RoundingMode::nearest_even || mode == RoundingMode::nearest_away) {
            const std::int64_t twice = 2 * e.remainder;
            const std::int64_t expected = twice < e.divisor   ? e.floor
                                          : twice > e.divisor ? e.floor + 1
                                          : mode == RoundingMode::nearest_away || e.floor % 2 != 0 ? e.floor + 1
                                                                                                    : e.floor;
            CHECK(code == expected);
          } else {
            CHECK((code == e.floor || code == e.floor + 1));
          }
        }
        CHECK(fractional > 100);  // most quotients are not integers: the rounding mode matters
      }
    }
  }
}

TEST_CASE("shadow normalization: a fixed-point shadow within one unit per input, a float64 one exact, codes requantized") {
  const double target = 900.0;
  for (const RoundingMode mode : {RoundingMode::nearest_even, RoundingMode::floor, RoundingMode::stochastic}) {
    for (const bool fixed_shadow : {true, false}) {
      INFO(quant::rounding_name(mode), std::string(fixed_shadow ? ", 6 extra bits" : ", float64 shadow"));
      RandomNet n(sim::NumericPath::fixed_point);
      learning::ShadowSpec shadow{.rounding = {mode}, .forward_rounding = {mode}, .requantize_every = 5};
      if (fixed_shadow) shadow.extra_frac_bits = 6;
      learning::PlasticProjection plastic(n.net, n.projection, learning::DiehlCookStdp{},
                                          {.write_back = {.mode = WriteBackMode::shadow, .shadow = shadow}});
      const double unit = fixed_shadow ? std::ldexp(1.0, -6) : 0.0;
      // Twice: the first pass leaves fractional shadows, the second rescales them.
      for (const double t : {1300.0, target}) {
        const auto before_sums = column_sums(n.net.projection(n.projection), plastic.weights_in_steps());
        const auto stats = learning::normalize_incoming_weights(plastic, t);
        REQUIRE(stats.saturated() == 0);
        CHECK(stats.neurons_normalized == kNeurons);
        CHECK(stats.forward_changes > 0);
        const auto shadows = plastic.weights_in_steps();
        const auto sums = column_sums(n.net.projection(n.projection), shadows);
        for (NeuronIndex j = 0; j < kNeurons; ++j) {
          if (fixed_shadow) CHECK(std::abs(sums.sum[j] - t) < before_sums.nonzero[j] * unit);
          else CHECK(sums.sum[j] == doctest::Approx(t).epsilon(1e-13));
        }
        int fractional = 0;
        const auto synapses = n.net.projection(n.projection).synapses();
        for (std::size_t k = 0; k < shadows.size(); ++k) {
          if (fixed_shadow) REQUIRE(std::ldexp(shadows[k], 6) == std::floor(std::ldexp(shadows[k], 6)));
          if (shadows[k] != std::floor(shadows[k])) ++fractional;
          const double code = synapses[k].code;
          // The forward code is the shadow rounded by the forward rounding, now, not at the next requantization.
          if (mode == RoundingMode::nearest_even) CHECK(code == quant::NearestEvenRounder{}.real(shadows[k]));
          else if (mode == RoundingMode::floor) CHECK(code == std::floor(shadows[k]));
          else CHECK((code == std::floor(shadows[k]) || code == std::ceil(shadows[k])));
        }
        CHECK(fractional > 100);
      }
    }
  }
}

TEST_CASE("normalization leaves zero-sum neurons unchanged and clips weights at the write-back bounds") {
  // Neuron 0: inputs 0, 0; neuron 1: 10, 30; neuron 2: a single input of 5; neuron 3: no inputs at all.
  const double step = sim::FixedPointSpec{}.state_step();
  sim::ExplicitSynapses synapses{{0, 1, 0, 1, 2}, {0, 0, 1, 1, 2}, {0.0, 0.0, 10 * step, 30 * step, 5 * step}, {}};
  LearningNet n(sim::NumericPath::fixed_point, 3, 4, synapses, 0.0, {.bits = 8, .sign = sim::SignMode::excitatory});
  learning::PlasticProjection plastic(n.net, n.projection, learning::DiehlCookStdp{},
                                      {.write_back = {.upper_bound = 150.0}});
  auto stats = learning::normalize_incoming_weights(plastic, 100.0);
  CHECK(n.codes() == std::vector<std::int32_t>{0, 25, 0, 75, 100});  // synapses() order: by pre, then post
  CHECK(stats.neurons_normalized == 2);
  CHECK(stats.zero_sum_neurons == 2);
  CHECK(stats.saturated() == 0);
  CHECK(stats.max_abs_deviation == 0.0);
  CHECK(stats.changed == 3);
  // A target beyond the bounds: 75 -> 225 and 100 -> 300 are clipped at 150, 25 -> 75 fits.
  stats = learning::normalize_incoming_weights(plastic, 300.0);
  CHECK(n.codes() == std::vector<std::int32_t>{0, 75, 0, 150, 150});
  CHECK(stats.saturations.saturated_high == 2);
  CHECK(stats.max_abs_deviation == 150.0);
}

TEST_CASE("normalization picks each mode's neighbour and stochastic draws are unbiased and keyed by synapse and key") {
  // 300 neurons with the same four inputs 3, 5, 7, 11 (sum 26), target 13: exact values 1.5, 2.5, 3.5, 5.5.
  constexpr NeuronIndex kPosts = 300;
  sim::ExplicitSynapses synapses;
  const double step = sim::FixedPointSpec{}.state_step();
  const double inputs[] = {3, 5, 7, 11};
  for (NeuronIndex i = 0; i < 4; ++i) {
    for (NeuronIndex j = 0; j < kPosts; ++j) {
      synapses.pre.push_back(i);
      synapses.post.push_back(j);
      synapses.weight.push_back(inputs[i] * step);
    }
  }
  auto normalized = [&](RoundingMode mode, std::uint64_t key, std::uint64_t seed = 1) {
    LearningNet n(sim::NumericPath::fixed_point, 4, kPosts, synapses, 0.0, {.bits = 8, .sign = sim::SignMode::excitatory},
                  1, seed);
    learning::PlasticProjection plastic(n.net, n.projection, learning::DiehlCookStdp{},
                                        {.write_back = {.rounding = {mode}}});
    learning::normalize_incoming_weights(plastic, 13.0, key);
    return n.codes();
  };
  auto first_neuron = [&](const std::vector<std::int32_t>& codes) {
    return std::vector<std::int32_t>{codes[0], codes[kPosts], codes[2 * kPosts], codes[3 * kPosts]};
  };
  CHECK(first_neuron(normalized(RoundingMode::nearest_even, 0)) == std::vector<std::int32_t>{2, 2, 4, 6});
  CHECK(first_neuron(normalized(RoundingMode::nearest_away, 0)) == std::vector<std::int32_t>{2, 3, 4, 6});
  CHECK(first_neuron(normalized(RoundingMode::floor, 0)) == std::vector<std::int32_t>{1, 2, 3, 5});
  CHECK(first_neuron(normalized(RoundingMode::ceil, 0)) == std::vector<std::int32_t>{2, 3, 4, 6});

  const auto stochastic = normalized(RoundingMode::stochastic, 5);
  for (NeuronIndex i = 0; i < 4; ++i) {
    double mean = 0.0;
    for (NeuronIndex j = 0; j < kPosts; ++j) mean += stochastic[i * kPosts + j];
    mean /= kPosts;
    INFO("input ", i);
    CHECK(std::abs(mean - inputs[i] / 2.0) < 5.0 * 0.5 / std::sqrt(static_cast<double>(kPosts)));
  }
  CHECK(normalized(RoundingMode::stochastic, 5) == stochastic);      // same key: the same draws
  CHECK(normalized(RoundingMode::stochastic, 6) != stochastic);      // another key: other draws
  CHECK(normalized(RoundingMode::stochastic, 5, 2) != stochastic);   // another seed: other draws
  // One draw per step shared by every synapse: all neurons round alike.
  const auto shared = normalized(RoundingMode::stochastic_shared, 5);
  for (NeuronIndex j = 0; j < kPosts; ++j) CHECK(shared[j] == shared[0]);
}

TEST_CASE("normalization rejects a non-finite target and one beyond 64-bit integer arithmetic") {
  RandomNet n(sim::NumericPath::fixed_point);
  learning::PlasticProjection plastic(n.net, n.projection, learning::DiehlCookStdp{});
  CHECK_THROWS_AS(learning::normalize_incoming_weights(plastic, std::numeric_limits<double>::quiet_NaN()),
                  std::invalid_argument);
  CHECK_THROWS_AS(learning::normalize_incoming_weights(plastic, 1e30), std::invalid_argument);
  const auto unchanged = plastic.weights_in_steps();
  CHECK_THROWS_AS(learning::normalize_incoming_weights(plastic, std::numeric_limits<double>::infinity()),
                  std::invalid_argument);
  CHECK(plastic.weights_in_steps() == unchanged);
}

namespace {

constexpr int kEpochs = 5;
constexpr sim::Step kEpochSteps = 30;

struct NetworkResult {
  std::vector<double> quantized, shadow;
  std::vector<std::uint64_t> counts;
  friend bool operator==(const NetworkResult&, const NetworkResult&) = default;
};

// Diehl & Cook learning with normalization after every epoch, stochastic roundings everywhere.
NetworkResult run_network(std::size_t threads, std::uint64_t seed) {
  sim::Network net({.dt_ms = 1.0, .threads = threads, .seed = seed, .min_parallel_neurons = 0});
  const auto input = net.add_poisson("input", 200, 20.0);
  const auto exc = net.add_lif("exc", 120, sim::LifParameters{}, sim::NumericPath::fixed_point);
  const auto exc2 = net.add_lif("exc2", 90, sim::LifParameters{}, sim::NumericPath::float64);
  const sim::WeightQuantization q{.bits = 6, .sign = sim::SignMode::excitatory};
  const auto to_exc = net.connect({.pre = input, .post = exc, .connectivity = sim::FixedProbability{0.2},
                                   .weights = sim::UniformWeight{0.1, 0.5}, .quantization = q});
  const auto to_exc2 = net.connect({.pre = input, .post = exc2, .connectivity = sim::FixedProbability{0.2},
                                    .weights = sim::UniformWeight{0.1, 0.5}, .quantization = q,
                                    .float_uses_quantized_weights = true});
  const learning::DiehlCookStdp rule{.eta_pre = 0.5, .eta_post = 8.0};
  learning::PlasticProjection quantized(net, to_exc, rule,
                                        {.write_back = {.rounding = {RoundingMode::stochastic}}, .min_parallel_synapses = 0});
  learning::PlasticProjection shadow(
      net, to_exc2, learning::DiehlCookStdp{.form = learning::DiehlCookForm::presynaptic_target, .eta_post = 2.0},
      {.write_back = {.mode = WriteBackMode::shadow,
                      .shadow = {.extra_frac_bits = 8, .rounding = {RoundingMode::stochastic},
                                 .forward_rounding = {RoundingMode::stochastic}, .requantize_every = 3}},
       .min_parallel_synapses = 0});
  NetworkResult r;
  net.attach(quantized);
  net.attach(shadow);
  for (int epoch = 0; epoch < kEpochs; ++epoch) {
    net.run(kEpochSteps);
    for (auto* p : {&quantized, &shadow}) {
      const auto s = learning::normalize_incoming_weights(*p, 200.0);
      r.counts.insert(r.counts.end(), {s.neurons_normalized, s.changed, s.forward_changes, s.saturated()});
    }
  }
  r.quantized = quantized.weights_in_steps();
  r.shadow = shadow.weights_in_steps();
  for (const auto& s : net.projection(to_exc2).synapses()) r.shadow.push_back(s.weight);
  r.counts.push_back(quantized.statistics().changed);
  r.counts.push_back(shadow.statistics().changed);
  r.counts.push_back(net.spike_count(exc));
  r.counts.push_back(net.spike_count(exc2));
  return r;
}

}  // namespace

TEST_CASE("Diehl and Cook learning with normalization is bit-identical for 1, 2 and 3 threads") {
  const NetworkResult one = run_network(1, 41);
  constexpr std::size_t kTotals = kEpochs * 8;  // 4 counts per projection and epoch, then the totals
  REQUIRE(one.counts.size() == kTotals + 4);
  CHECK(one.counts[0] == 120);  // every exc neuron normalized
  CHECK(one.counts[1] > 1000);  // and most of its weights changed
  CHECK(one.counts[4] == 90);
  CHECK(one.counts[6] > 100);   // forward codes requantized
  CHECK(one.counts[kTotals] > 100);  // STDP changed weights between normalizations
  CHECK(one.counts[kTotals + 1] > 100);
  CHECK(one.counts[kTotals + 2] > 200);  // exc spikes
  for (std::size_t threads : {std::size_t{2}, std::size_t{3}}) {
    INFO(threads, " threads");
    CHECK(run_network(threads, 41) == one);
  }
  CHECK_FALSE(run_network(1, 42) == one);
}
