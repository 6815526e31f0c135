// The two Lava overflow modes: the symmetric voltage clip and the current wrap into (-2^(b-1), 2^(b-1)].
#include <doctest/doctest.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "quant/fixed_ops.hpp"
#include "quant/qformat.hpp"

using namespace qsnn::quant;

namespace {

// Lava's current wrap written out as in lava-nc/lava src/lava/proc/lif/models.py (AbstractPyLifModelFixed.
// subthr_dynamics): one conditional subtraction or addition of 2^24, on 24-bit u.
std::int64_t lava_wrap24(std::int64_t u) {
  const std::int64_t max_uv = std::int64_t{1} << 23;
  std::int64_t wrapped = u > max_uv ? u - 2 * max_uv : u;
  if (wrapped <= -max_uv) wrapped = u + 2 * max_uv;
  return wrapped;
}

}  // namespace

TEST_CASE("saturate-symmetric never produces the most negative code of a signed format") {
  for (int bits = 2; bits <= 32; ++bits) {
    const QFormat format(bits, 0, true);
    const std::int64_t hi = format.max_code();
    INFO("format ", format.to_string());
    OverflowCounts counts;
    CHECK(fit_code(hi, format, OverflowMode::saturate_symmetric, counts) == hi);
    CHECK(fit_code(-hi, format, OverflowMode::saturate_symmetric, counts) == -hi);
    CHECK(fit_code(0, format, OverflowMode::saturate_symmetric, counts) == 0);
    CHECK(counts.total() == 0);
    CHECK(fit_code(-hi - 1, format, OverflowMode::saturate_symmetric, counts) == -hi);  // the format's minimum
    CHECK(fit_code(-hi - 1000, format, OverflowMode::saturate_symmetric, counts) == -hi);
    CHECK(fit_code(hi + 1, format, OverflowMode::saturate_symmetric, counts) == hi);
    CHECK(counts.saturated_low == 2);
    CHECK(counts.saturated_high == 1);
    CHECK(counts.wrapped == 0);
    // Plain saturate keeps the minimum code: the two modes differ exactly there.
    OverflowCounts plain;
    CHECK(fit_code(-hi - 1, format, OverflowMode::saturate, plain) == -hi - 1);
    CHECK(plain.total() == 0);
  }
  // Lava's voltage limits: +-(2^23 - 1).
  OverflowCounts counts;
  const QFormat s24(24, 0, true);
  CHECK(fit_code(-(std::int64_t{1} << 23), s24, OverflowMode::saturate_symmetric, counts) == -8388607);
  CHECK(fit_code(9'000'000, s24, OverflowMode::saturate_symmetric, counts) == 8388607);
  CHECK(fit_code(-9'000'000, s24, OverflowMode::saturate_symmetric, counts) == -8388607);
  CHECK(counts == OverflowCounts{1, 2, 0});
}

TEST_CASE("saturate-symmetric on an unsigned format is plain saturation") {
  const QFormat u8(8, 0, false);
  OverflowCounts counts;
  CHECK(fit_code(0, u8, OverflowMode::saturate_symmetric, counts) == 0);
  CHECK(fit_code(255, u8, OverflowMode::saturate_symmetric, counts) == 255);
  CHECK(counts.total() == 0);
  CHECK(fit_code(-3, u8, OverflowMode::saturate_symmetric, counts) == 0);
  CHECK(fit_code(300, u8, OverflowMode::saturate_symmetric, counts) == 255);
  CHECK(counts == OverflowCounts{1, 1, 0});
}

