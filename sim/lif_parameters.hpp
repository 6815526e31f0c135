#pragma once
// LIF parameters in the model's own units, and their discretization into the constants of either numeric
// path. Voltages are in one user-chosen unit (typically mV); the kernels work relative to v_rest.
//
// Per step of dt (exact integration of the leak for piecewise-constant drive):
//   I_r <- exp(-dt/tau_syn_r) I_r + (weights of spikes arriving on receptor r)
//   V   <- exp(-dt/tau_mem) V + sum_r I_r + (1 - exp(-dt/tau_mem)) * steady_drive
// so a current I held constant moves V towards I / (1 - exp(-dt/tau_mem)). Weights are therefore in
// voltage units per step; weight_for_conductance_jump() converts a Brian2-style jump of a synaptic
// variable g in dv/dt = (g - (v - v_rest)) / tau_mem.
#include <cstdint>
#include <vector>

#include "kernels/lif_constants.hpp"
#include "quant/overflow.hpp"
#include "quant/rounders.hpp"

namespace qsnn::sim {

struct LifParameters {
  double dt_ms = 1.0;
  double tau_mem_ms = 20.0;
  std::vector<double> tau_syn_ms{5.0};  // one time constant per receptor (1..4)
  double v_rest = 0.0;
  double v_reset = 0.0;
  double v_threshold = 1.0;
  double steady_drive = 0.0;  // V relaxes to v_rest + steady_drive without input
  double refractory_ms = 0.0;
  kernels::ResetMode reset = kernels::ResetMode::to_value;
  bool adaptive_threshold = false;
  double theta_plus = 0.0;     // threshold increase per spike
  double tau_theta_ms = 1e7;   // decay of theta

  // Throws std::invalid_argument naming the field and its allowed range.
  void validate() const;

  double voltage_decay() const;                 // exp(-dt/tau_mem)
  double current_decay(std::size_t receptor) const;
  double theta_decay() const;
  std::uint16_t refractory_steps() const;       // round(refractory_ms / dt)
  // A jump of g (voltage units) in dv/dt = (g - (v - v_rest))/tau_mem, dg/dt = -g/tau_syn_r (Brian2's
  // CUBA model), as the weight this model adds to I_r: the one whose summed voltage increments,
  // w / (1 - alpha_r), equal the jump's integral jump * tau_syn_r / tau_mem.
  double weight_for_conductance_jump(double jump, std::size_t receptor) const;
};

// How the fixed-point path represents the state.
struct FixedPointSpec {
  int state_frac_bits = 8;  // one state code = 2^-state_frac_bits voltage units
  int current_bits = 16;    // widths 8..32
  int voltage_bits = 16;
  int theta_bits = 16;
  quant::OverflowMode current_overflow = quant::OverflowMode::saturate;
  quant::OverflowMode voltage_overflow = quant::OverflowMode::saturate;
  quant::OverflowMode theta_overflow = quant::OverflowMode::saturate;
  unsigned decay_shift = 12;  // decays are multiples of 2^-12, as Loihi's
  quant::RoundingSpec current_decay_rounding{quant::RoundingMode::nearest_even};
  quant::RoundingSpec voltage_decay_rounding{quant::RoundingMode::nearest_even};
  quant::RoundingSpec theta_decay_rounding{quant::RoundingMode::nearest_even};
  quant::RoundingSpec input_rounding{quant::RoundingMode::nearest_even};

  void validate() const;
  double state_step() const;  // voltage units per code
};

kernels::FloatLifConstants discretize_float(const LifParameters& parameters);
// Constants are rounded to nearest (ties to even) and must fit their formats, else std::invalid_argument.
kernels::FixedLifConstants discretize_fixed(const LifParameters& parameters, const FixedPointSpec& spec);

}  // namespace qsnn::sim
