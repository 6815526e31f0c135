#include "learning/decolle_layer.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "kernels/dense_ops.hpp"
#include "kernels/plasticity.hpp"
#include "quant/counter_rng.hpp"
#include "quant/saturate.hpp"

namespace qsnn::learning {
namespace {

// Counter-RNG stream offsets inside a layer's 256 (write-back: +0 and +1, resolve_write_back).
constexpr std::uint64_t kInitialWeightStream = 2;
constexpr std::uint64_t kSynapseTraceStream = 16, kMembraneTraceStream = 17, kRefractoryStream = 18,
                        kMembraneStream = 19, kSignalStream = 20, kGradientStream = 21;

void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// The surrogate derivative of Theta (Kaiser et al. 2020, sec. 2.3: the derivative of a sigmoid).
double surrogate_derivative(double u, double steepness) {
  const double s = sigmoid(steepness * u);
  return steepness * s * (1.0 - s);
}

quant::RoundingSpec keyed(quant::RoundingSpec r, std::uint64_t seed, std::uint64_t stream) {
  r.seed = seed;
  r.stream = stream;
  if (quant::is_stochastic(r.mode)) quant::detail::require_random_bits(r.random_bits);
  return r;
}

// A trace of `bits` bits, all fractional (values in [0, 1)).
quant::QFormat trace_format(const SignalFormat& f, const std::string& where, const char* what) {
  require(f.bits >= 1 && f.bits <= 16, where + what + " trace bits " + std::to_string(f.bits) + " (allowed 1..16)");
  return {f.bits, f.bits, false};
}

// x <- d x + (1 - d) y for codes x (fx fractional bits) and y (fy), d = d_code 2^-shift: the sum is exact at
// scale 2^-(shift + fx + fy) (at most 17 + 16 + 16 bits) and rounded once to fx.
template <class Rounder>
std::int64_t relax_code(std::int64_t x, std::int64_t y, std::int64_t d_code, unsigned shift, int fx, int fy,
                        const Rounder& rounder, std::uint64_t index) {
  const std::int64_t one = std::int64_t{1} << shift;
  const std::int64_t wide = d_code * x * (std::int64_t{1} << fy) + (one - d_code) * y * (std::int64_t{1} << fx);
  return rounder.shift(wide, shift + static_cast<unsigned>(fy), index);
}

std::uint64_t magnitude(std::int64_t v) { return v < 0 ? static_cast<std::uint64_t>(-v) : static_cast<std::uint64_t>(v); }

}  // namespace

DecolleLayer::DecolleLayer(const DecolleLayerSpec& spec, DecolleLayerContext context)
    : spec_(spec), context_(std::move(context)) {
  const std::string where = context_.name + ": ";
  if (is_conv()) {
    conv().validate();
    inputs_ = conv().input_size();
    outputs_ = conv().output_size();
    weight_count_ = conv().kernel_size();
  } else {
    const auto& d = std::get<DenseShape>(spec_.shape);
    require(d.inputs >= 1 && d.outputs >= 1, where + "a dense layer needs inputs and outputs >= 1");
    inputs_ = d.inputs;
    outputs_ = d.outputs;
    weight_count_ = std::size_t{d.inputs} * d.outputs;
  }
  for (const double tau : {spec_.tau_mem_ms, spec_.tau_syn_ms, spec_.tau_ref_ms})
    require(tau > 0.0 && std::isfinite(tau), where + "time constants must be finite and > 0");
  require(context_.dt_ms > 0.0 && std::isfinite(context_.dt_ms), where + "dt must be finite and > 0");
  require(spec_.weight_bits >= 2 && spec_.weight_bits <= 16,
          where + "weight bits " + std::to_string(spec_.weight_bits) + " (allowed 2..16)");
  require(spec_.weight_frac_bits >= -16 && spec_.weight_frac_bits <= 24,
          where + "weight fractional bits " + std::to_string(spec_.weight_frac_bits) + " (allowed -16..24)");
  require(spec_.init_scale >= 0.0 && std::isfinite(spec_.init_scale), where + "init_scale must be finite and >= 0");
  require(std::isfinite(spec_.refractory_weight) && std::isfinite(spec_.bias), where + "rho and bias must be finite");
  require(context_.surrogate_steepness > 0.0 && std::isfinite(context_.surrogate_steepness),
          where + "surrogate steepness must be finite and > 0");
  alpha_ = std::exp(-context_.dt_ms / spec_.tau_mem_ms);
  beta_ = std::exp(-context_.dt_ms / spec_.tau_syn_ms);
  gamma_ = std::exp(-context_.dt_ms / spec_.tau_ref_ms);

  const bool float_path = context_.path == sim::NumericPath::float64;
  WeightGrid grid;
  grid.where = where;
  grid.float_target = float_path;
  grid.on_grid = !float_path || (spec_.write_back.mode && *spec_.write_back.mode != WriteBackMode::exact);
  grid.off_grid_hint = " needs an explicit quantized or shadow mode";
  grid.unit = std::ldexp(1.0, -spec_.weight_frac_bits);
  grid.min_code = -(std::int64_t{1} << (spec_.weight_bits - 1));
  grid.max_code = (std::int64_t{1} << (spec_.weight_bits - 1)) - 1;
  wb_ = resolve_write_back(spec_.write_back, grid, context_.seed, context_.stream_base);

  // Fixed partition of the weights into blocks of output rows (dense) or output channels (conv).
  const std::size_t per_row = is_conv() ? conv().kernel_per_output_channel() : inputs_;
  if (is_conv()) {
    for (std::uint32_t oc = 0; oc < conv().out_channels; ++oc)
      blocks_.push_back({.begin = oc * per_row, .end = (oc + 1) * per_row});
  } else {
    const auto rows = static_cast<std::uint32_t>(outputs_);
    for (std::size_t b = 0; b < kernels::dense_row_blocks(rows); ++b) {
      const kernels::RowRange r = kernels::dense_block_rows(b, rows);
      blocks_.push_back({.begin = r.begin * per_row, .end = r.end * per_row});
    }
  }

  if (!float_path) {
    const DecolleSignals& s = context_.signals;
    q_format_ = trace_format(s.synapse_trace, where, "synapse");
    p_format_ = trace_format(s.membrane_trace, where, "membrane");
    r_format_ = trace_format(s.refractory, where, "refractory");
    fq_ = q_format_.frac_bits();
    fp_ = p_format_.frac_bits();
    fr_ = r_format_.frac_bits();
    require(s.membrane.bits >= 2 && s.membrane.bits <= 20,
            where + "membrane bits " + std::to_string(s.membrane.bits) + " (allowed 2..20: one table entry per code)");
    u_format_ = quant::QFormat(s.membrane.bits, s.membrane.frac_bits, true);
    fu_ = s.membrane.frac_bits;
    fw_ = spec_.weight_frac_bits;
    require(fw_ + fp_ >= fu_ && fw_ + fp_ >= fr_,
            where + "weight + membrane-trace fractional bits must be >= the membrane's and the refractory trace's");
    require(s.decay_shift >= 1 && s.decay_shift <= 24, where + "decay shift (allowed 1..24)");
    for (const SignalFormat* f : {&s.surrogate, &s.sigmoid})
      require(f->bits >= 1 && f->bits <= 16, where + "surrogate and sigmoid bits (allowed 1..16)");
    for (const BlockFormat* f : {&s.error, &s.learning_signal, &s.gradient})
      require(f->bits >= 2 && f->bits <= 16, where + "error, learning-signal and gradient bits (allowed 2..16)");
    fs_ = s.surrogate.frac_bits;
    fsig_ = s.sigmoid.frac_bits;
    q_rounding_ = keyed(s.synapse_trace.rounding, context_.seed, context_.stream_base + kSynapseTraceStream);
    p_rounding_ = keyed(s.membrane_trace.rounding, context_.seed, context_.stream_base + kMembraneTraceStream);
    r_rounding_ = keyed(s.refractory.rounding, context_.seed, context_.stream_base + kRefractoryStream);
    u_rounding_ = keyed(s.membrane.rounding, context_.seed, context_.stream_base + kMembraneStream);
    signal_format_ = s.learning_signal;
    signal_format_.rounding = keyed(signal_format_.rounding, context_.seed, context_.stream_base + kSignalStream);
    gradient_format_ = s.gradient;
    gradient_format_.rounding = keyed(gradient_format_.rounding, context_.seed, context_.stream_base + kGradientStream);

    // Constants of the fixed path, rounded to nearest once here (parameters, not signals).
    const quant::NearestEvenRounder nearest;
    const int shift = static_cast<int>(s.decay_shift);
    alpha_code_ = static_cast<std::int64_t>(nearest.real(std::ldexp(alpha_, shift)));
    beta_code_ = static_cast<std::int64_t>(nearest.real(std::ldexp(beta_, shift)));
    gamma_code_ = static_cast<std::int64_t>(nearest.real(std::ldexp(gamma_, shift)));
    const double rho = nearest.real(std::ldexp(spec_.refractory_weight, fw_ + fp_ - fr_));
    const double bias = nearest.real(std::ldexp(spec_.bias, fw_ + fp_));
    require(std::abs(rho) < 0x1.0p40 && std::abs(bias) < 0x1.0p40, where + "rho or bias too large for the fixed path");
    rho_wide_ = static_cast<std::int64_t>(rho);
    bias_wide_ = static_cast<std::int64_t>(bias);

    // sigma'(U) and sigma(U) per membrane code: the activation tables of the fixed path.
    const quant::QFormat surrogate_format(s.surrogate.bits, fs_, false), sigmoid_format(s.sigmoid.bits, fsig_, false);
    const auto codes = static_cast<std::size_t>(u_format_.max_code() - u_format_.min_code() + 1);
    surrogate_table_.resize(codes);
    sigmoid_table_.resize(codes);
    quant::OverflowCounts table_clipped;  // sigma' above the format's top (steep surrogates) saturates
    for (std::size_t c = 0; c < codes; ++c) {
      const double u = quant::to_real(u_format_.min_code() + static_cast<std::int64_t>(c), u_format_);
      surrogate_table_[c] = static_cast<std::uint16_t>(
          quant::to_fixed(surrogate_derivative(u, context_.surrogate_steepness), surrogate_format, nearest,
                          quant::OverflowMode::saturate, table_clipped));
      sigmoid_table_[c] = static_cast<std::uint16_t>(quant::to_fixed(
          sigmoid(context_.surrogate_steepness * u), sigmoid_format, nearest, quant::OverflowMode::saturate, table_clipped));
    }
  }
  init_weights();
  reset_state();
}

std::size_t DecolleLayer::positions() const {
  return is_conv() ? std::size_t{conv().out_height()} * conv().out_width() : 1;
}

std::uint32_t DecolleLayer::output_channels() const {
  return is_conv() ? conv().out_channels : static_cast<std::uint32_t>(outputs_);
}

void DecolleLayer::init_weights() {
  const quant::CounterRng rng(context_.seed, context_.stream_base + kInitialWeightStream);
  const std::size_t fan_in = is_conv() ? conv().kernel_per_output_channel() : inputs_;
  const double bound = spec_.init_scale / std::sqrt(static_cast<double>(fan_in));
  std::vector<double> w(weight_count_);
  for (std::size_t k = 0; k < w.size(); ++k) w[k] = bound * (2.0 * rng.uniform01(0, k) - 1.0);
  set_weights(w);
}

void DecolleLayer::set_weights(std::span<const double> weights) {
  require(weights.size() == weight_count_, context_.name + ": set_weights needs one weight per synapse");
  const quant::NearestEvenRounder nearest;
  quant::OverflowCounts clipped;
  if (context_.path == sim::NumericPath::float64) {
    w_real_.assign(weights.begin(), weights.end());
    if (wb_.mode != WriteBackMode::exact) {
      for (double& w : w_real_)
        w = quant::saturate_real(nearest.real(w / wb_.unit), wb_.code_lower, wb_.code_upper, clipped) * wb_.unit;
    }
  } else {
    const quant::QFormat format(spec_.weight_bits, spec_.weight_frac_bits, true);
    w_code_.resize(weight_count_);
    for (std::size_t k = 0; k < weight_count_; ++k) {
      const std::int64_t code = quant::to_fixed(weights[k], format, nearest, quant::OverflowMode::saturate, clipped);
      w_code_[k] = static_cast<std::int16_t>(quant::saturate_code(code, static_cast<std::int64_t>(wb_.code_lower),
                                                                  static_cast<std::int64_t>(wb_.code_upper), clipped));
    }
  }
  reset_shadow();
}

void DecolleLayer::reset_shadow() {
  for (WeightBlock& block : blocks_) {
    WriteBackState& state = block.state;
    state.dirty.clear();
    if (wb_.mode != WriteBackMode::shadow) continue;
    const std::size_t n = block.end - block.begin;
    state.shadow.resize(n);
    state.is_dirty.assign(n, 0);
    for (std::size_t k = 0; k < n; ++k)
      state.shadow[k] = context_.path == sim::NumericPath::float64 ? w_real_[block.begin + k] / wb_.unit
                                                                   : static_cast<double>(w_code_[block.begin + k]);
  }
}

void DecolleLayer::reset_state() {
  spikes_.assign(outputs_, 0);
  if (context_.path == sim::NumericPath::float64) {
    q_.assign(inputs_, 0.0);
    p_.assign(inputs_, 0.0);
    r_.assign(outputs_, 0.0);
    u_.assign(outputs_, 0.0);
  } else {
    q_code_.assign(inputs_, 0);
    p_code_.assign(inputs_, 0);
    r_code_.assign(outputs_, 0);
    u_code_.assign(outputs_, 0);
    wide_.assign(outputs_, 0);
  }
}

void DecolleLayer::forward(std::span<const std::uint8_t> input, std::uint64_t t) {
  if (input.size() != inputs_)
    throw std::invalid_argument(context_.name + ": " + std::to_string(input.size()) + " inputs given, " +
                                std::to_string(inputs_) + " expected");
  if (context_.path == sim::NumericPath::float64) forward_float(input);
  else forward_fixed(input, t);
}

void DecolleLayer::forward_float(std::span<const std::uint8_t> input) {
  for (std::size_t j = 0; j < inputs_; ++j) {
    q_[j] = beta_ * q_[j] + (1.0 - beta_) * static_cast<double>(input[j]);
    p_[j] = alpha_ * p_[j] + (1.0 - alpha_) * q_[j];
  }
  if (is_conv()) kernels::conv_forward<double, double, double>(context_.arena, conv(), w_real_, p_, u_);
  else kernels::dense_matvec<double, double, double>(context_.arena, w_real_, p_, u_);
  for (std::size_t i = 0; i < outputs_; ++i) {
    u_[i] += spec_.bias - spec_.refractory_weight * r_[i];
    spikes_[i] = u_[i] > 0.0 ? 1 : 0;
    r_[i] = gamma_ * r_[i] + (1.0 - gamma_) * static_cast<double>(spikes_[i]);
  }
}

void DecolleLayer::forward_fixed(std::span<const std::uint8_t> input, std::uint64_t t) {
  const unsigned shift = context_.signals.decay_shift;
  quant::visit_rounder(q_rounding_, t, [&](const auto& rounder) {
    for (std::size_t j = 0; j < inputs_; ++j)
      q_code_[j] = static_cast<std::int32_t>(quant::fit_code(
          relax_code(q_code_[j], input[j], beta_code_, shift, fq_, 0, rounder, j), q_format_,
          quant::OverflowMode::saturate, counts_.synapse_trace));
  });
  quant::visit_rounder(p_rounding_, t, [&](const auto& rounder) {
    for (std::size_t j = 0; j < inputs_; ++j)
      p_code_[j] = static_cast<std::int32_t>(quant::fit_code(
          relax_code(p_code_[j], q_code_[j], alpha_code_, shift, fp_, fq_, rounder, j), p_format_,
          quant::OverflowMode::saturate, counts_.membrane_trace));
  });
  if (is_conv()) {
    kernels::conv_forward<std::int16_t, std::int32_t, std::int64_t>(context_.arena, conv(), w_code_, p_code_, wide_);
  } else {
    kernels::dense_matvec<std::int16_t, std::int32_t, std::int64_t>(context_.arena, w_code_, p_code_, wide_);
  }
  const auto u_shift = static_cast<unsigned>(fw_ + fp_ - fu_);
  quant::visit_rounder(u_rounding_, t, [&](const auto& rounder) {
    for (std::size_t i = 0; i < outputs_; ++i) {
      const std::int64_t wide = wide_[i] - rho_wide_ * r_code_[i] + bias_wide_;
      u_code_[i] = static_cast<std::int32_t>(
          quant::fit_code(rounder.shift(wide, u_shift, i), u_format_, quant::OverflowMode::saturate, counts_.membrane));
      spikes_[i] = u_code_[i] > 0 ? 1 : 0;
    }
  });
  quant::visit_rounder(r_rounding_, t, [&](const auto& rounder) {
    for (std::size_t i = 0; i < outputs_; ++i)
      r_code_[i] = static_cast<std::int32_t>(quant::fit_code(
          relax_code(r_code_[i], spikes_[i], gamma_code_, shift, fr_, 0, rounder, i), r_format_,
          quant::OverflowMode::saturate, counts_.refractory));
  });
}

void DecolleLayer::read_out(DecolleReadout& readout, DecolleReadoutSource source) const {
  if (context_.path == sim::NumericPath::float64) {
    std::vector<double> x(outputs_);
    for (std::size_t i = 0; i < outputs_; ++i)
      x[i] = source == DecolleReadoutSource::spikes ? static_cast<double>(spikes_[i])
                                                    : sigmoid(context_.surrogate_steepness * u_[i]);
    readout.read(x);
  } else {
    std::vector<std::int32_t> x(outputs_);
    for (std::size_t i = 0; i < outputs_; ++i)
      x[i] = source == DecolleReadoutSource::spikes
                 ? spikes_[i]
                 : sigmoid_table_[static_cast<std::size_t>(u_code_[i] - u_format_.min_code())];
    readout.read(x, source == DecolleReadoutSource::spikes ? 0 : fsig_);
  }
}

void DecolleLayer::learn(std::span<const double> back, std::uint64_t t, double rate) {
  if (context_.path != sim::NumericPath::float64) throw std::logic_error(context_.name + ": float learn on the fixed path");
  if (back.size() != outputs_) throw std::invalid_argument(context_.name + ": one back-projected error per neuron");
  signal_.resize(outputs_);
  for (std::size_t i = 0; i < outputs_; ++i) signal_[i] = back[i] * surrogate_derivative(u_[i], context_.surrogate_steepness);
  last_gradient_.resize(weight_count_);
  const std::size_t per_row = is_conv() ? conv().kernel_per_output_channel() : inputs_;
  kernels::for_each_block(context_.arena, blocks_.size(), [&](std::size_t b) {
    WeightBlock& block = blocks_[b];
    std::span<double> gradient(last_gradient_.data() + block.begin, block.end - block.begin);
    if (is_conv()) {
      kernels::conv_kernel_gradient<double, double, double>(conv(), static_cast<std::uint32_t>(b), signal_, p_, gradient);
    } else {
      for (std::size_t row = block.begin / per_row; row < block.end / per_row; ++row)
        for (std::size_t j = 0; j < per_row; ++j) last_gradient_[row * per_row + j] = signal_[row] * p_[j];
    }
    quant::visit_rounder(wb_.update_rounding, t, [&](const auto& rounder) {
      WeightWriter<double, std::decay_t<decltype(rounder)>> writer(
          wb_, rate, std::span<double>(w_real_.data() + block.begin, block.end - block.begin), block.state, rounder);
      for (std::uint32_t k = 0; k < gradient.size(); ++k)
        if (gradient[k] != 0.0) writer.propose(k, block.begin + k, -gradient[k] / wb_.unit);
    });
  });
  maybe_requantize(t);
}

void DecolleLayer::learn(const BlockVector& back, std::uint64_t t, double rate) {
  if (context_.path != sim::NumericPath::fixed_point) throw std::logic_error(context_.name + ": fixed learn on the float path");
  if (back.mantissa.size() != outputs_) throw std::invalid_argument(context_.name + ": one back-projected error per neuron");
  // Learning signal back_i sigma'(U_i), exact, then cut to its block format.
  signal_code_.resize(outputs_);
  for (std::size_t i = 0; i < outputs_; ++i)
    signal_code_[i] = back.mantissa[i] * surrogate_table_[static_cast<std::size_t>(u_code_[i] - u_format_.min_code())];
  signal_exponent_ = quantize_block(signal_code_, back.exponent - fs_, signal_format_, t, counts_.learning_signal);
  write_gradient(t, rate);
  maybe_requantize(t);
}

// Fixed path: the gradient sum_positions a_i P_j (exponent signal_exponent_ - fp_) cut to the gradient's block
// format with one power-of-two scale for the whole layer, then proposed to the write-back.
void DecolleLayer::write_gradient(std::uint64_t t, double rate) {
  const int bits = gradient_format_.bits;
  const std::size_t per_row = is_conv() ? conv().kernel_per_output_channel() : inputs_;
  std::uint64_t max_gradient = 0;
  std::vector<quant::OverflowCounts> clipped(blocks_.size());
  if (is_conv()) {
    // Sums over positions: computed in full first, as their maximum sets the scale.
    std::vector<std::uint64_t> block_max(blocks_.size(), 0);
    kernels::for_each_block(context_.arena, blocks_.size(), [&](std::size_t b) {
      WeightBlock& block = blocks_[b];
      block.gradient.resize(block.end - block.begin);
      kernels::conv_kernel_gradient<std::int64_t, std::int32_t, std::int64_t>(conv(), static_cast<std::uint32_t>(b),
                                                                              signal_code_, p_code_, block.gradient);
      for (const std::int64_t g : block.gradient) block_max[b] = std::max(block_max[b], magnitude(g));
    });
    for (const std::uint64_t m : block_max) max_gradient = std::max(max_gradient, m);
  } else {
    // a_i P_j with P_j >= 0: the largest product is max|a| max P.
    std::uint64_t max_signal = 0, max_trace = 0;
    for (const std::int64_t a : signal_code_) max_signal = std::max(max_signal, magnitude(a));
    for (const std::int32_t p : p_code_) max_trace = std::max(max_trace, magnitude(p));
    max_gradient = max_signal * max_trace;
  }
  const BlockScale scale = block_scale(max_gradient);
  if (scale.zero) return;
  const int exponent = scale.mantissa_exponent(signal_exponent_ - fp_, bits);
  const unsigned right = scale.right_shift(bits), left = scale.left_shift(bits);
  const quant::QFormat mantissa(bits, 0, true);

  kernels::for_each_block(context_.arena, blocks_.size(), [&](std::size_t b) {
    WeightBlock& block = blocks_[b];
    const std::size_t n = block.end - block.begin;
    quant::visit_rounder(gradient_format_.rounding, t, [&](const auto& rounder) {
      if (is_conv()) {
        for (std::size_t k = 0; k < n; ++k)
          if (block.gradient[k] != 0)
            block.gradient[k] = block_mantissa(block.gradient[k], scale, bits, rounder, block.begin + k, clipped[b]);
        return;
      }
      block.gradient.assign(n, 0);
      for (std::size_t row = block.begin / per_row; row < block.end / per_row; ++row) {
        const std::int64_t a = signal_code_[row];
        if (a == 0) continue;
        const std::span<std::int64_t> out(block.gradient.data() + (row * per_row - block.begin), per_row);
        kernels::outer_row_shift(a * (std::int64_t{1} << left), p_code_, right, rounder, row * per_row, out);
        for (std::int64_t& g : out)
          g = quant::fit_code(g, mantissa, quant::OverflowMode::saturate_symmetric, clipped[b]);
      }
    });
    quant::visit_rounder(wb_.update_rounding, t, [&](const auto& rounder) {
      WeightWriter<std::int16_t, std::decay_t<decltype(rounder)>> writer(
          wb_, rate, std::span<std::int16_t>(w_code_.data() + block.begin, n), block.state, rounder);
      // The mantissa times 2^exponent is dL/dW; one weight step is 2^-fw.
      for (std::uint32_t k = 0; k < n; ++k)
        if (block.gradient[k] != 0)
          writer.propose(k, block.begin + k, -std::ldexp(static_cast<double>(block.gradient[k]), exponent + fw_));
    });
  });
  for (const quant::OverflowCounts& c : clipped) counts_.gradient += c;
}

void DecolleLayer::maybe_requantize(std::uint64_t t) {
  ++learn_steps_;
  if (wb_.mode != WriteBackMode::shadow || learn_steps_ % wb_.requantize_every != 0) return;
  requantize(t);
}

void DecolleLayer::requantize(std::uint64_t t) {
  if (wb_.mode != WriteBackMode::shadow) return;
  kernels::for_each_block(context_.arena, blocks_.size(), [&](std::size_t b) {
    WeightBlock& block = blocks_[b];
    const std::size_t n = block.end - block.begin;
    if (context_.path == sim::NumericPath::float64)
      requantize_block(wb_, t, std::span<double>(w_real_.data() + block.begin, n), block.state);
    else
      requantize_block(wb_, t, std::span<std::int16_t>(w_code_.data() + block.begin, n), block.state);
  });
}

std::vector<double> DecolleLayer::weights_in_steps() const {
  std::vector<double> out(weight_count_);
  for (const WeightBlock& block : blocks_) {
    for (std::size_t k = 0; k < block.end - block.begin; ++k) {
      const std::size_t s = block.begin + k;
      if (wb_.mode == WriteBackMode::shadow) out[s] = block.state.shadow[k];
      else if (context_.path == sim::NumericPath::float64) out[s] = w_real_[s] / wb_.unit;
      else out[s] = static_cast<double>(w_code_[s]);
    }
  }
  return out;
}

std::vector<double> DecolleLayer::forward_weights() const {
  if (context_.path == sim::NumericPath::float64) return w_real_;
  std::vector<double> out(weight_count_);
  for (std::size_t k = 0; k < weight_count_; ++k) out[k] = static_cast<double>(w_code_[k]) * wb_.unit;
  return out;
}

namespace {
template <class Code>
std::vector<double> to_reals(std::span<const Code> codes, int frac_bits) {
  std::vector<double> out(codes.size());
  for (std::size_t k = 0; k < codes.size(); ++k) out[k] = std::ldexp(static_cast<double>(codes[k]), -frac_bits);
  return out;
}
}  // namespace

std::vector<double> DecolleLayer::membrane() const {
  return context_.path == sim::NumericPath::float64 ? u_ : to_reals<std::int32_t>(u_code_, fu_);
}
std::vector<double> DecolleLayer::membrane_trace() const {
  return context_.path == sim::NumericPath::float64 ? p_ : to_reals<std::int32_t>(p_code_, fp_);
}
std::vector<double> DecolleLayer::synaptic_trace() const {
  return context_.path == sim::NumericPath::float64 ? q_ : to_reals<std::int32_t>(q_code_, fq_);
}
std::vector<double> DecolleLayer::refractory_trace() const {
  return context_.path == sim::NumericPath::float64 ? r_ : to_reals<std::int32_t>(r_code_, fr_);
}

WeightStatistics DecolleLayer::weight_statistics() const {
  WeightStatistics total;
  for (const WeightBlock& block : blocks_) total += block.state.stats;
  return total;
}

void DecolleLayer::reset_weight_statistics() {
  for (WeightBlock& block : blocks_) block.state.stats = {};
}

}  // namespace qsnn::learning
