// Codebook quantizer (1-D k-means / Lloyd): never worse than uniform grids, known answers on clusters.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "quant/codebook_quantizer.hpp"
#include "quant/lloyd_1d.hpp"
#include "tests/quant/nonuniform_test_support.hpp"

using namespace qsnn::quant;
using qsnn::quant::test::gaussian;
using qsnn::quant::test::mean_squared_error;
using qsnn::quant::test::same_bits;

namespace {

// The affine min-max quantizer: 2^bits levels from min to max, nearest level by rounding.
double uniform_min_max_mse(const std::vector<double>& values, int bits) {
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  const double step = (*hi - *lo) / static_cast<double>((1 << bits) - 1);
  double sum = 0.0;
  for (const double v : values) {
    const double q = *lo + std::round((v - *lo) / step) * step;
    sum += (v - q) * (v - q);
  }
  return sum / static_cast<double>(values.size());
}

// Mid-rise uniform grid centred on c with half-range a: levels c + (k + 1/2) * 2a / 2^bits.
double mid_rise_mse(const std::vector<double>& values, int bits, double c, double a) {
  const double levels = static_cast<double>(1 << bits);
  const double step = 2.0 * a / levels;
  double sum = 0.0;
  for (const double v : values) {
    const double k = std::clamp(std::floor((v - c + a) / step), 0.0, levels - 1.0);
    const double q = c - a + (k + 0.5) * step;
    sum += (v - q) * (v - q);
  }
  return sum / static_cast<double>(values.size());
}

// The best symmetric mid-rise grid about the mean: a scanned on a fine grid, then refined around the best.
double best_mid_rise_mse(const std::vector<double>& values, int bits) {
  const double c = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  const double peak = std::max(*std::max_element(values.begin(), values.end()) - c,
                               c - *std::min_element(values.begin(), values.end()));
  double best = INFINITY, best_a = peak;
  for (int k = 1; k <= 400; ++k) {
    const double a = peak * k / 400.0;
    const double mse = mid_rise_mse(values, bits, c, a);
    if (mse < best) best = mse, best_a = a;
  }
  for (int k = -100; k <= 100; ++k) best = std::min(best, mid_rise_mse(values, bits, c, best_a + peak * k / 40000.0));
  return best;
}

// 2^bits tight clusters around `centres`, `per_cluster` points each, interleaved.
std::vector<double> clusters(const std::vector<double>& centres, std::size_t per_cluster, std::uint64_t seed) {
  const auto noise = gaussian(centres.size() * per_cluster, seed, 0.05);
  std::vector<double> values(noise.size());
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = centres[i % centres.size()] + noise[i];
  return values;
}

}  // namespace

TEST_CASE("codebook quantizer: beats uniform min-max quantization on Gaussian data for 2, 3 and 4 bits") {
  const std::vector<double> values = gaussian(100000, 41, 0.3, 0.05);
  const WeightMatrixView weights(values);
  for (const int bits : {2, 3, 4}) {
    const CodebookQuantizer quantizer({.bits = bits});
    const double codebook = mean_squared_error(values, quantizer.fake_quantize(weights));
    const double uniform = uniform_min_max_mse(values, bits);
    INFO("bits ", bits, ": codebook ", codebook, ", uniform min-max ", uniform);
    CHECK(codebook < 0.75 * uniform);
  }
}

TEST_CASE("codebook quantizer: beats the best MSE-searched uniform mid-rise grid at 2 and 3 bits") {
  // Gaussian theory (Max 1960): Lloyd-Max 0.1175 vs optimal uniform 0.1188 sigma^2 at 2 bits,
  // 0.03454 vs 0.03744 at 3 bits.
  const std::vector<double> values = gaussian(50000, 42);
  const WeightMatrixView weights(values);
  for (const int bits : {2, 3}) {
    const auto encoded = CodebookQuantizer({.bits = bits}).quantize(weights);
    const double codebook = mean_squared_error(values, CodebookQuantizer({.bits = bits}).dequantize(encoded));
    const double uniform = best_mid_rise_mse(values, bits);
    INFO("bits ", bits, ": codebook ", codebook, ", best uniform mid-rise ", uniform);
    CHECK(codebook < uniform);
    CHECK(codebook == doctest::Approx(bits == 2 ? 0.1175 : 0.03454).epsilon(0.03));
    CHECK(encoded.mse[0] == doctest::Approx(codebook).epsilon(1e-9));
  }
}

TEST_CASE("codebook quantizer: levels are sorted and codes pick the nearest level") {
  const std::vector<double> values = gaussian(6 * 300, 43, 2.0);
  const WeightMatrixView weights(values, 6, 300);
  const CodebookQuantizer quantizer({.bits = 3, .granularity = Granularity::per_channel});
  const auto encoded = quantizer.quantize(weights);
  REQUIRE(encoded.levels.size() == 6 * 8);
  for (std::size_t g = 0; g < 6; ++g) {
    const std::span<const double> levels(encoded.levels.data() + g * 8, 8);
    CHECK(std::is_sorted(levels.begin(), levels.end()));
    CHECK(std::adjacent_find(levels.begin(), levels.end()) == levels.end());  // strictly increasing
    for (std::size_t c = 0; c < 300; ++c) {
      const double v = values[g * 300 + c];
      const double chosen = std::fabs(v - levels[encoded.codes[g * 300 + c]]);
      for (const double level : levels) CHECK(chosen <= std::fabs(v - level));
    }
  }
}

