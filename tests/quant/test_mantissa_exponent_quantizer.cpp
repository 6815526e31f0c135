// Loihi-style mantissa/shared-exponent quantizer: effective weight = mantissa * 2^(6 + exp), exp in -8..7.
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "quant/mantissa_exponent_quantizer.hpp"
#include "tests/quant/nonuniform_test_support.hpp"

using namespace qsnn::quant;
using qsnn::quant::test::gaussian;
using qsnn::quant::test::same_bits;

TEST_CASE("mantissa-exponent quantizer: hand-computed example") {
  const MantissaExponentQuantizer quantizer;  // 8-bit mixed: mantissa in -127..127, nearest-even
  CHECK(quantizer.max_mantissa() == 127);
  CHECK(quantizer.min_mantissa() == -127);
  // max|w| = 100: 127 * 2^(6-8) = 31.75 and 127 * 2^(6-7) = 63.5 are too small, 127 * 2^0 = 127 holds it,
  // so exp = -6 and the step is 1; ties round to even.
  const std::vector<double> first{100.0, -50.0, 3.3, 2.5, -2.5};
  const auto a = quantizer.quantize(WeightMatrixView(first));
  CHECK(a.exponents == std::vector<std::int8_t>{-6});
  CHECK(a.mantissas == std::vector<std::int16_t>{100, -50, 3, 2, -2});
  CHECK(quantizer.dequantize(a) == std::vector<double>{100.0, -50.0, 3.0, 2.0, -2.0});
  CHECK(a.saturated() == 0);
  // max|w| = 10.3 <= 31.75: exp = -8, step 0.25: 10.3 / 0.25 = 41.2 -> 41, -0.7 / 0.25 = -2.8 -> -3.
  const std::vector<double> second{10.3, -0.7};
  const auto b = quantizer.quantize(WeightMatrixView(second));
  CHECK(b.exponents == std::vector<std::int8_t>{-8});
  CHECK(b.mantissas == std::vector<std::int16_t>{41, -3});
  CHECK(quantizer.dequantize(b) == std::vector<double>{10.25, -0.75});
}

TEST_CASE("mantissa-exponent quantizer: weights beyond max_mantissa * 2^13 saturate and are counted") {
  const MantissaExponentQuantizer quantizer;
  const double limit = 127.0 * 8192.0;  // exponent 7
  // 2e6 / 8192 = 244.1 -> 127 (high), -1.5e6 / 8192 = -183.1 -> -127 (low), 5e5 / 8192 = 61.04 -> 61.
  const std::vector<double> values{2.0e6, -1.5e6, 5.0e5, limit};
  const auto encoded = quantizer.quantize(WeightMatrixView(values));
  CHECK(encoded.exponents == std::vector<std::int8_t>{7});
  CHECK(encoded.mantissas == std::vector<std::int16_t>{127, -127, 61, 127});
  CHECK(encoded.saturation.saturated_high == 1);
  CHECK(encoded.saturation.saturated_low == 1);
  CHECK(encoded.saturation.wrapped == 0);
  // Exactly at the limit: exponent 7, no saturation, exact.
  const std::vector<double> at_limit{limit, -limit};
  const auto exact = quantizer.quantize(WeightMatrixView(at_limit));
  CHECK(exact.exponents == std::vector<std::int8_t>{7});
  CHECK(exact.saturated() == 0);
  CHECK(quantizer.dequantize(exact) == at_limit);
  // Half a step beyond it is a tie that nearest-even rounds to 128, out of range: saturated. Just below
  // the tie the mantissa rounds back to 127, an ordinary rounding error.
  const std::vector<double> tie{limit + 4096.0, -(limit + 4095.0)};
  const auto tied = quantizer.quantize(WeightMatrixView(tie));
  CHECK(tied.mantissas == std::vector<std::int16_t>{127, -127});
  CHECK(tied.saturation.saturated_high == 1);
  CHECK(tied.saturation.saturated_low == 0);
  // Stochastic rounding may round any weight above the limit up, out of range: over many draws some
  // weights just above it are counted, the rest round down to 127.
  std::vector<double> above(1000, limit + 1000.0);
  const auto drawn =
      MantissaExponentQuantizer({.rounding = {.mode = RoundingMode::stochastic}}).quantize(WeightMatrixView(above));
  CHECK(drawn.saturation.saturated_high > 0);
  CHECK(drawn.saturation.saturated_high < 1000);
}

