// The Diehl & Cook network (experiments/networks/diehl_cook_network.hpp): its structure, thread-count
// independence of a short training run, winner-take-all by lateral inhibition, and weights that stay in
// [0, w_max] with normalized sums.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

#include "experiments/networks/diehl_cook_network.hpp"
#include "learning/weight_normalization.hpp"
#include "sim/projection.hpp"

using namespace qsnn;
using experiments::DiehlCookConstants;
using experiments::DiehlCookNetwork;
using experiments::DiehlCookOptions;
using experiments::DiehlCookSampleOptions;

namespace {

// A bright disc of radius `radius` px and grey level `level` around (cx, cy) on black.
std::vector<std::uint8_t> disc_image(double cx, double cy, double radius, std::uint8_t level) {
  std::vector<std::uint8_t> pixels(DiehlCookConstants::inputs, 0);
  for (int y = 0; y < 28; ++y)
    for (int x = 0; x < 28; ++x)
      if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius) pixels[y * 28 + x] = level;
  return pixels;
}

struct Trained {
  std::vector<double> weights, theta;
  std::vector<std::uint32_t> counts;
  std::uint64_t input_spikes = 0, exc_spikes = 0;
};

// Three short samples (100 ms image, 50 ms rest) with plasticity and normalization.
Trained train(sim::NumericPath path, experiments::DiehlCookRule rule, std::size_t threads) {
  DiehlCookNetwork dc({.n_exc = 40,
                       .path = path,
                       .rule = rule,
                       .threads = threads,
                       .seed = 7,
                       .min_parallel_neurons = 0,
                       .min_parallel_synapses = 0});
  const DiehlCookSampleOptions sample{.image_ms = 100.0, .rest_ms = 50.0};
  Trained out;
  for (int k = 0; k < 3; ++k) {
    const auto result = dc.present(disc_image(11.0 + 3.0 * k, 14.0, 7.0, 255), sample);
    out.counts.insert(out.counts.end(), result.exc_spike_counts.begin(), result.exc_spike_counts.end());
    out.input_spikes += result.input_spikes;
    out.exc_spikes += result.exc_spikes;
  }
  out.weights = dc.input_weights();
  out.theta = dc.theta_mv();
  return out;
}

}  // namespace

TEST_CASE("Diehl Cook network has 784 inputs, n_exc excitatory and inhibitory neurons and its wiring") {
  DiehlCookNetwork dc({.n_exc = 30, .plastic = false});
  sim::Network& net = dc.network();
  CHECK(net.population(dc.input()).size() == 784);
  CHECK(net.population(dc.exc()).size() == 30);
  CHECK(net.population(dc.inh()).size() == 30);

  CHECK(net.projection(dc.input_to_exc()).synapse_count() == 784 * 30);
  const auto ei = net.projection(dc.exc_to_inh()).synapses();
  REQUIRE(ei.size() == 30);
  for (const auto& s : ei) CHECK(s.pre == s.post);
  const auto ie = net.projection(dc.inh_to_exc()).synapses();
  REQUIRE(ie.size() == 30 * 29);
  std::vector<int> in_degree(30, 0);
  for (const auto& s : ie) {
    CHECK(s.pre != s.post);
    CHECK(s.weight < 0.0);
    ++in_degree[s.post];
  }
  CHECK(std::all_of(in_degree.begin(), in_degree.end(), [](int d) { return d == 29; }));

  // Initial weights uniform in [0, 0.3] of w_max.
  const auto w = dc.input_weights();
  CHECK(*std::min_element(w.begin(), w.end()) >= 0.0);
  CHECK(*std::max_element(w.begin(), w.end()) <= DiehlCookConstants::w_init_max + 0.5 / dc.steps_per_unit());  // half a code
  CHECK(std::accumulate(w.begin(), w.end(), 0.0) / static_cast<double>(w.size()) == doctest::Approx(0.15).epsilon(0.05));
}

