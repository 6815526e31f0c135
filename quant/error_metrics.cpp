#include "quant/error_metrics.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace qsnn::quant {
namespace {

void require_same_size(std::span<const double> original, std::span<const double> reconstructed) {
  if (original.size() != reconstructed.size())
    throw std::invalid_argument("error metric of " + std::to_string(original.size()) + " original and " +
                                std::to_string(reconstructed.size()) + " reconstructed values (allowed: equal sizes)");
}

double sum_squared_error(std::span<const double> original, std::span<const double> reconstructed) {
  double sum = 0.0;
  for (std::size_t i = 0; i < original.size(); ++i) {
    const double error = original[i] - reconstructed[i];
    sum += error * error;
  }
  return sum;
}

// Narrowest two's-complement width holding v: [-2^(b-1), 2^(b-1) - 1]. ~v = -v - 1 for negative v.
int signed_bits(std::int64_t v) {
  const auto magnitude = static_cast<std::uint64_t>(v < 0 ? ~v : v);
  return static_cast<int>(std::bit_width(magnitude)) + 1;
}

template <class Code>
CodeRangeUsage usage_of(std::span<const Code> codes, int bits_available, bool is_signed) {
  if (bits_available < 1 || bits_available > 64)
    throw std::invalid_argument("bits_available = " + std::to_string(bits_available) + " (allowed: 1..64)");
  CodeRangeUsage usage;
  usage.bits_available = bits_available;
  usage.count = codes.size();
  if (codes.empty()) {
    usage.bits_available = 0;
    return usage;
  }
  const auto [lo, hi] = std::minmax_element(codes.begin(), codes.end());
  usage.min_code = *lo;
  usage.max_code = *hi;
  if (!is_signed && usage.min_code < 0)
    throw std::invalid_argument("code " + std::to_string(usage.min_code) +
                                " in an unsigned format (allowed: codes >= 0)");
  usage.bits_used = is_signed
                        ? std::max(signed_bits(usage.min_code), signed_bits(usage.max_code))
                        : std::max(1, static_cast<int>(std::bit_width(static_cast<std::uint64_t>(usage.max_code))));
  // The difference is taken in unsigned arithmetic: max - min may exceed the int64 range.
  usage.range_bits = static_cast<int>(
      std::bit_width(static_cast<std::uint64_t>(usage.max_code) - static_cast<std::uint64_t>(usage.min_code)));

  std::uint64_t any_bit = 0;  // a bit is set here iff some code has it set
  for (Code code : codes) any_bit |= static_cast<std::uint64_t>(static_cast<std::int64_t>(code));
  usage.wasted_low_bits = any_bit == 0 ? 0 : std::countr_zero(any_bit);

  std::vector<Code> sorted(codes.begin(), codes.end());
  std::sort(sorted.begin(), sorted.end());
  usage.distinct_codes = static_cast<std::uint64_t>(std::unique(sorted.begin(), sorted.end()) - sorted.begin());
  return usage;
}

}  // namespace

double mse(std::span<const double> original, std::span<const double> reconstructed) {
  require_same_size(original, reconstructed);
  if (original.empty()) return 0.0;
  return sum_squared_error(original, reconstructed) / static_cast<double>(original.size());
}

double max_abs_error(std::span<const double> original, std::span<const double> reconstructed) {
  require_same_size(original, reconstructed);
  double worst = 0.0;
  for (std::size_t i = 0; i < original.size(); ++i) worst = std::max(worst, std::fabs(original[i] - reconstructed[i]));
  return worst;
}

double sqnr_db(std::span<const double> original, std::span<const double> reconstructed) {
  require_same_size(original, reconstructed);
  const double noise = sum_squared_error(original, reconstructed);
  if (noise == 0.0) return std::numeric_limits<double>::infinity();
  double signal = 0.0;
  for (double x : original) signal += x * x;
  return 10.0 * std::log10(signal / noise);  // log10(0) = -inf
}

double fraction_saturated(std::uint64_t saturated, std::uint64_t total) {
  if (saturated > total)
    throw std::invalid_argument(std::to_string(saturated) + " saturated of " + std::to_string(total) +
                                " values (allowed: saturated <= total)");
  return total == 0 ? 0.0 : static_cast<double>(saturated) / static_cast<double>(total);
}

std::size_t count_outside(std::span<const double> values, const ClipRange& range) {
  return static_cast<std::size_t>(
      std::count_if(values.begin(), values.end(), [&](double x) { return x < range.lo || x > range.hi; }));
}

double fraction_saturated(std::span<const double> values, const ClipRange& range) {
  return fraction_saturated(count_outside(values, range), values.size());
}

QuantizationError quantization_error(std::span<const double> original, std::span<const double> reconstructed) {
  return {mse(original, reconstructed), max_abs_error(original, reconstructed), sqnr_db(original, reconstructed)};
}

CodeRangeUsage code_range_usage(std::span<const std::int32_t> codes, int bits_available, bool is_signed) {
  return usage_of(codes, bits_available, is_signed);
}

CodeRangeUsage code_range_usage(std::span<const std::int64_t> codes, int bits_available, bool is_signed) {
  return usage_of(codes, bits_available, is_signed);
}

}  // namespace qsnn::quant