TEST_CASE("mantissa-exponent quantizer: the exponent is the smallest one that avoids saturation") {
  // Reference: nearest-even (std::nearbyint in the default rounding mode) and, for stochastic rounding,
  // the worst case ceil of the magnitude.
  const auto fits = [](double peak, int exponent, double max_magnitude, bool stochastic) {
    const double x = std::ldexp(peak, -(6 + exponent));
    return (stochastic ? std::ceil(x) : std::nearbyint(x)) <= max_magnitude;
  };
  for (const bool stochastic : {false, true}) {
    const RoundingSpec rounding{.mode = stochastic ? RoundingMode::stochastic : RoundingMode::nearest_even};
    for (const WeightSignMode mode : {WeightSignMode::mixed, WeightSignMode::excitatory, WeightSignMode::inhibitory}) {
      for (int bits = mode == WeightSignMode::mixed ? 2 : 1; bits <= 8; ++bits) {
        const MantissaExponentQuantizer quantizer({.weight_bits = bits, .sign_mode = mode, .rounding = rounding});
        const auto max_magnitude = static_cast<double>(std::max(quantizer.max_mantissa(), -quantizer.min_mantissa()));
        const double sign = mode == WeightSignMode::inhibitory ? -1.0 : 1.0;
        for (int k = -40; k <= 60; ++k) {
          const double peak = std::ldexp(1.0 + 0.3 * ((k % 3 + 3) % 3), k / 3);  // spread over 2^-13..2^20
          std::vector<double> values = gaussian(50, 61 + static_cast<std::uint64_t>(k + 40), 0.3 * peak);
          for (double& v : values) v = sign * std::min(std::fabs(v), peak);
          values[7] = sign * peak;
          const auto encoded = quantizer.quantize(WeightMatrixView(values));
          const int e = encoded.exponents[0];
          INFO(weight_sign_mode_name(mode), " bits ", bits, " peak ", peak, " exp ", e, " stochastic ", stochastic);
          if (fits(peak, 7, max_magnitude, stochastic)) {
            CHECK(fits(peak, e, max_magnitude, stochastic));
            CHECK(encoded.saturated() == 0);
            if (e > MantissaExponentQuantizer::kMinExponent) CHECK_FALSE(fits(peak, e - 1, max_magnitude, stochastic));
          } else {
            CHECK(e == MantissaExponentQuantizer::kMaxExponent);
            if (!stochastic) CHECK(encoded.saturated() > 0);
          }
        }
      }
    }
  }
}

TEST_CASE("mantissa-exponent quantizer: one-sign modes saturate wrong-sign weights to zero") {
  const std::vector<double> values{12.0, -3.0, 0.2, -0.1};
  const MantissaExponentQuantizer excitatory({.weight_bits = 4, .sign_mode = WeightSignMode::excitatory});
  // Peak 12 among positive weights; 15 * 2^(6-8) = 3.75, 7.5, 15: exp = -6, step 1.
  const auto e = excitatory.quantize(WeightMatrixView(values));
  CHECK(excitatory.max_mantissa() == 15);
  CHECK(e.exponents[0] == -6);
  CHECK(e.mantissas == std::vector<std::int16_t>{12, 0, 0, 0});
  CHECK(e.saturation.saturated_low == 1);  // -3 clamped; -0.1 rounds to 0 and is not clamped
  const MantissaExponentQuantizer inhibitory({.weight_bits = 4, .sign_mode = WeightSignMode::inhibitory});
  // Peak 3 among negative weights: 3.75 holds it, exp = -8, step 0.25.
  const auto i = inhibitory.quantize(WeightMatrixView(values));
  CHECK(i.exponents[0] == -8);
  CHECK(i.mantissas == std::vector<std::int16_t>{0, -12, 0, 0});
  CHECK(i.saturation.saturated_high == 2);  // 12 and 0.2 (0.8 steps -> 1) clamped to 0
  CHECK(inhibitory.dequantize(i) == std::vector<double>{0.0, -3.0, 0.0, 0.0});
}

