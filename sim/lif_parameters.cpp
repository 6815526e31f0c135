#include "sim/lif_parameters.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "quant/qformat.hpp"

namespace qsnn::sim {
namespace {

void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}

void require_positive(double value, const char* field) {
  require(std::isfinite(value) && value > 0.0,
          std::string("LIF parameter ") + field + " = " + std::to_string(value) + " (allowed: > 0)");
}

void require_finite(double value, const char* field) {
  require(std::isfinite(value), std::string("LIF parameter ") + field + " is not finite");
}

// A constant in state codes, rounded to nearest and required to fit 32 bits signed.
std::int64_t to_code(double value, const FixedPointSpec& spec, const char* field) {
  quant::OverflowCounts counts;
  const std::int64_t code = quant::to_fixed(value, quant::QFormat(32, spec.state_frac_bits, true),
                                            quant::NearestEvenRounder{}, quant::OverflowMode::saturate, counts);
  require(counts.total() == 0, std::string("LIF parameter ") + field + " = " + std::to_string(value) +
                                   " does not fit 32-bit state codes with " +
                                   std::to_string(spec.state_frac_bits) + " fractional bits");
  return code;
}

std::int32_t decay_multiplier(double decay, unsigned shift) {
  return static_cast<std::int32_t>(quant::NearestEvenRounder{}.real(std::ldexp(decay, static_cast<int>(shift))));
}

}  // namespace

void LifParameters::validate() const {
  require_positive(dt_ms, "dt_ms");
  require_positive(tau_mem_ms, "tau_mem_ms");
  require(!tau_syn_ms.empty() && tau_syn_ms.size() <= kernels::kMaxReceptors,
          "LIF parameter tau_syn_ms has " + std::to_string(tau_syn_ms.size()) + " receptors (allowed: 1..4)");
  for (double tau : tau_syn_ms) require_positive(tau, "tau_syn_ms");
  require_finite(v_rest, "v_rest");
  require_finite(v_reset, "v_reset");
  require_finite(v_threshold, "v_threshold");
  require_finite(steady_drive, "steady_drive");
  require(std::isfinite(refractory_ms) && refractory_ms >= 0.0 && refractory_ms / dt_ms <= 65535.0,
          "LIF parameter refractory_ms = " + std::to_string(refractory_ms) + " (allowed: 0 .. 65535 steps)");
  require_finite(theta_plus, "theta_plus");
  require_positive(tau_theta_ms, "tau_theta_ms");
}

double LifParameters::voltage_decay() const { return std::exp(-dt_ms / tau_mem_ms); }
double LifParameters::current_decay(std::size_t receptor) const { return std::exp(-dt_ms / tau_syn_ms.at(receptor)); }
double LifParameters::theta_decay() const { return std::exp(-dt_ms / tau_theta_ms); }
std::uint16_t LifParameters::refractory_steps() const {
  return static_cast<std::uint16_t>(std::lround(refractory_ms / dt_ms));
}

double LifParameters::weight_for_conductance_jump(double jump, std::size_t receptor) const {
  return jump * (1.0 - current_decay(receptor)) * tau_syn_ms.at(receptor) / tau_mem_ms;
}

void FixedPointSpec::validate() const {
  auto width_ok = [](int bits) { return bits >= 8 && bits <= 32; };
  require(width_ok(current_bits), "fixed-point current_bits = " + std::to_string(current_bits) + " (allowed: 8..32)");
  require(width_ok(voltage_bits), "fixed-point voltage_bits = " + std::to_string(voltage_bits) + " (allowed: 8..32)");
  require(width_ok(theta_bits), "fixed-point theta_bits = " + std::to_string(theta_bits) + " (allowed: 8..32)");
  require(state_frac_bits >= 0 && state_frac_bits <= 24,
          "fixed-point state_frac_bits = " + std::to_string(state_frac_bits) + " (allowed: 0..24)");
  require(decay_shift >= 1 && decay_shift <= 24,
          "fixed-point decay_shift = " + std::to_string(decay_shift) + " (allowed: 1..24)");
}

double FixedPointSpec::state_step() const { return std::ldexp(1.0, -state_frac_bits); }

kernels::FloatLifConstants discretize_float(const LifParameters& p) {
  p.validate();
  kernels::FloatLifConstants c;
  c.receptors = p.tau_syn_ms.size();
  for (std::size_t r = 0; r < c.receptors; ++r) c.current_decay[r] = p.current_decay(r);
  c.voltage_decay = p.voltage_decay();
  c.theta_decay = p.theta_decay();
  c.bias = (1.0 - c.voltage_decay) * p.steady_drive;
  c.threshold = p.v_threshold - p.v_rest;
  c.reset_value = p.v_reset - p.v_rest;
  c.theta_plus = p.theta_plus;
  c.reset = p.reset;
  c.refractory_steps = p.refractory_steps();
  c.adaptive_threshold = p.adaptive_threshold;
  return c;
}

kernels::FixedLifConstants discretize_fixed(const LifParameters& p, const FixedPointSpec& spec) {
  spec.validate();
  const kernels::FloatLifConstants real = discretize_float(p);
  kernels::FixedLifConstants c;
  c.receptors = real.receptors;
  c.decay_shift = spec.decay_shift;
  for (std::size_t r = 0; r < c.receptors; ++r) c.current_decay[r] = decay_multiplier(real.current_decay[r], spec.decay_shift);
  c.voltage_decay = decay_multiplier(real.voltage_decay, spec.decay_shift);
  c.theta_decay = decay_multiplier(real.theta_decay, spec.decay_shift);
  c.bias = to_code(real.bias, spec, "steady_drive");
  c.threshold = to_code(real.threshold, spec, "v_threshold");
  c.reset_value = to_code(real.reset_value, spec, "v_reset");
  c.theta_plus = to_code(real.theta_plus, spec, "theta_plus");
  c.reset = real.reset;
  c.refractory_steps = real.refractory_steps;
  c.adaptive_threshold = real.adaptive_threshold;
  c.current_format = quant::QFormat(spec.current_bits, spec.state_frac_bits, true);
  c.voltage_format = quant::QFormat(spec.voltage_bits, spec.state_frac_bits, true);
  c.theta_format = quant::QFormat(spec.theta_bits, spec.state_frac_bits, true);
  c.current_overflow = spec.current_overflow;
  c.voltage_overflow = spec.voltage_overflow;
  c.theta_overflow = spec.theta_overflow;
  c.current_decay_rounding = spec.current_decay_rounding;
  c.voltage_decay_rounding = spec.voltage_decay_rounding;
  c.theta_decay_rounding = spec.theta_decay_rounding;
  c.input_rounding = spec.input_rounding;
  require(c.voltage_format.contains(c.threshold) && c.voltage_format.contains(c.reset_value),
          "LIF threshold and reset must fit the voltage format " + c.voltage_format.to_string());
  return c;
}

}  // namespace qsnn::sim
