#include "quant/codebook_quantizer.hpp"

#include <algorithm>
#include <span>
#include <stdexcept>
#include <string>

#include "quant/lloyd_1d.hpp"
#include "quant/quantizer_checks.hpp"

namespace qsnn::quant {

namespace {

constexpr const char* kName = "codebook quantizer";

// Levels on lo and hi, evenly spaced: the grid of an affine min-max quantizer.
std::vector<double> end_point_grid(double lo, double hi, std::size_t count) {
  std::vector<double> levels(count, lo);
  if (count == 1) {
    levels[0] = lo + 0.5 * (hi - lo);
    return levels;
  }
  const double spacing = (hi - lo) / static_cast<double>(count - 1);
  for (std::size_t i = 1; i < count; ++i) levels[i] = lo + spacing * static_cast<double>(i);
  levels[count - 1] = hi;
  return levels;
}

// Centres of `count` equal cells covering [lo, hi].
std::vector<double> cell_centre_grid(double lo, double hi, std::size_t count) {
  std::vector<double> levels(count);
  const double width = (hi - lo) / static_cast<double>(count);
  for (std::size_t i = 0; i < count; ++i) levels[i] = lo + width * (static_cast<double>(i) + 0.5);
  return levels;
}

// The values at the centres of `count` equal-count slices of the sorted data.
std::vector<double> quantile_grid(std::span<const double> sorted, std::size_t count) {
  std::vector<double> levels(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t at = (2 * i + 1) * sorted.size() / (2 * count);
    levels[i] = sorted[std::min(at, sorted.size() - 1)];
  }
  return levels;
}

}  // namespace

CodebookQuantizer::CodebookQuantizer(CodebookQuantizerConfig config) : config_(config) {
  detail::require_config_range(kName, "bits", config_.bits, 1, 16);
  detail::require_config_range(kName, "max_iterations", config_.max_iterations, 0, 1000000);
  detail::require_group_size(kName, config_.granularity, config_.group_size);
}

CodebookQuantized CodebookQuantizer::quantize(const WeightMatrixView& weights) const {
  detail::require_finite_weights(kName, weights);
  const std::size_t count = level_count();
  CodebookQuantized encoded;
  encoded.layout = GroupLayout(config_.granularity, weights, config_.group_size);
  encoded.bits = config_.bits;
  encoded.codes.resize(weights.size());
  encoded.levels.reserve(encoded.layout.group_count() * count);
  std::vector<double> sorted;
  encoded.layout.for_each_group([&](std::size_t, ElementRange range) {
    const auto values = weights.values.subspan(range.begin, range.size());
    sorted.assign(values.begin(), values.end());
    std::sort(sorted.begin(), sorted.end());
    const double lo = sorted.empty() ? 0.0 : sorted.front();
    const double hi = sorted.empty() ? 0.0 : sorted.back();
    // Zero iterations just score a grid; Lloyd from the better uniform grid is bounded by both. Lloyd
    // also runs from the quantile grid, which often escapes local optima the uniform start falls into
    // (e.g. unevenly spaced clusters), and the lower final MSE wins, so the bound still holds.
    const auto iterations = static_cast<unsigned>(config_.max_iterations);
    auto uniform = end_point_grid(lo, hi, count);
    auto other = cell_centre_grid(lo, hi, count);
    if (lloyd_1d(sorted, other, 0).mse[0] < lloyd_1d(sorted, uniform, 0).mse[0]) uniform.swap(other);
    LloydResult fit = lloyd_1d(sorted, std::move(uniform), iterations);
    if (iterations > 0 && !sorted.empty()) {
      LloydResult from_quantiles = lloyd_1d(sorted, quantile_grid(sorted, count), iterations);
      if (from_quantiles.mse.back() < fit.mse.back()) fit = std::move(from_quantiles);
    }
    const std::vector<double> midpoints = level_midpoints(fit.levels);
    for (std::size_t i = range.begin; i < range.end; ++i)
      encoded.codes[i] = static_cast<std::uint16_t>(nearest_level_index(midpoints, weights.values[i]));
    encoded.levels.insert(encoded.levels.end(), fit.levels.begin(), fit.levels.end());
    encoded.mse.push_back(fit.mse.back());
    encoded.iterations.push_back(fit.iterations);
  });
  return encoded;
}

std::vector<double> CodebookQuantizer::dequantize(const CodebookQuantized& encoded) const {
  detail::require_config_range(kName, "encoding bits", encoded.bits, 1, 16);
  const std::size_t count = std::size_t{1} << encoded.bits;
  detail::require_encoded_size(kName, "codes", encoded.codes.size(), encoded.layout.element_count());
  detail::require_encoded_size(kName, "levels", encoded.levels.size(), encoded.layout.group_count() * count);
  std::vector<double> values(encoded.codes.size());
  encoded.layout.for_each_group([&](std::size_t g, ElementRange range) {
    for (std::size_t i = range.begin; i < range.end; ++i) {
      const std::size_t code = encoded.codes[i];
      if (code >= count)
        throw std::invalid_argument(std::string(kName) + ": code " + std::to_string(code) + " at index " +
                                    std::to_string(i) + " (allowed 0.." + std::to_string(count - 1) + ")");
      values[i] = encoded.levels[g * count + code];
    }
  });
  return values;
}

std::vector<double> CodebookQuantizer::fake_quantize(const WeightMatrixView& weights) const {
  return dequantize(quantize(weights));
}

}  // namespace qsnn::quant
