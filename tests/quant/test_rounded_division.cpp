// Rounded integer division: every mode against its definition on exact rationals, the stochastic draw,
// agreement with the rounders' shift for powers of two, 128-bit products and the overflow guarantee.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <type_traits>

#include "quant/counter_rng.hpp"
#include "quant/rounded_division.hpp"
#include "quant/rounders.hpp"

using namespace qsnn::quant;

namespace {

constexpr std::uint64_t kSeed = 20261122;
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
__extension__ using Wide = __int128;

// The reference: each mode by its definition on the rational n / d, by search over candidate integers and
// exact integer comparisons (c is below n / d iff c d < n), sharing nothing with the implementation.
std::int64_t reference(RoundingMode mode, std::int64_t n, std::int64_t d) {
  const std::int64_t bound = (n < 0 ? -n : n) + 1;
  std::int64_t below = -bound;  // largest c with c d <= n
  for (std::int64_t c = -bound; c <= bound; ++c)
    if (c * d <= n) below = c;
  const std::int64_t above = below * d == n ? below : below + 1;  // smallest c with c d >= n
  // Distances to n / d, times d: n - below d and above d - n; a tie needs both equal and non-zero.
  const std::int64_t down = n - below * d, up = above * d - n;
  switch (mode) {
    case RoundingMode::floor: return below;
    case RoundingMode::ceil: return above;
    case RoundingMode::truncate: return n >= 0 ? below : above;
    case RoundingMode::nearest_even:
      if (down != up) return down < up ? below : above;
      return below % 2 == 0 ? below : above;
    case RoundingMode::nearest_away:
      if (down != up) return down < up ? below : above;
      return n > 0 ? above : below;
    default: break;
  }
  FAIL("no deterministic reference for this mode");
  return 0;
}

template <class Rounder>
void check_deterministic(const Rounder& rounder) {
  for (std::int64_t d = 1; d <= 64; ++d) {
    for (std::int64_t n = -200; n <= 200; ++n) {
      const std::int64_t expected = reference(Rounder::mode, n, d);
      if (divide(n, d, rounder) != expected)
        FAIL(rounding_name(Rounder::mode), ": ", n, " / ", d, " gave ", divide(n, d, rounder), ", expected ", expected);
      // The same quotient through the 128-bit product: n * 1 / d and (n * k) / (d * k).
      if (multiply_divide(n, 3, 3 * d, rounder) != expected)
        FAIL(rounding_name(Rounder::mode), ": ", n, " * 3 / ", 3 * d, " differs from ", n, " / ", d);
    }
  }
}

}  // namespace

TEST_CASE("rounded division equals each deterministic mode on the exact rational n/d, n -200..200, d 1..64") {
  check_deterministic(NearestEvenRounder{});
  check_deterministic(NearestAwayRounder{});
  check_deterministic(FloorRounder{});
  check_deterministic(CeilRounder{});
  check_deterministic(TruncateRounder{});
  // Spot values whose answers differ between modes, so the reference itself is pinned down.
  CHECK(divide(-7, 2, NearestEvenRounder{}) == -4);
  CHECK(divide(-5, 2, NearestEvenRounder{}) == -2);
  CHECK(divide(-7, 2, NearestAwayRounder{}) == -4);
  CHECK(divide(-5, 2, NearestAwayRounder{}) == -3);
  CHECK(divide(5, 2, NearestAwayRounder{}) == 3);
  CHECK(divide(-7, 3, TruncateRounder{}) == -2);
  CHECK(divide(-7, 3, FloorRounder{}) == -3);
  CHECK(divide(-7, 3, CeilRounder{}) == -2);
  CHECK(divide(7, 3, CeilRounder{}) == 3);
  CHECK(divide(-8, 3, NearestEvenRounder{}) == -3);
}