TEST_CASE("codebook quantizer: the Lloyd MSE never increases, also across empty-cell reseeding") {
  std::vector<double> values = gaussian(20000, 44);
  std::sort(values.begin(), values.end());
  // A poor start: all levels bunched at one end, so most cells start empty and get reseeded.
  const LloydResult fit = lloyd_1d(values, {3.0, 3.1, 3.2, 3.3, 3.4, 3.5, 3.6, 3.7}, 500);
  REQUIRE(fit.mse.size() == fit.iterations + 1);
  for (std::size_t i = 1; i < fit.mse.size(); ++i) CHECK(fit.mse[i] <= fit.mse[i - 1] * (1.0 + 1e-12));
  CHECK(fit.mse.back() < 0.1 * fit.mse.front());
  CHECK(fit.mse.back() == doctest::Approx(0.03454).epsilon(0.03));  // reaches the 3-bit Lloyd-Max level
  CHECK(std::is_sorted(fit.levels.begin(), fit.levels.end()));
  // Zero iterations only score the start.
  const LloydResult start = lloyd_1d(values, {-1.0, 1.0}, 0);
  CHECK(start.iterations == 0);
  CHECK(start.mse.size() == 1);
  CHECK(start.levels == std::vector<double>{-1.0, 1.0});
}

TEST_CASE("codebook quantizer: known answer on well-separated clusters, levels are the cluster means") {
  // Unevenly spaced, so both uniform starting grids put two clusters in one cell and leave a cell empty:
  // only reseeding the empty level separates them.
  const std::vector<std::vector<double>> cases{{-10.0, -3.0, 1.0, 20.0}, {-7.0, -6.0, -2.0, 0.0, 0.5, 4.0, 9.0, 30.0}};
  for (const auto& centres : cases) {
    const int bits = centres.size() == 4 ? 2 : 3;
    const std::vector<double> values = clusters(centres, 500, 45);
    const auto encoded = CodebookQuantizer({.bits = bits}).quantize(WeightMatrixView(values));
    REQUIRE(encoded.levels.size() == centres.size());
    for (std::size_t k = 0; k < centres.size(); ++k) {
      double sum = 0.0;
      for (std::size_t i = k; i < values.size(); i += centres.size()) sum += values[i];
      CHECK(encoded.levels[k] == doctest::Approx(sum / 500.0).epsilon(1e-12));
    }
    for (std::size_t i = 0; i < values.size(); ++i) CHECK(encoded.codes[i] == i % centres.size());
  }
}

TEST_CASE("codebook quantizer: zero iterations give the better uniform min-max grid and constant data stays exact") {
  const std::vector<double> values = gaussian(10000, 46);
  const auto encoded = CodebookQuantizer({.bits = 2, .max_iterations = 0}).quantize(WeightMatrixView(values));
  CHECK(encoded.iterations[0] == 0);
  CHECK(encoded.mse[0] <= uniform_min_max_mse(values, 2) * (1.0 + 1e-12));
  const std::vector<double> constant(100, 0.375);
  CHECK(CodebookQuantizer({.bits = 4}).fake_quantize(WeightMatrixView(constant)) == constant);
}

TEST_CASE("codebook quantizer: fake_quantize equals dequantize(quantize) bit for bit") {
  const std::vector<double> values = gaussian(8 * 64, 47);
  const WeightMatrixView weights(values, 8, 64);
  for (const Granularity granularity : {Granularity::per_tensor, Granularity::per_channel}) {
    const CodebookQuantizer quantizer({.bits = 3, .granularity = granularity});
    CHECK(same_bits(quantizer.fake_quantize(weights), quantizer.dequantize(quantizer.quantize(weights))));
  }
  CHECK(CodebookQuantizer({.bits = 5}).bits_per_weight() == 5.0);
}

TEST_CASE("codebook quantizer: bad configs and encodings are rejected with the field name") {
  CHECK_THROWS_WITH_AS(CodebookQuantizer({.bits = 0}), doctest::Contains("bits = 0 (allowed 1..16)"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(CodebookQuantizer({.bits = 17}), doctest::Contains("bits"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(CodebookQuantizer({.max_iterations = -1}), doctest::Contains("max_iterations"),
                       std::invalid_argument);
  std::vector<double> values{1.0, 2.0, 3.0};
  auto encoded = CodebookQuantizer({.bits = 1}).quantize(WeightMatrixView(values));
  encoded.codes[0] = 2;
  CHECK_THROWS_WITH_AS(CodebookQuantizer{}.dequantize(encoded), doctest::Contains("allowed 0..1"),
                       std::invalid_argument);
  CHECK_THROWS_AS(lloyd_1d(values, {}, 10), std::invalid_argument);
}
