#pragma once
// Integer division n / d rounded by any rounder of quant/rounders.hpp, in integer arithmetic only. It is
// what divisive weight normalization needs in fixed point (learning/weight_normalization.hpp:
// w <- R(w * T / S)), and generalises the rounders' shift (division by 2^k) to any positive divisor:
//
//   divide(n, d, rounder, index)               R(n / d) for int64 n and 0 < d < 2^63;
//   multiply_divide(a, b, d, rounder, index)   R(a * b / d), the product formed exactly in 128 bits;
//   checked_multiply_divide(...)               the same, std::nullopt when the result does not fit int64.
//
// Write n = q d + r with 0 <= r < d (q = floor(n / d)). The modes decide between q and q + 1 exactly as
// their definitions on the real n / d (../shared/reference/papers.md §5): floor q, ceil q + [r > 0],
// truncate toward zero, nearest by comparing r with d - r (ties to even or away from zero). Stochastic
// rounding goes up with probability floor(r 2^b / d) / 2^b, where b is the rounder's random_bits: the
// fraction r / d cut to b bits, as the rounders' shift cuts a fraction longer than b bits. The draw is
// the rounder's own, keyed by (seed, stream, step, index), so E[R(n / d)] = n / d - e with
// 0 <= e < 2^-b (exact when d divides r 2^b, e.g. for d = 2^k with k <= b), and for d = 2^k every mode
// gives the same result as rounder.shift(n, k, index), draw for draw.
//
// Overflow: divide never overflows (|R(n / d)| <= |n| for d >= 2, and d = 1 is exact). multiply_divide is
// safe for any int64 a and b (the product has at most 126 bits) whenever |a * b| < (2^63 - 1) * d, i.e.
// the exact quotient is at most 2^63 - 1 in magnitude, which covers |a| <= d with any b > INT64_MIN;
// beyond that checked_multiply_divide returns std::nullopt and multiply_divide throws
// std::overflow_error. A divisor <= 0 throws std::invalid_argument.
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>

#include "quant/rounders.hpp"

