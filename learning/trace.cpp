#include "learning/trace.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "quant/fixed_ops.hpp"

namespace qsnn::learning {
namespace {

void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}

}  // namespace

TraceArray::TraceArray(const TraceSpec& spec, sim::NeuronIndex size, double dt_ms, std::uint64_t rng_seed,
                       std::uint64_t rng_stream)
    : spec_(spec), factor_(0.0), values_(size, 0.0) {
  require(spec.tau_ms > 0.0 && std::isfinite(spec.tau_ms), "trace tau_ms must be finite and > 0");
  require(spec.impulse > 0.0 && std::isfinite(spec.impulse), "trace impulse must be finite and > 0");
  require(dt_ms > 0.0, "trace dt_ms must be > 0");
  factor_ = std::exp(-dt_ms / spec.tau_ms);
  if (spec.fixed) {
    const TraceFixedPoint& f = *spec.fixed;
    require(f.bits >= 1 && f.bits <= 31, "trace bits " + std::to_string(f.bits) + " (allowed 1..31)");
    require(f.frac_bits >= 0 && f.frac_bits <= 30, "trace frac_bits " + std::to_string(f.frac_bits) + " (allowed 0..30)");
    format_.emplace(f.bits, f.frac_bits, false);
    require(std::ceil(std::ldexp(spec.impulse, f.frac_bits)) <= static_cast<double>(format_->max_code()),
            "trace impulse " + std::to_string(spec.impulse) + " does not fit " + format_->to_string());
    rounding_ = f.rounding;
    rounding_.seed = rng_seed;
    rounding_.stream = rng_stream;
  }
}

void TraceArray::reset() {
  values_.assign(values_.size(), 0.0);
  saturations_ = {};
}

void TraceArray::decay(sim::Step t) {
  if (!format_) {
    for (double& x : values_) x *= factor_;
    return;
  }
  // Rounding steps 2t (decay) and 2t + 1 (impulse): the two roundings of one step draw independently.
  quant::visit_rounder(rounding_, 2 * t, [&](const auto& rounder) {
    quant::OverflowCounts never;  // x * factor < x: the decay cannot leave the format
    for (std::size_t i = 0; i < values_.size(); ++i) {
      if (values_[i] == 0.0) continue;
      const std::int64_t code =
          quant::to_fixed(values_[i] * factor_, *format_, rounder, quant::OverflowMode::saturate, never, i);
      values_[i] = quant::to_real(code, *format_);
    }
  });
}

void TraceArray::add_spikes(sim::Step t, std::span<const sim::NeuronIndex> spikes) {
  if (spikes.empty()) return;
  if (!format_) {
    if (spec_.pairing == Pairing::nearest) {
      for (sim::NeuronIndex i : spikes) values_[i] = spec_.impulse;
    } else {
      for (sim::NeuronIndex i : spikes) values_[i] += spec_.impulse;
    }
    return;
  }
  quant::visit_rounder(rounding_, 2 * t + 1, [&](const auto& rounder) {
    quant::OverflowCounts never;  // checked in the constructor: one impulse fits
    for (sim::NeuronIndex i : spikes) {
      // A fractional impulse is rounded per spike (Loihi: integer part plus a stochastically rounded fraction).
      const std::int64_t impulse =
          quant::to_fixed(spec_.impulse, *format_, rounder, quant::OverflowMode::saturate, never, i);
      std::int64_t code = impulse;
      if (spec_.pairing == Pairing::all_to_all) {
        const auto current = static_cast<std::int64_t>(std::ldexp(values_[i], format_->frac_bits()));  // exact
        code = quant::add_fit(current, impulse, *format_, quant::OverflowMode::saturate, saturations_);
      }
      values_[i] = quant::to_real(code, *format_);
    }
  });
}

}  // namespace qsnn::learning
