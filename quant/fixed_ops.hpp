#pragma once
// The integer operations the simulator is built from. Each one names how it rounds and what it does on
// overflow; none of them computes in floating point.
#include <cstdint>

#include "quant/qformat.hpp"

namespace qsnn::quant {

// round(x * multiplier / 2^shift): a product of a 32-bit state and a 32-bit constant is exact in 64 bits
// (|x * m| <= 2^62), then `shift` low bits are dropped by the rounder. With multiplier = 4096 - d and
// shift = 12 this is Loihi's decay (Lava PyLifModelBitAcc: truncation toward zero, sign-symmetric).
template <class Rounder>
std::int64_t multiply_shift(std::int32_t x, std::int32_t multiplier, unsigned shift, const Rounder& rounder,
                            std::uint64_t index = 0) {
  return rounder.shift(static_cast<std::int64_t>(x) * multiplier, shift, index);
}

// round(x * 2^-shift) for a wide value (an accumulator), then into the format.
template <class Rounder>
std::int64_t shift_into(std::int64_t wide, unsigned shift, const Rounder& rounder, const QFormat& format,
                        OverflowMode mode, OverflowCounts& counts, std::uint64_t index = 0) {
  return fit_code(rounder.shift(wide, shift, index), format, mode, counts);
}

// Sums in 64 bits and fits once. Saturating each partial sum instead would make the result depend on
// the order of the terms, and so on the thread count; 2^31 terms of 32 bits cannot overflow 64 bits.
class WideAccumulator {
 public:
  void add(std::int32_t term) { sum_ += term; }
  std::int64_t sum() const { return sum_; }
  // state + sum, saturated or wrapped into the format.
  std::int64_t commit(std::int64_t state, const QFormat& format, OverflowMode mode, OverflowCounts& counts) const {
    return fit_code(state + sum_, format, mode, counts);
  }

 private:
  std::int64_t sum_ = 0;
};

// a + b into the format: both are codes of at most 32 bits, so the 64-bit sum is exact.
inline std::int64_t add_fit(std::int64_t a, std::int64_t b, const QFormat& format, OverflowMode mode,
                            OverflowCounts& counts) {
  return fit_code(a + b, format, mode, counts);
}

}  // namespace qsnn::quant
