#pragma once
// One small struct per rounding function. Each offers the same two operations:
//   std::int64_t shift(std::int64_t x, unsigned k, std::uint64_t index) const
//       x / 2^k rounded to an integer (drops k low bits), k in 0..62;
//   double real(double x, std::uint64_t index) const
//       x (a value already divided by the quantization step) rounded to an integral double.
// `index` names the element, so stochastic rounders draw from the counter-based RNG keyed by
// (seed, stream, step, index); deterministic rounders ignore it.
//
// The deterministic rounders also offer a branch-free form for vector loops (kernels/vector_shift.hpp):
//   static std::int64_t shift_addend(std::int64_t x, unsigned k)
//       shift(x, k) == (x + shift_addend(x, k)) >> k  for 1 <= k <= 60 and |x| <= 2^61 (so the sum cannot
//       overflow); the addend depends on x only through its sign or the parity of x >> k, so it costs a few
//       lane-wise instructions (tests/sim/test_vector_shift.cpp checks the identity for every mode).
//
// Hot loops are written as templates over the rounder and entered once through
// `visit_rounder`, so choosing the rounding at run time costs one switch per loop, not per value.
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "quant/counter_rng.hpp"
#include "quant/rounding_mode.hpp"

namespace qsnn::quant {

namespace detail {
// x = q * 2^k + fraction with 0 <= fraction < 2^k; C++20 defines >> of negatives as arithmetic.
struct ShiftParts {
  std::int64_t floor_quotient;
  std::uint64_t fraction;
};
inline ShiftParts split_shift(std::int64_t x, unsigned k) {
  const std::uint64_t mask = (std::uint64_t{1} << k) - 1U;
  return {x >> k, static_cast<std::uint64_t>(x) & mask};
}
inline void require_shift(unsigned k) {
  if (k > 62) throw std::out_of_range("rounding shift of " + std::to_string(k) + " bits (allowed 0..62)");
}
}  // namespace detail

struct NearestEvenRounder {
  static constexpr RoundingMode mode = RoundingMode::nearest_even;
  std::int64_t shift(std::int64_t x, unsigned k, std::uint64_t = 0) const {
    if (k == 0) return x;
    const auto [q, fraction] = detail::split_shift(x, k);
    const std::uint64_t half = std::uint64_t{1} << (k - 1);
    return q + ((fraction > half || (fraction == half && (q & 1) != 0)) ? 1 : 0);
  }
  // half - 1 tips every fraction above one half over the next
  // multiple of 2^k, and the parity of the floor quotient tips exactly one half towards the even neighbour.
  static std::int64_t shift_addend(std::int64_t x, unsigned k) {
    return (std::int64_t{1} << (k - 1)) - 1 + ((x >> k) & 1);
  }
  double real(double x, std::uint64_t = 0) const {
    const double below = std::floor(x);
    const double fraction = x - below;  // exact in binary floating point
    if (fraction > 0.5) return below + 1.0;
    if (fraction < 0.5) return below;
    return std::fmod(below, 2.0) == 0.0 ? below : below + 1.0;
  }
};

struct NearestAwayRounder {
  static constexpr RoundingMode mode = RoundingMode::nearest_away;
  std::int64_t shift(std::int64_t x, unsigned k, std::uint64_t = 0) const {
    if (k == 0) return x;
    const auto [q, fraction] = detail::split_shift(x, k);
    const std::uint64_t half = std::uint64_t{1} << (k - 1);
    return q + ((fraction > half || (fraction == half && x > 0)) ? 1 : 0);
  }
  // Ties go up (away from zero) for positive x only.
  static std::int64_t shift_addend(std::int64_t x, unsigned k) {
    return (std::int64_t{1} << (k - 1)) - 1 + (x > 0 ? 1 : 0);
  }
  double real(double x, std::uint64_t = 0) const {
    const double below = std::floor(x);
    const double fraction = x - below;
    if (fraction > 0.5) return below + 1.0;
    if (fraction < 0.5) return below;
    return x > 0.0 ? below + 1.0 : below;
  }
};

struct FloorRounder {
  static constexpr RoundingMode mode = RoundingMode::floor;
  std::int64_t shift(std::int64_t x, unsigned k, std::uint64_t = 0) const { return x >> k; }
  static std::int64_t shift_addend(std::int64_t, unsigned) { return 0; }
  double real(double x, std::uint64_t = 0) const { return std::floor(x); }
};

struct CeilRounder {
  static constexpr RoundingMode mode = RoundingMode::ceil;
  std::int64_t shift(std::int64_t x, unsigned k, std::uint64_t = 0) const {
    const auto [q, fraction] = detail::split_shift(x, k);
    return q + (fraction != 0 ? 1 : 0);
  }
  static std::int64_t shift_addend(std::int64_t, unsigned k) { return (std::int64_t{1} << k) - 1; }
  double real(double x, std::uint64_t = 0) const { return std::ceil(x); }
};

struct TruncateRounder {
  static constexpr RoundingMode mode = RoundingMode::truncate;
  std::int64_t shift(std::int64_t x, unsigned k, std::uint64_t = 0) const {
    const auto [q, fraction] = detail::split_shift(x, k);
    return q + ((x < 0 && fraction != 0) ? 1 : 0);
  }
  // Negative x rounds like ceil, the rest like floor.
  static std::int64_t shift_addend(std::int64_t x, unsigned k) { return (x >> 63) & ((std::int64_t{1} << k) - 1); }
  double real(double x, std::uint64_t = 0) const { return std::trunc(x); }
};

namespace detail {
// Rounds up iff the draw r (uniform in [0, 2^b)) is below the fraction expressed in b bits. The
// probability of rounding up is floor(fraction * 2^b) / 2^b: exact when the fraction has at most b bits,
// otherwise low by less than 2^-b (the bias bound of b-bit stochastic rounding).
inline std::int64_t stochastic_shift(std::int64_t x, unsigned k, std::uint64_t draw, unsigned bits) {
  if (k == 0) return x;
  const auto [q, fraction] = split_shift(x, k);
  const std::uint64_t fraction_in_draw_bits = k >= bits ? fraction >> (k - bits) : fraction << (bits - k);
  return q + (draw < fraction_in_draw_bits ? 1 : 0);
}
// Same decision as stochastic_shift: the fraction is cut to b bits before the comparison, so rounding a
// real value and shifting its fixed-point code agree draw for draw.
inline double stochastic_real(double x, std::uint64_t draw, unsigned bits) {
  const double below = std::floor(x);
  const double fraction_in_draw_bits = std::floor(std::ldexp(x - below, static_cast<int>(bits)));
  return static_cast<double>(draw) < fraction_in_draw_bits ? below + 1.0 : below;
}
inline void require_random_bits(unsigned bits) {
  if (bits < 8 || bits > 32)
    throw std::out_of_range("stochastic rounding with " + std::to_string(bits) +
                            " random bits (allowed 8..32)");
}
}  // namespace detail

// Independent draw per element: keyed by (seed, stream, step, index).
struct StochasticRounder {
  static constexpr RoundingMode mode = RoundingMode::stochastic;
  StochasticRounder(CounterRng rng, std::uint64_t step, unsigned random_bits)
      : rng_(rng), step_(step), random_bits_(random_bits) {
    detail::require_random_bits(random_bits);
  }
  std::int64_t shift(std::int64_t x, unsigned k, std::uint64_t index) const {
    return detail::stochastic_shift(x, k, rng_.uniform_bits(step_, index, random_bits_), random_bits_);
  }
  double real(double x, std::uint64_t index) const {
    return detail::stochastic_real(x, rng_.uniform_bits(step_, index, random_bits_), random_bits_);
  }
  unsigned random_bits() const { return random_bits_; }

