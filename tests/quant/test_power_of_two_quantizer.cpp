// Power-of-two (logarithmic) quantizer: levels scale * 2^-m and zero, linear-nearest or log2 rounding.
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "quant/power_of_two_quantizer.hpp"
#include "tests/quant/nonuniform_test_support.hpp"

using namespace qsnn::quant;
using qsnn::quant::test::gaussian;
using qsnn::quant::test::same_bits;

namespace {

// True if |v| is 0 or exactly scale * 2^-m with m in 0..max_m.
bool is_power_of_two_level(double v, double scale, int max_m) {
  if (v == 0.0) return true;
  for (int m = 0; m <= max_m; ++m)
    if (std::fabs(v) == std::ldexp(scale, -m)) return true;
  return false;
}

}  // namespace

TEST_CASE("power-of-two quantizer: every dequantized value is 0 or +-scale * 2^-m") {
  const std::vector<double> values = gaussian(12 * 50, 31, 0.4);
  const WeightMatrixView weights(values, 12, 50);
  for (int bits = 2; bits <= 8; ++bits) {
    for (const Granularity granularity : {Granularity::per_tensor, Granularity::per_channel}) {
      const PowerOfTwoQuantizer quantizer({.bits = bits, .granularity = granularity});
      const auto encoded = quantizer.quantize(weights);
      const auto dequantized = quantizer.dequantize(encoded);
      const int max_m = PowerOfTwoQuantizer::max_field(bits) - 1;
      for (std::size_t i = 0; i < values.size(); ++i) {
        const double scale = encoded.scales[granularity == Granularity::per_tensor ? 0 : i / 50];
        CHECK(is_power_of_two_level(dequantized[i], scale, max_m));
        if (dequantized[i] != 0.0) CHECK(std::signbit(dequantized[i]) == std::signbit(values[i]));
      }
      // The largest weight of each group is its own scale and so is exact.
      double peak = 0.0;
      std::size_t peak_index = 0;
      for (std::size_t i = 0; i < values.size(); ++i)
        if (std::fabs(values[i]) > peak) peak = std::fabs(values[peak_index = i]);
      CHECK(dequantized[peak_index] == values[peak_index]);
    }
  }
}

TEST_CASE("power-of-two quantizer: hand-computed example, nearest level in the linear domain") {
  // bits = 3: J = 3, levels 4, 2, 1 and 0 for scale = max|w| = 4. Midpoints 3 and 1.5 (ties go up),
  // zero below half the smallest level (0.5).
  const std::vector<double> values{4.0, -3.1, 3.0, 2.9, 1.5, 1.49, 0.6, 0.5, -0.49, 0.0};
  const PowerOfTwoQuantizer quantizer({.bits = 3});
  const auto encoded = quantizer.quantize(WeightMatrixView(values));
  CHECK(encoded.scales[0] == 4.0);
  CHECK(encoded.codes == std::vector<std::int8_t>{3, -3, 3, 2, 2, 1, 1, 1, 0, 0});
  CHECK(quantizer.dequantize(encoded) == std::vector<double>{4.0, -4.0, 4.0, 2.0, 2.0, 1.0, 1.0, 1.0, 0.0, 0.0});
}

TEST_CASE("power-of-two quantizer: hand-computed example, nearest-even rounding in the log2 domain") {
  // log2(w / 4): 2.9 -> -0.464 -> 0 (linear rounding gives 2: the log-domain boundary is the geometric
  // mean 2*sqrt(2) = 2.83); 2.8 -> -0.515 -> -1; 0.75 -> -2.415 -> -2 (field 1); 0.6 -> -2.74 -> -3,
  // below the smallest exponent -2 -> 0.
  const std::vector<double> values{4.0, 2.9, -2.8, 0.75, 0.6};
  const PowerOfTwoQuantizer quantizer({.bits = 3, .log2_rounding = RoundingSpec{}});
  const auto encoded = quantizer.quantize(WeightMatrixView(values));
  CHECK(encoded.codes == std::vector<std::int8_t>{3, 3, -2, 1, 0});
  CHECK(quantizer.dequantize(encoded) == std::vector<double>{4.0, 4.0, -2.0, 1.0, 0.0});
}

