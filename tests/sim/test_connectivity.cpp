// Connectivity builders: exact counts, no duplicates, determinism, convolution against a naive reference.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <vector>

#include "sim/connectivity.hpp"

using namespace qsnn::sim;

namespace {

struct Collected {
  std::vector<std::pair<NeuronIndex, NeuronIndex>> pairs;
  std::vector<double> weights;
  std::vector<std::uint16_t> delays;
};

Collected collect(const Connectivity& connectivity, NeuronIndex pre, NeuronIndex post, bool same = false,
                  WeightSpec weights = ConstantWeight{1.0}, DelaySpec delays = ConstantDelay{1}, std::uint64_t seed = 5) {
  Collected out;
  NeuronIndex expected_row = 0;
  generate_rows(connectivity, weights, delays, {pre, post, same, qsnn::quant::CounterRng{seed, 9}},
                [&](const RowView& row) {
                  REQUIRE(row.pre == expected_row++);
                  for (std::size_t k = 0; k < row.post.size(); ++k) {
                    if (k > 0) REQUIRE(row.post[k] >= row.post[k - 1]);  // ascending targets
                    out.pairs.emplace_back(row.pre, row.post[k]);
                    out.weights.push_back(row.weight[k]);
                    out.delays.push_back(row.delay[k]);
                  }
                });
  CHECK(expected_row == pre);
  return out;
}

}  // namespace

TEST_CASE("all-to-all, one-to-one and self exclusion") {
  CHECK(collect(AllToAll{}, 3, 4).pairs.size() == 12);
  const auto no_self = collect(AllToAll{.allow_self = false}, 5, 5, true);
  CHECK(no_self.pairs.size() == 20);
  for (const auto& [i, j] : no_self.pairs) CHECK(i != j);
  const auto diagonal = collect(OneToOne{}, 6, 6);
  REQUIRE(diagonal.pairs.size() == 6);
  for (const auto& [i, j] : diagonal.pairs) CHECK(i == j);
  CHECK_THROWS_WITH_AS(collect(OneToOne{}, 3, 4), "one-to-one needs equal sizes (pre 3, post 4)", std::invalid_argument);
}

TEST_CASE("fixed probability: the count is binomial, no duplicates, same seed same synapses") {
  const auto a = collect(FixedProbability{.probability = 0.05}, 2000, 1000);
  const double mean = 0.05 * 2000 * 1000, sd = std::sqrt(mean * 0.95);
  CHECK(std::abs(static_cast<double>(a.pairs.size()) - mean) < 5 * sd);
  CHECK(std::set(a.pairs.begin(), a.pairs.end()).size() == a.pairs.size());
  CHECK(collect(FixedProbability{.probability = 0.05}, 2000, 1000).pairs == a.pairs);
  CHECK(collect(FixedProbability{.probability = 0.05}, 2000, 1000, false, ConstantWeight{1}, ConstantDelay{1}, 6).pairs != a.pairs);
  // Targets are spread over the whole range.
  std::vector<int> per_post(1000, 0);
  for (const auto& pair : a.pairs) ++per_post[pair.second];
  CHECK(*std::min_element(per_post.begin(), per_post.end()) > 50);
  CHECK(collect(FixedProbability{.probability = 1.0}, 7, 9).pairs.size() == 63);
  CHECK(collect(FixedProbability{.probability = 0.0}, 7, 9).pairs.empty());
  for (const auto& [i, j] : collect(FixedProbability{.probability = 0.5, .allow_self = false}, 50, 50, true).pairs)
    CHECK(i != j);
  CHECK_THROWS_AS(collect(FixedProbability{.probability = 1.5}, 2, 2), std::invalid_argument);
}

TEST_CASE("fixed fan-in: every postsynaptic neuron gets exactly k distinct partners") {
  const auto c = collect(FixedFanIn{.fan_in = 17, .allow_self = false}, 40, 40, true);
  std::vector<std::set<NeuronIndex>> partners(40);
  for (const auto& [i, j] : c.pairs) {
    CHECK(i != j);
    partners[j].insert(i);
  }
  for (const auto& set : partners) CHECK(set.size() == 17);
  CHECK(c.pairs.size() == 40u * 17u);
  CHECK(collect(FixedFanIn{.fan_in = 40}, 40, 3).pairs.size() == 120);  // all of them
  CHECK_THROWS_AS(collect(FixedFanIn{.fan_in = 40, .allow_self = false}, 40, 40, true), std::invalid_argument);
}

