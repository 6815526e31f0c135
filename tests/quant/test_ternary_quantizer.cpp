// Ternary quantizer: TWN threshold delta = t * mean|w| and scale = mean |w| over |w| > delta.
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "quant/ternary_quantizer.hpp"
#include "tests/quant/nonuniform_test_support.hpp"

using namespace qsnn::quant;
using qsnn::quant::test::gaussian;
using qsnn::quant::test::same_bits;

TEST_CASE("ternary quantizer: hand-computed example") {
  // Dyadic values, so every intermediate below is exact.
  // Row 0: mean|w| = 5.75 / 8 = 0.71875, delta = 0.7 * 0.71875 = 0.503125: 0.5 and smaller become 0;
  //        kept 1.5, 0.75, 2.0, 0.625 -> alpha = 4.875 / 4 = 1.21875.
  // Row 1: all |w| = 0.5, delta = 0.35: all kept, alpha = 0.5.
  const std::vector<double> values{1.5, -0.25, 0.75, -2.0, 0.125, 0.0, 0.5,  -0.625,
                                   0.5, -0.5,  0.5,  0.5,  -0.5,  0.5, -0.5, 0.5};
  const TernaryQuantizer quantizer;
  const auto encoded = quantizer.quantize(WeightMatrixView(values, 2, 8));
  CHECK(encoded.thresholds[0] == doctest::Approx(0.503125).epsilon(1e-15));
  CHECK(encoded.scales[0] == 1.21875);
  CHECK(encoded.scales[1] == 0.5);
  const std::vector<std::int8_t> expected_codes{1, 0, 1, -1, 0, 0, 0, -1, 1, -1, 1, 1, -1, 1, -1, 1};
  CHECK(encoded.codes == expected_codes);
  const std::vector<double> expected{1.21875, 0.0,  1.21875, -1.21875, 0.0,  0.0, 0.0,  -1.21875,
                                     0.5,     -0.5, 0.5,     0.5,      -0.5, 0.5, -0.5, 0.5};
  CHECK(quantizer.dequantize(encoded) == expected);
}

TEST_CASE("ternary quantizer: |w| equal to delta is zero, and a group with nothing above delta has scale 0") {
  // threshold_factor 1 and equal magnitudes: delta = mean|w| = every |w|.
  const std::vector<double> values{1.0, -1.0, 1.0, 1.0};
  const auto encoded = TernaryQuantizer({1.0}).quantize(WeightMatrixView(values));
  CHECK(encoded.codes == std::vector<std::int8_t>{0, 0, 0, 0});
  CHECK(encoded.scales[0] == 0.0);
  // threshold_factor 0 keeps every non-zero weight.
  const std::vector<double> with_zero{0.0, -2.0, 4.0, 0.0};
  const auto kept = TernaryQuantizer({0.0}).quantize(WeightMatrixView(with_zero));
  CHECK(kept.codes == std::vector<std::int8_t>{0, -1, 1, 0});
  CHECK(kept.scales[0] == 3.0);
}

TEST_CASE("ternary quantizer: codes are zero exactly for |w| <= delta on random data") {
  const std::vector<double> values = gaussian(16 * 64, 21, 0.2);
  const WeightMatrixView weights(values, 16, 64);
  for (const double t : {0.3, 0.7, 1.2}) {
    const auto encoded = TernaryQuantizer({t}).quantize(weights);
    for (std::size_t r = 0; r < 16; ++r) {
      double sum_abs = 0.0, kept_sum = 0.0;
      std::size_t kept = 0;
      for (const double w : weights.row(r)) sum_abs += std::fabs(w);
      const double delta = t * sum_abs / 64.0;
      CHECK(encoded.thresholds[r] == doctest::Approx(delta).epsilon(1e-14));
      for (std::size_t c = 0; c < 64; ++c) {
        const double w = values[r * 64 + c];
        const int code = encoded.codes[r * 64 + c];
        if (std::fabs(w) <= encoded.thresholds[r]) {
          CHECK(code == 0);
        } else {
          CHECK(code == (w > 0.0 ? 1 : -1));
          kept_sum += std::fabs(w);
          ++kept;
        }
      }
      CHECK(encoded.scales[r] == doctest::Approx(kept_sum / static_cast<double>(kept)).epsilon(1e-14));
    }
  }
}

TEST_CASE("ternary quantizer: fake_quantize equals dequantize(quantize) bit for bit") {
  const std::vector<double> values = gaussian(9 * 21, 22);
  const WeightMatrixView weights(values, 9, 21);
  for (const Granularity granularity : {Granularity::per_tensor, Granularity::per_channel}) {
    const TernaryQuantizer quantizer({0.7, granularity});
    CHECK(same_bits(quantizer.fake_quantize(weights), quantizer.dequantize(quantizer.quantize(weights))));
  }
  CHECK(TernaryQuantizer{}.bits_per_weight() == 2.0);
}

TEST_CASE("ternary quantizer: invalid threshold factors are rejected with the field name") {
  for (const double t : {-0.1, static_cast<double>(NAN), static_cast<double>(INFINITY)})
    CHECK_THROWS_WITH_AS(TernaryQuantizer({t}), doctest::Contains("threshold_factor"), std::invalid_argument);
  std::vector<double> values{1.0, 2.0};
  auto encoded = TernaryQuantizer{}.quantize(WeightMatrixView(values));
  encoded.codes[1] = 2;
  CHECK_THROWS_AS(TernaryQuantizer{}.dequantize(encoded), std::invalid_argument);
}
