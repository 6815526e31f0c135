#pragma once
// The neuron-update loops: one block of neurons per call, state as structure-of-arrays. The rounders are
// template parameters, so the run-time rounding choice is made once per block (dispatch_fixed_lif_update),
// never per neuron.
//
// A block is processed in chunks of kLifChunk neurons, each in passes without branches or pushes per neuron,
// which the compiler vectorizes: the currents of each receptor, the membrane, then a threshold pass that only
// flags spikes. Spikes are rare (about one neuron in a thousand per step): a chunk without any is done after
// the flag pass, one with some is rescanned in ascending order for reset, refractory and theta. Values that
// may leave their format are detected in the vector pass (a sign test, see outside_bits) and then fitted by
// quant::fit_code in a scalar pass over that chunk only, so every overflow mode and count is exactly as if
// fit_code were called per value. Per neuron the operations and their order are those of the one-neuron-at-a-
// time loop, so results are bit-identical to it (the float path keeps its expression order; see
// update_float_lif on why it is never compiled with fused multiply-add).
//
// On x86-64 the same source is also compiled for AVX2 and AVX-512 (64-bit lanes: 4 or 8 neurons per
// instruction) and the best one the processor has is chosen per call (KernelIsa). Integer arithmetic is exact
// in every variant, so the choice never changes a result (tests/sim/test_cuba_determinism.cpp checks it).
#include <algorithm>
#include <array>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "kernels/lif_constants.hpp"
#include "kernels/vector_shift.hpp"
#include "quant/qformat.hpp"
#include "quant/rounders.hpp"

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define QSNN_KERNELS_X86_DISPATCH 1
#else
#define QSNN_KERNELS_X86_DISPATCH 0
#endif

