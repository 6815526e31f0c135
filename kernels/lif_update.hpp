#pragma once
// The neuron-update loops: one block of neurons per call, state as structure-of-arrays. The rounders are
// template parameters, so the run-time rounding choice is made once per block (dispatch_fixed_lif_update),
// never per neuron.
#include <cstdint>
#include <vector>

#include "kernels/lif_constants.hpp"
#include "quant/qformat.hpp"
#include "quant/rounders.hpp"

namespace qsnn::kernels {

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

template <class CurrentRounder, class VoltageRounder>
void update_fixed_lif(const FixedLifConstants& c, const LifStateSpans<std::int32_t>& s,
                      const ReceptorInputs<std::int64_t>& input, std::uint32_t begin, std::uint32_t end,
                      const CurrentRounder& current_rounder, const VoltageRounder& voltage_rounder,
                      std::vector<std::uint32_t>& spikes, LifOverflowCounts& counts) {
  using quant::fit_code;
  for (std::uint32_t i = begin; i < end; ++i) {
    std::int64_t total_current = 0;
    for (std::size_t r = 0; r < c.receptors; ++r) {
      const std::int64_t decayed = current_rounder.shift(static_cast<std::int64_t>(s.current[r][i]) * c.current_decay[r],
                                                         c.decay_shift, current_rounding_index(i, r));
      const std::int64_t current = fit_code(decayed + input[r][i], c.current_format, c.current_overflow, counts.current);
      input[r][i] = 0;
      s.current[r][i] = static_cast<std::int32_t>(current);
      total_current += current;
    }
    if (s.refractory[i] > 0) {
      --s.refractory[i];
      s.voltage[i] = static_cast<std::int32_t>(c.reset_value);
      continue;
    }
    const std::int64_t decayed = voltage_rounder.shift(static_cast<std::int64_t>(s.voltage[i]) * c.voltage_decay,
                                                       c.decay_shift, i);
    const std::int64_t injected = s.injection != nullptr ? s.injection[i] : 0;
    std::int64_t voltage =
        fit_code(decayed + total_current + c.bias + injected, c.voltage_format, c.voltage_overflow, counts.voltage);
    const std::int64_t threshold = c.adaptive_threshold ? c.threshold + s.theta[i] : c.threshold;
    if (voltage > threshold) {
      spikes.push_back(i);
      voltage = c.reset == ResetMode::to_value
                    ? c.reset_value
                    : fit_code(voltage - threshold, c.voltage_format, c.voltage_overflow, counts.voltage);
      s.refractory[i] = c.refractory_steps;
      if (c.adaptive_threshold)
        s.theta[i] = static_cast<std::int32_t>(
            fit_code(s.theta[i] + c.theta_plus, c.theta_format, c.theta_overflow, counts.theta));
    }
    s.voltage[i] = static_cast<std::int32_t>(voltage);
  }
}

// theta <- gamma * theta, in its own pass so its rounding is dispatched separately.
template <class ThetaRounder>
void decay_fixed_theta(const FixedLifConstants& c, std::int32_t* theta, std::uint32_t begin, std::uint32_t end,
                       const ThetaRounder& rounder) {
  for (std::uint32_t i = begin; i < end; ++i)
    theta[i] = static_cast<std::int32_t>(rounder.shift(static_cast<std::int64_t>(theta[i]) * c.theta_decay,
                                                       c.decay_shift, i));
}

// Accumulators carry `guard` extra fractional bits so that projections with negative weight exponents
// are summed exactly; this rounds the sum once per neuron per step.
template <class InputRounder>
void round_fixed_inputs(std::int64_t* input, unsigned guard, std::uint32_t begin, std::uint32_t end,
                        const InputRounder& rounder) {
  for (std::uint32_t i = begin; i < end; ++i) input[i] = rounder.shift(input[i], guard, i);
}

// One block of the fixed path: input rounding, state update, threshold and reset, theta decay. Each
// rounding choice is dispatched here once per block.
inline void dispatch_fixed_lif_update(const FixedLifConstants& c, const LifStateSpans<std::int32_t>& s,
                                      const ReceptorInputs<std::int64_t>& input, std::uint32_t begin,
                                      std::uint32_t end, std::uint64_t step, std::vector<std::uint32_t>& spikes,
                                      LifOverflowCounts& counts) {
  if (c.input_guard_bits > 0) {
    quant::visit_rounder(c.input_rounding, step, [&](const auto& rounder) {
      for (std::size_t r = 0; r < c.receptors; ++r) round_fixed_inputs(input[r], c.input_guard_bits, begin, end, rounder);
    });
  }
  quant::visit_rounder(c.current_decay_rounding, step, [&](const auto& current_rounder) {
    quant::visit_rounder(c.voltage_decay_rounding, step, [&](const auto& voltage_rounder) {
      update_fixed_lif(c, s, input, begin, end, current_rounder, voltage_rounder, spikes, counts);
    });
  });
  if (c.adaptive_threshold) {
    quant::visit_rounder(c.theta_decay_rounding, step,
                         [&](const auto& rounder) { decay_fixed_theta(c, s.theta, begin, end, rounder); });
  }
}

inline void update_float_lif(const FloatLifConstants& c, const LifStateSpans<double>& s,
                             const ReceptorInputs<double>& input, std::uint32_t begin, std::uint32_t end,
                             std::vector<std::uint32_t>& spikes) {
  for (std::uint32_t i = begin; i < end; ++i) {
    double total_current = 0.0;
    for (std::size_t r = 0; r < c.receptors; ++r) {
      const double current = c.current_decay[r] * s.current[r][i] + input[r][i];
      input[r][i] = 0.0;
      s.current[r][i] = current;
      total_current += current;
    }
    if (s.refractory[i] > 0) {
      --s.refractory[i];
      s.voltage[i] = c.reset_value;
    } else {
      const double injected = s.injection != nullptr ? s.injection[i] : 0.0;
      double voltage = c.voltage_decay * s.voltage[i] + total_current + c.bias + injected;
      const double threshold = c.adaptive_threshold ? c.threshold + s.theta[i] : c.threshold;
      if (voltage > threshold) {
        spikes.push_back(i);
        voltage = c.reset == ResetMode::to_value ? c.reset_value : voltage - threshold;
        s.refractory[i] = c.refractory_steps;
        if (c.adaptive_threshold) s.theta[i] += c.theta_plus;
      }
      s.voltage[i] = voltage;
    }
    if (c.adaptive_threshold) s.theta[i] *= c.theta_decay;
  }
}

}  // namespace qsnn::kernels
