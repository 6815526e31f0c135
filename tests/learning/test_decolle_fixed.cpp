// DECOLLE's fixed-point path: signals stay inside their formats with saturations counted, wide formats track
// the float64 reference, learning is bit-identical for any thread count, and the weights take every option of
// the shared write-back (rounding, shadow, bounds, learning-rate schedule, statistics).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

#include "decolle_fixture.hpp"
#include "learning/decolle_network.hpp"

using namespace qsnn;
using namespace qsnn::test;
using learning::DecolleNetwork;
using learning::WriteBackMode;
using quant::RoundingMode;

namespace {

learning::DecolleNetworkSpec dense_fixed(learning::WriteBackSpec write_back, int weight_bits = 6) {
  learning::DecolleLayerSpec hidden{.shape = learning::DenseShape{40, 24},
                                    .weight_bits = weight_bits,
                                    .weight_frac_bits = weight_bits - 2,
                                    .write_back = write_back};
  learning::DecolleLayerSpec output = hidden;
  output.shape = learning::DenseShape{24, 12};
  return {.layers = {hidden, output}, .classes = 4, .path = sim::NumericPath::fixed_point, .burn_in_steps = 5, .seed = 7};
}

void train(DecolleNetwork& net, std::uint64_t samples) {
  for (const auto& s : PatternTask{}.samples(0, samples)) net.train(s);
}

struct RunResult {
  std::vector<std::vector<double>> weights;
  std::vector<std::uint64_t> counts;
  friend bool operator==(const RunResult&, const RunResult&) = default;
};

template <class Code>
bool inside(std::span<const Code> codes, std::int64_t lo, std::int64_t hi) {
  return std::all_of(codes.begin(), codes.end(), [&](Code c) { return c >= lo && c <= hi; });
}

}  // namespace

TEST_CASE("DECOLLE fixed-point signals stay inside their formats and saturations are counted") {
  auto spec = dense_fixed({.mode = WriteBackMode::shadow, .rate = {.initial = 0.05}});
  spec.signals.membrane = {6, 8};  // |U| < 1/8: the membrane saturates often
  spec.signals.error.bits = 3;
  spec.signals.learning_signal.bits = 3;
  spec.signals.gradient.bits = 4;
  DecolleNetwork net(spec);
  train(net, 12);
  for (std::size_t l = 0; l < net.layer_count(); ++l) {
    INFO("layer ", l);
    const auto& layer = net.layer(l);
    CHECK(inside(layer.synaptic_trace_codes(), 0, (1 << 10) - 1));
    CHECK(inside(layer.membrane_trace_codes(), 0, (1 << 12) - 1));
    CHECK(inside(layer.refractory_codes(), 0, 3));
    CHECK(inside(layer.membrane_codes(), -32, 31));
    CHECK(inside(layer.weight_codes(), -32, 31));
    const auto counts = net.signal_counts(l);
    CHECK(counts.membrane.saturated() > 0);
    // round(log2 max|x|) lets the largest magnitudes exceed 2^(bits-1) - 1: WAGE clips them, counted.
    CHECK(counts.error.saturated() + counts.learning_signal.saturated() + counts.gradient.saturated() > 0);
    CHECK(counts.total().wrapped == 0);
    const auto u = layer.membrane();
    CHECK(std::all_of(u.begin(), u.end(), [](double v) { return v >= -0.125 && v < 0.125; }));
  }
}

