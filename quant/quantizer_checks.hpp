#pragma once
// Validation shared by the weight quantizers. Every message names the quantizer, the field and what is
// allowed, so a bad config can be fixed from the message alone.
#include <cmath>
#include <cstddef>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "quant/granularity.hpp"
#include "quant/rounders.hpp"
#include "quant/weight_matrix.hpp"

namespace qsnn::quant::detail {

template <class Value>
[[noreturn]] void throw_config_error(std::string_view quantizer, std::string_view field, const Value& value,
                                     std::string_view allowed) {
  std::ostringstream message;
  message << quantizer << ": " << field << " = " << value << " (allowed " << allowed << ")";
  throw std::invalid_argument(message.str());
}

inline void require_config_range(std::string_view quantizer, std::string_view field, long long value, long long lo,
                                 long long hi) {
  if (value < lo || value > hi)
    throw_config_error(quantizer, field, value, std::to_string(lo) + ".." + std::to_string(hi));
}

// A stochastic spec with bad random_bits would otherwise fail only once quantize() runs.
inline void require_rounding_spec(std::string_view quantizer, std::string_view field, const RoundingSpec& spec) {
  if (is_stochastic(spec.mode))
    require_config_range(quantizer, std::string(field) + ".random_bits", spec.random_bits, 8, 32);
}

inline void require_group_size(std::string_view quantizer, Granularity granularity, std::size_t group_size) {
  if (granularity == Granularity::per_group && group_size == 0)
    throw_config_error(quantizer, "group_size", group_size, ">= 1 for per-group granularity");
}

// NaN or infinite weights are a bug upstream; quantizing them would hide it behind a finite code.
inline void require_finite_weights(std::string_view quantizer, const WeightMatrixView& weights) {
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (!std::isfinite(weights.values[i])) {
      std::ostringstream message;
      message << quantizer << ": weight at row " << (weights.cols == 0 ? 0 : i / weights.cols) << ", column "
              << (weights.cols == 0 ? 0 : i % weights.cols) << " is " << weights.values[i]
              << " (allowed: finite values)";
      throw std::domain_error(message.str());
    }
  }
}

// An encoding whose arrays disagree with its shape was built by hand or corrupted; never read past it.
inline void require_encoded_size(std::string_view quantizer, std::string_view array, std::size_t actual,
                                 std::size_t expected) {
  if (actual != expected)
    throw std::invalid_argument(std::string(quantizer) + ": encoding has " + std::to_string(actual) + " " +
                                std::string(array) + " (expected " + std::to_string(expected) + ")");
}

}  // namespace qsnn::quant::detail