TEST_CASE("mantissa-exponent quantizer: per-channel exponents and stochastic mantissa rounding") {
  const std::vector<double> values{100.0, 1.0, 0.5, 0.25};
  const auto encoded =
      MantissaExponentQuantizer({.granularity = Granularity::per_channel}).quantize(WeightMatrixView(values, 2, 2));
  CHECK(encoded.exponents == std::vector<std::int8_t>{-6, -8});
  CHECK(encoded.mantissas == std::vector<std::int16_t>{100, 1, 2, 1});
  // 0.3 steps rounds up with probability 0.3 (one fixed 31.75 weight pins exp = -8, step 0.25).
  const std::size_t n = 20000;
  std::vector<double> many(n, 0.3 * 0.25);
  many[0] = 31.75;
  const MantissaExponentQuantizer stochastic({.rounding = {.mode = RoundingMode::stochastic, .seed = 8}});
  const auto drawn = stochastic.quantize(WeightMatrixView(many), 2);
  double ones = 0.0;
  for (std::size_t k = 1; k < n; ++k) ones += drawn.mantissas[k];
  CHECK(std::fabs(ones / static_cast<double>(n - 1) - 0.3) < 4.0 * std::sqrt(0.3 * 0.7 / static_cast<double>(n)));
  CHECK(stochastic.quantize(WeightMatrixView(many), 2).mantissas == drawn.mantissas);
}

TEST_CASE("mantissa-exponent quantizer: fake_quantize equals dequantize(quantize) bit for bit") {
  const std::vector<double> values = gaussian(10 * 30, 62, 40.0);
  const WeightMatrixView weights(values, 10, 30);
  for (const WeightSignMode mode : {WeightSignMode::mixed, WeightSignMode::excitatory, WeightSignMode::inhibitory}) {
    const MantissaExponentQuantizer quantizer({.weight_bits = 5,
                                               .sign_mode = mode,
                                               .granularity = Granularity::per_channel,
                                               .rounding = {.mode = RoundingMode::stochastic, .seed = 4}});
    CHECK(same_bits(quantizer.fake_quantize(weights, 6), quantizer.dequantize(quantizer.quantize(weights, 6))));
    CHECK(quantizer.bits_per_weight() == 5.0);
  }
}

TEST_CASE("mantissa-exponent quantizer: bad configs and encodings are rejected with the field name") {
  CHECK_THROWS_WITH_AS(MantissaExponentQuantizer({.weight_bits = 1}),
                       doctest::Contains("weight_bits (mixed sign mode) = 1 (allowed 2..8)"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(MantissaExponentQuantizer({.weight_bits = 9, .sign_mode = WeightSignMode::excitatory}),
                       doctest::Contains("weight_bits = 9 (allowed 1..8)"), std::invalid_argument);
  CHECK_NOTHROW(MantissaExponentQuantizer({.weight_bits = 1, .sign_mode = WeightSignMode::excitatory}));
  CHECK_THROWS_WITH_AS(
      MantissaExponentQuantizer({.rounding = {.mode = RoundingMode::stochastic_shared, .random_bits = 40}}),
      doctest::Contains("rounding.random_bits"), std::invalid_argument);
  const std::vector<double> values{1.0, 2.0};
  auto encoded = MantissaExponentQuantizer{}.quantize(WeightMatrixView(values));
  encoded.exponents[0] = 8;
  CHECK_THROWS_WITH_AS(MantissaExponentQuantizer{}.dequantize(encoded), doctest::Contains("exponent"),
                       std::invalid_argument);
  std::vector<double> bad{1.0, INFINITY};
  CHECK_THROWS_AS(MantissaExponentQuantizer{}.quantize(WeightMatrixView(bad)), std::domain_error);
}
