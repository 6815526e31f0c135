// The write-back on constructed cases: exact statistics, rounding of code + dw versus dw, bounds, learning
// rate schedule, histogram, errors.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <vector>

#include "learning_fixture.hpp"

using namespace qsnn;
using namespace qsnn::test;
using learning::RoundOf;
using learning::WriteBackMode;
using quant::RoundingMode;

namespace {

// A rule for tests: every post spike proposes a fixed dw per postsynaptic neuron.
struct TableRule {
  std::vector<double> dw_by_post;
  std::array<learning::TraceSpec, 0> pre_traces() const { return {}; }
  std::array<learning::TraceSpec, 0> post_traces() const { return {}; }
  template <class S>
  void on_pre(S&) const {}
  template <class S>
  void on_post(S& s) const {
    s.propose(dw_by_post[s.post()]);
  }
};

// One presynaptic neuron onto n postsynaptic ones, synapse j starting at initial[j] steps (4-bit excitatory
// fixed point: codes 0..15).
struct Fan {
  LearningNet n;
  explicit Fan(const std::vector<double>& initial, sim::NumericPath path = sim::NumericPath::fixed_point)
      : n(path, 1, static_cast<NeuronIndex>(initial.size()), synapses(initial, path), 0.0,
          {.bits = 4, .sign = sim::SignMode::excitatory}) {}
  static sim::ExplicitSynapses synapses(const std::vector<double>& initial, sim::NumericPath path) {
    sim::ExplicitSynapses s;
    const double step = path == sim::NumericPath::fixed_point ? sim::FixedPointSpec{}.state_step() : 1.0;
    for (std::size_t j = 0; j < initial.size(); ++j) {
      s.pre.push_back(0);
      s.post.push_back(static_cast<NeuronIndex>(j));
      s.weight.push_back(initial[j] * step);
    }
    return s;
  }
};

std::vector<NeuronIndex> every_neuron(std::size_t n) {
  std::vector<NeuronIndex> v(n);
  for (std::size_t j = 0; j < n; ++j) v[j] = static_cast<NeuronIndex>(j);
  return v;
}

}  // namespace

TEST_CASE("write-back statistics count proposals, losses to rounding, saturations and changes exactly") {
  // Codes 15, 8, 3, 8, 6 (of 0..15) receive +2, +0.3, -5, +1.6, 0 with nearest-even rounding of code + dw.
  Fan fan({15, 8, 3, 8, 6});
  learning::PlasticProjection plastic(fan.n.net, fan.n.projection, TableRule{{2.0, 0.3, -5.0, 1.6, 0.0}});
  plastic.apply(0, {}, every_neuron(5));
  CHECK(fan.n.codes() == std::vector<std::int32_t>{15, 8, 0, 10, 6});
  const auto s = plastic.statistics();
  CHECK(s.proposed == 4);  // a zero proposal is no update
  CHECK(s.lost_to_rounding == 1);          // 8 + 0.3 -> 8
  CHECK(s.saturations.saturated_high == 1);  // 15 + 2 -> 15
  CHECK(s.saturations.saturated_low == 1);   // 3 - 5 -> 0
  CHECK(s.changed == 2);                   // 3 -> 0 and 8 -> 10
  CHECK(s.mean_abs_dw() == doctest::Approx((2.0 + 0.3 + 5.0 + 1.6) / 4.0));

  // A second step with a learning rate of 0.5 through the same path; narrower user bounds [2, 12].
  Fan bounded({15, 8, 3, 8, 6});
  learning::PlasticProjection narrow(bounded.n.net, bounded.n.projection, TableRule{{-2.0, 10.0, -5.0, 1.6, 0.6}},
                                     {.write_back = {.lower_bound = 2.0, .upper_bound = 12.0, .rate = {.initial = 0.5}}});
  narrow.apply(0, {}, every_neuron(5));
  // 15 - 1 = 14 -> 12 (high), 8 + 5 -> 12 (high), 3 - 2.5 -> 2 (low), 8 + 0.8 -> 9, 6 + 0.3 -> 6 (lost).
  CHECK(bounded.n.codes() == std::vector<std::int32_t>{12, 12, 2, 9, 6});
  const auto b = narrow.statistics();
  CHECK(b.proposed == 5);
  CHECK(b.saturations.saturated_high == 2);
  CHECK(b.saturations.saturated_low == 1);
  CHECK(b.lost_to_rounding == 1);
  CHECK(b.changed == 4);
  narrow.reset_statistics();
  CHECK(narrow.statistics().proposed == 0);
}