TEST_CASE("DECOLLE fixed point with wide signals tracks the float64 reference") {
  learning::DecolleLayerSpec layer{.shape = learning::DenseShape{30, 12}, .bias = 0.02, .init_scale = 2.0,
                                   .write_back = {.mode = WriteBackMode::shadow, .rate = {.initial = 1.0}}};
  learning::DecolleNetworkSpec spec{.layers = {layer}, .classes = 3, .seed = 21};
  spec.signals.synapse_trace = {16, 16};
  spec.signals.membrane_trace = {16, 16};
  spec.signals.refractory = {16, 16};
  spec.signals.membrane = {20, 12};
  spec.signals.surrogate = {16, 18};
  spec.signals.readout = {16, 16};
  spec.signals.error.bits = 16;
  spec.signals.learning_signal.bits = 16;
  spec.signals.gradient = {16, {RoundingMode::nearest_even}};
  DecolleNetwork reference(spec);
  spec.path = sim::NumericPath::fixed_point;
  DecolleNetwork fixed(spec);
  REQUIRE(reference.layer(0).forward_weights() == fixed.layer(0).forward_weights());  // both on the 8-bit grid

  const auto before = fixed.layer(0).weights_in_steps();
  const std::uint64_t steps = 10;
  for (std::uint64_t t = 0; t < steps; ++t) {
    const auto x = random_spikes(30, 0.3, 8, t);
    const std::optional<std::uint32_t> label = t + 1 == steps ? std::optional<std::uint32_t>(2) : std::nullopt;
    reference.step(x, label);
    fixed.step(x, label);
    const auto u_ref = reference.layer(0).membrane(), u_fix = fixed.layer(0).membrane();
    for (std::size_t i = 0; i < u_ref.size(); ++i) CHECK(std::abs(u_fix[i] - u_ref[i]) <= 2e-3);
    CHECK(std::equal(reference.layer(0).spikes().begin(), reference.layer(0).spikes().end(),
                     fixed.layer(0).spikes().begin()));
  }
  // One update: the shadows moved by -dL/dW / step. The gradient's block scale is 2^round(log2 max|g|), so
  // magnitudes above 2^scale >= max / sqrt(2) are clipped (WAGE); below that the two paths agree to the
  // formats' resolution.
  const auto w_ref = reference.layer(0).weights_in_steps(), w_fix = fixed.layer(0).weights_in_steps();
  double largest = 0.0;
  for (std::size_t k = 0; k < before.size(); ++k) largest = std::max(largest, std::abs(w_ref[k] - before[k]));
  REQUIRE(largest > 0.05);
  std::size_t compared = 0;
  for (std::size_t k = 0; k < before.size(); ++k) {
    const double d_ref = w_ref[k] - before[k], d_fix = w_fix[k] - before[k];
    INFO("synapse ", k, ": float64 ", d_ref, ", fixed ", d_fix);
    if (std::abs(d_ref) <= 0.7 * largest) {
      CHECK(std::abs(d_fix - d_ref) <= 0.01 * largest);
      ++compared;
    } else {
      CHECK(d_fix * d_ref > 0.0);
      CHECK(std::abs(d_fix) <= 1.01 * std::abs(d_ref));
      CHECK(std::abs(d_fix) >= 0.7 * std::abs(d_ref));
    }
  }
  CHECK(compared > before.size() / 2);
}

