// The integer operations the simulator is built from.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "quant/counter_rng.hpp"
#include "quant/fixed_ops.hpp"
#include "quant/rounders.hpp"

using namespace qsnn::quant;

TEST_CASE("Loihi's decay: truncating multiply by (4096 - d) / 4096 is symmetric in sign") {
  // Lava PyLifModelBitAcc: u' = sgn(u) * floor(|u| * (4096 - (du + 1)) / 2^12); here du = 409.
  const std::int32_t multiplier = 4096 - 410;
  CHECK(multiply_shift(1000, multiplier, 12, TruncateRounder{}) == 899);  // 899.9 -> 899
  CHECK(multiply_shift(-1000, multiplier, 12, TruncateRounder{}) == -899);
  CHECK(multiply_shift(-1000, multiplier, 12, FloorRounder{}) == -900);
  CHECK(multiply_shift(1000, multiplier, 12, NearestEvenRounder{}) == 900);
  // du = 4095 clears the current entirely.
  CHECK(multiply_shift(8'388'607, 4096 - 4096, 12, TruncateRounder{}) == 0);
  // The extreme product of two 32-bit values is exact.
  CHECK(multiply_shift(INT32_MIN, INT32_MIN, 62, NearestEvenRounder{}) == 1);
  CHECK(multiply_shift(INT32_MAX, INT32_MAX, 31, FloorRounder{}) == (std::int64_t{INT32_MAX} * INT32_MAX) >> 31);
}

TEST_CASE("a negative value decaying under floor stalls short of zero, under truncate it reaches zero") {
  std::int32_t floor_state = -100, truncate_state = -100;
  for (int step = 0; step < 200; ++step) {
    floor_state = static_cast<std::int32_t>(multiply_shift(floor_state, 3686, 12, FloorRounder{}));
    truncate_state = static_cast<std::int32_t>(multiply_shift(truncate_state, 3686, 12, TruncateRounder{}));
  }
  CHECK(floor_state == -9);  // floor(-9 * 0.9) = floor(-8.1) = -9: a fixed point, the bias of floor
  CHECK(truncate_state == 0);
}

TEST_CASE("shift_into rounds a wide value and fits it into the format") {
  const QFormat s8(8, 0, true);
  OverflowCounts counts;
  CHECK(shift_into(std::int64_t{1000} << 4, 4, NearestEvenRounder{}, s8, OverflowMode::saturate, counts) == 127);
  CHECK(shift_into(-24, 4, NearestEvenRounder{}, s8, OverflowMode::saturate, counts) == -2);  // -1.5 -> -2
  CHECK(counts.saturated_high == 1);
}

TEST_CASE("a wide accumulator gives the same saturated result for any order of terms") {
  const QFormat s16(16, 0, true);
  std::vector<std::int32_t> terms;
  const CounterRng rng{3, 0};
  for (std::uint64_t i = 0; i < 2000; ++i)
    terms.push_back(static_cast<std::int32_t>(rng.uniform_bits(0, i, 12)) - 2200);  // mean -152: drifts negative
  terms.push_back(30000);
  terms.push_back(30000);

  auto accumulate = [&](const std::vector<std::int32_t>& order) {
    WideAccumulator accumulator;
    for (std::int32_t term : order) accumulator.add(term);
    OverflowCounts counts;
    return accumulator.commit(100, s16, OverflowMode::saturate, counts);
  };
  // Saturating each partial sum instead depends on the order: this is why kernels sum wide first.
  auto saturate_each = [&](const std::vector<std::int32_t>& order) {
    OverflowCounts counts;
    std::int64_t state = 100;
    for (std::int32_t term : order) state = add_fit(state, term, s16, OverflowMode::saturate, counts);
    return state;
  };

  const std::int64_t expected = accumulate(terms);
  std::vector<std::int32_t> reversed(terms.rbegin(), terms.rend());
  std::vector<std::int32_t> sorted = terms;
  std::sort(sorted.begin(), sorted.end());
  CHECK(accumulate(reversed) == expected);
  CHECK(accumulate(sorted) == expected);
  CHECK(saturate_each(terms) != saturate_each(reversed));
}
