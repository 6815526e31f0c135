#pragma once
// The fixed random local readout of one DECOLLE layer (Kaiser, Mostafa & Neftci 2020, Front. Neurosci.
// 14:424, sec. 2; ../shared/reference/papers.md §1.3): Y = G x with G drawn once and never trained, a local
// mean-squared-error loss L = 1/2 sum_k (Y_k - yhat_k)^2 against the one-hot label yhat of every time step,
// and the error projected back onto the layer, dL/dx = G^T (Y - yhat).
//
// x is what the layer exposes to its readout (the spikes S, or sigma(U); DecolleReadoutSource). G is
// classes x inputs, row-major, uniform in +-scale / sqrt(inputs) (PyTorch's default linear init, which
// DECOLLE's readouts keep). The fixed-point path holds G as signed codes of DecolleSignals::readout, sums
// Y exactly in 64 bits, and cuts the error to the block format DecolleSignals::error before projecting it
// back (Schaefer & Joshi 2020: errors scaled by a power of two of max|e|, rounded, clipped).
#include <cstdint>
#include <span>
#include <vector>

#include "learning/decolle_signals.hpp"
#include "quant/counter_rng.hpp"
#include "sim/types.hpp"

namespace qsnn::learning {

// A vector of integer mantissas m_i standing for m_i * 2^exponent.
struct BlockVector {
  std::vector<std::int64_t> mantissa;
  int exponent = 0;
};

class DecolleReadout {
 public:
  // Draws G from (seed, stream); error roundings draw from (seed, error_stream).
  DecolleReadout(std::uint32_t classes, std::uint32_t inputs, double scale, sim::NumericPath path,
                 const DecolleSignals& signals, std::uint64_t seed, std::uint64_t stream, std::uint64_t error_stream);

  std::uint32_t classes() const { return classes_; }
  std::uint32_t inputs() const { return inputs_; }

  // Float path: Y = G x.
  void read(std::span<const double> x);
  // Fixed path: Y = G x for codes x of `x_frac_bits` fractional bits (0 for spikes), exact.
  void read(std::span<const std::int32_t> x, int x_frac_bits);

  // The last Y in real units (fixed path: converted for inspection only).
  std::vector<double> output() const;
  // Fixed path: the last Y as exact codes of output_frac_bits() fractional bits.
  std::span<const std::int64_t> output_codes() const { return y_code_; }
  int output_frac_bits() const { return y_frac_; }
  // 1/2 sum_k (Y_k - yhat_k)^2 of the last Y, in real units.
  double loss(std::uint32_t label) const;

  // Float path: back = G^T (Y - yhat).
  void project_error(std::uint32_t label, std::span<double> back) const;
  // Fixed path: the error cut to the error format (saturations counted in error_counts()), projected back
  // exactly: back.mantissa = G^T e codes, and back.exponent their exponent. `step` keys stochastic rounding.
  void project_error(std::uint32_t label, std::uint64_t step, BlockVector& back);
  const quant::OverflowCounts& error_counts() const { return error_counts_; }

  // G in real units, classes x inputs row-major (fixed path: the codes times their step).
  std::vector<double> matrix() const;

 private:
  std::uint32_t classes_, inputs_;
  sim::NumericPath path_;
  BlockFormat error_format_;
  int g_frac_ = 0;
  std::vector<double> g_real_;
  std::vector<std::int16_t> g_code_;
  std::vector<double> y_real_;
  std::vector<std::int64_t> y_code_;
  int y_frac_ = 0;
  quant::OverflowCounts error_counts_;
};

}  // namespace qsnn::learning
