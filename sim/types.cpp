#include "sim/types.hpp"

#include <stdexcept>
#include <string>

namespace qsnn::sim {

std::string_view numeric_path_name(NumericPath path) {
  switch (path) {
    case NumericPath::fixed_point: return "fixed-point";
    case NumericPath::float64: return "float64";
  }
  throw std::invalid_argument("invalid NumericPath value");
}

NumericPath parse_numeric_path(std::string_view name) {
  if (name == "fixed-point") return NumericPath::fixed_point;
  if (name == "float64") return NumericPath::float64;
  throw std::invalid_argument("unknown numeric path '" + std::string(name) + "' (valid: fixed-point, float64)");
}

}  // namespace qsnn::sim