TEST_CASE("random weights and delays are keyed by synapse: the same for any builder order") {
  const auto a = collect(FixedProbability{.probability = 0.3}, 30, 30, false, UniformWeight{-1, 2}, UniformDelay{2, 9});
  const auto b = collect(AllToAll{}, 30, 30, false, UniformWeight{-1, 2}, UniformDelay{2, 9});
  std::map<std::pair<NeuronIndex, NeuronIndex>, std::pair<double, std::uint16_t>> all;
  for (std::size_t k = 0; k < b.pairs.size(); ++k) all[b.pairs[k]] = {b.weights[k], b.delays[k]};
  std::set<std::uint16_t> delays_seen;
  for (std::size_t k = 0; k < a.pairs.size(); ++k) {
    CHECK(all[a.pairs[k]].first == a.weights[k]);
    CHECK(all[a.pairs[k]].second == a.delays[k]);
    CHECK(a.weights[k] >= -1.0);
    CHECK(a.weights[k] < 2.0);
    delays_seen.insert(a.delays[k]);
  }
  CHECK(delays_seen == std::set<std::uint16_t>{2, 3, 4, 5, 6, 7, 8, 9});
}

TEST_CASE("explicit lists are sorted by (pre, post) and validated") {
  const auto c = collect(ExplicitSynapses{{2, 0, 2, 1}, {1, 3, 0, 1}, {0.2, 0.0, 0.1, 0.3}, {4, 1, 2, 3}}, 3, 4);
  CHECK(c.pairs == std::vector<std::pair<NeuronIndex, NeuronIndex>>{{0, 3}, {1, 1}, {2, 0}, {2, 1}});
  CHECK(c.weights == std::vector<double>{0.0, 0.3, 0.1, 0.2});
  CHECK(c.delays == std::vector<std::uint16_t>{1, 3, 2, 4});
  CHECK_THROWS_WITH_AS(collect(ExplicitSynapses{{0}, {9}, {}, {}}, 3, 4),
                       "explicit synapse 0 (0 -> 9) outside 3 x 4", std::invalid_argument);
  CHECK_THROWS_AS(collect(ExplicitSynapses{{0}, {1}, {}, {0}}, 3, 4), std::invalid_argument);
}

TEST_CASE("2-D convolution equals a naive reference, with stride and padding") {
  Conv2d conv{.in_channels = 2, .in_height = 7, .in_width = 6, .out_channels = 3, .kernel_height = 3,
              .kernel_width = 2, .stride = 2, .padding = 1};
  const std::size_t kernel_size = 3 * 2 * 3 * 2;
  for (std::size_t k = 0; k < kernel_size; ++k) conv.kernel.push_back(1.0 + static_cast<double>(k));  // distinct
  const NeuronIndex pre = 2 * 7 * 6, post = 3 * conv.out_height() * conv.out_width();
  CHECK(conv.out_height() == 4);
  CHECK(conv.out_width() == 4);
  const auto c = collect(conv, pre, post);
  std::vector<double> matrix(static_cast<std::size_t>(pre) * post, 0.0);
  for (std::size_t k = 0; k < c.pairs.size(); ++k) matrix[c.pairs[k].first * post + c.pairs[k].second] += c.weights[k];

  std::vector<double> naive(static_cast<std::size_t>(pre) * post, 0.0);
  for (std::uint32_t o = 0; o < 3; ++o)
    for (std::uint32_t oy = 0; oy < 4; ++oy)
      for (std::uint32_t ox = 0; ox < 4; ++ox)
        for (std::uint32_t ch = 0; ch < 2; ++ch)
          for (std::uint32_t ky = 0; ky < 3; ++ky)
            for (std::uint32_t kx = 0; kx < 2; ++kx) {
              const int y = static_cast<int>(oy * 2 + ky) - 1, x = static_cast<int>(ox * 2 + kx) - 1;
              if (y < 0 || y >= 7 || x < 0 || x >= 6) continue;
              const std::size_t in = (ch * 7 + y) * 6 + x, out = (o * 4 + oy) * 4 + ox;
              naive[in * post + out] += conv.kernel[((o * 2 + ch) * 3 + ky) * 2 + kx];
            }
  CHECK(matrix == naive);
}

TEST_CASE("pooling connects each window to its output with one weight") {
  const Pool2d pool{.channels = 2, .in_height = 4, .in_width = 6, .window = 2, .stride = 2, .weight = 0.25};
  const auto c = collect(pool, 48, 2 * 2 * 3);
  CHECK(c.pairs.size() == 48);  // non-overlapping windows cover every input once
  for (std::size_t k = 0; k < c.pairs.size(); ++k) {
    const auto [i, j] = c.pairs[k];
    const std::uint32_t ch = i / 24, y = (i / 6) % 4, x = i % 6;
    CHECK(j == (ch * 2 + y / 2) * 3 + x / 2);
    CHECK(c.weights[k] == 0.25);
  }
}