namespace qsnn::quant {

namespace detail {

// GCC and Clang provide 128-bit integers on every 64-bit target; __extension__ keeps -Wpedantic quiet.
__extension__ using Int128 = __int128;
__extension__ using UInt128 = unsigned __int128;
static_assert(sizeof(Int128) == 16);

inline void require_divisor(std::int64_t d) {
  if (d <= 0) throw std::invalid_argument("rounded division by " + std::to_string(d) + " (the divisor must be > 0)");
}

// n = floor_quotient * d + remainder with 0 <= remainder < d; d > 0. C++ division truncates toward zero,
// so a negative remainder moves the quotient down by one.
// Int is Int128, or std::int64_t when n fits 64 bits: the same values, without the much slower 128-bit
// division (normalization divides once per synapse).
template <class Int>
struct DivisionParts {
  Int floor_quotient;
  std::uint64_t remainder;
};
template <class Int>
DivisionParts<Int> split_division(Int n, std::int64_t d) {
  Int q = n / d;  // d > 0: never overflows
  Int r = n % d;
  if (r < 0) {
    q -= 1;  // r < 0 needs d >= 2, so q >= INT64_MIN / 2: no overflow
    r += d;
  }
  return {q, static_cast<std::uint64_t>(r)};  // 0 <= r < d < 2^63
}

// floor(r 2^bits / d) for 0 <= r < d, bits <= 32: in 64 bits when r 2^bits fits them.
inline std::int64_t fraction_in_bits(std::uint64_t r, std::int64_t d, unsigned bits) {
  const auto divisor = static_cast<std::uint64_t>(d);
  if (r < (std::uint64_t{1} << 31)) return static_cast<std::int64_t>((r << bits) / divisor);  // < 2^63
  return static_cast<std::int64_t>((static_cast<UInt128>(r) << bits) / divisor);
}

template <class Int, class Rounder>
Int rounded_quotient(Int n, std::int64_t d, const Rounder& rounder, std::uint64_t index) {
  const auto [q, r] = split_division(n, d);
  if (r == 0) return q;  // exact: every mode, and stochastic rounding never goes up (threshold 0)
  const std::uint64_t rest = static_cast<std::uint64_t>(d) - r;  // d * (q + 1 - n / d) > 0
  constexpr RoundingMode mode = Rounder::mode;
  if constexpr (mode == RoundingMode::floor) {
    return q;
  } else if constexpr (mode == RoundingMode::ceil) {
    return q + 1;
  } else if constexpr (mode == RoundingMode::truncate) {
    return n < 0 ? q + 1 : q;  // n / d lies strictly between q and q + 1; toward zero
  } else if constexpr (mode == RoundingMode::nearest_even) {
    if (r != rest) return r > rest ? q + 1 : q;
    return (q & 1) != 0 ? q + 1 : q;  // tie: q + 1/2, to the even neighbour (two's complement parity)
  } else if constexpr (mode == RoundingMode::nearest_away) {
    if (r != rest) return r > rest ? q + 1 : q;
    return n > 0 ? q + 1 : q;  // tie: q + 1/2 is non-zero, away from zero
  } else {
    static_assert(mode == RoundingMode::stochastic || mode == RoundingMode::stochastic_shared);
    // The fraction r / d in b bits; shifting it by b bits draws exactly as the rounder's shift does:
    // 1 iff draw < threshold.
    const unsigned bits = rounder.random_bits();  // 8..32, checked by the rounder
    return q + rounder.shift(fraction_in_bits(r, d, bits), bits, index);
  }
}

}  // namespace detail

// R(n / d) for any int64 n and d > 0; never overflows.
template <class Rounder>
std::int64_t divide(std::int64_t n, std::int64_t d, const Rounder& rounder, std::uint64_t index = 0) {
  detail::require_divisor(d);
  return detail::rounded_quotient(n, d, rounder, index);  // |result| <= |n| or exact: fits int64
}

// R(a * b / d) with the product exact in 128 bits; std::nullopt when the rounded result is outside int64.
template <class Rounder>
std::optional<std::int64_t> checked_multiply_divide(std::int64_t a, std::int64_t b, std::int64_t d, const Rounder& rounder,
                                                    std::uint64_t index = 0) {
  detail::require_divisor(d);
  std::int64_t product = 0;
  if (!__builtin_mul_overflow(a, b, &product)) return detail::rounded_quotient(product, d, rounder, index);
  const detail::Int128 q =
      detail::rounded_quotient(static_cast<detail::Int128>(a) * b, d, rounder, index);
  if (q < std::numeric_limits<std::int64_t>::min() || q > std::numeric_limits<std::int64_t>::max()) return std::nullopt;
  return static_cast<std::int64_t>(q);
}

// R(a * b / d); throws std::overflow_error when the result does not fit int64 (see the guarantee above).
template <class Rounder>
std::int64_t multiply_divide(std::int64_t a, std::int64_t b, std::int64_t d, const Rounder& rounder,
                             std::uint64_t index = 0) {
  const std::optional<std::int64_t> q = checked_multiply_divide(a, b, d, rounder, index);
  if (!q)
    throw std::overflow_error("rounded " + std::to_string(a) + " * " + std::to_string(b) + " / " + std::to_string(d) +
                              " does not fit 64 bits");
  return *q;
}

// Convenience for cold paths: one value, one dispatch (as round_shift in quant/rounders.hpp).
inline std::int64_t round_divide(const RoundingSpec& spec, std::int64_t n, std::int64_t d, std::uint64_t step = 0,
                                 std::uint64_t index = 0) {
  return visit_rounder(spec, step, [&](const auto& rounder) { return divide(n, d, rounder, index); });
}
inline std::int64_t round_multiply_divide(const RoundingSpec& spec, std::int64_t a, std::int64_t b, std::int64_t d,
                                          std::uint64_t step = 0, std::uint64_t index = 0) {
  return visit_rounder(spec, step, [&](const auto& rounder) { return multiply_divide(a, b, d, rounder, index); });
}

}  // namespace qsnn::quant