namespace qsnn::kernels {

inline constexpr std::uint32_t kLifChunk = 256;

// Which instruction set the update loops are compiled for; `best` picks the widest the processor runs.
enum class KernelIsa : std::uint8_t { best, generic, avx2, avx512 };

// The variant `best` resolves to on this processor.
inline KernelIsa resolve_kernel_isa(KernelIsa isa) {
  if (isa != KernelIsa::best) return isa;
#if QSNN_KERNELS_X86_DISPATCH
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512bw"))
    return KernelIsa::avx512;
  if (__builtin_cpu_supports("avx2")) return KernelIsa::avx2;
#endif
  return KernelIsa::generic;
}

template <class T>
struct LifStateSpans {
  std::array<T*, kMaxReceptors> current{};
  T* voltage = nullptr;
  T* theta = nullptr;
  std::uint16_t* refractory = nullptr;
  const T* injection = nullptr;  // per-neuron injected current added to V each step; may be null
};

// Input accumulators of this step, one array per receptor, indexed by neuron; read and cleared here.
template <class Acc>
using ReceptorInputs = std::array<Acc*, kMaxReceptors>;

// Stochastic decay draws are keyed by neuron, with one index per (neuron, receptor) for currents.
inline std::uint64_t current_rounding_index(std::uint32_t neuron, std::size_t receptor) {
  return static_cast<std::uint64_t>(neuron) * kMaxReceptors + receptor;
}

namespace detail {

// Negative when `code` is outside (min, max], the range every overflow mode passes through unchanged
// (fit_code's fast path); OR-ed over a chunk, the sign tells whether fit_code has anything to do. Codes are
// far from the int64 limits (state codes have at most 32 bits, products at most 56), so nothing wraps.
inline std::int64_t outside_bits(std::int64_t code, std::int64_t min_code, std::int64_t max_code) {
  return (code - min_code - 1) | (max_code - code);
}

// Neuron i fired with membrane value `value` (fitted, before reset): record it, reset, start the refractory
// countdown and raise theta.
inline void fire_fixed_neuron(const FixedLifConstants& c, const LifStateSpans<std::int32_t>& s, std::uint32_t i,
                              std::int64_t value, std::vector<std::uint32_t>& spikes, LifOverflowCounts& counts) {
  spikes.push_back(i);
  const std::int64_t threshold = c.adaptive_threshold ? c.threshold + s.theta[i] : c.threshold;
  s.voltage[i] = static_cast<std::int32_t>(
      c.reset == ResetMode::to_value
          ? c.reset_value
          : quant::fit_code(value - threshold, c.voltage_format, c.voltage_overflow, counts.voltage));
  s.refractory[i] = c.refractory_steps;
  if (c.adaptive_threshold)
    s.theta[i] = static_cast<std::int32_t>(
        quant::fit_code(s.theta[i] + c.theta_plus, c.theta_format, c.theta_overflow, counts.theta));
}

// The chunk [i0, i0 + n) of the fixed path; `total`, `value` and `fired` hold kLifChunk entries.
template <class CurrentRounder, class VoltageRounder>
[[gnu::always_inline]] inline void update_fixed_chunk(const FixedLifConstants& c, const LifStateSpans<std::int32_t>& s,
                                                      const ReceptorInputs<std::int64_t>& input, std::uint32_t i0,
                                                      std::uint32_t n, const CurrentRounder& current_rounder,
                                                      const VoltageRounder& voltage_rounder,
                                                      std::int64_t* __restrict total, std::int64_t* __restrict value,
                                                      std::uint8_t* __restrict fired,
                                                      std::vector<std::uint32_t>& spikes, LifOverflowCounts& counts) {
  const unsigned shift = c.decay_shift;
  // Currents: I_r <- fit(round(alpha_r * I_r) + input_r), input cleared; total = sum_r I_r.
  const std::int64_t current_min = c.current_format.min_code(), current_max = c.current_format.max_code();
  // The input's guard bits, when rounded to nearest-even, are rounded here (NearestEvenRounder::shift by 0 is
  // the identity); dispatch_fixed_lif_update rounds other modes in a pass of their own before.
  const unsigned input_guard = c.input_guard_bits > 0 && c.input_rounding.mode == quant::RoundingMode::nearest_even
                                   ? c.input_guard_bits
                                   : 0;
  const quant::NearestEvenRounder input_rounder;
  for (std::size_t r = 0; r < c.receptors; ++r) {
    std::int32_t* __restrict current = s.current[r] + i0;
    std::int64_t* __restrict in = input[r] + i0;
    const std::int32_t decay = c.current_decay[r];
    std::int64_t outside = 0;
    for (std::uint32_t j = 0; j < n; ++j) {
      const std::int64_t x =
          current_rounder.shift(static_cast<std::int64_t>(current[j]) * decay, shift, current_rounding_index(i0 + j, r)) +
          input_rounder.shift(in[j], input_guard, i0 + j);
      in[j] = 0;
      value[j] = x;
      current[j] = static_cast<std::int32_t>(x);  // final unless the fit below changes it
      total[j] = r == 0 ? x : total[j] + x;
      outside |= outside_bits(x, current_min, current_max);
    }
    if (outside < 0) {
      for (std::uint32_t j = 0; j < n; ++j) {
        const std::int64_t fitted = quant::fit_code(value[j], c.current_format, c.current_overflow, counts.current);
        current[j] = static_cast<std::int32_t>(fitted);
        total[j] += fitted - value[j];
      }
    }
  }

  // Membrane: V <- fit(round(beta * V) + sum_r I_r + bias + injection). Computed for every neuron so the loop
  // has no branch; refractory neurons discard it below and are never fitted or counted.
  std::int32_t* __restrict voltage = s.voltage + i0;
  std::uint16_t* __restrict refractory = s.refractory + i0;
  const std::int64_t voltage_min = c.voltage_format.min_code(), voltage_max = c.voltage_format.max_code();
  const std::int32_t beta = c.voltage_decay;
  const std::int64_t bias = c.bias;
  std::int64_t outside = 0;
  if (s.injection != nullptr) {
    const std::int32_t* __restrict injection = s.injection + i0;
    for (std::uint32_t j = 0; j < n; ++j) {
      const std::int64_t x =
          voltage_rounder.shift(static_cast<std::int64_t>(voltage[j]) * beta, shift, i0 + j) + total[j] + bias + injection[j];
      value[j] = x;
      outside |= outside_bits(x, voltage_min, voltage_max);
    }
  } else {
    for (std::uint32_t j = 0; j < n; ++j) {
      const std::int64_t x = voltage_rounder.shift(static_cast<std::int64_t>(voltage[j]) * beta, shift, i0 + j) + total[j] + bias;
      value[j] = x;
      outside |= outside_bits(x, voltage_min, voltage_max);
    }
  }
  if (outside < 0) {
    for (std::uint32_t j = 0; j < n; ++j)
      if (refractory[j] == 0) value[j] = quant::fit_code(value[j], c.voltage_format, c.voltage_overflow, counts.voltage);
  }

  // Threshold (strict) and refractory countdown; refractory neurons are held at the reset value.
  const std::int32_t reset_value = static_cast<std::int32_t>(c.reset_value);
  int any = 0;
  auto threshold_pass = [&](auto adaptive) {
    const std::int32_t* __restrict theta = s.theta + i0;
    for (std::uint32_t j = 0; j < n; ++j) {
      const std::uint16_t r = refractory[j];
      const std::int64_t threshold = decltype(adaptive)::value ? c.threshold + theta[j] : c.threshold;
      const int fire = (r == 0) & (value[j] > threshold);
      fired[j] = static_cast<std::uint8_t>(fire);
      any |= fire;
      voltage[j] = r != 0 ? reset_value : static_cast<std::int32_t>(value[j]);
      refractory[j] = static_cast<std::uint16_t>(r - (r != 0));
    }
  };
  if (c.adaptive_threshold) threshold_pass(std::true_type{});
  else threshold_pass(std::false_type{});
  if (any == 0) return;
  for (std::uint32_t j = 0; j < n; ++j)
    if (fired[j] != 0) fire_fixed_neuron(c, s, i0 + j, value[j], spikes, counts);
}

template <class CurrentRounder, class VoltageRounder>
[[gnu::always_inline]] inline void update_fixed_range(const FixedLifConstants& c, const LifStateSpans<std::int32_t>& s,
                                                      const ReceptorInputs<std::int64_t>& input, std::uint32_t begin,
                                                      std::uint32_t end, const CurrentRounder& current_rounder,
                                                      const VoltageRounder& voltage_rounder,
                                                      std::vector<std::uint32_t>& spikes, LifOverflowCounts& counts) {
  alignas(64) std::int64_t total[kLifChunk];
  alignas(64) std::int64_t value[kLifChunk];
  alignas(64) std::uint8_t fired[kLifChunk];
  for (std::uint32_t i0 = begin; i0 < end; i0 += kLifChunk)
    update_fixed_chunk(c, s, input, i0, std::min(kLifChunk, end - i0), current_rounder, voltage_rounder, total, value,
                       fired, spikes, counts);
}

#if QSNN_KERNELS_X86_DISPATCH
template <class CurrentRounder, class VoltageRounder>
[[gnu::target("avx2"), gnu::flatten]] void update_fixed_range_avx2(
    const FixedLifConstants& c, const LifStateSpans<std::int32_t>& s, const ReceptorInputs<std::int64_t>& input,
    std::uint32_t begin, std::uint32_t end, const CurrentRounder& current_rounder,
    const VoltageRounder& voltage_rounder, std::vector<std::uint32_t>& spikes, LifOverflowCounts& counts) {
  update_fixed_range(c, s, input, begin, end, current_rounder, voltage_rounder, spikes, counts);
}
template <class CurrentRounder, class VoltageRounder>
[[gnu::target("avx512f,avx512vl,avx512dq,avx512bw"), gnu::flatten]] void update_fixed_range_avx512(
    const FixedLifConstants& c, const LifStateSpans<std::int32_t>& s, const ReceptorInputs<std::int64_t>& input,
    std::uint32_t begin, std::uint32_t end, const CurrentRounder& current_rounder,
    const VoltageRounder& voltage_rounder, std::vector<std::uint32_t>& spikes, LifOverflowCounts& counts) {
  update_fixed_range(c, s, input, begin, end, current_rounder, voltage_rounder, spikes, counts);
}
#endif

// Rounders that draw random numbers per element gain nothing from wide registers; they run the generic code.
template <class Rounder>
inline constexpr bool kVectorRounder =
    Rounder::mode != quant::RoundingMode::stochastic && Rounder::mode != quant::RoundingMode::stochastic_shared;

#if QSNN_KERNELS_X86_DISPATCH && QSNN_KERNELS_AVX512_SHIFT
// Whether the fused AVX-512 loop below computes exactly what update_fixed_chunk does, decided once per call:
// its rounded shifts (avx512::shift_epi64) hold for |product| <= 2^61, which |decay| < 2^29 guarantees for
// 32-bit state codes, and need a shift of at least one bit.
inline bool fused_fixed_update_applies(const FixedLifConstants& c) {
  if (c.decay_shift < 1 || c.decay_shift > 60 || c.input_guard_bits > 60) return false;
  const auto small = [](std::int32_t decay) { return decay > -(1 << 29) && decay < (1 << 29); };
  for (std::size_t r = 0; r < c.receptors; ++r)
    if (!small(c.current_decay[r])) return false;
  return small(c.voltage_decay);
}

// The whole update of eight neurons in registers: one load and one store per state variable, no
// intermediate arrays, int64 lanes whose decays are one vpmuldq (int32 x int32 -> int64) each. A group in
// which any value leaves its format (or an input exceeds the rounding's range) is handed, before anything
// is stored, to update_fixed_chunk, which fits and counts as the scalar loop; a group that fires resets its
// spiking neurons with fire_fixed_neuron. So every state, spike order and overflow count equals the chunked
// loops' (tests/sim/test_kernel_variants.cpp).
// GCC 12's AVX-512 intrinsics start from _mm512_undefined_epi32(), which -Wmaybe-uninitialized flags.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// Eight int32 codes, sign-extended to int64 lanes.
[[gnu::target("avx512f,avx512vl,avx512dq,avx512bw"), gnu::always_inline]] inline __m512i load32(const std::int32_t* p) {
  return _mm512_cvtepi32_epi64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}

// kReceptors > 0 fixes the receptor count at compile time (the currents then stay in registers); 0 reads
// it from c.
template <std::size_t kReceptors, class CurrentRounder, class VoltageRounder>
[[gnu::target("avx512f,avx512vl,avx512dq,avx512bw")]] void update_fixed_fused_avx512_receptors(
    const FixedLifConstants& c, const LifStateSpans<std::int32_t>& s, const ReceptorInputs<std::int64_t>& input,
    std::uint32_t begin, std::uint32_t end, const CurrentRounder& current_rounder,
    const VoltageRounder& voltage_rounder, std::vector<std::uint32_t>& spikes, LifOverflowCounts& counts) {
  alignas(64) std::int64_t total[kLifChunk];
  alignas(64) std::int64_t value[kLifChunk];
  alignas(64) std::uint8_t fired[kLifChunk];
  constexpr std::uint32_t kLanes = 8;
  const std::size_t receptors = kReceptors > 0 ? kReceptors : c.receptors;
  const avx512::ShiftConstants decay_shift = avx512::shift_constants(c.decay_shift);
  // Guard bits are rounded here only when nearest-even (see update_fixed_chunk); others arrive rounded.
  const unsigned guard =
      c.input_guard_bits > 0 && c.input_rounding.mode == quant::RoundingMode::nearest_even ? c.input_guard_bits : 0;
  const avx512::ShiftConstants guard_shift = avx512::shift_constants(guard > 0 ? guard : 1);
  const __m512i input_limit = _mm512_set1_epi64(std::int64_t{1} << 61);
  const __m512i negative_input_limit = _mm512_set1_epi64(-(std::int64_t{1} << 61));
  // Local copies of the arrays, so that the stores below cannot be taken to change where they point.
  std::int32_t* current_state[kMaxReceptors];
  std::int64_t* current_input[kMaxReceptors];
  __m512i current_decay[kMaxReceptors];
  for (std::size_t r = 0; r < kMaxReceptors; ++r) {
    current_state[r] = s.current[r];
    current_input[r] = input[r];
    current_decay[r] = _mm512_set1_epi64(c.current_decay[r]);
  }
  std::int32_t* const voltage = s.voltage;
  std::uint16_t* const refractory = s.refractory;
  const std::int32_t* const theta = c.adaptive_threshold ? s.theta : nullptr;
  const std::int32_t* const injection = s.injection;
  // x is in (min, max], the range fit_code passes unchanged, iff x - (min + 1) <= max - min - 1 as unsigned
  // numbers: one compare per value (no lane wraps: codes and sums stay far inside int64).
  const __m512i current_above_min = _mm512_set1_epi64(c.current_format.min_code() + 1);
  const __m512i current_span = _mm512_set1_epi64(c.current_format.max_code() - c.current_format.min_code() - 1);
  const __m512i voltage_above_min = _mm512_set1_epi64(c.voltage_format.min_code() + 1);
  const __m512i voltage_span = _mm512_set1_epi64(c.voltage_format.max_code() - c.voltage_format.min_code() - 1);
  const __m512i beta = _mm512_set1_epi64(c.voltage_decay);
  const __m512i bias = _mm512_set1_epi64(c.bias);
  const __m512i threshold = _mm512_set1_epi64(c.threshold);
  const __m512i reset_value = _mm512_set1_epi64(c.reset_value);
  const __m512i one = _mm512_set1_epi64(1);
  const __m512i zero = _mm512_setzero_si512();

  std::uint32_t i = begin;
  for (; i + kLanes <= end; i += kLanes) {
    __m512i current[kMaxReceptors];
    __m512i sum = zero;
    __mmask8 outside = 0;
    for (std::size_t r = 0; r < receptors; ++r) {
      const __m512i decayed =
          avx512::shift_epi64<CurrentRounder>(_mm512_mul_epi32(load32(current_state[r] + i), current_decay[r]), decay_shift);
      __m512i in = _mm512_loadu_si512(current_input[r] + i);
      if (guard > 0) {
        outside |= _mm512_cmpgt_epi64_mask(in, input_limit) | _mm512_cmplt_epi64_mask(in, negative_input_limit);
        in = avx512::shift_epi64<quant::NearestEvenRounder>(in, guard_shift);
      }
      const __m512i x = _mm512_add_epi64(decayed, in);
      outside |= _mm512_cmpgt_epu64_mask(_mm512_sub_epi64(x, current_above_min), current_span);
      current[r] = x;
      sum = _mm512_add_epi64(sum, x);
    }
    __m512i v = _mm512_add_epi64(avx512::shift_epi64<VoltageRounder>(_mm512_mul_epi32(load32(voltage + i), beta), decay_shift),
                                 _mm512_add_epi64(sum, bias));
    if (injection != nullptr) v = _mm512_add_epi64(v, load32(injection + i));
    const __m512i countdown = _mm512_cvtepu16_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(refractory + i)));
    const __mmask8 active = _mm512_cmpeq_epi64_mask(countdown, zero);
    outside |= _mm512_mask_cmpgt_epu64_mask(active, _mm512_sub_epi64(v, voltage_above_min), voltage_span);
    if (outside != 0) [[unlikely]] {
      update_fixed_chunk(c, s, input, i, kLanes, current_rounder, voltage_rounder, total, value, fired, spikes, counts);
      continue;
    }
    for (std::size_t r = 0; r < receptors; ++r) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(current_state[r] + i), _mm512_cvtepi64_epi32(current[r]));
      _mm512_storeu_si512(current_input[r] + i, zero);
    }
    const __m512i fire_level = theta != nullptr ? _mm512_add_epi64(threshold, load32(theta + i)) : threshold;
    const __mmask8 fire = _mm512_mask_cmpgt_epi64_mask(active, v, fire_level);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(voltage + i),
                        _mm512_cvtepi64_epi32(_mm512_mask_blend_epi64(active, reset_value, v)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(refractory + i),
                     _mm512_cvtepi64_epi16(_mm512_mask_sub_epi64(countdown, static_cast<__mmask8>(~active), countdown, one)));
    if (fire != 0) [[unlikely]] {
      _mm512_store_si512(value, v);
      for (unsigned bits = fire; bits != 0; bits &= bits - 1) {
        const unsigned j = static_cast<unsigned>(__builtin_ctz(bits));
        fire_fixed_neuron(c, s, i + j, value[j], spikes, counts);
      }
    }
  }
  if (i < end)
    update_fixed_chunk(c, s, input, i, end - i, current_rounder, voltage_rounder, total, value, fired, spikes, counts);
}

