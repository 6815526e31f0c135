#include "learning/decolle_readout.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "kernels/dense_ops.hpp"

namespace qsnn::learning {

DecolleReadout::DecolleReadout(std::uint32_t classes, std::uint32_t inputs, double scale, sim::NumericPath path,
                               const DecolleSignals& signals, std::uint64_t seed, std::uint64_t stream,
                               std::uint64_t error_stream)
    : classes_(classes), inputs_(inputs), path_(path), error_format_(signals.error) {
  if (classes == 0 || inputs == 0) throw std::invalid_argument("DECOLLE readout: classes and inputs must be >= 1");
  if (!(scale > 0.0) || !std::isfinite(scale)) throw std::invalid_argument("DECOLLE readout: scale must be finite and > 0");
  error_format_.rounding.seed = seed;
  error_format_.rounding.stream = error_stream;
  const quant::CounterRng rng(seed, stream);
  const double bound = scale / std::sqrt(static_cast<double>(inputs));
  const std::size_t n = std::size_t{classes} * inputs;
  g_real_.resize(n);
  for (std::size_t k = 0; k < n; ++k) g_real_[k] = bound * (2.0 * rng.uniform01(0, k) - 1.0);
  if (path == sim::NumericPath::fixed_point) {
    const quant::QFormat format(signals.readout.bits, signals.readout.frac_bits, true);
    if (format.total_bits() > 16) throw std::invalid_argument("DECOLLE readout: at most 16 bits");
    g_frac_ = format.frac_bits();
    g_code_.resize(n);
    quant::OverflowCounts clipped;  // a readout wider than its format is clipped, as any weight would be
    quant::visit_rounder(signals.readout.rounding, 0, [&](const auto& rounder) {
      for (std::size_t k = 0; k < n; ++k)
        g_code_[k] = static_cast<std::int16_t>(
            quant::to_fixed(g_real_[k], format, rounder, quant::OverflowMode::saturate, clipped, k));
    });
    g_real_.clear();
    y_code_.assign(classes, 0);
  } else {
    y_real_.assign(classes, 0.0);
  }
}

void DecolleReadout::read(std::span<const double> x) {
  kernels::dense_matvec<double, double, double>(nullptr, g_real_, x, y_real_);
}

void DecolleReadout::read(std::span<const std::int32_t> x, int x_frac_bits) {
  kernels::dense_matvec<std::int16_t, std::int32_t, std::int64_t>(nullptr, g_code_, x, y_code_);
  y_frac_ = g_frac_ + x_frac_bits;
}

std::vector<double> DecolleReadout::output() const {
  if (path_ == sim::NumericPath::float64) return y_real_;
  std::vector<double> out(classes_);
  for (std::uint32_t k = 0; k < classes_; ++k) out[k] = std::ldexp(static_cast<double>(y_code_[k]), -y_frac_);
  return out;
}

double DecolleReadout::loss(std::uint32_t label) const {
  const std::vector<double> y = output();
  double sum = 0.0;
  for (std::uint32_t k = 0; k < classes_; ++k) {
    const double e = y[k] - (k == label ? 1.0 : 0.0);
    sum += e * e;
  }
  return 0.5 * sum;
}

void DecolleReadout::project_error(std::uint32_t label, std::span<double> back) const {
  std::vector<double> error(classes_);
  for (std::uint32_t k = 0; k < classes_; ++k) error[k] = y_real_[k] - (k == label ? 1.0 : 0.0);
  kernels::transposed_matvec<double, double, double>(g_real_, error, back);
}

void DecolleReadout::project_error(std::uint32_t label, std::uint64_t step, BlockVector& back) {
  std::vector<std::int64_t> error(classes_);
  const std::int64_t one = std::int64_t{1} << y_frac_;  // yhat = 1 in Y's units
  for (std::uint32_t k = 0; k < classes_; ++k) error[k] = y_code_[k] - (k == label ? one : 0);
  const int error_exponent = quantize_block(error, -y_frac_, error_format_, step, error_counts_);
  back.mantissa.resize(inputs_);
  kernels::transposed_matvec<std::int16_t, std::int64_t, std::int64_t>(g_code_, error, back.mantissa);
  back.exponent = error_exponent - g_frac_;
}

std::vector<double> DecolleReadout::matrix() const {
  if (path_ == sim::NumericPath::float64) return g_real_;
  std::vector<double> out(g_code_.size());
  for (std::size_t k = 0; k < out.size(); ++k) out[k] = std::ldexp(static_cast<double>(g_code_[k]), -g_frac_);
  return out;
}

}  // namespace qsnn::learning