TEST_CASE("quantized write-back rounds code + dw, or dw alone when asked, they differ at ties and for truncation") {
  // Codes 7 and 8 receive +0.5 (a tie), code 8 receives -0.3.
  struct Case {
    RoundingMode mode;
    RoundOf round_of;
    std::vector<std::int32_t> expected;
  };
  for (const Case& c : {Case{RoundingMode::nearest_even, RoundOf::sum, {8, 8, 8}},    // 7.5 -> 8, 8.5 -> 8, 7.7 -> 8
                        Case{RoundingMode::nearest_even, RoundOf::update, {7, 8, 8}},  // R(0.5) = 0, R(-0.3) = 0
                        Case{RoundingMode::nearest_away, RoundOf::sum, {8, 9, 8}},
                        Case{RoundingMode::truncate, RoundOf::sum, {7, 8, 7}},         // trunc(7.7) = 7
                        Case{RoundingMode::truncate, RoundOf::update, {7, 8, 8}},
                        Case{RoundingMode::floor, RoundOf::sum, {7, 8, 7}},
                        Case{RoundingMode::ceil, RoundOf::sum, {8, 9, 8}}}) {
    INFO(quant::rounding_name(c.mode), c.round_of == RoundOf::sum ? " of code + dw" : " of dw");
    Fan fan({7, 8, 8});
    learning::PlasticProjection plastic(fan.n.net, fan.n.projection, TableRule{{0.5, 0.5, -0.3}},
                                        {.write_back = {.rounding = {c.mode}, .round_of = c.round_of}});
    plastic.apply(0, {}, every_neuron(3));
    CHECK(fan.n.codes() == c.expected);
  }
}

TEST_CASE("a fixed-point shadow with few extra bits loses updates below its own resolution") {
  // 2 extra bits: the shadow moves in quarter steps; +0.1 rounds away, +0.2 rounds to +0.25.
  Fan fan({8, 8});
  learning::PlasticProjection plastic(
      fan.n.net, fan.n.projection, TableRule{{0.1, 0.2}},
      {.write_back = {.mode = WriteBackMode::shadow, .shadow = {.extra_frac_bits = 2}}});
  for (Step t = 0; t < 3; ++t) plastic.apply(t, {}, every_neuron(2));
  CHECK(plastic.weights_in_steps() == std::vector<double>{8.0, 8.75});
  CHECK(fan.n.codes() == std::vector<std::int32_t>{8, 9});
  CHECK(plastic.statistics().lost_to_rounding == 3);
  CHECK(plastic.statistics().forward_changes == 1);
}

TEST_CASE("learning rate: per-epoch decay by steps or by explicit epochs") {
  // A float64 target, exact: +1 per post spike, a post spike every step; rate 1, 0.5, 0.25 per 3-step epoch.
  Fan fan({0.0}, sim::NumericPath::float64);
  learning::PlasticProjection plastic(fan.n.net, fan.n.projection, TableRule{{1.0}},
                                      {.write_back = {.rate = {.initial = 1.0, .decay = 0.5, .epoch_steps = 3}}});
  for (Step t = 0; t < 9; ++t) plastic.apply(t, {}, every_neuron(1));
  CHECK(plastic.weights_in_steps()[0] == 3 * 1.0 + 3 * 0.5 + 3 * 0.25);
  CHECK(plastic.learning_rate_at(9) == 0.125);

  Fan manual({0.0}, sim::NumericPath::float64);
  learning::PlasticProjection by_epoch(manual.n.net, manual.n.projection, TableRule{{1.0}},
                                       {.write_back = {.rate = {.initial = 2.0, .decay = 0.5}}});
  by_epoch.apply(0, {}, every_neuron(1));
  by_epoch.set_epoch(2);
  by_epoch.apply(1, {}, every_neuron(1));
  CHECK(by_epoch.weights_in_steps()[0] == 2.0 + 0.5);
}