template <class CurrentRounder, class VoltageRounder>
void update_fixed_fused_avx512(const FixedLifConstants& c, const LifStateSpans<std::int32_t>& s,
                               const ReceptorInputs<std::int64_t>& input, std::uint32_t begin, std::uint32_t end,
                               const CurrentRounder& current_rounder, const VoltageRounder& voltage_rounder,
                               std::vector<std::uint32_t>& spikes, LifOverflowCounts& counts) {
  if (c.receptors == 2)  // excitatory and inhibitory, as in CUBA
    return update_fixed_fused_avx512_receptors<2>(c, s, input, begin, end, current_rounder, voltage_rounder, spikes,
                                                  counts);
  update_fixed_fused_avx512_receptors<0>(c, s, input, begin, end, current_rounder, voltage_rounder, spikes, counts);
}
#pragma GCC diagnostic pop
#endif

}  // namespace detail

// Per neuron i, in this order: I_r <- fit(round(alpha_r I_r) + input_r) for each receptor (input cleared; its
// guard bits, if any, rounded here when the input rounding is nearest-even, else beforehand by the caller);
// if refractory: count down and hold V at the reset value; else V <- fit(round(beta V) + sum_r I_r + bias +
// injection), and V > threshold (+ theta) fires: V <- reset (value, or fit(V - threshold)), refractory
// countdown, theta <- fit(theta + theta_plus).
template <class CurrentRounder, class VoltageRounder>
void update_fixed_lif(const FixedLifConstants& c, const LifStateSpans<std::int32_t>& s,
                      const ReceptorInputs<std::int64_t>& input, std::uint32_t begin, std::uint32_t end,
                      const CurrentRounder& current_rounder, const VoltageRounder& voltage_rounder,
                      std::vector<std::uint32_t>& spikes, LifOverflowCounts& counts, KernelIsa isa = KernelIsa::best) {
#if QSNN_KERNELS_X86_DISPATCH
  if constexpr (detail::kVectorRounder<CurrentRounder> && detail::kVectorRounder<VoltageRounder>) {
    switch (resolve_kernel_isa(isa)) {
      case KernelIsa::avx512:
        if (detail::fused_fixed_update_applies(c))
          return detail::update_fixed_fused_avx512(c, s, input, begin, end, current_rounder, voltage_rounder, spikes,
                                                   counts);
        return detail::update_fixed_range_avx512(c, s, input, begin, end, current_rounder, voltage_rounder, spikes, counts);
      case KernelIsa::avx2:
        return detail::update_fixed_range_avx2(c, s, input, begin, end, current_rounder, voltage_rounder, spikes, counts);
      default: break;
    }
  }
#else
  (void)isa;
#endif
  detail::update_fixed_range(c, s, input, begin, end, current_rounder, voltage_rounder, spikes, counts);
}

