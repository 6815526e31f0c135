#pragma once
// Fixed-point formats: an integer code c of `total_bits` bits stands for the real value c * 2^-frac_bits.
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "quant/overflow.hpp"

namespace qsnn::quant {

class QFormat {
 public:
  static constexpr int kMaxTotalBits = 32;
  static constexpr int kMinFracBits = -32;
  static constexpr int kMaxFracBits = 62;

  // Throws std::invalid_argument unless total_bits is in 1..32 and frac_bits in -32..62. Fractional bits
  // may exceed the total (values finer than one) or be negative (codes count multiples of 2^-frac).
  QFormat(int total_bits, int frac_bits, bool is_signed);

  static QFormat signed_int(int total_bits) { return {total_bits, 0, true}; }
  static QFormat unsigned_int(int total_bits) { return {total_bits, 0, false}; }

  int total_bits() const { return total_bits_; }
  int frac_bits() const { return frac_bits_; }
  bool is_signed() const { return is_signed_; }

  std::int64_t min_code() const { return min_code_; }
  std::int64_t max_code() const { return max_code_; }
  bool contains(std::int64_t code) const { return code >= min_code_ && code <= max_code_; }

  double step() const { return std::ldexp(1.0, -frac_bits_); }
  double min_value() const { return std::ldexp(static_cast<double>(min_code_), -frac_bits_); }
  double max_value() const { return std::ldexp(static_cast<double>(max_code_), -frac_bits_); }

  // "s16.8" (signed, 16 bits, 8 fractional) or "u8.0".
  std::string to_string() const;

  friend bool operator==(const QFormat&, const QFormat&) = default;

 private:
  int total_bits_;
  int frac_bits_;
  bool is_signed_;
  std::int64_t min_code_;
  std::int64_t max_code_;
};

// Brings an integer into the format's code range by saturating or wrapping, and counts it if it was out.
// saturate_symmetric and wrap_lava use the ranges [-max, max] and (-2^(b-1), 2^(b-1)] for signed formats
// (see overflow.hpp) and behave as saturate and wrap for unsigned ones.
inline std::int64_t fit_code(std::int64_t code, const QFormat& format, OverflowMode mode, OverflowCounts& counts) {
  // Inside every mode's range: one comparison pair on the hot path, as before.
  if (code > format.min_code() && code <= format.max_code()) return code;
  const int bits = format.total_bits();
  if (format.is_signed() && mode == OverflowMode::saturate_symmetric) {
    if (code > format.max_code()) {
      ++counts.saturated_high;
      return format.max_code();
    }
    ++counts.saturated_low;  // includes the code -2^(b-1) itself
    return -format.max_code();
  }
  if (format.is_signed() && mode == OverflowMode::wrap_lava) {
    const std::int64_t half = std::int64_t{1} << (bits - 1);
    if (code == half) return code;  // the top of (-2^(b-1), 2^(b-1)]
    ++counts.wrapped;
    const std::uint64_t low_bits = static_cast<std::uint64_t>(code) & ((std::uint64_t{1} << bits) - 1U);
    // low_bits is in [0, 2^b): (2^(b-1), 2^b) maps to (-2^(b-1), 0), [0, 2^(b-1)] stays.
    return static_cast<std::int64_t>(low_bits) > half ? static_cast<std::int64_t>(low_bits) - 2 * half
                                                      : static_cast<std::int64_t>(low_bits);
  }
  if (format.contains(code)) return code;  // the minimum code under saturate and wrap
  if (mode == OverflowMode::saturate || mode == OverflowMode::saturate_symmetric) {
    if (code > format.max_code()) {
      ++counts.saturated_high;
      return format.max_code();
    }
    ++counts.saturated_low;
    return format.min_code();
  }
  ++counts.wrapped;
  const std::uint64_t low_bits = static_cast<std::uint64_t>(code) & ((std::uint64_t{1} << bits) - 1U);
  if (format.is_signed() && low_bits >= (std::uint64_t{1} << (bits - 1)))
    return static_cast<std::int64_t>(low_bits) - (std::int64_t{1} << bits);
  return static_cast<std::int64_t>(low_bits);
}

// Real value -> code: x / step rounded by `rounder`, then saturated or wrapped into the format.
// Magnitudes beyond 2^62 steps are first clamped to +-2^62 (still counted as overflow by fit_code).
// NaN throws std::domain_error: a NaN weight is a bug upstream, never a value to quantize.
template <class Rounder>
std::int64_t to_fixed(double x, const QFormat& format, const Rounder& rounder, OverflowMode mode,
                      OverflowCounts& counts, std::uint64_t index = 0) {
  if (std::isnan(x)) throw std::domain_error("cannot convert NaN to fixed point " + format.to_string());
  constexpr double kLimit = 0x1.0p62;
  double scaled = rounder.real(std::ldexp(x, format.frac_bits()), index);
  if (scaled > kLimit) scaled = kLimit;
  if (scaled < -kLimit) scaled = -kLimit;
  return fit_code(static_cast<std::int64_t>(scaled), format, mode, counts);
}

inline double to_real(std::int64_t code, const QFormat& format) {
  return std::ldexp(static_cast<double>(code), -format.frac_bits());
}

}  // namespace qsnn::quant