TEST_CASE("stochastic division rounds up iff the keyed draw is below the fraction in b bits, exhaustively") {
  for (unsigned bits : {8U, 24U}) {
    const CounterRng rng{kSeed, 5};
    const StochasticRounder independent{rng, 9, bits};
    const SharedStochasticRounder shared{rng, 9, bits};
    for (std::int64_t d = 1; d <= 48; ++d) {
      for (std::int64_t n = -150; n <= 150; ++n) {
        const std::int64_t below = reference(RoundingMode::floor, n, d);
        const auto remainder = static_cast<std::uint64_t>(n - below * d);
        const std::uint64_t threshold = (remainder << bits) / static_cast<std::uint64_t>(d);  // < 2^32 * 48
        const auto index = static_cast<std::uint64_t>(n + 1000 * d);
        const std::int64_t expected = below + (rng.uniform_bits(9, index, bits) < threshold ? 1 : 0);
        const std::int64_t expected_shared = below + (rng.uniform_bits(9, 0, bits) < threshold ? 1 : 0);
        if (divide(n, d, independent, index) != expected) FAIL("stochastic ", n, " / ", d, " with ", bits, " bits");
        if (divide(n, d, shared, index) != expected_shared) FAIL("shared stochastic ", n, " / ", d);
        if (remainder == 0 && expected != n / d) FAIL("an exact quotient was not returned exactly");
      }
    }
  }
}

TEST_CASE("division by 2^k equals the rounders' shift by k bits, draw for draw, for every mode") {
  const CounterRng values{kSeed, 77};
  for (RoundingMode mode : all_rounding_modes()) {
    const RoundingSpec spec{mode, kSeed, 11, 16};
    visit_rounder(spec, 3, [&](const auto& rounder) {
      for (unsigned k = 0; k <= 62; ++k) {
        for (std::uint64_t i = 0; i < 400; ++i) {
          const auto n = static_cast<std::int64_t>(values.bits64(k, i));  // the full int64 range
          if (divide(n, std::int64_t{1} << k, rounder, i) != rounder.shift(n, k, i))
            FAIL(rounding_name(mode), ": ", n, " / 2^", k);
        }
      }
    });
  }
}

TEST_CASE("stochastic rounded division is unbiased up to the random bits") {
  constexpr std::uint64_t kDraws = 200000;
  struct Ratio {
    std::int64_t n, d;
  };
  for (unsigned bits : {8U, 24U}) {
    const StochasticRounder rounder{CounterRng{kSeed, 8}, 0, bits};
    for (const Ratio ratio : {Ratio{1, 3}, Ratio{-1, 3}, Ratio{2, 7}, Ratio{-100, 7}, Ratio{999, 1000}, Ratio{5, 11}}) {
      double sum = 0.0;
      for (std::uint64_t i = 0; i < kDraws; ++i) sum += static_cast<double>(divide(ratio.n, ratio.d, rounder, i));
      const double mean = sum / kDraws;
      const double exact = static_cast<double>(ratio.n) / static_cast<double>(ratio.d);
      const double below = std::floor(exact);
      const double p = exact - below;
      const double standard_error = std::sqrt(p * (1.0 - p) / kDraws);
      // E = below + floor(p 2^b) / 2^b: low by less than 2^-b.
      const double expected = below + std::floor(std::ldexp(p, static_cast<int>(bits))) * std::ldexp(1.0, -static_cast<int>(bits));
      INFO(ratio.n, " / ", ratio.d, " with ", bits, " bits: mean ", mean);
      CHECK(std::abs(mean - expected) <= 5.0 * standard_error);
      CHECK(std::abs(mean - exact) <= 5.0 * standard_error + std::ldexp(1.0, -static_cast<int>(bits)));
      CHECK(exact - expected < std::ldexp(1.0, -static_cast<int>(bits)));
    }
  }
  // Floor rounding of the same ratios is biased by the whole fraction: the test above could tell them apart.
  CHECK(divide(1, 3, FloorRounder{}) == 0);
}