// theta <- gamma * theta, in its own pass so its rounding is dispatched separately.
template <class ThetaRounder>
void decay_fixed_theta(const FixedLifConstants& c, std::int32_t* theta, std::uint32_t begin, std::uint32_t end,
                       const ThetaRounder& rounder) {
  for (std::uint32_t i = begin; i < end; ++i)
    theta[i] = static_cast<std::int32_t>(rounder.shift(static_cast<std::int64_t>(theta[i]) * c.theta_decay,
                                                       c.decay_shift, i));
}

namespace detail {

template <class InputRounder>
[[gnu::always_inline]] inline void round_inputs_range(std::int64_t* __restrict input, unsigned guard,
                                                      std::uint32_t begin, std::uint32_t end,
                                                      const InputRounder& rounder) {
  for (std::uint32_t i = begin; i < end; ++i) input[i] = rounder.shift(input[i], guard, i);
}

#if QSNN_KERNELS_X86_DISPATCH
template <class InputRounder>
[[gnu::target("avx2"), gnu::flatten]] void round_inputs_range_avx2(std::int64_t* input, unsigned guard,
                                                                   std::uint32_t begin, std::uint32_t end,
                                                                   const InputRounder& rounder) {
  round_inputs_range(input, guard, begin, end, rounder);
}
template <class InputRounder>
[[gnu::target("avx512f,avx512vl,avx512dq,avx512bw"), gnu::flatten]] void round_inputs_range_avx512(
    std::int64_t* input, unsigned guard, std::uint32_t begin, std::uint32_t end, const InputRounder& rounder) {
  round_inputs_range(input, guard, begin, end, rounder);
}
#endif

}  // namespace detail

