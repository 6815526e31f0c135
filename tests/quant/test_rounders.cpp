// Rounding functions on real values and on integer right shifts.
#include <doctest/doctest.h>

#include <cfenv>
#include <cmath>
#include <cstdint>
#include <vector>

#include "quant/rounders.hpp"

using namespace qsnn::quant;

namespace {

constexpr std::uint64_t kSeed = 20261122;

struct MeanAndStandardError {
  double mean;
  double standard_error;
};

// Mean rounding error (in steps) of x over n independent stochastic draws, one element index per draw.
template <class Rounder>
MeanAndStandardError stochastic_error(const Rounder& rounder, double x, std::uint64_t n) {
  double sum = 0.0, sum_sq = 0.0;
  for (std::uint64_t i = 0; i < n; ++i) {
    const double error = rounder.real(x, i) - x;
    sum += error;
    sum_sq += error * error;
  }
  const double mean = sum / static_cast<double>(n);
  const double variance = sum_sq / static_cast<double>(n) - mean * mean;
  return {mean, std::sqrt(variance / static_cast<double>(n))};
}

template <class Rounder>
void check_shift_matches_real(const Rounder& rounder) {
  for (unsigned k = 0; k <= 16; ++k) {
    const std::int64_t span = std::int64_t{1} << (k + 3);  // eight output steps either side of zero
    for (std::int64_t x = -span; x <= span; ++x) {
      const auto index = static_cast<std::uint64_t>(x + span);
      const double expected = rounder.real(std::ldexp(static_cast<double>(x), -static_cast<int>(k)), index);
      if (static_cast<double>(rounder.shift(x, k, index)) != expected) {
        FAIL("shift disagrees with real rounding for mode ", rounding_name(Rounder::mode), ", x = ", x,
             ", k = ", k);
      }
    }
  }
}

}  // namespace

TEST_CASE("integer-shift rounding equals real-value rounding for every mode, k = 0..16, exhaustively") {
  check_shift_matches_real(NearestEvenRounder{});
  check_shift_matches_real(NearestAwayRounder{});
  check_shift_matches_real(FloorRounder{});
  check_shift_matches_real(CeilRounder{});
  check_shift_matches_real(TruncateRounder{});
  for (unsigned bits : {8U, 12U, 24U}) {
    check_shift_matches_real(StochasticRounder{CounterRng{kSeed, 3}, 7, bits});
    check_shift_matches_real(SharedStochasticRounder{CounterRng{kSeed, 3}, 7, bits});
  }
}

TEST_CASE("nearest-even matches std::nearbyint and is idempotent") {
  REQUIRE(std::fegetround() == FE_TONEAREST);
  const NearestEvenRounder rounder;
  std::vector<double> values;
  for (int i = -4000; i <= 4000; ++i) values.push_back(i * 0.125);  // every tie of [-500, 500]
  CounterRng rng{kSeed, 1};
  for (std::uint64_t i = 0; i < 20000; ++i) values.push_back((rng.uniform01(0, i) - 0.5) * 1e6);
  values.push_back(0x1.0p51 + 0.5);  // ties at the largest magnitude with a half step
  values.push_back(-0x1.0p51 - 0.5);
  values.push_back(-0.0);
  for (double x : values) {
    const double rounded = rounder.real(x);
    CHECK(rounded == std::nearbyint(x));
    CHECK(rounder.real(rounded) == rounded);
  }
  CHECK(rounder.real(2.5) == 2.0);
  CHECK(rounder.real(3.5) == 4.0);
  CHECK(rounder.real(-2.5) == -2.0);
  CHECK(rounder.shift(5, 1) == 2);   // 2.5 -> 2
  CHECK(rounder.shift(7, 1) == 4);   // 3.5 -> 4
  CHECK(rounder.shift(-5, 1) == -2);
}

TEST_CASE("nearest-away breaks ties away from zero and is idempotent") {
  const NearestAwayRounder rounder;
  CHECK(rounder.real(2.5) == 3.0);
  CHECK(rounder.real(-2.5) == -3.0);
  CHECK(rounder.real(2.4999) == 2.0);
  CHECK(rounder.shift(5, 1) == 3);
  CHECK(rounder.shift(-5, 1) == -3);
  CHECK(rounder.shift(-6, 2) == -2);  // -1.5
  for (int i = -1000; i <= 1000; ++i) {
    const double x = i * 0.37;
    CHECK(rounder.real(rounder.real(x)) == rounder.real(x));
    CHECK(rounder.real(x) == std::round(x));  // std::round is defined as ties away from zero
  }
}

TEST_CASE("truncate is symmetric in sign, floor and ceil mirror each other") {
  const TruncateRounder truncate;
  const FloorRounder floor_rounder;
  const CeilRounder ceil_rounder;
  for (unsigned k = 0; k <= 16; ++k) {
    for (std::int64_t x = 0; x <= (std::int64_t{1} << (k + 2)); ++x) {
      REQUIRE(truncate.shift(-x, k) == -truncate.shift(x, k));
      REQUIRE(floor_rounder.shift(-x, k) == -ceil_rounder.shift(x, k));
    }
  }
  for (int i = 0; i <= 1000; ++i) {
    const double x = i * 0.013;
    CHECK(truncate.real(-x) == -truncate.real(x));
  }
  CHECK(truncate.shift(-7, 2) == -1);  // -1.75 -> -1
  CHECK(floor_rounder.shift(-7, 2) == -2);
  CHECK(ceil_rounder.shift(-7, 2) == -1);
  CHECK(ceil_rounder.shift(7, 2) == 2);
}