TEST_CASE("wrap-lava matches Lava's 24-bit current wrap, edges included") {
  const QFormat s24(24, 0, true);
  const std::int64_t m = std::int64_t{1} << 23;
  // The edges where it differs from two's complement, written out.
  OverflowCounts counts;
  CHECK(fit_code(m, s24, OverflowMode::wrap_lava, counts) == m);  // kept (two's complement: -m)
  CHECK(counts.total() == 0);
  CHECK(fit_code(-m, s24, OverflowMode::wrap_lava, counts) == m);  // wrapped (two's complement keeps it)
  CHECK(fit_code(m + 1, s24, OverflowMode::wrap_lava, counts) == -m + 1);
  CHECK(fit_code(-m - 1, s24, OverflowMode::wrap_lava, counts) == m - 1);
  CHECK(fit_code(2 * m, s24, OverflowMode::wrap_lava, counts) == 0);
  CHECK(fit_code(-2 * m, s24, OverflowMode::wrap_lava, counts) == 0);
  CHECK(counts.wrapped == 5);
  CHECK(counts.saturated() == 0);
  OverflowCounts tc;
  CHECK(fit_code(m, s24, OverflowMode::wrap, tc) == -m);
  CHECK(fit_code(-m, s24, OverflowMode::wrap, tc) == -m);

  // A sweep over every value Lava's single conditional step handles, |u| < 3 * 2^23, in strides that hit
  // both edges: identical results, and a count exactly when the value changed or was -2^23.
  std::uint64_t expected_wraps = 0;
  OverflowCounts sweep;
  for (std::int64_t u = -3 * m + 1; u < 3 * m; u += 4099) {
    for (std::int64_t x : {u, m, -m, m + 1, -m + 1, m - 1, -m - 1}) {
      const std::int64_t expected = lava_wrap24(x);
      REQUIRE(fit_code(x, s24, OverflowMode::wrap_lava, sweep) == expected);
      if (expected != x) ++expected_wraps;
    }
  }
  CHECK(sweep.wrapped == expected_wraps);
  CHECK(expected_wraps > 1000);
}

TEST_CASE("wrap-lava reduces far values modulo 2^b into the half-open range above -2^(b-1) for every signed width") {
  for (int bits = 2; bits <= 32; ++bits) {
    const QFormat format(bits, 0, true);
    const std::int64_t half = std::int64_t{1} << (bits - 1), modulus = 2 * half;
    INFO("format ", format.to_string());
    OverflowCounts counts;
    for (std::int64_t x : {-7 * modulus + 3, -half, -half - 1, half, half + 1, 5 * modulus - 1, 9 * modulus + half}) {
      const std::int64_t y = fit_code(x, format, OverflowMode::wrap_lava, counts);
      CHECK(y > -half);
      CHECK(y <= half);
      CHECK((x - y) % modulus == 0);
    }
    CHECK(counts.wrapped == 6);  // all but +2^(b-1)
  }
}

TEST_CASE("wrap-lava on an unsigned format is plain wrap") {
  const QFormat u8(8, 0, false);
  OverflowCounts counts;
  CHECK(fit_code(0, u8, OverflowMode::wrap_lava, counts) == 0);
  CHECK(fit_code(255, u8, OverflowMode::wrap_lava, counts) == 255);
  CHECK(counts.total() == 0);
  CHECK(fit_code(256, u8, OverflowMode::wrap_lava, counts) == 0);
  CHECK(fit_code(-1, u8, OverflowMode::wrap_lava, counts) == 255);
  CHECK(counts.wrapped == 2);
}

TEST_CASE("the new modes reach the fixed-point operations through fit_code") {
  const QFormat s8(8, 0, true);
  OverflowCounts counts;
  CHECK(add_fit(-100, -28, s8, OverflowMode::saturate_symmetric, counts) == -127);
  CHECK(add_fit(100, 28, s8, OverflowMode::wrap_lava, counts) == 128);
  CHECK(add_fit(100, 29, s8, OverflowMode::wrap_lava, counts) == -127);
  CHECK(counts == OverflowCounts{0, 1, 1});
}

TEST_CASE("overflow mode names of all modes round-trip") {
  CHECK(all_overflow_modes().size() == 4);
  for (OverflowMode mode : all_overflow_modes()) CHECK(parse_overflow(overflow_name(mode)) == mode);
  CHECK(parse_overflow("saturate-symmetric") == OverflowMode::saturate_symmetric);
  CHECK(parse_overflow("wrap-lava") == OverflowMode::wrap_lava);
  CHECK(valid_overflow_names() == "saturate, wrap, saturate-symmetric, wrap-lava");
  CHECK_THROWS_AS(parse_overflow("wrap_lava"), std::invalid_argument);
}
