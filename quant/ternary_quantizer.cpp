#include "quant/ternary_quantizer.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "quant/quantizer_checks.hpp"

namespace qsnn::quant {

namespace {
constexpr const char* kName = "ternary quantizer";
}  // namespace

TernaryQuantizer::TernaryQuantizer(TernaryQuantizerConfig config) : config_(config) {
  if (!std::isfinite(config_.threshold_factor) || config_.threshold_factor < 0.0)
    detail::throw_config_error(kName, "threshold_factor", config_.threshold_factor, "finite values >= 0");
  detail::require_group_size(kName, config_.granularity, config_.group_size);
}

TernaryQuantized TernaryQuantizer::quantize(const WeightMatrixView& weights) const {
  detail::require_finite_weights(kName, weights);
  TernaryQuantized encoded{GroupLayout(config_.granularity, weights, config_.group_size), {}, {}, {}};
  encoded.codes.resize(weights.size());
  encoded.scales.resize(encoded.layout.group_count());
  encoded.thresholds.resize(encoded.layout.group_count());
  encoded.layout.for_each_group([&](std::size_t g, ElementRange range) {
    double sum_abs = 0.0;
    for (std::size_t i = range.begin; i < range.end; ++i) sum_abs += std::fabs(weights.values[i]);
    const double mean_abs = range.empty() ? 0.0 : sum_abs / static_cast<double>(range.size());
    const double delta = config_.threshold_factor * mean_abs;
    double kept_sum = 0.0;
    std::size_t kept = 0;
    for (std::size_t i = range.begin; i < range.end; ++i) {
      const double w = weights.values[i];
      if (std::fabs(w) > delta) {
        kept_sum += std::fabs(w);
        ++kept;
        encoded.codes[i] = w > 0.0 ? std::int8_t{1} : std::int8_t{-1};
      } else {
        encoded.codes[i] = 0;
      }
    }
    encoded.scales[g] = kept == 0 ? 0.0 : kept_sum / static_cast<double>(kept);
    encoded.thresholds[g] = delta;
  });
  return encoded;
}

std::vector<double> TernaryQuantizer::dequantize(const TernaryQuantized& encoded) const {
  detail::require_encoded_size(kName, "codes", encoded.codes.size(), encoded.layout.element_count());
  detail::require_encoded_size(kName, "scales", encoded.scales.size(), encoded.layout.group_count());
  std::vector<double> values(encoded.codes.size());
  encoded.layout.for_each_group([&](std::size_t g, ElementRange range) {
    for (std::size_t i = range.begin; i < range.end; ++i) {
      const std::int8_t code = encoded.codes[i];
      if (code < -1 || code > 1)
        throw std::invalid_argument(std::string(kName) + ": code " + std::to_string(code) + " at index " +
                                    std::to_string(i) + " (allowed -1, 0, +1)");
      values[i] = code == 0 ? 0.0 : code * encoded.scales[g];
    }
  });
  return values;
}

std::vector<double> TernaryQuantizer::fake_quantize(const WeightMatrixView& weights) const {
  return dequantize(quantize(weights));
}

}  // namespace qsnn::quant
