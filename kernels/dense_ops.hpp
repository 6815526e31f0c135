#pragma once
// Dense layer loops of the local-learning layers (learning/decolle_layer.hpp): matrix-vector products and
// the projection of a readout error back through a fixed matrix. Weights are row-major, row i holding the
// weights onto output i. Header templates over the element types: the fixed-point path instantiates them
// with integer codes and 64-bit accumulators (exact, so vectorizable in any order), the float64 path with
// doubles (each sum runs in index order, which the compiler keeps: no -ffast-math).
//
// Rows are cut into blocks of kDenseRowBlock, a partition fixed by the layer size and not by the thread
// count; every output belongs to one block and is computed by one task, so results are bit-identical for
// any number of threads.
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include <tbb/task_arena.h>

#include "kernels/plasticity.hpp"
#include "quant/rounding_mode.hpp"

namespace qsnn::kernels {

inline constexpr std::uint32_t kDenseRowBlock = 16;

inline std::size_t dense_row_blocks(std::uint32_t rows) { return (rows + kDenseRowBlock - 1) / kDenseRowBlock; }

struct RowRange {
  std::uint32_t begin, end;
};
inline RowRange dense_block_rows(std::size_t block, std::uint32_t rows) {
  const auto begin = static_cast<std::uint32_t>(block * kDenseRowBlock);
  return {begin, begin + kDenseRowBlock < rows ? begin + kDenseRowBlock : rows};
}

// out[i] = sum_j w[i * x.size() + j] * x[j] for rows i in [begin, end); Acc holds every product exactly
// (integer path: int16 codes times int32 traces summed in int64).
template <class Weight, class Value, class Acc>
inline void dense_rows(std::span<const Weight> w, std::span<const Value> x, std::uint32_t begin, std::uint32_t end,
                       std::span<Acc> out) {
  const std::size_t cols = x.size();
  const Value* __restrict xs = x.data();
  for (std::uint32_t i = begin; i < end; ++i) {
    const Weight* __restrict row = w.data() + static_cast<std::size_t>(i) * cols;
    Acc sum = 0;
    if constexpr (std::is_same_v<Weight, std::int16_t> && std::is_same_v<Value, std::int32_t>) {
      // Callers pass values of at most 16 unsigned bits (traces, spikes, sigmoid codes), so |w x| < 2^31: the
      // product is exact in 32 bits, which vector units multiply natively (no 64-bit vector multiply below
      // AVX-512).
      for (std::size_t j = 0; j < cols; ++j) sum += static_cast<Acc>(static_cast<std::int32_t>(row[j]) * xs[j]);
    } else {
      for (std::size_t j = 0; j < cols; ++j) sum += static_cast<Acc>(row[j]) * static_cast<Acc>(xs[j]);
    }
    out[i] = sum;
  }
}

// out = W x with W of out.size() rows, one task per row block in `arena` (serial when null).
template <class Weight, class Value, class Acc>
void dense_matvec(tbb::task_arena* arena, std::span<const Weight> w, std::span<const Value> x, std::span<Acc> out) {
  const auto rows = static_cast<std::uint32_t>(out.size());
  for_each_block(arena, dense_row_blocks(rows), [&](std::size_t b) {
    const RowRange r = dense_block_rows(b, rows);
    dense_rows(w, x, r.begin, r.end, out);
  });
}

// out[i] = sum_k m[k * out.size() + i] * e[k]: the transpose of a row-major matrix of e.size() rows times e
// (a readout error projected back onto the neurons it reads). Small (classes x neurons): serial, k outer so
// the inner loop runs over contiguous i and vectorizes; each out[i] sums over k in order.
template <class Matrix, class Value, class Acc>
void transposed_matvec(std::span<const Matrix> m, std::span<const Value> e, std::span<Acc> out) {
  const std::size_t n = out.size();
  for (std::size_t i = 0; i < n; ++i) out[i] = 0;
  Acc* __restrict o = out.data();
  for (std::size_t k = 0; k < e.size(); ++k) {
    const Matrix* __restrict row = m.data() + k * n;
    const Acc ek = static_cast<Acc>(e[k]);
    for (std::size_t i = 0; i < n; ++i) o[i] += static_cast<Acc>(row[i]) * ek;
  }
}

// One row of an outer product rounded to a fixed-point grid: out[j] = round(a * x[j] / 2^shift) (integer
// path: the weight gradient a_i P_j of DECOLLE dropped to the gradient's bits). Zero products give zero
// under every rounding (R(0) = 0), so they are not rounded: stochastic rounders draw only for non-zero
// terms. Deterministic rounders leave a loop without branches that vectorizes.
template <class Rounder>
inline void outer_row_shift(std::int64_t a, std::span<const std::int32_t> x, unsigned shift, const Rounder& rounder,
                            std::uint64_t first_index, std::span<std::int64_t> out) {
  const std::size_t n = x.size();
  const std::int32_t* __restrict xs = x.data();
  std::int64_t* __restrict o = out.data();
  if constexpr (Rounder::mode == quant::RoundingMode::stochastic) {
    for (std::size_t j = 0; j < n; ++j) {
      const std::int64_t v = a * xs[j];
      o[j] = v == 0 ? 0 : rounder.shift(v, shift, first_index + j);
    }
  } else {
    for (std::size_t j = 0; j < n; ++j) o[j] = rounder.shift(a * xs[j], shift, first_index + j);
  }
}

}  // namespace qsnn::kernels
