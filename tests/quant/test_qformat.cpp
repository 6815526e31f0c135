// Fixed-point formats: ranges, conversion, saturation and wrap at both ends, counters.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>

#include "quant/qformat.hpp"
#include "quant/rounders.hpp"

using namespace qsnn::quant;

TEST_CASE("code ranges of signed and unsigned formats") {
  CHECK(QFormat(8, 0, true).min_code() == -128);
  CHECK(QFormat(8, 0, true).max_code() == 127);
  CHECK(QFormat(8, 0, false).min_code() == 0);
  CHECK(QFormat(8, 0, false).max_code() == 255);
  CHECK(QFormat(1, 0, true).min_code() == -1);
  CHECK(QFormat(1, 0, true).max_code() == 0);
  CHECK(QFormat(32, 0, true).min_code() == std::numeric_limits<std::int32_t>::min());
  CHECK(QFormat(32, 0, false).max_code() == std::numeric_limits<std::uint32_t>::max());
  const QFormat q16_8(16, 8, true);
  CHECK(q16_8.step() == 1.0 / 256.0);
  CHECK(q16_8.max_value() == 32767.0 / 256.0);
  CHECK(q16_8.min_value() == -128.0);
  CHECK(q16_8.to_string() == "s16.8");
  CHECK(QFormat(4, -2, false).step() == 4.0);
  CHECK(QFormat(4, -2, false).to_string() == "u4.-2");
}

TEST_CASE("invalid formats are rejected with the allowed range") {
  CHECK_THROWS_WITH_AS(QFormat(0, 0, true), "fixed-point format with 0 total bits (allowed 1..32)",
                       std::invalid_argument);
  CHECK_THROWS_AS(QFormat(33, 0, true), std::invalid_argument);
  CHECK_THROWS_WITH_AS(QFormat(8, 63, true), "fixed-point format with 63 fractional bits (allowed -32..62)",
                       std::invalid_argument);
  CHECK_THROWS_AS(QFormat(8, -33, true), std::invalid_argument);
}

TEST_CASE("saturation and wrap at both ends of every format, with exact counts") {
  for (int bits = 1; bits <= 32; ++bits) {
    for (bool is_signed : {true, false}) {
      const QFormat format(bits, 0, is_signed);
      const std::int64_t lo = format.min_code(), hi = format.max_code();
      const std::int64_t modulus = std::int64_t{1} << bits;
      INFO("format ", format.to_string());

      OverflowCounts saturating;
      CHECK(fit_code(hi, format, OverflowMode::saturate, saturating) == hi);
      CHECK(fit_code(lo, format, OverflowMode::saturate, saturating) == lo);
      CHECK(saturating.total() == 0);
      CHECK(fit_code(hi + 1, format, OverflowMode::saturate, saturating) == hi);
      CHECK(fit_code(hi + modulus * 3, format, OverflowMode::saturate, saturating) == hi);
      CHECK(fit_code(lo - 1, format, OverflowMode::saturate, saturating) == lo);
      CHECK(saturating.saturated_high == 2);
      CHECK(saturating.saturated_low == 1);
      CHECK(saturating.wrapped == 0);

      OverflowCounts wrapping;
      CHECK(fit_code(hi, format, OverflowMode::wrap, wrapping) == hi);
      CHECK(fit_code(lo, format, OverflowMode::wrap, wrapping) == lo);
      CHECK(wrapping.total() == 0);
      CHECK(fit_code(hi + 1, format, OverflowMode::wrap, wrapping) == lo);
      CHECK(fit_code(lo - 1, format, OverflowMode::wrap, wrapping) == hi);
      CHECK(fit_code(hi + 5 * modulus, format, OverflowMode::wrap, wrapping) == hi);
      CHECK(fit_code(lo - 7 * modulus, format, OverflowMode::wrap, wrapping) == lo);
      CHECK(wrapping.wrapped == 4);
      CHECK(wrapping.saturated() == 0);
    }
  }
}

