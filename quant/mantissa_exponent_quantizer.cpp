#include "quant/mantissa_exponent_quantizer.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "quant/quantizer_checks.hpp"

namespace qsnn::quant {

namespace {

constexpr const char* kName = "mantissa-exponent quantizer";

struct MantissaRange {
  std::int64_t min;
  std::int64_t max;
};

MantissaRange mantissa_range(int bits, WeightSignMode mode) {
  switch (mode) {
    case WeightSignMode::mixed: {
      const std::int64_t magnitude = (std::int64_t{1} << (bits - 1)) - 1;
      return {-magnitude, magnitude};
    }
    case WeightSignMode::excitatory: return {0, (std::int64_t{1} << bits) - 1};
    case WeightSignMode::inhibitory: return {-((std::int64_t{1} << bits) - 1), 0};
  }
  throw std::invalid_argument("invalid WeightSignMode value");
}

// The most positive and most negative weights. Rounders are monotone, so if these two fit after
// rounding every weight between them does too.
struct Extremes {
  double most_positive = 0.0;
  std::size_t most_positive_index = 0;
  double most_negative = 0.0;
  std::size_t most_negative_index = 0;
};

Extremes extremes_of(const WeightMatrixView& weights, ElementRange group) {
  Extremes extremes;
  for (std::size_t i = group.begin; i < group.end; ++i) {
    const double w = weights.values[i];
    if (w > extremes.most_positive) {
      extremes.most_positive = w;
      extremes.most_positive_index = i;
    } else if (w < extremes.most_negative) {
      extremes.most_negative = w;
      extremes.most_negative_index = i;
    }
  }
  return extremes;
}

// The largest and smallest mantissa rounding can give x. Deterministic rounders give one value; a
// stochastic one may land on either neighbour, so both are treated as possible.
template <class Rounder>
std::pair<double, double> rounding_bounds(const Rounder& rounder, double x, std::uint64_t index) {
  if constexpr (is_stochastic(Rounder::mode)) {
    return {std::floor(x), std::ceil(x)};
  } else {
    const double rounded = rounder.real(x, index);
    return {rounded, rounded};
  }
}

// The smallest exponent at which no weight of the group saturates after rounding; kMaxExponent if none.
// Weights of a sign the mode cannot represent saturate to 0 whatever the exponent, so they do not count.
template <class Rounder>
int smallest_unsaturated_exponent(const Extremes& extremes, const MantissaRange& range, WeightSignMode mode,
                                  const Rounder& rounder) {
  using Quantizer = MantissaExponentQuantizer;
  for (int exponent = Quantizer::kMinExponent; exponent < Quantizer::kMaxExponent; ++exponent) {
    const int shift = Quantizer::kExponentOffset + exponent;
    bool fits = true;
    if (mode != WeightSignMode::inhibitory) {
      const double x = std::ldexp(extremes.most_positive, -shift);
      fits = fits && rounding_bounds(rounder, x, extremes.most_positive_index).second <= static_cast<double>(range.max);
    }
    if (mode != WeightSignMode::excitatory) {
      const double x = std::ldexp(extremes.most_negative, -shift);
      fits = fits && rounding_bounds(rounder, x, extremes.most_negative_index).first >= static_cast<double>(range.min);
    }
    if (fits) return exponent;
  }
  return Quantizer::kMaxExponent;
}

}  // namespace

std::string_view weight_sign_mode_name(WeightSignMode mode) {
  switch (mode) {
    case WeightSignMode::mixed: return "mixed";
    case WeightSignMode::excitatory: return "excitatory";
    case WeightSignMode::inhibitory: return "inhibitory";
  }
  throw std::invalid_argument("invalid WeightSignMode value");
}

MantissaExponentQuantizer::MantissaExponentQuantizer(MantissaExponentQuantizerConfig config) : config_(config) {
  if (config_.sign_mode == WeightSignMode::mixed)
    detail::require_config_range(kName, "weight_bits (mixed sign mode)", config_.weight_bits, 2, 8);
  else
    detail::require_config_range(kName, "weight_bits", config_.weight_bits, 1, 8);
  weight_sign_mode_name(config_.sign_mode);  // rejects an out-of-range enum value
  detail::require_group_size(kName, config_.granularity, config_.group_size);
  detail::require_rounding_spec(kName, "rounding", config_.rounding);
}

std::int64_t MantissaExponentQuantizer::min_mantissa() const {
  return mantissa_range(config_.weight_bits, config_.sign_mode).min;
}
std::int64_t MantissaExponentQuantizer::max_mantissa() const {
  return mantissa_range(config_.weight_bits, config_.sign_mode).max;
}

MantissaExponentQuantized MantissaExponentQuantizer::quantize(const WeightMatrixView& weights,
                                                              std::uint64_t rng_step) const {
  detail::require_finite_weights(kName, weights);
  const MantissaRange range = mantissa_range(config_.weight_bits, config_.sign_mode);
  MantissaExponentQuantized encoded;
  encoded.layout = GroupLayout(config_.granularity, weights, config_.group_size);
  encoded.weight_bits = config_.weight_bits;
  encoded.sign_mode = config_.sign_mode;
  encoded.mantissas.resize(weights.size());
  encoded.exponents.resize(encoded.layout.group_count());
  visit_rounder(config_.rounding, rng_step, [&](const auto& rounder) {
    encoded.layout.for_each_group([&](std::size_t g, ElementRange group) {
      const int exponent =
          smallest_unsaturated_exponent(extremes_of(weights, group), range, config_.sign_mode, rounder);
      encoded.exponents[g] = static_cast<std::int8_t>(exponent);
      const int shift = kExponentOffset + exponent;
      for (std::size_t i = group.begin; i < group.end; ++i) {
        // Division by a power of two is exact, so the rounder sees the true quotient.
        const double mantissa = rounder.real(std::ldexp(weights.values[i], -shift), i);
        std::int64_t code = 0;
        if (mantissa > static_cast<double>(range.max)) {
          ++encoded.saturation.saturated_high;
          code = range.max;
        } else if (mantissa < static_cast<double>(range.min)) {
          ++encoded.saturation.saturated_low;
          code = range.min;
        } else {
          code = static_cast<std::int64_t>(mantissa);
        }
        encoded.mantissas[i] = static_cast<std::int16_t>(code);
      }
    });
  });
  return encoded;
}

std::vector<double> MantissaExponentQuantizer::dequantize(const MantissaExponentQuantized& encoded) const {
  if (encoded.sign_mode == WeightSignMode::mixed)
    detail::require_config_range(kName, "encoding weight_bits (mixed sign mode)", encoded.weight_bits, 2, 8);
  else
    detail::require_config_range(kName, "encoding weight_bits", encoded.weight_bits, 1, 8);
  detail::require_encoded_size(kName, "mantissas", encoded.mantissas.size(), encoded.layout.element_count());
  detail::require_encoded_size(kName, "exponents", encoded.exponents.size(), encoded.layout.group_count());
  const MantissaRange range = mantissa_range(encoded.weight_bits, encoded.sign_mode);
  std::vector<double> values(encoded.mantissas.size());
  encoded.layout.for_each_group([&](std::size_t g, ElementRange group) {
    const int exponent = encoded.exponents[g];
    detail::require_config_range(kName, "encoding exponent", exponent, kMinExponent, kMaxExponent);
    for (std::size_t i = group.begin; i < group.end; ++i) {
      const std::int64_t mantissa = encoded.mantissas[i];
      if (mantissa < range.min || mantissa > range.max)
        throw std::invalid_argument(std::string(kName) + ": mantissa " + std::to_string(mantissa) + " at index " +
                                    std::to_string(i) + " (allowed " + std::to_string(range.min) + ".." +
                                    std::to_string(range.max) + ")");
      values[i] = std::ldexp(static_cast<double>(mantissa), kExponentOffset + exponent);
    }
  });
  return values;
}

std::vector<double> MantissaExponentQuantizer::fake_quantize(const WeightMatrixView& weights,
                                                             std::uint64_t rng_step) const {
  return dequantize(quantize(weights, rng_step));
}

}  // namespace qsnn::quant