TEST_CASE("weight code histogram counts the codes of fixed-point and gridded float64 projections") {
  Fan fan({15, 8, 3, 8, 6, 8});
  const auto h = learning::weight_code_histogram(fan.n.net.projection(fan.n.projection));
  CHECK(h.min_code == 0);
  CHECK(h.counts.size() == 16);
  CHECK(h.count(8) == 3);
  CHECK(h.count(15) == 1);
  CHECK(h.count(0) == 0);
  CHECK(h.count(16) == 0);
  Fan real({2.4, 2.6, 40.0}, sim::NumericPath::float64);  // nearest codes 2, 3 and 40 -> saturated to 15
  const auto r = learning::weight_code_histogram(real.n.net.projection(real.n.projection));
  CHECK(r.count(2) == 1);
  CHECK(r.count(3) == 1);
  CHECK(r.count(15) == 1);
}

TEST_CASE("write-back and plasticity errors name the problem") {
  Fan fixed({8});
  CHECK_THROWS_WITH_AS(learning::PlasticProjection(fixed.n.net, fixed.n.projection, TableRule{{1.0}},
                                                   {.write_back = {.mode = WriteBackMode::exact}}),
                       doctest::Contains("exact write-back needs a float64 target"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(learning::PlasticProjection(fixed.n.net, fixed.n.projection, TableRule{{1.0}},
                                                   {.write_back = {.upper_bound = 16.0}}),
                       doctest::Contains("outside"), std::invalid_argument);
  Fan real({1.0}, sim::NumericPath::float64);
  CHECK_THROWS_WITH_AS(learning::PlasticProjection(real.n.net, real.n.projection, TableRule{{1.0}},
                                                   {.write_back = {.mode = WriteBackMode::quantized}}),
                       doctest::Contains("float_uses_quantized_weights"), std::invalid_argument);
  learning::PlasticProjection plastic(fixed.n.net, fixed.n.projection, TableRule{{1.0}});
  CHECK_THROWS_AS(plastic.apply(1, {}, {}), std::logic_error);  // step 0 comes first
  const std::vector<NeuronIndex> unsorted{0, 0};
  CHECK_THROWS_AS(plastic.apply(0, {}, unsorted), std::invalid_argument);
  const std::vector<NeuronIndex> outside{3};
  CHECK_THROWS_AS(plastic.apply(0, {}, outside), std::invalid_argument);
}

TEST_CASE("quantized write-back on a float64 target keeps the real weights on the b-bit grid") {
  sim::Network net({.dt_ms = 1.0, .threads = 1});
  const auto pre = net.add_spike_times("pre", 1);
  const auto post = net.add_lif("post", 2, sim::LifParameters{}, sim::NumericPath::float64);
  const auto id = net.connect({.pre = pre, .post = post, .weights = sim::ConstantWeight{0.5},
                               .quantization = {.bits = 4, .sign = sim::SignMode::excitatory, .exponent = -3},
                               .float_uses_quantized_weights = true});
  learning::PlasticProjection plastic(net, id, TableRule{{0.7, -0.2}});  // quantized: the default on a grid
  CHECK(plastic.write_back().mode == WriteBackMode::quantized);
  const double step = net.projection(id).weight_step();
  CHECK(step == 0.125);
  plastic.apply(0, {}, every_neuron(2));
  // 4 codes + 0.7 -> 5 codes; 4 codes - 0.2 -> 4 codes (nearest-even).
  const auto synapses = net.projection(id).synapses();
  CHECK(synapses[0].weight == 5 * step);
  CHECK(synapses[1].weight == 4 * step);
}
