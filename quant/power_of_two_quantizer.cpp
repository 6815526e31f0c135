#include "quant/power_of_two_quantizer.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "quant/quantizer_checks.hpp"

namespace qsnn::quant {

namespace {

constexpr const char* kName = "power-of-two quantizer";

// The field of the level nearest to `magnitude` (0 < magnitude <= scale) in the linear domain.
// Comparisons are made against exact levels scale * 2^k (ldexp is exact) and the two distances to the
// neighbouring levels are exact by Sterbenz's lemma, so ties and exact levels are decided without error.
int nearest_linear_field(double magnitude, double scale, int max_field) {
  const int smallest_exponent = 1 - max_field;
  const double smallest_level = std::ldexp(scale, smallest_exponent);
  if (magnitude < smallest_level) return 2.0 * magnitude < smallest_level ? 0 : 1;
  // A first guess of floor(log2(magnitude / scale)), then corrected against the exact levels.
  int exponent = 0;
  std::frexp(magnitude / scale, &exponent);
  int lower = std::clamp(exponent - 1, smallest_exponent, 0);
  while (lower > smallest_exponent && std::ldexp(scale, lower) > magnitude) --lower;
  while (lower < 0 && std::ldexp(scale, lower + 1) <= magnitude) ++lower;
  const int lower_field = lower - smallest_exponent + 1;
  if (lower == 0) return lower_field;
  const double below = std::ldexp(scale, lower);
  const double above = 2.0 * below;
  return above - magnitude <= magnitude - below ? lower_field + 1 : lower_field;
}

// The field whose exponent is log2(magnitude / scale) rounded by `rounder`; 0 below the smallest level.
template <class Rounder>
int rounded_log2_field(double magnitude, double scale, int max_field, const Rounder& rounder, std::uint64_t index) {
  double exponent = rounder.real(std::log2(magnitude / scale), index);
  if (exponent > 0.0) exponent = 0.0;  // magnitude <= scale, so only a rounding artefact could exceed 0
  const int smallest_exponent = 1 - max_field;
  if (exponent < smallest_exponent) return 0;
  return static_cast<int>(exponent) - smallest_exponent + 1;
}

// Fills codes and scales; field_of(magnitude, scale, max_field, flat_index) picks a magnitude field.
template <class FieldOf>
void encode(const WeightMatrixView& weights, PowerOfTwoQuantized& encoded, FieldOf&& field_of) {
  const int max_field = PowerOfTwoQuantizer::max_field(encoded.bits);
  encoded.layout.for_each_group([&](std::size_t g, ElementRange range) {
    double scale = 0.0;
    for (std::size_t i = range.begin; i < range.end; ++i) scale = std::fmax(scale, std::fabs(weights.values[i]));
    encoded.scales[g] = scale;
    for (std::size_t i = range.begin; i < range.end; ++i) {
      const double w = weights.values[i];
      int field = 1;  // bits = 1: the only magnitude is scale, sign(0) = +1
      if (encoded.bits > 1) field = (w == 0.0) ? 0 : field_of(std::fabs(w), scale, max_field, i);
      encoded.codes[i] = static_cast<std::int8_t>(w < 0.0 ? -field : field);
    }
  });
}

}  // namespace

PowerOfTwoQuantizer::PowerOfTwoQuantizer(PowerOfTwoQuantizerConfig config) : config_(config) {
  detail::require_config_range(kName, "bits", config_.bits, 1, 8);
  detail::require_group_size(kName, config_.granularity, config_.group_size);
  if (config_.log2_rounding) detail::require_rounding_spec(kName, "log2_rounding", *config_.log2_rounding);
}

double PowerOfTwoQuantizer::level(int bits, double scale, int field) {
  if (bits == 1) return scale;
  if (field == 0) return 0.0;
  return std::ldexp(scale, field - max_field(bits));
}

PowerOfTwoQuantized PowerOfTwoQuantizer::quantize(const WeightMatrixView& weights, std::uint64_t rng_step) const {
  detail::require_finite_weights(kName, weights);
  PowerOfTwoQuantized encoded{GroupLayout(config_.granularity, weights, config_.group_size), config_.bits, {}, {}};
  encoded.codes.resize(weights.size());
  encoded.scales.resize(encoded.layout.group_count());
  if (!config_.log2_rounding) {
    encode(weights, encoded, [](double magnitude, double scale, int max_field, std::size_t) {
      return nearest_linear_field(magnitude, scale, max_field);
    });
    return encoded;
  }
  visit_rounder(*config_.log2_rounding, rng_step, [&](const auto& rounder) {
    encode(weights, encoded, [&rounder](double magnitude, double scale, int max_field, std::size_t index) {
      return rounded_log2_field(magnitude, scale, max_field, rounder, index);
    });
  });
  return encoded;
}

std::vector<double> PowerOfTwoQuantizer::dequantize(const PowerOfTwoQuantized& encoded) const {
  detail::require_config_range(kName, "encoding bits", encoded.bits, 1, 8);
  detail::require_encoded_size(kName, "codes", encoded.codes.size(), encoded.layout.element_count());
  detail::require_encoded_size(kName, "scales", encoded.scales.size(), encoded.layout.group_count());
  const int max_code = encoded.bits == 1 ? 1 : max_field(encoded.bits);
  std::vector<double> values(encoded.codes.size());
  encoded.layout.for_each_group([&](std::size_t g, ElementRange range) {
    for (std::size_t i = range.begin; i < range.end; ++i) {
      const int code = encoded.codes[i];
      if (code < -max_code || code > max_code || (encoded.bits == 1 && code == 0))
        throw std::invalid_argument(
            std::string(kName) + ": code " + std::to_string(code) + " at index " + std::to_string(i) + " (allowed " +
            (encoded.bits == 1 ? std::string("-1, +1") : std::to_string(-max_code) + ".." + std::to_string(max_code)) +
            ")");
      const double magnitude = level(encoded.bits, encoded.scales[g], code < 0 ? -code : code);
      values[i] = code < 0 ? -magnitude : magnitude;
    }
  });
  return values;
}

std::vector<double> PowerOfTwoQuantizer::fake_quantize(const WeightMatrixView& weights, std::uint64_t rng_step) const {
  return dequantize(quantize(weights, rng_step));
}

}  // namespace qsnn::quant