TEST_CASE("floor's mean error on uniformly distributed fractions is -step/2, ceil's is +step/2") {
  CounterRng rng{kSeed, 2};
  constexpr std::uint64_t kDraws = 1'000'000;
  double floor_sum = 0.0, ceil_sum = 0.0, truncate_sum = 0.0;
  for (std::uint64_t i = 0; i < kDraws; ++i) {
    const double x = (rng.uniform01(0, i) - 0.5) * 2000.0;
    floor_sum += FloorRounder{}.real(x) - x;
    ceil_sum += CeilRounder{}.real(x) - x;
    truncate_sum += TruncateRounder{}.real(x) - x;
  }
  const double standard_error = std::sqrt(1.0 / 12.0 / kDraws);
  CHECK(std::abs(floor_sum / kDraws + 0.5) < 4 * standard_error);
  CHECK(std::abs(ceil_sum / kDraws - 0.5) < 4 * standard_error);
  // Truncation's bias cancels over a sign-symmetric input, and its error has the opposite sign of x.
  CHECK(std::abs(truncate_sum / kDraws) < 8 * standard_error);
}

TEST_CASE("stochastic rounding is unbiased over 10^6 draws for several fractions") {
  const StochasticRounder rounder{CounterRng{kSeed, 5}, 11, 24};
  for (double fraction : {0.001, 0.1, 0.25, 1.0 / 3.0, 0.5, 0.7, 0.999}) {
    for (double integer_part : {-3.0, 0.0, 41.0}) {
      const auto [mean, standard_error] = stochastic_error(rounder, integer_part + fraction, 1'000'000);
      INFO("fraction ", fraction, " integer part ", integer_part);
      CHECK(std::abs(mean) < 4 * standard_error);
    }
  }
}

TEST_CASE("stochastic rounding with few random bits is biased by the fraction cut to those bits") {
  // With b random bits the probability of rounding up is floor(f * 2^b) / 2^b.
  const StochasticRounder rounder{CounterRng{kSeed, 6}, 0, 8};
  const double fraction = 0.5 + 0.9 / 256.0;  // 128.9 / 256: cut to 128 / 256
  const double expected_bias = std::floor(fraction * 256.0) / 256.0 - fraction;  // -0.9 / 256
  const auto [mean, standard_error] = stochastic_error(rounder, 5.0 + fraction, 1'000'000);
  CHECK(std::abs(mean - expected_bias) < 4 * standard_error);
  CHECK(std::abs(mean) > 4 * standard_error);  // the 8-bit bias is visible at this sample size
  const auto exact = stochastic_error(rounder, 5.0 + 0.25, 1'000'000);  // 0.25 needs only 2 bits
  CHECK(std::abs(exact.mean) < 4 * exact.standard_error);
}

TEST_CASE("stochastic rounding never moves a value by a whole step and leaves integers alone") {
  const StochasticRounder rounder{CounterRng{kSeed, 7}, 0, 16};
  for (std::uint64_t i = 0; i < 10000; ++i) {
    const double x = -50.0 + 0.01 * static_cast<double>(i);
    const double rounded = rounder.real(x, i);
    CHECK((rounded == std::floor(x) || rounded == std::ceil(x)));
  }
  for (std::int64_t x = -100; x <= 100; ++x) CHECK(rounder.shift(x << 5, 5, 1) == x);
}

TEST_CASE("shared stochastic rounding draws once per step: unbiased over steps, identical across elements") {
  constexpr std::uint64_t kSteps = 1'000'000;
  const double x = 2.3;
  double sum = 0.0, sum_sq = 0.0;
  for (std::uint64_t step = 0; step < kSteps; ++step) {
    const SharedStochasticRounder rounder{CounterRng{kSeed, 8}, step, 24};
    const double error = rounder.real(x, 0) - x;
    sum += error;
    sum_sq += error * error;
    if (step < 1000) {
      for (std::uint64_t index = 1; index < 16; ++index) REQUIRE(rounder.real(x, index) == rounder.real(x, 0));
    }
  }
  const double mean = sum / kSteps;
  const double standard_error = std::sqrt((sum_sq / kSteps - mean * mean) / kSteps);
  CHECK(std::abs(mean) < 4 * standard_error);
}

TEST_CASE("visit_rounder dispatches the named mode and validates its parameters") {
  RoundingSpec spec;
  spec.mode = RoundingMode::floor;
  CHECK(round_shift(spec, -5, 1) == -3);
  CHECK(round_real(spec, -2.5) == -3.0);
  spec.mode = RoundingMode::ceil;
  CHECK(round_shift(spec, -5, 1) == -2);
  spec.mode = RoundingMode::truncate;
  CHECK(round_real(spec, -2.5) == -2.0);
  spec.mode = RoundingMode::nearest_away;
  CHECK(round_real(spec, -2.5) == -3.0);
  spec.mode = RoundingMode::stochastic;
  spec.random_bits = 7;
  CHECK_THROWS_WITH_AS(round_real(spec, 0.5), "stochastic rounding with 7 random bits (allowed 8..32)",
                       std::out_of_range);
  spec.random_bits = 33;
  CHECK_THROWS_AS(round_real(spec, 0.5), std::out_of_range);
  spec.mode = RoundingMode::nearest_even;
  CHECK_THROWS_WITH_AS(round_shift(spec, 1, 63), "rounding shift of 63 bits (allowed 0..62)", std::out_of_range);
  CHECK(round_shift(spec, std::int64_t{3} << 61, 62) == 2);  // 1.5 -> 2 at the largest shift
}
