#include "quant/product_quantizer.hpp"

#include <algorithm>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>

#include "quant/counter_rng.hpp"
#include "quant/quantizer_checks.hpp"

namespace qsnn::quant {

namespace {

constexpr const char* kName = "product quantizer";

// The sub-vectors of one sub-space, gathered contiguously (point p at [p * dim, (p + 1) * dim)).
struct Points {
  std::vector<double> data;
  std::size_t count = 0;
  std::size_t dim = 0;
  std::span<const double> operator[](std::size_t p) const { return {data.data() + p * dim, dim}; }
};

double squared_distance(std::span<const double> a, std::span<const double> b) {
  double sum = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    const double diff = a[k] - b[k];
    sum += diff * diff;
  }
  return sum;
}

class KMeans {
 public:
  KMeans(const Points& points, std::size_t clusters, CounterRng rng)
      : points_(points),
        clusters_(clusters),
        rng_(rng),
        centroids_(clusters * points.dim, 0.0),
        assignment_(points.count, 0),
        distance_(points.count, 0.0) {}

  std::span<const double> centroid(std::size_t c) const { return {centroids_.data() + c * points_.dim, points_.dim}; }
  const std::vector<double>& centroids() const { return centroids_; }
  const std::vector<std::size_t>& assignment() const { return assignment_; }

  // k-means++: the first centroid uniformly, each next one with probability proportional to the squared
  // distance to the nearest chosen centroid. Once every point coincides with a centroid the rest repeat
  // centroid 0, which loses ties to it (lower index) and so stays unused.
  void seed() {
    if (points_.count == 0) return;
    const auto first = static_cast<std::size_t>(rng_.uniform01(0, 0) * static_cast<double>(points_.count));
    set_centroid(0, points_[std::min(first, points_.count - 1)]);
    for (std::size_t p = 0; p < points_.count; ++p) distance_[p] = squared_distance(points_[p], centroid(0));
    for (std::size_t c = 1; c < clusters_; ++c) {
      double total = 0.0;
      for (const double d : distance_) total += d;
      if (total == 0.0) {
        for (std::size_t rest = c; rest < clusters_; ++rest) set_centroid(rest, centroid(0));
        return;
      }
      const double target = rng_.uniform01(c, 0) * total;
      std::size_t chosen = points_.count;
      std::size_t last_positive = 0;
      double cumulative = 0.0;
      for (std::size_t p = 0; p < points_.count; ++p) {
        if (distance_[p] <= 0.0) continue;
        last_positive = p;
        cumulative += distance_[p];
        if (cumulative > target) {
          chosen = p;
          break;
        }
      }
      if (chosen == points_.count) chosen = last_positive;  // target lost to rounding at the very top
      set_centroid(c, points_[chosen]);
      for (std::size_t p = 0; p < points_.count; ++p)
        distance_[p] = std::min(distance_[p], squared_distance(points_[p], centroid(c)));
    }
  }

  // Nearest centroid for every point (lowest index on ties); returns how many points changed cluster.
  std::size_t assign() {
    std::size_t changed = 0;
    for (std::size_t p = 0; p < points_.count; ++p) {
      std::size_t best = 0;
      double best_distance = std::numeric_limits<double>::infinity();
      for (std::size_t c = 0; c < clusters_; ++c) {
        const double d = squared_distance(points_[p], centroid(c));
        if (d < best_distance) {
          best_distance = d;
          best = c;
        }
      }
      if (best != assignment_[p]) ++changed;
      assignment_[p] = best;
      distance_[p] = best_distance;
    }
    return changed;
  }

  // Centroids to the means of their points; an empty cluster takes the point farthest from its centroid.
  void update() {
    const std::size_t dim = points_.dim;
    // Sums of offsets from each cluster's first point: a cluster of identical points then gets that point
    // exactly (sum / n of n equal values can miss by an ulp), and the offsets cancel less than raw sums.
    std::vector<double> offsets(clusters_ * dim, 0.0);
    std::vector<std::size_t> sizes(clusters_, 0);
    std::vector<std::size_t> first(clusters_, 0);
    for (std::size_t p = 0; p < points_.count; ++p) {
      const std::size_t c = assignment_[p];
      if (sizes[c]++ == 0) first[c] = p;
      for (std::size_t k = 0; k < dim; ++k)
        offsets[c * dim + k] += points_.data[p * dim + k] - points_.data[first[c] * dim + k];
    }
    for (std::size_t c = 0; c < clusters_; ++c) {
      if (sizes[c] == 0) continue;
      for (std::size_t k = 0; k < dim; ++k)
        centroids_[c * dim + k] =
            points_.data[first[c] * dim + k] + offsets[c * dim + k] / static_cast<double>(sizes[c]);
    }
    for (std::size_t c = 0; c < clusters_; ++c) {
      if (sizes[c] != 0) continue;
      const auto farthest =
          static_cast<std::size_t>(std::max_element(distance_.begin(), distance_.end()) - distance_.begin());
      if (points_.count == 0 || distance_[farthest] <= 0.0) return;  // every point already sits on a centroid
      set_centroid(c, points_[farthest]);
      distance_[farthest] = 0.0;  // taken: the next empty cluster looks elsewhere
    }
  }