TEST_CASE("wrap is two's complement arithmetic modulo 2^bits") {
  OverflowCounts counts;
  const QFormat s8(8, 0, true);
  CHECK(fit_code(200, s8, OverflowMode::wrap, counts) == -56);
  CHECK(fit_code(-200, s8, OverflowMode::wrap, counts) == 56);
  CHECK(fit_code(256 + 17, s8, OverflowMode::wrap, counts) == 17);
  const QFormat u8(8, 0, false);
  CHECK(fit_code(-1, u8, OverflowMode::wrap, counts) == 255);
  CHECK(fit_code(300, u8, OverflowMode::wrap, counts) == 44);
  CHECK(counts.wrapped == 5);
}

TEST_CASE("real to fixed rounds with the given rounder and overflows by the given mode") {
  const QFormat s8_4(8, 4, true);  // step 1/16, range [-8, 7.9375]
  OverflowCounts counts;
  CHECK(to_fixed(1.03125, s8_4, NearestEvenRounder{}, OverflowMode::saturate, counts) == 16);  // 16.5 -> 16
  CHECK(to_fixed(1.09375, s8_4, NearestEvenRounder{}, OverflowMode::saturate, counts) == 18);  // 17.5 -> 18
  CHECK(to_fixed(1.03125, s8_4, NearestAwayRounder{}, OverflowMode::saturate, counts) == 17);
  CHECK(to_fixed(-1.03125, s8_4, FloorRounder{}, OverflowMode::saturate, counts) == -17);
  CHECK(to_fixed(-1.03125, s8_4, TruncateRounder{}, OverflowMode::saturate, counts) == -16);
  CHECK(counts.total() == 0);
  CHECK(to_fixed(100.0, s8_4, NearestEvenRounder{}, OverflowMode::saturate, counts) == 127);
  CHECK(to_fixed(-1e300, s8_4, NearestEvenRounder{}, OverflowMode::saturate, counts) == -128);
  CHECK(to_fixed(std::numeric_limits<double>::infinity(), s8_4, FloorRounder{}, OverflowMode::saturate, counts) ==
        127);
  CHECK(to_fixed(8.0, s8_4, NearestEvenRounder{}, OverflowMode::wrap, counts) == -128);
  CHECK(counts.saturated_high == 2);
  CHECK(counts.saturated_low == 1);
  CHECK(counts.wrapped == 1);
  CHECK(to_real(-128, s8_4) == -8.0);
  CHECK(to_real(17, s8_4) == 1.0625);
  CHECK_THROWS_AS(to_fixed(std::nan(""), s8_4, FloorRounder{}, OverflowMode::saturate, counts), std::domain_error);
}

TEST_CASE("every code of small formats survives a round trip through real values") {
  for (int bits = 1; bits <= 12; ++bits) {
    for (int frac = -3; frac <= 14; frac += 1) {
      for (bool is_signed : {true, false}) {
        const QFormat format(bits, frac, is_signed);
        OverflowCounts counts;
        for (std::int64_t code = format.min_code(); code <= format.max_code(); ++code) {
          REQUIRE(to_fixed(to_real(code, format), format, NearestEvenRounder{}, OverflowMode::saturate, counts) ==
                  code);
        }
        CHECK(counts.total() == 0);
      }
    }
  }
}

TEST_CASE("overflow mode names") {
  CHECK(parse_overflow("saturate") == OverflowMode::saturate);
  CHECK(parse_overflow(overflow_name(OverflowMode::wrap)) == OverflowMode::wrap);
  CHECK_THROWS_WITH_AS(parse_overflow("clip"),
                       "unknown overflow mode 'clip' (valid: saturate, wrap, saturate-symmetric, wrap-lava)",
                       std::invalid_argument);
  OverflowCounts a{1, 2, 3}, b{10, 20, 30};
  a += b;
  CHECK(a == OverflowCounts{11, 22, 33});
  CHECK(a.total() == 66);
}
