#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include "quant/error_metrics.hpp"

using namespace qsnn::quant;

TEST_CASE("mse, max abs error and sqnr on a hand-computed example") {
  const std::vector<double> original{1.0, 2.0, 3.0, 4.0};
  const std::vector<double> reconstructed{1.0, 2.5, 2.0, 4.0};
  // errors 0, -0.5, 1, 0: squared sum 1.25; signal 1 + 4 + 9 + 16 = 30.
  CHECK(mse(original, reconstructed) == 0.3125);
  CHECK(max_abs_error(original, reconstructed) == 1.0);
  CHECK(sqnr_db(original, reconstructed) == 10.0 * std::log10(24.0));

  const QuantizationError error = quantization_error(original, reconstructed);
  CHECK(error.mse == 0.3125);
  CHECK(error.max_abs == 1.0);
  CHECK(error.sqnr_db == 10.0 * std::log10(24.0));
}

TEST_CASE("sqnr is +inf without noise and -inf without signal") {
  const std::vector<double> data{0.5, -1.25, 3.0};
  CHECK(sqnr_db(data, data) == std::numeric_limits<double>::infinity());
  CHECK(mse(data, data) == 0.0);
  CHECK(max_abs_error(data, data) == 0.0);

  const std::vector<double> zeros(3, 0.0);
  CHECK(sqnr_db(zeros, data) == -std::numeric_limits<double>::infinity());

  const std::vector<double> empty;
  CHECK(mse(empty, empty) == 0.0);
  CHECK(sqnr_db(empty, empty) == std::numeric_limits<double>::infinity());
}

TEST_CASE("error metrics of different lengths are an error") {
  const std::vector<double> three(3, 1.0);
  const std::vector<double> two(2, 1.0);
  CHECK_THROWS_AS(mse(three, two), std::invalid_argument);
  CHECK_THROWS_AS(max_abs_error(three, two), std::invalid_argument);
  CHECK_THROWS_AS(sqnr_db(three, two), std::invalid_argument);
}

TEST_CASE("fraction saturated from counts and from a clip range") {
  CHECK(fraction_saturated(3, 12) == 0.25);
  CHECK(fraction_saturated(0, 0) == 0.0);
  CHECK_THROWS_AS(fraction_saturated(5, 4), std::invalid_argument);

  // The ends of the range are inside it: only -2 and 2.5 are out.
  const std::vector<double> values{-2.0, -1.0, 0.0, 1.0, 2.5};
  CHECK(count_outside(values, {-1.0, 1.0}) == 2);
  CHECK(fraction_saturated(values, {-1.0, 1.0}) == 0.4);
  CHECK(fraction_saturated(std::vector<double>{}, {-1.0, 1.0}) == 0.0);
}

TEST_CASE("range usage of signed codes: bits used, span, distinct codes, wasted low bits") {
  const std::vector<std::int32_t> codes{-4, 0, 4, 8, 8};
  const CodeRangeUsage usage = code_range_usage(codes, 8, true);
  CHECK(usage.count == 5);
  CHECK(usage.min_code == -4);
  CHECK(usage.max_code == 8);
  CHECK(usage.bits_used == 5);  // 8 needs [-16, 15]
  CHECK(usage.bits_available == 8);
  CHECK(usage.unused_high_bits() == 3);
  CHECK(usage.range_bits == 4);  // 12 steps from -4 to 8
  CHECK(usage.distinct_codes == 4);
  CHECK(usage.wasted_low_bits == 2);  // every code is a multiple of 4
}

TEST_CASE("range usage at the edges of two's complement widths") {
  CHECK(code_range_usage(std::vector<std::int32_t>{-1, 0}, 8, true).bits_used == 1);
  CHECK(code_range_usage(std::vector<std::int32_t>{0, 1}, 8, true).bits_used == 2);
  CHECK(code_range_usage(std::vector<std::int32_t>{-128, 127}, 8, true).bits_used == 8);
  CHECK(code_range_usage(std::vector<std::int32_t>{-129}, 8, true).bits_used == 9);
  CHECK(code_range_usage(std::vector<std::int32_t>{-129}, 8, true).unused_high_bits() == -1);
  CHECK(code_range_usage(std::vector<std::int32_t>{-7, 7}, 4, true).bits_used == 4);
  CHECK(code_range_usage(std::vector<std::int32_t>{-6, 2}, 4, true).wasted_low_bits == 1);
}

TEST_CASE("range usage of unsigned codes") {
  const CodeRangeUsage usage = code_range_usage(std::vector<std::int32_t>{0, 2, 6, 6}, 4, false);
  CHECK(usage.bits_used == 3);
  CHECK(usage.range_bits == 3);
  CHECK(usage.distinct_codes == 3);
  CHECK(usage.wasted_low_bits == 1);
  CHECK(usage.unused_high_bits() == 1);
  CHECK(code_range_usage(std::vector<std::int32_t>{255}, 8, false).bits_used == 8);
  CHECK(code_range_usage(std::vector<std::int32_t>{256}, 8, false).bits_used == 9);
  // A lone code spans nothing, but its value still needs its bits.
  const CodeRangeUsage lone = code_range_usage(std::vector<std::int32_t>{12}, 8, false);
  CHECK(lone.range_bits == 0);
  CHECK(lone.bits_used == 4);
  CHECK(lone.wasted_low_bits == 2);
}

TEST_CASE("range usage of all-zero and empty code sets") {
  const CodeRangeUsage zeros = code_range_usage(std::vector<std::int32_t>{0, 0, 0}, 8, true);
  CHECK(zeros.bits_used == 1);
  CHECK(zeros.distinct_codes == 1);
  CHECK(zeros.wasted_low_bits == 0);
  CHECK(zeros.range_bits == 0);

  const CodeRangeUsage empty = code_range_usage(std::vector<std::int32_t>{}, 8, true);
  CHECK(empty.count == 0);
  CHECK(empty.bits_used == 0);
  CHECK(empty.distinct_codes == 0);
}

TEST_CASE("range usage of 64-bit codes against a QFormat") {
  const std::vector<std::int64_t> codes{-(std::int64_t{1} << 40), std::int64_t{1} << 40};
  const CodeRangeUsage usage = code_range_usage(codes, QFormat::signed_int(32));
  CHECK(usage.bits_used == 42);
  CHECK(usage.unused_high_bits() == -10);
  CHECK(usage.wasted_low_bits == 40);
  CHECK(usage.range_bits == 42);
}

TEST_CASE("range usage rejects negative unsigned codes and impossible widths") {
  CHECK_THROWS_AS(code_range_usage(std::vector<std::int32_t>{-1, 3}, 8, false), std::invalid_argument);
  CHECK_THROWS_AS(code_range_usage(std::vector<std::int32_t>{1}, 0, true), std::invalid_argument);
  CHECK_THROWS_AS(code_range_usage(std::vector<std::int32_t>{1}, 65, true), std::invalid_argument);
}
