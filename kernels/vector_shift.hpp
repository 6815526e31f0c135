#pragma once
// The deterministic rounders' shift (quant/rounders.hpp) on eight int64 lanes of an AVX-512 register, for the
// fused neuron update (kernels/lif_update.hpp). Each lane computes the rounder's branch-free form
// (x + shift_addend(x, k)) >> k with the addend built from lane-wise sign or parity tests, so a lane equals
// Rounder::shift(x, k) wherever that identity holds: 1 <= k <= 60 and |x| <= 2^61
// (tests/sim/test_vector_shift.cpp checks every mode against the scalar rounders).
#include <cstdint>

#include "quant/rounders.hpp"

#if defined(__GNUC__) && defined(__x86_64__)
#define QSNN_KERNELS_AVX512_SHIFT 1
#include <immintrin.h>
#else
#define QSNN_KERNELS_AVX512_SHIFT 0
#endif

namespace qsnn::kernels::avx512 {

#if QSNN_KERNELS_AVX512_SHIFT

#define QSNN_AVX512_TARGET gnu::target("avx512f,avx512vl,avx512dq,avx512bw")

// The per-shift constants, built once per loop.
struct ShiftConstants {
  __m128i count;           // k, as the count operand of vpsraq
  __m512i half_minus_one;  // 2^(k-1) - 1
  __m512i below_one;       // 2^k - 1
};

[[QSNN_AVX512_TARGET]] inline ShiftConstants shift_constants(unsigned k) {
  return {_mm_cvtsi32_si128(static_cast<int>(k)), _mm512_set1_epi64((std::int64_t{1} << (k - 1)) - 1),
          _mm512_set1_epi64((std::int64_t{1} << k) - 1)};
}

template <class Rounder>
inline constexpr bool kHasVectorShift =
    Rounder::mode == quant::RoundingMode::nearest_even || Rounder::mode == quant::RoundingMode::nearest_away ||
    Rounder::mode == quant::RoundingMode::floor || Rounder::mode == quant::RoundingMode::ceil ||
    Rounder::mode == quant::RoundingMode::truncate;

// Lane-wise Rounder::shift(x, k) for the k of `s`.
template <class Rounder>
[[QSNN_AVX512_TARGET, gnu::always_inline]] inline __m512i shift_epi64(__m512i x, const ShiftConstants& s) {
  static_assert(kHasVectorShift<Rounder>, "stochastic rounders draw per element and have no vector shift");
  constexpr quant::RoundingMode mode = Rounder::mode;
  if constexpr (mode == quant::RoundingMode::floor) {
    return _mm512_sra_epi64(x, s.count);
  } else if constexpr (mode == quant::RoundingMode::ceil) {
    return _mm512_sra_epi64(_mm512_add_epi64(x, s.below_one), s.count);
  } else if constexpr (mode == quant::RoundingMode::truncate) {
    const __m512i addend = _mm512_and_si512(_mm512_srai_epi64(x, 63), s.below_one);
    return _mm512_sra_epi64(_mm512_add_epi64(x, addend), s.count);
  } else if constexpr (mode == quant::RoundingMode::nearest_even) {
    const __m512i parity = _mm512_and_si512(_mm512_sra_epi64(x, s.count), _mm512_set1_epi64(1));
    return _mm512_sra_epi64(_mm512_add_epi64(x, _mm512_add_epi64(s.half_minus_one, parity)), s.count);
  } else {  // nearest_away
    const __mmask8 positive = _mm512_cmpgt_epi64_mask(x, _mm512_setzero_si512());
    const __m512i addend = _mm512_mask_add_epi64(s.half_minus_one, positive, s.half_minus_one, _mm512_set1_epi64(1));
    return _mm512_sra_epi64(_mm512_add_epi64(x, addend), s.count);
  }
}

#endif

}  // namespace qsnn::kernels::avx512