TEST_CASE("DECOLLE learning is bit-identical for one two and three threads") {
  const auto run = [](sim::NumericPath path, std::size_t threads) {
    // conv (1 x 5 x 8 map of the 40 inputs, 4 channels) -> dense, every rounding stochastic.
    const quant::RoundingSpec stochastic{RoundingMode::stochastic};
    learning::DecolleLayerSpec conv{
        .shape = kernels::ConvGeometry{.in_channels = 1, .in_height = 5, .in_width = 8, .out_channels = 4,
                                       .kernel_height = 3, .kernel_width = 3, .stride = 1, .padding = 1},
        .weight_bits = 6,
        .weight_frac_bits = 4,
        .write_back = {.mode = path == sim::NumericPath::fixed_point ? WriteBackMode::quantized : WriteBackMode::shadow,
                       .rounding = stochastic,
                       .shadow = {.forward_rounding = stochastic},
                       .rate = {.initial = 0.05}}};
    learning::DecolleLayerSpec dense = conv;
    dense.shape = learning::DenseShape{160, 40};
    learning::DecolleNetworkSpec spec{.layers = {conv, dense}, .classes = 4, .path = path, .burn_in_steps = 3,
                                      .seed = 13, .threads = threads, .min_parallel_synapses = 0};
    for (auto* s : {&spec.signals.synapse_trace, &spec.signals.membrane_trace, &spec.signals.membrane})
      s->rounding = stochastic;
    spec.signals.error.rounding = stochastic;
    spec.signals.learning_signal.rounding = stochastic;
    DecolleNetwork net(spec);
    train(net, 4);
    RunResult r;
    for (std::size_t l = 0; l < 2; ++l) {
      r.weights.push_back(net.layer(l).weights_in_steps());
      r.weights.push_back(net.layer(l).forward_weights());
      const auto s = net.layer(l).weight_statistics();
      r.counts.insert(r.counts.end(), {s.proposed, s.changed, s.lost_to_rounding, s.saturated(), s.forward_changes});
      r.counts.push_back(net.signal_counts(l).total().saturated());
    }
    return r;
  };
  for (const auto path : {sim::NumericPath::fixed_point, sim::NumericPath::float64}) {
    INFO(sim::numeric_path_name(path));
    const RunResult one = run(path, 1);
    CHECK(one.counts[1] > 0);  // weights changed
    CHECK(run(path, 2) == one);
    CHECK(run(path, 3) == one);
  }
}

TEST_CASE("DECOLLE weights take the write-back rounding bounds schedule and statistics") {
  SUBCASE("nearest rounding of sub-step updates loses them, stochastic rounding does not") {
    const double tiny = 0.002;
    DecolleNetwork nearest(dense_fixed({.mode = WriteBackMode::quantized, .rate = {.initial = tiny}}));
    const auto initial = nearest.layer(0).weights_in_steps();
    train(nearest, 4);
    const auto s = nearest.layer(0).weight_statistics();
    CHECK(s.proposed > 0);
    CHECK(s.changed == 0);
    CHECK(s.lost_to_rounding == s.proposed);
    CHECK(nearest.layer(0).weights_in_steps() == initial);
    CHECK(s.mean_abs_dw() > 0.0);
    CHECK(s.mean_abs_dw() < 0.5);

    DecolleNetwork stochastic(dense_fixed(
        {.mode = WriteBackMode::quantized, .rounding = {RoundingMode::stochastic}, .rate = {.initial = tiny}}));
    train(stochastic, 4);
    CHECK(stochastic.layer(0).weight_statistics().changed > 0);
  }
  SUBCASE("bounds hold and saturations are counted") {
    DecolleNetwork net(dense_fixed(
        {.mode = WriteBackMode::shadow, .lower_bound = -2.0, .upper_bound = 2.0, .rate = {.initial = 1.0}}));
    train(net, 6);
    for (std::size_t l = 0; l < 2; ++l) {
      const auto w = net.layer(l).weights_in_steps();
      CHECK(std::all_of(w.begin(), w.end(), [](double v) { return v >= -2.0 && v <= 2.0; }));
      CHECK(inside(net.layer(l).weight_codes(), -2, 2));
      CHECK(net.layer(l).weight_statistics().saturated() > 0);
    }
  }
  SUBCASE("learning-rate schedule by steps") {
    DecolleNetwork net(dense_fixed({.rate = {.initial = 0.1, .decay = 0.5, .epoch_steps = 10}}));
    CHECK(net.learning_rate(0) == doctest::Approx(0.1));
    net.run_sample(PatternTask{}.samples(0, 1)[0], true);  // 30 steps
    CHECK(net.learning_rate(0) == doctest::Approx(0.1 * 0.125));
  }
  SUBCASE("exact write-back needs the float64 path") {
    CHECK_THROWS_AS(DecolleNetwork(dense_fixed({.mode = WriteBackMode::exact})), std::invalid_argument);
  }
}
