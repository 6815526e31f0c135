#include "quant/overflow.hpp"

#include <array>
#include <stdexcept>

namespace qsnn::quant {
namespace {

constexpr std::array<OverflowMode, 4> kModes{OverflowMode::saturate, OverflowMode::wrap,
                                             OverflowMode::saturate_symmetric, OverflowMode::wrap_lava};

}  // namespace

std::string_view overflow_name(OverflowMode mode) {
  switch (mode) {
    case OverflowMode::saturate: return "saturate";
    case OverflowMode::wrap: return "wrap";
    case OverflowMode::saturate_symmetric: return "saturate-symmetric";
    case OverflowMode::wrap_lava: return "wrap-lava";
  }
  throw std::invalid_argument("invalid OverflowMode value");
}

std::span<const OverflowMode> all_overflow_modes() { return kModes; }

std::string valid_overflow_names() {
  std::string names;
  for (OverflowMode mode : kModes) {
    if (!names.empty()) names += ", ";
    names += overflow_name(mode);
  }
  return names;
}

OverflowMode parse_overflow(std::string_view name) {
  for (OverflowMode mode : kModes) {
    if (overflow_name(mode) == name) return mode;
  }
  throw std::invalid_argument("unknown overflow mode '" + std::string(name) + "' (valid: " + valid_overflow_names() +
                              ")");
}

}  // namespace qsnn::quant
