#pragma once
// Saturation into an arbitrary closed interval [lo, hi]. Formats (qformat.hpp) saturate into power-of-two
// code ranges; learning bounds are user choices inside those ranges (hard weight bounds, Gutig et al. 2003),
// so they get their own clamp, counted like every other saturation.
#include <cstdint>

#include "quant/overflow.hpp"

namespace qsnn::quant {

// x clamped into [lo, hi] (lo <= hi; infinite ends allowed), counting which side clamped it.
inline double saturate_real(double x, double lo, double hi, OverflowCounts& counts) {
  if (x > hi) {
    ++counts.saturated_high;
    return hi;
  }
  if (x < lo) {
    ++counts.saturated_low;
    return lo;
  }
  return x;
}

inline std::int64_t saturate_code(std::int64_t code, std::int64_t lo, std::int64_t hi, OverflowCounts& counts) {
  if (code > hi) {
    ++counts.saturated_high;
    return hi;
  }
  if (code < lo) {
    ++counts.saturated_low;
    return lo;
  }
  return code;
}

}  // namespace qsnn::quant
