// The branch-free rounded shifts behind the fused AVX-512 neuron update: quant's shift_addend identity and
// kernels/vector_shift.hpp's lane-wise form, against each deterministic rounder's shift(), on every edge of
// the fraction (exact halves, one below and above, zero) and on random values across the allowed range.
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "kernels/lif_update.hpp"
#include "kernels/vector_shift.hpp"
#include "quant/counter_rng.hpp"
#include "quant/rounders.hpp"

namespace {

using qsnn::quant::CeilRounder;
using qsnn::quant::FloorRounder;
using qsnn::quant::NearestAwayRounder;
using qsnn::quant::NearestEvenRounder;
using qsnn::quant::TruncateRounder;

constexpr std::int64_t kLimit = std::int64_t{1} << 61;  // |x| <= 2^61: the identity's range

// Values around every multiple-of-2^k edge for this k, plus random ones of every magnitude up to 2^61.
std::vector<std::int64_t> test_values(unsigned k, std::uint64_t seed) {
  std::vector<std::int64_t> values{0, 1, -1, kLimit, -kLimit, kLimit - 1, -kLimit + 1};
  const std::int64_t unit = std::int64_t{1} << k;
  const std::int64_t half = unit / 2;
  for (const std::int64_t q : {std::int64_t{0}, std::int64_t{1}, std::int64_t{2}, std::int64_t{-1}, std::int64_t{-2},
                               std::int64_t{7}, std::int64_t{-8}, (kLimit >> k) - 1, -(kLimit >> k) + 1}) {
    for (const std::int64_t fraction : {std::int64_t{0}, half - 1, half, half + 1, unit - 1, std::int64_t{1}}) {
      const std::int64_t x = q * unit + fraction;
      if (x <= kLimit && x >= -kLimit) values.push_back(x);
    }
  }
  const qsnn::quant::CounterRng rng{seed, 5};
  for (std::uint64_t i = 0; i < 4000; ++i) {
    const unsigned magnitude_bits = 1 + static_cast<unsigned>(rng.bits64(i, 1) % 61);  // 1..61
    const auto magnitude = static_cast<std::int64_t>(rng.bits64(i, 2) >> (64 - magnitude_bits));
    values.push_back((rng.bits64(i, 3) & 1) != 0 ? -magnitude : magnitude);
  }
  return values;
}

template <class Rounder>
void check_scalar_identity(const char* name) {
  const Rounder rounder{};
  for (unsigned k = 1; k <= 60; ++k) {
    for (const std::int64_t x : test_values(k, k)) {
      INFO(name, " k ", k, " x ", x);
      REQUIRE(((x + Rounder::shift_addend(x, k)) >> k) == rounder.shift(x, k));
    }
  }
}

#if QSNN_KERNELS_AVX512_SHIFT
// GCC 12's AVX-512 intrinsics start from _mm512_undefined_epi32(), which -Wmaybe-uninitialized flags.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
template <class Rounder>
[[gnu::target("avx512f,avx512vl,avx512dq,avx512bw")]] void vector_shift(const std::int64_t* in, std::int64_t* out,
                                                                        std::size_t n, unsigned k) {
  const auto constants = qsnn::kernels::avx512::shift_constants(k);
  for (std::size_t i = 0; i + 8 <= n; i += 8)
    _mm512_storeu_si512(out + i, qsnn::kernels::avx512::shift_epi64<Rounder>(_mm512_loadu_si512(in + i), constants));
}
#pragma GCC diagnostic pop

template <class Rounder>
void check_vector_shift(const char* name) {
  const Rounder rounder{};
  for (unsigned k = 1; k <= 60; ++k) {
    std::vector<std::int64_t> values = test_values(k, 100 + k);
    values.resize(values.size() / 8 * 8);
    std::vector<std::int64_t> shifted(values.size());
    vector_shift<Rounder>(values.data(), shifted.data(), values.size(), k);
    for (std::size_t i = 0; i < values.size(); ++i) {
      INFO(name, " k ", k, " x ", values[i]);
      REQUIRE(shifted[i] == rounder.shift(values[i], k));
    }
  }
}
#endif

}  // namespace

TEST_CASE("rounders: the branch-free shift_addend form equals shift for every deterministic mode") {
  check_scalar_identity<NearestEvenRounder>("nearest_even");
  check_scalar_identity<NearestAwayRounder>("nearest_away");
  check_scalar_identity<FloorRounder>("floor");
  check_scalar_identity<CeilRounder>("ceil");
  check_scalar_identity<TruncateRounder>("truncate");
}

TEST_CASE("kernels: the AVX-512 lane-wise shift equals the scalar rounders for every deterministic mode") {
#if QSNN_KERNELS_AVX512_SHIFT
  if (qsnn::kernels::resolve_kernel_isa(qsnn::kernels::KernelIsa::best) != qsnn::kernels::KernelIsa::avx512) {
    MESSAGE("this processor has no AVX-512: lane-wise shift not exercised");
    return;
  }
  check_vector_shift<NearestEvenRounder>("nearest_even");
  check_vector_shift<NearestAwayRounder>("nearest_away");
  check_vector_shift<FloorRounder>("floor");
  check_vector_shift<CeilRounder>("ceil");
  check_vector_shift<TruncateRounder>("truncate");
#else
  MESSAGE("not an x86-64 GCC build: lane-wise shift not compiled");
#endif
}
