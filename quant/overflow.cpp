#include "quant/overflow.hpp"

#include <stdexcept>

namespace qsnn::quant {

std::string_view overflow_name(OverflowMode mode) {
  switch (mode) {
    case OverflowMode::saturate: return "saturate";
    case OverflowMode::wrap: return "wrap";
  }
  throw std::invalid_argument("invalid OverflowMode value");
}

OverflowMode parse_overflow(std::string_view name) {
  if (name == "saturate") return OverflowMode::saturate;
  if (name == "wrap") return OverflowMode::wrap;
  throw std::invalid_argument("unknown overflow mode '" + std::string(name) + "' (valid: saturate, wrap)");
}

}  // namespace qsnn::quant
