#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <set>

#include "quant/counter_rng.hpp"

using qsnn::quant::CounterRng;

TEST_CASE("a draw is a pure function of (seed, stream, step, index, draw)") {
  const CounterRng a{42, 7};
  const CounterRng b{42, 7};
  for (std::uint64_t i = 0; i < 1000; ++i) CHECK(a.bits64(3, i) == b.bits64(3, i));
  CHECK(a.bits64(3, 5) != CounterRng(43, 7).bits64(3, 5));
  CHECK(a.bits64(3, 5) != CounterRng(42, 8).bits64(3, 5));
  CHECK(a.bits64(3, 5) != a.bits64(4, 5));
  CHECK(a.bits64(3, 5) != a.bits64(3, 6));
  CHECK(a.bits64(3, 5, 0) != a.bits64(3, 5, 1));
  CHECK(a.seed() == 42);
  CHECK(a.stream() == 7);
}

TEST_CASE("uniform draws have the right range and moments") {
  const CounterRng rng{1, 2};
  constexpr std::uint64_t kDraws = 1'000'000;
  double sum = 0.0, sum_sq = 0.0;
  std::set<std::uint64_t> small_values;
  for (std::uint64_t i = 0; i < kDraws; ++i) {
    const double u = rng.uniform01(9, i);
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    sum += u;
    sum_sq += u * u;
    const auto bits = rng.uniform_bits(9, i, 3);
    REQUIRE(bits < 8);
    if (i < 1000) small_values.insert(bits);
  }
  CHECK(small_values.size() == 8);
  const double mean = sum / kDraws;
  CHECK(std::abs(mean - 0.5) < 4 * std::sqrt(1.0 / 12.0 / kDraws));
  CHECK(sum_sq / kDraws - mean * mean == doctest::Approx(1.0 / 12.0).epsilon(0.01));
}

TEST_CASE("normal draws have mean 0 and variance 1") {
  const CounterRng rng{5, 0};
  constexpr std::uint64_t kDraws = 400'000;
  double sum = 0.0, sum_sq = 0.0;
  for (std::uint64_t i = 0; i < kDraws; ++i) {
    const double z = rng.normal(0, i);
    REQUIRE(std::isfinite(z));
    sum += z;
    sum_sq += z * z;
  }
  CHECK(std::abs(sum / kDraws) < 4 / std::sqrt(double(kDraws)));
  CHECK(sum_sq / kDraws == doctest::Approx(1.0).epsilon(0.01));
}
