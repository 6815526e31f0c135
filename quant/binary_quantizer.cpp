#include "quant/binary_quantizer.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "quant/quantizer_checks.hpp"

namespace qsnn::quant {

namespace {
constexpr const char* kName = "binary quantizer";
}  // namespace

BinaryQuantizer::BinaryQuantizer(BinaryQuantizerConfig config) : config_(config) {
  detail::require_group_size(kName, config_.granularity, config_.group_size);
}

BinaryQuantized BinaryQuantizer::quantize(const WeightMatrixView& weights) const {
  detail::require_finite_weights(kName, weights);
  BinaryQuantized encoded{GroupLayout(config_.granularity, weights, config_.group_size), {}, {}};
  encoded.codes.resize(weights.size());
  encoded.scales.resize(encoded.layout.group_count());
  encoded.layout.for_each_group([&](std::size_t g, ElementRange range) {
    double sum_abs = 0.0;
    for (std::size_t i = range.begin; i < range.end; ++i) {
      const double w = weights.values[i];
      sum_abs += std::fabs(w);
      // sign(0) = +1 (also for -0.0), so every weight gets a valid sign and zero needs no special case.
      encoded.codes[i] = w < 0.0 ? std::int8_t{-1} : std::int8_t{1};
    }
    encoded.scales[g] = range.empty() ? 0.0 : sum_abs / static_cast<double>(range.size());
  });
  return encoded;
}

std::vector<double> BinaryQuantizer::dequantize(const BinaryQuantized& encoded) const {
  detail::require_encoded_size(kName, "codes", encoded.codes.size(), encoded.layout.element_count());
  detail::require_encoded_size(kName, "scales", encoded.scales.size(), encoded.layout.group_count());
  std::vector<double> values(encoded.codes.size());
  encoded.layout.for_each_group([&](std::size_t g, ElementRange range) {
    for (std::size_t i = range.begin; i < range.end; ++i) {
      const std::int8_t code = encoded.codes[i];
      if (code != 1 && code != -1)
        throw std::invalid_argument(std::string(kName) + ": code " + std::to_string(code) + " at index " +
                                    std::to_string(i) + " (allowed -1, +1)");
      values[i] = code * encoded.scales[g];
    }
  });
  return values;
}

std::vector<double> BinaryQuantizer::fake_quantize(const WeightMatrixView& weights) const {
  return dequantize(quantize(weights));
}

}  // namespace qsnn::quant