TEST_CASE("Diehl Cook training is bit-identical for 1 and 2 threads") {
  for (const auto path : {sim::NumericPath::fixed_point, sim::NumericPath::float64}) {
    for (const auto rule : {experiments::DiehlCookRule::diehl_cook, experiments::DiehlCookRule::pair}) {
      CAPTURE(static_cast<int>(path));
      CAPTURE(static_cast<int>(rule));
      const Trained one = train(path, rule, 1);
      const Trained two = train(path, rule, 2);
      REQUIRE(one.exc_spikes > 0);
      CHECK(one.input_spikes == two.input_spikes);
      CHECK(one.exc_spikes == two.exc_spikes);
      CHECK(one.counts == two.counts);
      CHECK(one.theta == two.theta);
      CHECK(one.weights == two.weights);
    }
  }
}

TEST_CASE("Diehl Cook lateral inhibition lets the winner take most of the spikes") {
  auto run = [](bool inhibition) {
    DiehlCookNetwork dc({.n_exc = 40, .plastic = false, .lateral_inhibition = inhibition, .seed = 3});
    const auto result = dc.present(disc_image(14.0, 14.0, 8.0, 255), {.boost = false});
    return result.exc_spike_counts;
  };
  const auto with = run(true), without = run(false);
  const auto total = [](const std::vector<std::uint32_t>& c) { return std::accumulate(c.begin(), c.end(), 0U); };
  const auto active = [](const std::vector<std::uint32_t>& c) { return std::count_if(c.begin(), c.end(), [](auto n) { return n > 0; }); };
  REQUIRE(total(with) >= DiehlCookConstants::min_spikes);
  const double winner_share = static_cast<double>(*std::max_element(with.begin(), with.end())) / total(with);
  const double winner_share_without = static_cast<double>(*std::max_element(without.begin(), without.end())) / total(without);
  CAPTURE(winner_share);
  CAPTURE(winner_share_without);
  CAPTURE(active(with));
  CAPTURE(active(without));
  // Untrained, every neuron sees the same statistics: without inhibition all 40 fire about equally
  // (share ~1/40); with it the first to fire silences the others for the next milliseconds.
  CHECK(winner_share >= 0.4);
  CHECK(winner_share >= 10.0 * winner_share_without);
  CHECK(4 * active(with) < active(without));
}

TEST_CASE("Diehl Cook weights stay in 0 to w_max and are normalized before each sample") {
  for (const auto path : {sim::NumericPath::fixed_point, sim::NumericPath::float64}) {
    CAPTURE(static_cast<int>(path));
    DiehlCookNetwork dc({.n_exc = 20, .path = path, .seed = 5});
    // Strong, repeated input drives many post spikes: potentiation presses the weights against w_max.
    const DiehlCookSampleOptions sample{.image_ms = 150.0, .rest_ms = 20.0};
    for (int k = 0; k < 4; ++k) dc.present(disc_image(14.0, 14.0, 5.0, 255), sample);
    const auto w = dc.input_weights();
    CHECK(*std::min_element(w.begin(), w.end()) >= 0.0);
    CHECK(*std::max_element(w.begin(), w.end()) <= DiehlCookConstants::w_max + 1e-12);
    CHECK(dc.plasticity()->statistics().proposed > 0);

    dc.normalize_weights();
    const auto normalized = dc.input_weights();
    for (sim::NeuronIndex j = 0; j < 20; ++j) {
      double sum = 0.0;
      for (sim::NeuronIndex i = 0; i < DiehlCookConstants::inputs; ++i) sum += normalized[i * 20 + j];
      // Quantized: each of the (at most 784) rounded terms errs by < 1 code = 1 / steps_per_unit.
      const double tolerance = path == sim::NumericPath::fixed_point ? 784.0 / dc.steps_per_unit() : 1e-9;
      CHECK(std::abs(sum - DiehlCookConstants::normalization_sum) <= tolerance);
    }
    CHECK(*std::max_element(normalized.begin(), normalized.end()) <= DiehlCookConstants::w_max + 1e-12);
  }
}
