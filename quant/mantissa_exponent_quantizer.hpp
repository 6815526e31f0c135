#pragma once
// Loihi-style weights: a b-bit integer mantissa per synapse and one exponent shared by a projection (or by
// an output channel); the effective weight is mantissa * 2^(6 + exponent), exponent in -8..7 (Loihi's
// weightExp; ../shared/reference/chips.md sections 1, 2 and 6, after nengo-loihi discretize.py and Lava's
// bit-accurate Dense). Inputs are real effective weights in units of the dendritic accumulator LSB.
//
// Mantissa ranges by sign mode:
//   mixed:       symmetric [-(2^(b-1) - 1), 2^(b-1) - 1]; b counts the sign bit, so b >= 2. Symmetric so
//                that negating a weight is exact and sign-symmetric rounding stays symmetric after clamping;
//                two's complement's extra code -2^(b-1) is left unused.
//   excitatory:  [0, 2^b - 1]; negative weights saturate to 0.
//   inhibitory:  [-(2^b - 1), 0]; positive weights saturate to 0 (stored here with their sign).
// Loihi keeps the b-bit mantissa MSB-aligned in an 8-bit field (a further 2^(8 - b + mixed) factor); that
// factor is folded into the exponent here, as the effective weight above is what the simulator uses.
//
// The exponent is the smallest one at which no weight of the group saturates after rounding, so the
// mantissa keeps the most resolution: with nearest rounding a peak up to (max_mantissa + 1/2) * 2^(6 + exp)
// still fits; with stochastic rounding either neighbour must fit, so the peak must be at most
// max_mantissa * 2^(6 + exp). Weights of a sign the mode cannot represent saturate to 0 at any exponent and
// are ignored. If even exponent 7 cannot hold the group, exponent 7 is used and the excess saturates
// (counted).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "quant/granularity.hpp"
#include "quant/overflow.hpp"
#include "quant/rounders.hpp"
#include "quant/weight_matrix.hpp"

namespace qsnn::quant {

enum class WeightSignMode : std::uint8_t {
  mixed,       // signed mantissa, sign bit included in the weight bits
  excitatory,  // non-negative weights only
  inhibitory   // non-positive weights only
};

std::string_view weight_sign_mode_name(WeightSignMode mode);  // "mixed", "excitatory", "inhibitory"

struct MantissaExponentQuantizerConfig {
  int weight_bits = 8;  // b: 1..8 (2..8 in mixed mode), Loihi's numWeightBits
  WeightSignMode sign_mode = WeightSignMode::mixed;
  // Which weights share an exponent; per tensor is Loihi's one weightExp per projection.
  Granularity granularity = Granularity::per_tensor;
  std::size_t group_size = 0;  // per_group only, >= 1
  RoundingSpec rounding{};     // mantissa = round(w / 2^(6 + exp)); default nearest-even
};

struct MantissaExponentQuantized {
  GroupLayout layout{Granularity::per_tensor, 0, 0};
  int weight_bits = 8;
  WeightSignMode sign_mode = WeightSignMode::mixed;
  std::vector<std::int16_t> mantissas;  // signed mantissa per weight, row-major
  std::vector<std::int8_t> exponents;   // per group of layout, -8..7
  OverflowCounts saturation;            // mantissas clamped into range (never wrapped)

  std::uint64_t saturated() const { return saturation.saturated(); }
};

class MantissaExponentQuantizer {
 public:
  using Encoded = MantissaExponentQuantized;

  static constexpr int kMinExponent = -8;
  static constexpr int kMaxExponent = 7;
  static constexpr int kExponentOffset = 6;  // weights are MSB-aligned by 6 bits in the accumulator

  // Throws std::invalid_argument unless weight_bits is in 1..8 (2..8 for mixed), a stochastic rounding
  // spec has 8..32 random bits and group_size >= 1 for per-group granularity.
  explicit MantissaExponentQuantizer(MantissaExponentQuantizerConfig config = {});

  const MantissaExponentQuantizerConfig& config() const { return config_; }
  std::int64_t min_mantissa() const;
  std::int64_t max_mantissa() const;

  // Stochastic rounding draws from (seed, stream, rng_step, flat element index): give each training step
  // its own rng_step. Throws std::domain_error on a NaN or infinite weight.
  MantissaExponentQuantized quantize(const WeightMatrixView& weights, std::uint64_t rng_step = 0) const;
  // Throws std::invalid_argument if the encoding's arrays disagree with its layout or a value is out of range.
  std::vector<double> dequantize(const MantissaExponentQuantized& encoded) const;
  // dequantize(quantize(weights, rng_step)): the forward weights of quantization-aware training.
  std::vector<double> fake_quantize(const WeightMatrixView& weights, std::uint64_t rng_step = 0) const;

  // Mantissa bits per weight; the 4-bit exponent per group is extra.
  double bits_per_weight() const { return static_cast<double>(config_.weight_bits); }

 private:
  MantissaExponentQuantizerConfig config_;
};

}  // namespace qsnn::quant