 private:
  CounterRng rng_;
  std::uint64_t step_;
  unsigned random_bits_;
};

// One draw per step shared by every element, as Lava draws one uniform number per time step for
// Loihi's learning engine (lava-nc/lava, magma/core/learning/random.py; ../shared/reference/chips.md §1).
// Unbiased per element, correlated across elements.
struct SharedStochasticRounder {
  static constexpr RoundingMode mode = RoundingMode::stochastic_shared;
  SharedStochasticRounder(CounterRng rng, std::uint64_t step, unsigned random_bits)
      : random_bits_((detail::require_random_bits(random_bits), random_bits)),
        draw_(rng.uniform_bits(step, 0, random_bits)) {}
  std::int64_t shift(std::int64_t x, unsigned k, std::uint64_t = 0) const {
    return detail::stochastic_shift(x, k, draw_, random_bits_);
  }
  double real(double x, std::uint64_t = 0) const { return detail::stochastic_real(x, draw_, random_bits_); }
  unsigned random_bits() const { return random_bits_; }

 private:
  unsigned random_bits_;
  std::uint64_t draw_;
};

// A run-time rounding choice plus what the stochastic modes need.
struct RoundingSpec {
  RoundingMode mode = RoundingMode::nearest_even;
  std::uint64_t seed = 0;
  std::uint64_t stream = 0;
  unsigned random_bits = 24;  // 8..32
};

// Calls f with the concrete rounder for spec at time step `step`; f is instantiated once per mode.
template <class F>
decltype(auto) visit_rounder(const RoundingSpec& spec, std::uint64_t step, F&& f) {
  switch (spec.mode) {
    case RoundingMode::nearest_even: return f(NearestEvenRounder{});
    case RoundingMode::nearest_away: return f(NearestAwayRounder{});
    case RoundingMode::floor: return f(FloorRounder{});
    case RoundingMode::ceil: return f(CeilRounder{});
    case RoundingMode::truncate: return f(TruncateRounder{});
    case RoundingMode::stochastic:
      return f(StochasticRounder{CounterRng{spec.seed, spec.stream}, step, spec.random_bits});
    case RoundingMode::stochastic_shared:
      return f(SharedStochasticRounder{CounterRng{spec.seed, spec.stream}, step, spec.random_bits});
  }
  throw std::invalid_argument("invalid RoundingMode value");
}

// Convenience for cold paths: one value, one dispatch.
inline std::int64_t round_shift(const RoundingSpec& spec, std::int64_t x, unsigned k, std::uint64_t step = 0,
                                std::uint64_t index = 0) {
  detail::require_shift(k);
  return visit_rounder(spec, step, [&](const auto& rounder) { return rounder.shift(x, k, index); });
}
inline double round_real(const RoundingSpec& spec, double x, std::uint64_t step = 0, std::uint64_t index = 0) {
  return visit_rounder(spec, step, [&](const auto& rounder) { return rounder.real(x, index); });
}

}  // namespace qsnn::quant
