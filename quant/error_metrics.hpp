#pragma once
// How far a quantized tensor is from the original, and how well its integer codes use their format.
// Error functions take (original, reconstructed) of equal length (std::invalid_argument otherwise) and
// sum in index order, so a result is a pure function of its inputs.
#include <cstddef>
#include <cstdint>
#include <span>

#include "quant/calibration.hpp"
#include "quant/qformat.hpp"

namespace qsnn::quant {

// Mean of (original - reconstructed)^2; 0 for empty inputs.
double mse(std::span<const double> original, std::span<const double> reconstructed);
// max |original - reconstructed|; 0 for empty inputs.
double max_abs_error(std::span<const double> original, std::span<const double> reconstructed);
// 10 log10(sum original^2 / sum (original - reconstructed)^2): +inf when the noise is exactly 0 (including
// empty inputs), -inf when the signal is 0 but the noise is not.
double sqnr_db(std::span<const double> original, std::span<const double> reconstructed);

// saturated / total; 0 when total is 0. Throws std::invalid_argument if saturated > total.
double fraction_saturated(std::uint64_t saturated, std::uint64_t total);
// Values strictly outside [range.lo, range.hi].
std::size_t count_outside(std::span<const double> values, const ClipRange& range);
// count_outside / size; 0 for an empty set.
double fraction_saturated(std::span<const double> values, const ClipRange& range);

struct QuantizationError {
  double mse = 0.0;
  double max_abs = 0.0;
  double sqnr_db = 0.0;
};
QuantizationError quantization_error(std::span<const double> original, std::span<const double> reconstructed);

// How much of its format a set of integer codes uses, to flag wasted range (high bits never reached) or
// wasted precision (low bits always zero).
struct CodeRangeUsage {
  std::size_t count = 0;  // codes seen; every other field is 0 when this is
  std::int64_t min_code = 0;
  std::int64_t max_code = 0;
  int bits_used = 0;       // narrowest format of the same signedness holding [min_code, max_code] (>= 1)
  int bits_available = 0;  // the format's width
  int range_bits = 0;      // ceil(log2(max - min + 1)): what the span alone would need with an offset
  std::uint64_t distinct_codes = 0;
  int wasted_low_bits = 0;  // trailing zero bits common to all codes; 0 when every code is 0

  // High bits the observed codes never need; negative when the codes do not fit the format.
  int unused_high_bits() const { return bits_available - bits_used; }
};

// bits_available in 1..64 (std::invalid_argument otherwise); a negative code with is_signed == false is
// std::invalid_argument.
CodeRangeUsage code_range_usage(std::span<const std::int32_t> codes, int bits_available, bool is_signed);
CodeRangeUsage code_range_usage(std::span<const std::int64_t> codes, int bits_available, bool is_signed);
inline CodeRangeUsage code_range_usage(std::span<const std::int64_t> codes, const QFormat& format) {
  return code_range_usage(codes, format.total_bits(), format.is_signed());
}

}  // namespace qsnn::quant