// Accumulators carry `guard` extra fractional bits so that projections with negative weight exponents
// are summed exactly; this rounds the sum once per neuron per step.
template <class InputRounder>
void round_fixed_inputs(std::int64_t* input, unsigned guard, std::uint32_t begin, std::uint32_t end,
                        const InputRounder& rounder, KernelIsa isa = KernelIsa::best) {
#if QSNN_KERNELS_X86_DISPATCH
  if constexpr (detail::kVectorRounder<InputRounder>) {
    switch (resolve_kernel_isa(isa)) {
      case KernelIsa::avx512: return detail::round_inputs_range_avx512(input, guard, begin, end, rounder);
      case KernelIsa::avx2: return detail::round_inputs_range_avx2(input, guard, begin, end, rounder);
      default: break;
    }
  }
#else
  (void)isa;
#endif
  detail::round_inputs_range(input, guard, begin, end, rounder);
}

// One block of the fixed path: input rounding, state update, threshold and reset, theta decay. Each
// rounding choice is dispatched here once per block.
inline void dispatch_fixed_lif_update(const FixedLifConstants& c, const LifStateSpans<std::int32_t>& s,
                                      const ReceptorInputs<std::int64_t>& input, std::uint32_t begin,
                                      std::uint32_t end, std::uint64_t step, std::vector<std::uint32_t>& spikes,
                                      LifOverflowCounts& counts, KernelIsa isa = KernelIsa::best) {
  if (c.input_guard_bits > 0 && c.input_rounding.mode != quant::RoundingMode::nearest_even) {
    quant::visit_rounder(c.input_rounding, step, [&](const auto& rounder) {
      for (std::size_t r = 0; r < c.receptors; ++r)
        round_fixed_inputs(input[r], c.input_guard_bits, begin, end, rounder, isa);
    });
  }
  quant::visit_rounder(c.current_decay_rounding, step, [&](const auto& current_rounder) {
    quant::visit_rounder(c.voltage_decay_rounding, step, [&](const auto& voltage_rounder) {
      update_fixed_lif(c, s, input, begin, end, current_rounder, voltage_rounder, spikes, counts, isa);
    });
  });
  if (c.adaptive_threshold) {
    quant::visit_rounder(c.theta_decay_rounding, step,
                         [&](const auto& rounder) { decay_fixed_theta(c, s.theta, begin, end, rounder); });
  }
}

