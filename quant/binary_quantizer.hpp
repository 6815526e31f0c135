#pragma once
// Binary weights: w ~ alpha * sign(w), one scale alpha per group (XNOR-Net, Rastegari et al., ECCV 2016,
// binary-weight networks: with the signs fixed, alpha = mean|w| minimizes ||w - alpha * sign(w)||^2).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "quant/granularity.hpp"
#include "quant/weight_matrix.hpp"

namespace qsnn::quant {

struct BinaryQuantizerConfig {
  Granularity granularity = Granularity::per_channel;  // which weights share alpha
  std::size_t group_size = 0;                          // per_group only, >= 1
};

struct BinaryQuantized {
  GroupLayout layout{Granularity::per_tensor, 0, 0};
  std::vector<std::int8_t> codes;  // +1 or -1 per weight, row-major; sign(0) = +1
  std::vector<double> scales;      // alpha per group of layout
};

class BinaryQuantizer {
 public:
  using Encoded = BinaryQuantized;

  // Throws std::invalid_argument for per-group granularity with group_size 0.
  explicit BinaryQuantizer(BinaryQuantizerConfig config = {});

  const BinaryQuantizerConfig& config() const { return config_; }

  // Throws std::domain_error on a NaN or infinite weight.
  BinaryQuantized quantize(const WeightMatrixView& weights) const;
  // Throws std::invalid_argument if the encoding's arrays disagree with its layout or a code is not +-1.
  std::vector<double> dequantize(const BinaryQuantized& encoded) const;
  // dequantize(quantize(weights)): the forward weights of quantization-aware training.
  std::vector<double> fake_quantize(const WeightMatrixView& weights) const;

  // One sign bit per weight; the scales (one per group) are extra.
  double bits_per_weight() const { return 1.0; }

 private:
  BinaryQuantizerConfig config_;
};

}  // namespace qsnn::quant