TEST_CASE("multiply_divide forms the product in 128 bits and reports quotients beyond 64 bits") {
  const CounterRng values{kSeed, 99};
  for (RoundingMode mode : all_rounding_modes()) {
    const RoundingSpec spec{mode, kSeed, 12};
    visit_rounder(spec, 1, [&](const auto& rounder) {
      for (std::uint64_t i = 0; i < 2000; ++i) {
        // |a| < 2^62 and |b| < 2^40 with d up to 2^62: products far beyond 64 bits, quotients inside.
        const auto a = static_cast<std::int64_t>(values.bits64(0, i)) >> 2;
        const auto b = static_cast<std::int64_t>(values.bits64(1, i)) >> 24;
        const auto d = static_cast<std::int64_t>(values.bits64(2, i) >> 2) | (std::int64_t{1} << 40);
        const std::optional<std::int64_t> q = checked_multiply_divide(a, b, d, rounder, i);
        REQUIRE(q.has_value());
        const Wide product = static_cast<Wide>(a) * b;
        const Wide low = static_cast<Wide>(*q - 1) * d, high = static_cast<Wide>(*q + 1) * d;
        if (!(low < product && product < high)) FAIL(rounding_name(mode), ": not within one of a * b / d");
        const Wide error = static_cast<Wide>(*q) * d - product;  // d * (q - a b / d)
        if constexpr (std::decay_t<decltype(rounder)>::mode == RoundingMode::floor) CHECK((error <= 0 && error > -d));
        if constexpr (std::decay_t<decltype(rounder)>::mode == RoundingMode::ceil) CHECK((error >= 0 && error < d));
        if constexpr (std::decay_t<decltype(rounder)>::mode == RoundingMode::nearest_even) CHECK((2 * error <= d && -2 * error <= d));
      }
      // At the edges of the guarantee: |a b| = (2^63 - 1) d is exact, beyond it the quotient does not fit.
      CHECK(checked_multiply_divide(kMax, 2, 2, rounder) == kMax);
      CHECK(checked_multiply_divide(kMax, -2, 2, rounder) == -kMax);
      CHECK(checked_multiply_divide(kMax, 3, 2, rounder) == std::nullopt);
      CHECK(checked_multiply_divide(kMin, -1, 1, rounder) == std::nullopt);
      CHECK(checked_multiply_divide(kMin, 1, 1, rounder) == kMin);
      CHECK(checked_multiply_divide(kMax, kMax, kMax, rounder) == kMax);
      CHECK(checked_multiply_divide(kMin, kMax, kMax, rounder) == kMin);
      CHECK_THROWS_AS(multiply_divide(kMax, kMax, 1, rounder), std::overflow_error);
      // divide itself never overflows.
      CHECK(divide(kMin, 1, rounder) == kMin);
      CHECK(divide(kMax, 1, rounder) == kMax);
      CHECK(divide(kMin, 2, rounder) == kMin / 2);
    });
  }
  CHECK(divide(kMax, 2, NearestEvenRounder{}) == std::int64_t{1} << 62);  // 2^62 - 1/2: the even neighbour
  CHECK(divide(kMax, 2, FloorRounder{}) == (std::int64_t{1} << 62) - 1);
  CHECK(divide(kMin, kMax, FloorRounder{}) == -2);
  CHECK(divide(kMin, kMax, NearestEvenRounder{}) == -1);
  CHECK(divide(kMin, kMax, TruncateRounder{}) == -1);
  // The product of a 16-bit code and a 51-bit shadow target, the largest normalization uses (2^66).
  CHECK(multiply_divide(std::int64_t{1} << 15, std::int64_t{1} << 51, std::int64_t{1} << 52, FloorRounder{}) ==
        std::int64_t{1} << 14);
}

TEST_CASE("rounded division rejects divisors below one and dispatches from a RoundingSpec") {
  CHECK_THROWS_AS(divide(5, 0, FloorRounder{}), std::invalid_argument);
  CHECK_THROWS_AS(divide(5, -3, FloorRounder{}), std::invalid_argument);
  CHECK_THROWS_AS(multiply_divide(5, 2, 0, FloorRounder{}), std::invalid_argument);
  CHECK_THROWS_WITH_AS(round_divide(RoundingSpec{RoundingMode::ceil}, 5, -1), "rounded division by -1 (the divisor must be > 0)",
                       std::invalid_argument);
  CHECK(round_divide(RoundingSpec{RoundingMode::ceil}, 5, 2) == 3);
  CHECK(round_divide(RoundingSpec{RoundingMode::truncate}, -5, 2) == -2);
  CHECK(round_multiply_divide(RoundingSpec{RoundingMode::nearest_away}, 5, 3, 6) == 3);
  const RoundingSpec stochastic{RoundingMode::stochastic, kSeed, 4, 16};
  const StochasticRounder rounder{CounterRng{kSeed, 4}, 6, 16};
  for (std::uint64_t i = 0; i < 100; ++i) CHECK(round_divide(stochastic, 7, 3, 6, i) == divide(7, 3, rounder, i));
}
