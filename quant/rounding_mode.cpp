#include "quant/rounding_mode.hpp"

#include <array>
#include <stdexcept>

namespace qsnn::quant {
namespace {

constexpr std::array<RoundingMode, 7> kModes{
    RoundingMode::nearest_even, RoundingMode::nearest_away, RoundingMode::floor,
    RoundingMode::ceil,         RoundingMode::truncate,     RoundingMode::stochastic,
    RoundingMode::stochastic_shared};

}  // namespace

std::string_view rounding_name(RoundingMode mode) {
  switch (mode) {
    case RoundingMode::nearest_even: return "nearest-even";
    case RoundingMode::nearest_away: return "nearest-away";
    case RoundingMode::floor: return "floor";
    case RoundingMode::ceil: return "ceil";
    case RoundingMode::truncate: return "truncate";
    case RoundingMode::stochastic: return "stochastic";
    case RoundingMode::stochastic_shared: return "stochastic-shared";
  }
  throw std::invalid_argument("invalid RoundingMode value");
}

std::span<const RoundingMode> all_rounding_modes() { return kModes; }

std::string valid_rounding_names() {
  std::string names;
  for (RoundingMode mode : kModes) {
    if (!names.empty()) names += ", ";
    names += rounding_name(mode);
  }
  return names;
}

RoundingMode parse_rounding(std::string_view name) {
  for (RoundingMode mode : kModes) {
    if (rounding_name(mode) == name) return mode;
  }
  throw std::invalid_argument("unknown rounding '" + std::string(name) +
                              "' (valid: " + valid_rounding_names() + ")");
}

}  // namespace qsnn::quant