TEST_CASE("power-of-two quantizer: exact levels round-trip under every rounding") {
  const double scale = 0.8125;
  for (int bits = 2; bits <= 8; ++bits) {
    std::vector<double> levels{0.0};
    for (int m = 0; m < PowerOfTwoQuantizer::max_field(bits); ++m) {
      levels.push_back(std::ldexp(scale, -m));
      levels.push_back(-std::ldexp(scale, -m));
    }
    const WeightMatrixView weights(levels);
    CHECK(PowerOfTwoQuantizer({.bits = bits}).fake_quantize(weights) == levels);
    for (const RoundingMode mode : all_rounding_modes()) {
      const PowerOfTwoQuantizer quantizer({.bits = bits, .log2_rounding = RoundingSpec{.mode = mode, .seed = 5}});
      CHECK_MESSAGE(quantizer.fake_quantize(weights, 3) == levels, rounding_name(mode), " bits ", bits);
    }
  }
}

TEST_CASE("power-of-two quantizer: one bit gives +-scale") {
  const std::vector<double> values{0.25, -1.0, 0.0, -0.5};
  const PowerOfTwoQuantizer quantizer({.bits = 1});
  const auto encoded = quantizer.quantize(WeightMatrixView(values));
  CHECK(encoded.codes == std::vector<std::int8_t>{1, -1, 1, -1});
  CHECK(quantizer.dequantize(encoded) == std::vector<double>{1.0, -1.0, 1.0, -1.0});
}

TEST_CASE("power-of-two quantizer: stochastic log2 rounding rounds the exponent up with its fraction") {
  // w / scale = 2^-0.25: exponent -0.25 goes to 0 with probability 0.75 and to -1 otherwise.
  const std::size_t n = 20000;
  std::vector<double> values(n, std::exp2(-0.25));
  values[0] = 1.0;  // fixes the scale at 1
  const PowerOfTwoQuantizer quantizer(
      {.bits = 4, .log2_rounding = RoundingSpec{.mode = RoundingMode::stochastic, .seed = 77}});
  const auto dequantized = quantizer.fake_quantize(WeightMatrixView(values), 9);
  std::size_t up = 0;
  for (std::size_t i = 1; i < n; ++i) {
    REQUIRE((dequantized[i] == 1.0 || dequantized[i] == 0.5));
    up += dequantized[i] == 1.0 ? 1 : 0;
  }
  const double fraction = static_cast<double>(up) / static_cast<double>(n - 1);
  CHECK(std::fabs(fraction - 0.75) < 4.0 * std::sqrt(0.75 * 0.25 / static_cast<double>(n)));
  // Same rng_step, same result; another step, other draws.
  CHECK(quantizer.fake_quantize(WeightMatrixView(values), 9) == dequantized);
  CHECK(quantizer.fake_quantize(WeightMatrixView(values), 10) != dequantized);
}

TEST_CASE("power-of-two quantizer: fake_quantize equals dequantize(quantize) bit for bit") {
  const std::vector<double> values = gaussian(5 * 40, 32);
  const WeightMatrixView weights(values, 5, 40);
  for (int bits = 1; bits <= 8; ++bits) {
    const PowerOfTwoQuantizer linear({.bits = bits, .granularity = Granularity::per_channel});
    CHECK(same_bits(linear.fake_quantize(weights), linear.dequantize(linear.quantize(weights))));
    const PowerOfTwoQuantizer log2(
        {.bits = bits, .log2_rounding = RoundingSpec{.mode = RoundingMode::stochastic, .seed = 1}});
    CHECK(same_bits(log2.fake_quantize(weights, 4), log2.dequantize(log2.quantize(weights, 4))));
    CHECK(linear.bits_per_weight() == bits);
  }
}

TEST_CASE("power-of-two quantizer: bad configs and encodings are rejected with the field name") {
  CHECK_THROWS_WITH_AS(PowerOfTwoQuantizer({.bits = 0}), doctest::Contains("bits = 0 (allowed 1..8)"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(PowerOfTwoQuantizer({.bits = 9}), doctest::Contains("bits"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(
      PowerOfTwoQuantizer({.log2_rounding = RoundingSpec{.mode = RoundingMode::stochastic, .random_bits = 4}}),
      doctest::Contains("log2_rounding.random_bits"), std::invalid_argument);
  std::vector<double> values{1.0, 0.5};
  auto encoded = PowerOfTwoQuantizer({.bits = 3}).quantize(WeightMatrixView(values));
  encoded.codes[0] = 4;  // J = 3
  CHECK_THROWS_AS(PowerOfTwoQuantizer{}.dequantize(encoded), std::invalid_argument);
}
