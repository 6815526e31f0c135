#pragma once
// Bit widths and roundings of every signal of DECOLLE's fixed-point path (learning/decolle_layer.hpp), after
// Schaefer & Joshi, "Quantizing SNNs with Integers", ICONS 2020 (../shared/reference/papers.md §1.4), whose
// defaults are: weights 8 (per layer, DecolleLayerSpec), synapse trace Q 10, membrane trace P 12,
// refractory trace R 2, error 6, learning signal 6, gradient 10 (stochastically rounded), sigmoid 6.
//
// Three kinds of signal:
//   traces Q, P, R      unsigned, every bit fractional: values in [0, 1 - 2^-bits] (they relax toward a
//                       spike train, so never leave [0, 1]; 1 itself saturates, counted);
//   fixed formats       membrane U (signed), surrogate derivative sigma'(U) and sigmoid sigma(U) (unsigned,
//                       tables indexed by U), readout matrix G (signed): bits and fractional bits;
//   block formats       error, learning signal, gradient: WAGE-style (Wu et al. 2018, as in Schaefer & Joshi's
//                       quantization.py): a vector is divided by 2^round(log2 max|x|), scaled to `bits`-bit
//                       signed mantissas, rounded and clipped to +-(2^(bits-1) - 1). Unlike WAGE the shared
//                       power-of-two exponent is kept, so the quantized vector still has the gradient's
//                       magnitude (block floating point) and the learning rate keeps its float meaning.
// A rounding per signal; stochastic ones draw from the counter RNG keyed (seed, stream of the layer and
// signal, time step, element index).
#include <bit>
#include <cstdint>
#include <span>

#include "quant/overflow.hpp"
#include "quant/qformat.hpp"
#include "quant/rounders.hpp"

namespace qsnn::learning {

struct SignalFormat {
  int bits = 8;
  int frac_bits = 8;
  quant::RoundingSpec rounding{quant::RoundingMode::nearest_even};
};

struct BlockFormat {
  int bits = 6;
  quant::RoundingSpec rounding{quant::RoundingMode::nearest_even};
};

struct DecolleSignals {
  SignalFormat synapse_trace{10, 10};   // Q (frac_bits is taken equal to bits)
  SignalFormat membrane_trace{12, 12};  // P
  SignalFormat refractory{2, 2};        // R
  // U: Schaefer & Joshi keep 6 bits with a per-layer scale learned from the data; with a fixed scale the
  // membrane needs more range, hence 16 bits with 10 fractional (|U| < 32).
  SignalFormat membrane{16, 10};
  SignalFormat surrogate{6, 8};  // sigma'(U) <= steepness / 4: 6 bits below 2^-2
  SignalFormat sigmoid{6, 6};    // sigma(U) in (0, 1), for a readout of sigma(U)
  SignalFormat readout{8, 8};    // G
  BlockFormat error{6};
  BlockFormat learning_signal{6};
  BlockFormat gradient{10, {quant::RoundingMode::stochastic}};
  unsigned decay_shift = 16;  // alpha, beta, gamma as multiples of 2^-decay_shift
};

// Saturations of one layer's signals, summed over steps.
struct DecolleSignalCounts {
  quant::OverflowCounts synapse_trace, membrane_trace, refractory, membrane, error, learning_signal, gradient;
  quant::OverflowCounts total() const {
    quant::OverflowCounts t;
    for (const auto* c : {&synapse_trace, &membrane_trace, &refractory, &membrane, &error, &learning_signal, &gradient})
      t += *c;
    return t;
  }
  DecolleSignalCounts& operator+=(const DecolleSignalCounts& o) {
    synapse_trace += o.synapse_trace;
    membrane_trace += o.membrane_trace;
    refractory += o.refractory;
    membrane += o.membrane;
    error += o.error;
    learning_signal += o.learning_signal;
    gradient += o.gradient;
    return *this;
  }
};

// round(log2 m) for m >= 1: the exponent of the power of two nearest to m on a log scale, i.e.
// floor(log2 m) + 1 when m >= sqrt(2) 2^floor(log2 m), decided exactly as m^2 >= 2^(2 floor + 1).
inline int round_log2(std::uint64_t m) {
  const int f = std::bit_width(m) - 1;
  __extension__ using Wide = unsigned __int128;  // m^2 needs up to 128 bits
  const Wide square = static_cast<Wide>(m) * m;
  return square >= (static_cast<Wide>(1) << (2 * f + 1)) ? f + 1 : f;
}

// How a block of integers x (real value x * 2^exponent) is cut to `bits`-bit mantissas: mantissa =
// round(x * 2^(bits - 1 - scale)) where scale = round(log2 max|x|). A left shift (scale < bits - 1) is
// exact; otherwise `shift` low bits are dropped by the signal's rounder.
struct BlockScale {
  int scale = 0;  // round(log2 max|x|); meaningless when max|x| = 0
  bool zero = true;
  unsigned right_shift(int bits) const { return scale > bits - 1 ? static_cast<unsigned>(scale - (bits - 1)) : 0U; }
  unsigned left_shift(int bits) const { return scale < bits - 1 ? static_cast<unsigned>(bits - 1 - scale) : 0U; }
  // The exponent of the mantissas given that of the inputs.
  int mantissa_exponent(int input_exponent, int bits) const { return input_exponent + scale - (bits - 1); }
};
inline BlockScale block_scale(std::uint64_t max_magnitude) {
  if (max_magnitude == 0) return {};
  return {round_log2(max_magnitude), false};
}

// One value of a block through its rounder and clip (into +-(2^(bits-1) - 1), counted).
template <class Rounder>
std::int64_t block_mantissa(std::int64_t x, const BlockScale& s, int bits, const Rounder& rounder, std::uint64_t index,
                            quant::OverflowCounts& counts) {
  const quant::QFormat mantissa(bits, 0, true);
  const std::int64_t scaled = rounder.shift(x * (std::int64_t{1} << s.left_shift(bits)), s.right_shift(bits), index);
  return quant::fit_code(scaled, mantissa, quant::OverflowMode::saturate_symmetric, counts);
}

// Quantizes x in place to `format`; returns the mantissas' exponent. |x| must stay below 2^40 (so the exact
// left shift by at most bits - 1 <= 15 cannot overflow).
inline int quantize_block(std::span<std::int64_t> x, int input_exponent, const BlockFormat& format, std::uint64_t step,
                          quant::OverflowCounts& counts) {
  std::uint64_t max_magnitude = 0;
  for (const std::int64_t v : x) {
    const std::uint64_t m = v < 0 ? static_cast<std::uint64_t>(-v) : static_cast<std::uint64_t>(v);
    max_magnitude = m > max_magnitude ? m : max_magnitude;
  }
  const BlockScale s = block_scale(max_magnitude);
  if (s.zero) return input_exponent;
  quant::visit_rounder(format.rounding, step, [&](const auto& rounder) {
    for (std::size_t i = 0; i < x.size(); ++i)
      if (x[i] != 0) x[i] = block_mantissa(x[i], s, format.bits, rounder, i, counts);
  });
  return s.mantissa_exponent(input_exponent, format.bits);
}

}  // namespace qsnn::learning
