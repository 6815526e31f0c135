#pragma once
// The per-population constants of a discrete-time LIF neuron with current-based exponential synapses, in
// the two numeric paths the simulator offers. Per step, for receptor r and neuron i:
//   I_r <- alpha_r * I_r + input_r                (one input accumulator per receptor)
//   V   <- beta * V + sum_r I_r + bias            (unless refractory: then V stays at the reset value)
//   spike if V > threshold + theta (strict, as Lava's bit-accurate LIF)
//   on spike: V <- reset value or V - (threshold + theta); refractory countdown; theta += theta_plus
//   theta <- gamma * theta                        (adaptive threshold, Diehl & Cook 2015)
// The fixed-point path holds I, V and theta as integer codes of one state unit (2^-state_frac_bits) and
// applies each decay as a multiply by a 2^-decay_shift fraction followed by a named rounding (Loihi uses
// 12-bit fractions: Davies et al. 2018; Lava PyLifModelBitAcc). The float path holds doubles.
#include <array>
#include <cstdint>

#include "quant/overflow.hpp"
#include "quant/qformat.hpp"
#include "quant/rounders.hpp"

namespace qsnn::kernels {

inline constexpr std::size_t kMaxReceptors = 4;

enum class ResetMode : std::uint8_t {
  to_value,  // V <- reset value
  subtract   // V <- V - (threshold + theta): keeps the overshoot
};

struct FixedLifConstants {
  std::size_t receptors = 1;
  unsigned decay_shift = 12;
  std::array<std::int32_t, kMaxReceptors> current_decay{};  // alpha_r * 2^decay_shift
  std::int32_t voltage_decay = 0;                           // beta * 2^decay_shift
  std::int32_t theta_decay = 0;                             // gamma * 2^decay_shift
  std::int64_t bias = 0;                                    // state codes per step
  std::int64_t threshold = 0;
  std::int64_t reset_value = 0;
  std::int64_t theta_plus = 0;
  ResetMode reset = ResetMode::to_value;
  std::uint16_t refractory_steps = 0;
  bool adaptive_threshold = false;
  unsigned input_guard_bits = 0;  // accumulators hold input * 2^guard; rounded once per neuron per step

  quant::QFormat current_format{16, 0, true};
  quant::QFormat voltage_format{16, 0, true};
  quant::QFormat theta_format{16, 0, true};
  quant::OverflowMode current_overflow = quant::OverflowMode::saturate;
  quant::OverflowMode voltage_overflow = quant::OverflowMode::saturate;
  quant::OverflowMode theta_overflow = quant::OverflowMode::saturate;

  quant::RoundingSpec current_decay_rounding{quant::RoundingMode::nearest_even};
  quant::RoundingSpec voltage_decay_rounding{quant::RoundingMode::nearest_even};
  quant::RoundingSpec theta_decay_rounding{quant::RoundingMode::nearest_even};
  quant::RoundingSpec input_rounding{quant::RoundingMode::nearest_even};
};

struct FloatLifConstants {
  std::size_t receptors = 1;
  std::array<double, kMaxReceptors> current_decay{};
  double voltage_decay = 0.0;
  double theta_decay = 0.0;
  double bias = 0.0;
  double threshold = 0.0;
  double reset_value = 0.0;
  double theta_plus = 0.0;
  ResetMode reset = ResetMode::to_value;
  std::uint16_t refractory_steps = 0;
  bool adaptive_threshold = false;
};

// Saturation and wrap counts per state variable.
struct LifOverflowCounts {
  quant::OverflowCounts current;
  quant::OverflowCounts voltage;
  quant::OverflowCounts theta;
  LifOverflowCounts& operator+=(const LifOverflowCounts& other) {
    current += other.current;
    voltage += other.voltage;
    theta += other.theta;
    return *this;
  }
  friend bool operator==(const LifOverflowCounts&, const LifOverflowCounts&) = default;
};

}  // namespace qsnn::kernels
