// Binary quantizer: sign codes and the XNOR-Net scale alpha = mean|w|.
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "quant/binary_quantizer.hpp"
#include "tests/quant/nonuniform_test_support.hpp"

using namespace qsnn::quant;
using qsnn::quant::test::gaussian;
using qsnn::quant::test::mean_squared_error;
using qsnn::quant::test::same_bits;

namespace {

double mean_abs(std::span<const double> values) {
  double sum = 0.0;
  for (const double v : values) sum += std::fabs(v);
  return sum / static_cast<double>(values.size());
}

// MSE of one row when its codes are scaled by `scale` instead of the quantizer's own.
double row_mse_with_scale(std::span<const double> row, std::span<const std::int8_t> codes, double scale) {
  double sum = 0.0;
  for (std::size_t i = 0; i < row.size(); ++i) {
    const double error = row[i] - codes[i] * scale;
    sum += error * error;
  }
  return sum / static_cast<double>(row.size());
}

}  // namespace

TEST_CASE("binary quantizer: codes are signs with sign(0) = +1 and the scale is mean|w| per channel") {
  std::vector<double> values = gaussian(6 * 40, 11, 0.3, 0.05);
  values[3] = 0.0;
  values[50] = -0.0;
  const WeightMatrixView weights(values, 6, 40);
  const BinaryQuantizer quantizer;  // per channel by default
  const auto encoded = quantizer.quantize(weights);
  REQUIRE(encoded.scales.size() == 6);
  for (std::size_t r = 0; r < 6; ++r)
    CHECK(encoded.scales[r] == doctest::Approx(mean_abs(weights.row(r))).epsilon(1e-14));
  for (std::size_t i = 0; i < values.size(); ++i) CHECK(encoded.codes[i] == (values[i] < 0.0 ? -1 : 1));
  CHECK(encoded.codes[3] == 1);
  CHECK(encoded.codes[50] == 1);
  const auto dequantized = quantizer.dequantize(encoded);
  for (std::size_t i = 0; i < values.size(); ++i) CHECK(dequantized[i] == encoded.codes[i] * encoded.scales[i / 40]);
}

TEST_CASE("binary quantizer: the scale minimizes the squared error for the chosen signs") {
  const std::vector<double> values = gaussian(4 * 500, 12, 0.5, 0.1);
  const WeightMatrixView weights(values, 4, 500);
  const auto encoded = BinaryQuantizer{}.quantize(weights);
  for (std::size_t r = 0; r < 4; ++r) {
    const auto codes = std::span<const std::int8_t>(encoded.codes).subspan(r * 500, 500);
    const double alpha = encoded.scales[r];
    const double best = row_mse_with_scale(weights.row(r), codes, alpha);
    for (const double factor : {0.9, 0.99, 0.999, 1.001, 1.01, 1.1})
      CHECK(row_mse_with_scale(weights.row(r), codes, alpha * factor) > best);
    // MSE(a) is a parabola with its minimum at mean|w|: moving by d raises it by exactly d^2.
    const double d = 0.01 * alpha;
    CHECK(row_mse_with_scale(weights.row(r), codes, alpha + d) - best == doctest::Approx(d * d).epsilon(1e-6));
  }
}

TEST_CASE("binary quantizer: per-tensor and per-group granularity share alpha over their groups") {
  const std::vector<double> values = gaussian(3 * 8, 13);
  const WeightMatrixView weights(values, 3, 8);
  const auto tensor = BinaryQuantizer{{Granularity::per_tensor}}.quantize(weights);
  REQUIRE(tensor.scales.size() == 1);
  CHECK(tensor.scales[0] == doctest::Approx(mean_abs(values)).epsilon(1e-14));
  const auto grouped = BinaryQuantizer{{Granularity::per_group, 3}}.quantize(weights);  // runs 3, 3, 2 per row
  REQUIRE(grouped.scales.size() == 9);
  CHECK(grouped.scales[2] == doctest::Approx(mean_abs(weights.row(0).subspan(6, 2))).epsilon(1e-14));
  CHECK(grouped.scales[4] == doctest::Approx(mean_abs(weights.row(1).subspan(3, 3))).epsilon(1e-14));
}

TEST_CASE("binary quantizer: fake_quantize equals dequantize(quantize) bit for bit") {
  const std::vector<double> values = gaussian(7 * 33, 14);
  const WeightMatrixView weights(values, 7, 33);
  for (const Granularity granularity : {Granularity::per_tensor, Granularity::per_channel}) {
    const BinaryQuantizer quantizer({granularity});
    CHECK(same_bits(quantizer.fake_quantize(weights), quantizer.dequantize(quantizer.quantize(weights))));
  }
  CHECK(BinaryQuantizer{}.bits_per_weight() == 1.0);
  CHECK(mean_squared_error(values, BinaryQuantizer{}.fake_quantize(weights)) > 0.0);
}

TEST_CASE("binary quantizer: bad configs, non-finite weights and corrupt encodings are rejected") {
  CHECK_THROWS_WITH_AS(BinaryQuantizer({Granularity::per_group, 0}), doctest::Contains("group_size"),
                       std::invalid_argument);
  std::vector<double> values{1.0, NAN, 2.0};
  CHECK_THROWS_AS(BinaryQuantizer{}.quantize(WeightMatrixView(values)), std::domain_error);
  values[1] = 0.5;
  auto encoded = BinaryQuantizer{}.quantize(WeightMatrixView(values));
  encoded.codes[0] = 0;
  CHECK_THROWS_WITH_AS(BinaryQuantizer{}.dequantize(encoded), doctest::Contains("allowed -1, +1"),
                       std::invalid_argument);
  encoded.codes.pop_back();
  CHECK_THROWS_AS(BinaryQuantizer{}.dequantize(encoded), std::invalid_argument);
}
