#pragma once
// Logarithmic (power-of-two) weights: a sign bit plus a (bits-1)-bit magnitude field j. Field 0 is zero;
// field j >= 1 is scale * 2^(j - J) with J = 2^(bits-1) - 1, so the largest level equals the group's
// scale = max|w| and the levels halve downward (Miyashita, Lee & Murmann 2016, arXiv:1603.01025,
// with their full-scale range set to max|w|). Multiplying by such a weight is a shift; the price is
// coarse steps for large weights.
//
// With bits = 1 there is no magnitude field: every weight is +-scale (sign(0) = +1).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "quant/granularity.hpp"
#include "quant/rounders.hpp"
#include "quant/weight_matrix.hpp"

namespace qsnn::quant {

struct PowerOfTwoQuantizerConfig {
  int bits = 4;                                       // 1..8: one sign bit plus bits-1 magnitude bits
  Granularity granularity = Granularity::per_tensor;  // which weights share scale = max|w|
  std::size_t group_size = 0;                         // per_group only, >= 1
  // Unset: the nearest level in the linear domain; magnitudes below half the smallest level become 0 and
  // ties go to the larger magnitude. Set: log2(|w| / scale) is rounded by this spec (stochastic modes draw
  // per weight index), and exponents below the smallest level become 0, as in Miyashita et al.
  std::optional<RoundingSpec> log2_rounding{};
};

struct PowerOfTwoQuantized {
  GroupLayout layout{Granularity::per_tensor, 0, 0};
  int bits = 4;
  // sign * field, row-major: 0 is zero, +-j is +-scale * 2^(j - J). With bits = 1, +-1 is +-scale.
  std::vector<std::int8_t> codes;
  std::vector<double> scales;  // max|w| per group of layout
};

class PowerOfTwoQuantizer {
 public:
  using Encoded = PowerOfTwoQuantized;

  // Throws std::invalid_argument unless bits is in 1..8, a stochastic log2_rounding has 8..32 random bits
  // and group_size >= 1 for per-group granularity.
  explicit PowerOfTwoQuantizer(PowerOfTwoQuantizerConfig config = {});

  const PowerOfTwoQuantizerConfig& config() const { return config_; }

  // Stochastic log2 rounding draws from (seed, stream, rng_step, flat element index): give each training
  // step its own rng_step. Throws std::domain_error on a NaN or infinite weight.
  PowerOfTwoQuantized quantize(const WeightMatrixView& weights, std::uint64_t rng_step = 0) const;
  // Throws std::invalid_argument if the encoding's arrays disagree with its layout or a code is out of range.
  std::vector<double> dequantize(const PowerOfTwoQuantized& encoded) const;
  // dequantize(quantize(weights, rng_step)): the forward weights of quantization-aware training.
  std::vector<double> fake_quantize(const WeightMatrixView& weights, std::uint64_t rng_step = 0) const;

  double bits_per_weight() const { return static_cast<double>(config_.bits); }

  // The largest magnitude field, J = 2^(bits-1) - 1 (0 for bits = 1); bits in 1..8.
  static int max_field(int bits) { return (1 << (bits - 1)) - 1; }
  // The magnitude a field stands for: 0 for field 0, else scale * 2^(field - J); scale for bits = 1.
  static double level(int bits, double scale, int field);

 private:
  PowerOfTwoQuantizerConfig config_;
};

}  // namespace qsnn::quant
