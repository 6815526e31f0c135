#pragma once
// Product quantization (Jegou, Douze & Schmid, "Product quantization for nearest neighbor search", IEEE
// TPAMI 2011): each row is cut into sub-vectors of length d; the sub-vectors of one column
// block (a sub-space) share a codebook of 2^bits centroids learned by k-means over all rows, and each
// sub-vector is replaced by the index of its nearest centroid. A weight then costs bits/d bits, plus the
// codebooks, which are amortized over the rows.
//
// k-means is seeded by k-means++ (Arthur & Vassilvitskii, SODA 2007) with draws from CounterRng keyed by
// (seed, sub-space), so a seed fixes the result; a cluster left empty takes the sub-vector farthest from
// its centroid (lowest index on ties).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "quant/weight_matrix.hpp"

namespace qsnn::quant {

struct ProductQuantizerConfig {
  std::size_t sub_vector_length = 2;  // d: 1..256 weights per sub-vector; must divide the column count
  int bits = 4;                       // 1..16: 2^bits centroids per sub-space
  int max_iterations = 50;            // 1..100000 k-means iterations per sub-space
  std::uint64_t seed = 0;             // k-means++ seeding
};

struct ProductQuantized {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::size_t sub_vector_length = 2;
  int bits = 4;
  // Centroid c of sub-space s, component k at [(s * 2^bits + c) * d + k]. When a sub-space has fewer
  // distinct sub-vectors than centroids, the spare centroids repeat the first one and are never used.
  std::vector<double> codebooks;
  std::vector<std::uint16_t> codes;  // centroid index of sub-space s in row r at [r * subspaces() + s]

  std::size_t subspaces() const { return sub_vector_length == 0 ? 0 : cols / sub_vector_length; }
};

class ProductQuantizer {
 public:
  using Encoded = ProductQuantized;

  // Throws std::invalid_argument unless sub_vector_length is in 1..256, bits in 1..16 and max_iterations
  // in 1..100000.
  explicit ProductQuantizer(ProductQuantizerConfig config = {});

  const ProductQuantizerConfig& config() const { return config_; }
  std::size_t centroid_count() const { return std::size_t{1} << config_.bits; }

  // Throws std::invalid_argument if sub_vector_length does not divide the column count, and
  // std::domain_error on a NaN or infinite weight. Costs O(rows * cols * 2^bits) per k-means iteration.
  ProductQuantized quantize(const WeightMatrixView& weights) const;
  // Throws std::invalid_argument if the encoding's arrays disagree with its shape or a code has no centroid.
  std::vector<double> dequantize(const ProductQuantized& encoded) const;
  // dequantize(quantize(weights)): the forward weights of quantization-aware training.
  std::vector<double> fake_quantize(const WeightMatrixView& weights) const;

  // Code bits per weight, b / d; the codebooks are counted by codebook_bits.
  double bits_per_weight() const {
    return static_cast<double>(config_.bits) / static_cast<double>(config_.sub_vector_length);
  }
  // Bits to store every codebook of a matrix with `cols` columns at `value_bits` bits per centroid
  // component: (cols / d) sub-spaces * 2^bits centroids * d components = cols * 2^bits * value_bits.
  std::uint64_t codebook_bits(std::size_t cols, int value_bits = 32) const {
    return static_cast<std::uint64_t>(cols) * centroid_count() * static_cast<std::uint64_t>(value_bits);
  }

 private:
  ProductQuantizerConfig config_;
};

}  // namespace qsnn::quant
