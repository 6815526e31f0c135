// Product quantizer: per-sub-space k-means codebooks over rows' sub-vectors.
#include <doctest/doctest.h>

#include <stdexcept>
#include <vector>

#include "quant/counter_rng.hpp"
#include "quant/product_quantizer.hpp"
#include "tests/quant/nonuniform_test_support.hpp"

using namespace qsnn::quant;
using qsnn::quant::test::gaussian;
using qsnn::quant::test::mean_squared_error;
using qsnn::quant::test::same_bits;

namespace {

// rows x (subspaces * d) weights whose sub-vectors in each sub-space are drawn from `patterns` distinct
// random vectors (different ones per sub-space).
std::vector<double> repeated_sub_vectors(std::size_t rows, std::size_t subspaces, std::size_t d, std::size_t patterns,
                                         std::uint64_t seed) {
  const auto pool = gaussian(subspaces * patterns * d, seed);
  const CounterRng pick(seed, 1);
  std::vector<double> values(rows * subspaces * d);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t s = 0; s < subspaces; ++s) {
      const std::size_t p = pick.uniform_bits(r, s, 30) % patterns;
      for (std::size_t k = 0; k < d; ++k) values[(r * subspaces + s) * d + k] = pool[(s * patterns + p) * d + k];
    }
  }
  return values;
}

}  // namespace

TEST_CASE("product quantizer: sub-vectors repeated from a few patterns are reconstructed exactly") {
  struct Case {
    std::size_t d;
    std::size_t patterns;
    int bits;
  };
  // Fewer patterns than centroids, exactly as many, and one-dimensional sub-vectors.
  for (const Case c : {Case{2, 5, 3}, Case{4, 4, 2}, Case{1, 3, 2}, Case{3, 16, 4}}) {
    const std::vector<double> values = repeated_sub_vectors(300, 4, c.d, c.patterns, 51);
    const WeightMatrixView weights(values, 300, 4 * c.d);
    const ProductQuantizer quantizer({.sub_vector_length = c.d, .bits = c.bits, .seed = 3});
    CHECK_MESSAGE(quantizer.fake_quantize(weights) == values, "d ", c.d, ", patterns ", c.patterns);
  }
}

TEST_CASE("product quantizer: the same seed gives identical results, another seed other codebooks") {
  const std::vector<double> values = gaussian(400 * 12, 52);
  const WeightMatrixView weights(values, 400, 12);
  const ProductQuantizer a({.sub_vector_length = 3, .bits = 4, .seed = 1});
  const auto first = a.quantize(weights);
  const auto second = a.quantize(weights);
  CHECK(first.codes == second.codes);
  CHECK(same_bits(first.codebooks, second.codebooks));
  const auto other = ProductQuantizer({.sub_vector_length = 3, .bits = 4, .seed = 2}).quantize(weights);
  CHECK(other.codebooks != first.codebooks);
  CHECK(first.subspaces() == 4);
  CHECK(first.codebooks.size() == 4 * 16 * 3);
  CHECK(first.codes.size() == 400 * 4);
}

TEST_CASE("product quantizer: the error decreases with more bits") {
  const std::vector<double> values = gaussian(1000 * 8, 53, 0.5);
  const WeightMatrixView weights(values, 1000, 8);
  double previous = mean_squared_error(values, std::vector<double>(values.size(), 0.0));
  for (int bits = 1; bits <= 7; ++bits) {
    const double mse =
        mean_squared_error(values, ProductQuantizer({.sub_vector_length = 2, .bits = bits}).fake_quantize(weights));
    INFO("bits ", bits, ": mse ", mse);
    CHECK(mse < 0.9 * previous);
    previous = mse;
  }
}

TEST_CASE("product quantizer: every sub-vector is coded by its nearest centroid") {
  const std::vector<double> values = gaussian(200 * 6, 54);
  const WeightMatrixView weights(values, 200, 6);
  const auto encoded = ProductQuantizer({.sub_vector_length = 2, .bits = 3}).quantize(weights);
  const auto distance = [&](std::size_t r, std::size_t s, std::size_t c) {
    double sum = 0.0;
    for (std::size_t k = 0; k < 2; ++k) {
      const double diff = values[r * 6 + s * 2 + k] - encoded.codebooks[(s * 8 + c) * 2 + k];
      sum += diff * diff;
    }
    return sum;
  };
  for (std::size_t r = 0; r < 200; ++r)
    for (std::size_t s = 0; s < 3; ++s)
      for (std::size_t c = 0; c < 8; ++c) CHECK(distance(r, s, encoded.codes[r * 3 + s]) <= distance(r, s, c));
}

TEST_CASE("product quantizer: storage cost and fake_quantize equals dequantize(quantize) bit for bit") {
  const ProductQuantizer quantizer({.sub_vector_length = 4, .bits = 6});
  CHECK(quantizer.bits_per_weight() == 1.5);
  CHECK(quantizer.codebook_bits(32) == 32u * 64u * 32u);
  CHECK(quantizer.codebook_bits(32, 8) == 32u * 64u * 8u);
  const std::vector<double> values = gaussian(100 * 16, 55);
  const WeightMatrixView weights(values, 100, 16);
  CHECK(same_bits(quantizer.fake_quantize(weights), quantizer.dequantize(quantizer.quantize(weights))));
}

TEST_CASE("product quantizer: bad configs, a non-dividing sub-vector length and corrupt codes are rejected") {
  CHECK_THROWS_WITH_AS(ProductQuantizer({.sub_vector_length = 0}), doctest::Contains("sub_vector_length"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(ProductQuantizer({.bits = 17}), doctest::Contains("bits = 17 (allowed 1..16)"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(ProductQuantizer({.max_iterations = 0}), doctest::Contains("max_iterations"),
                       std::invalid_argument);
  const std::vector<double> values(2 * 10, 1.0);
  CHECK_THROWS_WITH_AS(ProductQuantizer({.sub_vector_length = 3}).quantize(WeightMatrixView(values, 2, 10)),
                       doctest::Contains("sub_vector_length = 3 does not divide the 10 columns"),
                       std::invalid_argument);
  auto encoded = ProductQuantizer({.sub_vector_length = 2, .bits = 1}).quantize(WeightMatrixView(values, 2, 10));
  encoded.codes[0] = 2;
  CHECK_THROWS_AS(ProductQuantizer{}.dequantize(encoded), std::invalid_argument);
}