namespace detail {

[[gnu::always_inline]] inline void update_float_chunk(const FloatLifConstants& c, const LifStateSpans<double>& s,
                                                      const ReceptorInputs<double>& input, std::uint32_t i0,
                                                      std::uint32_t n, double* __restrict total,
                                                      double* __restrict value, std::uint8_t* __restrict fired,
                                                      std::vector<std::uint32_t>& spikes) {
  for (std::uint32_t j = 0; j < n; ++j) total[j] = 0.0;
  for (std::size_t r = 0; r < c.receptors; ++r) {
    double* __restrict current = s.current[r] + i0;
    double* __restrict in = input[r] + i0;
    const double decay = c.current_decay[r];
    for (std::uint32_t j = 0; j < n; ++j) {
      const double x = decay * current[j] + in[j];
      in[j] = 0.0;
      current[j] = x;
      total[j] += x;
    }
  }
  double* __restrict voltage = s.voltage + i0;
  std::uint16_t* __restrict refractory = s.refractory + i0;
  const double beta = c.voltage_decay, bias = c.bias, reset_value = c.reset_value;
  // V = beta * V + total + bias + injected, with injected = 0.0 when nothing is injected (adding 0.0 keeps
  // the sign of a zero exactly as the one-neuron loop did).
  if (s.injection != nullptr) {
    const double* __restrict injection = s.injection + i0;
    for (std::uint32_t j = 0; j < n; ++j) value[j] = beta * voltage[j] + total[j] + bias + injection[j];
  } else {
    for (std::uint32_t j = 0; j < n; ++j) value[j] = beta * voltage[j] + total[j] + bias + 0.0;
  }
  int any = 0;
  auto threshold_pass = [&](auto adaptive) {
    const double* __restrict theta = s.theta + i0;
    for (std::uint32_t j = 0; j < n; ++j) {
      const std::uint16_t r = refractory[j];
      const double threshold = decltype(adaptive)::value ? c.threshold + theta[j] : c.threshold;
      const int fire = (r == 0) & (value[j] > threshold);
      fired[j] = static_cast<std::uint8_t>(fire);
      any |= fire;
      voltage[j] = r != 0 ? reset_value : value[j];
      refractory[j] = static_cast<std::uint16_t>(r - (r != 0));
    }
  };
  if (c.adaptive_threshold) threshold_pass(std::true_type{});
  else threshold_pass(std::false_type{});
  if (any != 0) {
    for (std::uint32_t j = 0; j < n; ++j) {
      if (fired[j] == 0) continue;
      const std::uint32_t i = i0 + j;
      spikes.push_back(i);
      const double threshold = c.adaptive_threshold ? c.threshold + s.theta[i] : c.threshold;
      s.voltage[i] = c.reset == ResetMode::to_value ? c.reset_value : value[j] - threshold;
      s.refractory[i] = c.refractory_steps;
      if (c.adaptive_threshold) s.theta[i] += c.theta_plus;
    }
  }
  if (c.adaptive_threshold) {
    double* __restrict theta = s.theta + i0;
    for (std::uint32_t j = 0; j < n; ++j) theta[j] *= c.theta_decay;
  }
}

[[gnu::always_inline]] inline void update_float_range(const FloatLifConstants& c, const LifStateSpans<double>& s,
                                                      const ReceptorInputs<double>& input, std::uint32_t begin,
                                                      std::uint32_t end, std::vector<std::uint32_t>& spikes) {
  alignas(64) double total[kLifChunk];
  alignas(64) double value[kLifChunk];
  alignas(64) std::uint8_t fired[kLifChunk];
  for (std::uint32_t i0 = begin; i0 < end; i0 += kLifChunk)
    update_float_chunk(c, s, input, i0, std::min(kLifChunk, end - i0), total, value, fired, spikes);
}

#if QSNN_KERNELS_X86_DISPATCH
// AVX2 without FMA: GCC contracts a * b + c into a fused multiply-add in C++ whenever the target has one
// (-ffp-contract=fast is its C++ default), which would round differently from the generic build. The
// AVX-512 target implies FMA, so the float path stops at AVX2.
[[gnu::target("avx2"), gnu::flatten]] inline void update_float_range_avx2(const FloatLifConstants& c,
                                                                          const LifStateSpans<double>& s,
                                                                          const ReceptorInputs<double>& input,
                                                                          std::uint32_t begin, std::uint32_t end,
                                                                          std::vector<std::uint32_t>& spikes) {
  update_float_range(c, s, input, begin, end, spikes);
}
#endif

}  // namespace detail

// The same discretized equations in double precision, in the same order per neuron.
inline void update_float_lif(const FloatLifConstants& c, const LifStateSpans<double>& s,
                             const ReceptorInputs<double>& input, std::uint32_t begin, std::uint32_t end,
                             std::vector<std::uint32_t>& spikes, KernelIsa isa = KernelIsa::best) {
#if QSNN_KERNELS_X86_DISPATCH
  if (resolve_kernel_isa(isa) != KernelIsa::generic) return detail::update_float_range_avx2(c, s, input, begin, end, spikes);
#else
  (void)isa;
#endif
  detail::update_float_range(c, s, input, begin, end, spikes);
}

}  // namespace qsnn::kernels