 private:
  void set_centroid(std::size_t c, std::span<const double> value) {
    std::copy(value.begin(), value.end(), centroids_.begin() + static_cast<std::ptrdiff_t>(c * points_.dim));
  }

  const Points& points_;
  std::size_t clusters_;
  CounterRng rng_;
  std::vector<double> centroids_;
  std::vector<std::size_t> assignment_;
  std::vector<double> distance_;  // squared distance of each point to its centroid (to the nearest while seeding)
};

}  // namespace

ProductQuantizer::ProductQuantizer(ProductQuantizerConfig config) : config_(config) {
  if (config_.sub_vector_length < 1 || config_.sub_vector_length > 256)
    detail::throw_config_error(kName, "sub_vector_length", config_.sub_vector_length, "1..256");
  detail::require_config_range(kName, "bits", config_.bits, 1, 16);
  detail::require_config_range(kName, "max_iterations", config_.max_iterations, 1, 100000);
}

ProductQuantized ProductQuantizer::quantize(const WeightMatrixView& weights) const {
  const std::size_t dim = config_.sub_vector_length;
  if (weights.cols % dim != 0)
    throw std::invalid_argument(std::string(kName) + ": sub_vector_length = " + std::to_string(dim) +
                                " does not divide the " + std::to_string(weights.cols) +
                                " columns (allowed: a divisor of the column count)");
  detail::require_finite_weights(kName, weights);
  const std::size_t clusters = centroid_count();
  ProductQuantized encoded{weights.rows, weights.cols, config_.sub_vector_length, config_.bits, {}, {}};
  const std::size_t subspaces = encoded.subspaces();
  encoded.codebooks.reserve(subspaces * clusters * dim);
  encoded.codes.resize(weights.rows * subspaces);
  Points points{std::vector<double>(weights.rows * dim), weights.rows, dim};
  for (std::size_t s = 0; s < subspaces; ++s) {
    for (std::size_t r = 0; r < weights.rows; ++r) {
      const auto block = weights.row(r).subspan(s * dim, dim);
      std::copy(block.begin(), block.end(), points.data.begin() + static_cast<std::ptrdiff_t>(r * dim));
    }
    KMeans kmeans(points, clusters, CounterRng{config_.seed, s});
    kmeans.seed();
    // Ends right after an assignment, so the codes are the nearest centroids of the final codebook.
    for (int iteration = 0;; ++iteration) {
      const std::size_t changed = kmeans.assign();
      if ((iteration > 0 && changed == 0) || iteration == config_.max_iterations) break;
      kmeans.update();
    }
    encoded.codebooks.insert(encoded.codebooks.end(), kmeans.centroids().begin(), kmeans.centroids().end());
    for (std::size_t r = 0; r < weights.rows; ++r)
      encoded.codes[r * subspaces + s] = static_cast<std::uint16_t>(kmeans.assignment()[r]);
  }
  return encoded;
}

std::vector<double> ProductQuantizer::dequantize(const ProductQuantized& encoded) const {
  if (encoded.sub_vector_length < 1 || encoded.sub_vector_length > 256)
    detail::throw_config_error(kName, "encoding sub_vector_length", encoded.sub_vector_length, "1..256");
  detail::require_config_range(kName, "encoding bits", encoded.bits, 1, 16);
  const std::size_t dim = encoded.sub_vector_length;
  if (encoded.cols % dim != 0)
    throw std::invalid_argument(std::string(kName) + ": encoding sub_vector_length = " + std::to_string(dim) +
                                " does not divide its " + std::to_string(encoded.cols) + " columns");
  const std::size_t clusters = std::size_t{1} << encoded.bits;
  const std::size_t subspaces = encoded.subspaces();
  detail::require_encoded_size(kName, "codes", encoded.codes.size(), encoded.rows * subspaces);
  detail::require_encoded_size(kName, "codebook values", encoded.codebooks.size(), subspaces * clusters * dim);
  std::vector<double> values(encoded.rows * encoded.cols);
  for (std::size_t r = 0; r < encoded.rows; ++r) {
    for (std::size_t s = 0; s < subspaces; ++s) {
      const std::size_t code = encoded.codes[r * subspaces + s];
      if (code >= clusters)
        throw std::invalid_argument(std::string(kName) + ": code " + std::to_string(code) + " at row " +
                                    std::to_string(r) + ", sub-space " + std::to_string(s) + " (allowed 0.." +
                                    std::to_string(clusters - 1) + ")");
      const auto centroid = encoded.codebooks.begin() + static_cast<std::ptrdiff_t>((s * clusters + code) * dim);
      std::copy(centroid, centroid + static_cast<std::ptrdiff_t>(dim),
                values.begin() + static_cast<std::ptrdiff_t>(r * encoded.cols + s * dim));
    }
  }
  return values;
}

std::vector<double> ProductQuantizer::fake_quantize(const WeightMatrixView& weights) const {
  return dequantize(quantize(weights));
}

}  // namespace qsnn::quant
