#pragma once
// Non-uniform scalar quantization with learned levels: 2^bits levels per group fitted by Lloyd's algorithm
// (1-D k-means, see lloyd_1d.hpp); a weight's code is the index of its nearest level.
//
// Lloyd runs from the better (lower MSE) of the two uniform min-max grids over the group, the one with
// levels on min and max (an affine b-bit quantizer) and the one with levels at the centres of 2^bits equal
// cells. Lloyd never increases the MSE, so that run is never worse than either uniform grid. A second run
// starts from evenly spaced quantiles, and the lower final MSE is kept.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "quant/granularity.hpp"
#include "quant/weight_matrix.hpp"

namespace qsnn::quant {

struct CodebookQuantizerConfig {
  int bits = 3;                                       // 1..16: 2^bits levels per group
  Granularity granularity = Granularity::per_tensor;  // which weights share a codebook
  std::size_t group_size = 0;                         // per_group only, >= 1
  int max_iterations = 1000;                          // 0..1000000 Lloyd iterations; 0 keeps the start grid
};

struct CodebookQuantized {
  GroupLayout layout{Granularity::per_tensor, 0, 0};
  int bits = 3;
  std::vector<std::uint16_t> codes;  // level index per weight, row-major
  std::vector<double> levels;        // 2^bits ascending levels per group of layout, group after group
  // Per group: the MSE reached and the Lloyd iterations run (for diagnostics only).
  std::vector<double> mse;
  std::vector<unsigned> iterations;
};

class CodebookQuantizer {
 public:
  using Encoded = CodebookQuantized;

  // Throws std::invalid_argument unless bits is in 1..16, max_iterations in 0..1000000 and group_size >= 1
  // for per-group granularity.
  explicit CodebookQuantizer(CodebookQuantizerConfig config = {});

  const CodebookQuantizerConfig& config() const { return config_; }
  std::size_t level_count() const { return std::size_t{1} << config_.bits; }

  // Throws std::domain_error on a NaN or infinite weight.
  CodebookQuantized quantize(const WeightMatrixView& weights) const;
  // Throws std::invalid_argument if the encoding's arrays disagree with its layout or a code has no level.
  std::vector<double> dequantize(const CodebookQuantized& encoded) const;
  // dequantize(quantize(weights)): the forward weights of quantization-aware training.
  std::vector<double> fake_quantize(const WeightMatrixView& weights) const;

  // Code bits only; each group also stores 2^bits levels.
  double bits_per_weight() const { return static_cast<double>(config_.bits); }

 private:
  CodebookQuantizerConfig config_;
};

}  // namespace qsnn::quant
