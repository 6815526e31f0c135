#pragma once
// Ternary weights: w ~ alpha * t with t in {-1, 0, +1} (Ternary Weight Networks, Li & Liu 2016,
// arXiv:1605.04711). Per group, weights with |w| <= delta = threshold_factor * mean|w|
// become 0; the rest keep their sign and share alpha = mean |w| over |w| > delta, the MSE-optimal scale
// for those codes.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "quant/granularity.hpp"
#include "quant/weight_matrix.hpp"

namespace qsnn::quant {

struct TernaryQuantizerConfig {
  // delta / mean|w|; 0.7 is TWN's approximation of the optimal threshold for Gaussian or uniform weights.
  double threshold_factor = 0.7;                       // finite, >= 0
  Granularity granularity = Granularity::per_channel;  // which weights share delta and alpha
  std::size_t group_size = 0;                          // per_group only, >= 1
};

struct TernaryQuantized {
  GroupLayout layout{Granularity::per_tensor, 0, 0};
  std::vector<std::int8_t> codes;  // -1, 0 or +1 per weight, row-major
  std::vector<double> scales;      // alpha per group; 0 when no weight of the group exceeds delta
  std::vector<double> thresholds;  // delta per group (for inspection; dequantize does not need it)
};

class TernaryQuantizer {
 public:
  using Encoded = TernaryQuantized;

  // Throws std::invalid_argument unless threshold_factor is finite and >= 0 (and group_size >= 1 for
  // per-group granularity).
  explicit TernaryQuantizer(TernaryQuantizerConfig config = {});

  const TernaryQuantizerConfig& config() const { return config_; }

  // Throws std::domain_error on a NaN or infinite weight.
  TernaryQuantized quantize(const WeightMatrixView& weights) const;
  // Throws std::invalid_argument if the encoding's arrays disagree with its layout or a code is not a trit.
  std::vector<double> dequantize(const TernaryQuantized& encoded) const;
  // dequantize(quantize(weights)): the forward weights of quantization-aware training.
  std::vector<double> fake_quantize(const WeightMatrixView& weights) const;

  // A 2-bit field per weight (packing five trits per byte would reach 1.6); scales are extra.
  double bits_per_weight() const { return 2.0; }

 private:
  TernaryQuantizerConfig config_;
};

}  // namespace qsnn::quant
