#pragma once
// What happens when a value leaves its format, and how often it did.
#include <cstdint>
#include <string>
#include <string_view>

namespace qsnn::quant {

enum class OverflowMode : std::uint8_t {
  saturate,  // clamp to the nearest representable code
  wrap       // keep the low bits (two's complement for signed formats)
};

std::string_view overflow_name(OverflowMode mode);  // "saturate", "wrap"
// Throws std::invalid_argument "unknown overflow mode 'x' (valid: saturate, wrap)".
OverflowMode parse_overflow(std::string_view name);

// Plain (non-atomic) counters: each thread keeps its own and they are summed afterwards, so counts
// are identical for any thread count.
struct OverflowCounts {
  std::uint64_t saturated_high = 0;  // clamped down to the maximum code
  std::uint64_t saturated_low = 0;   // clamped up to the minimum code
  std::uint64_t wrapped = 0;         // out of range and wrapped

  std::uint64_t saturated() const { return saturated_high + saturated_low; }
  std::uint64_t total() const { return saturated() + wrapped; }
  OverflowCounts& operator+=(const OverflowCounts& other) {
    saturated_high += other.saturated_high;
    saturated_low += other.saturated_low;
    wrapped += other.wrapped;
    return *this;
  }
  friend bool operator==(const OverflowCounts&, const OverflowCounts&) = default;
};

}  // namespace qsnn::quant
