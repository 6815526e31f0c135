#include "sim/state_variable.hpp"

#include <stdexcept>

#include "kernels/lif_constants.hpp"

namespace qsnn::sim {

StateVariable parse_state_variable(std::string_view name) {
  if (name == "v") return {StateKind::voltage, 0};
  if (name == "theta") return {StateKind::theta, 0};
  if (name == "refractory") return {StateKind::refractory, 0};
  if (name == "I") return {StateKind::current, 0};
  if (name.size() == 2 && name[0] == 'I' && name[1] >= '0' && name[1] < '0' + static_cast<char>(kernels::kMaxReceptors))
    return {StateKind::current, static_cast<std::size_t>(name[1] - '0')};
  throw std::invalid_argument("unknown state variable '" + std::string(name) +
                              "' (valid: v, I, I0, I1, I2, I3, theta, refractory)");
}

std::string state_variable_name(const StateVariable& variable) {
  switch (variable.kind) {
    case StateKind::voltage: return "v";
    case StateKind::theta: return "theta";
    case StateKind::refractory: return "refractory";
    case StateKind::current: return "I" + std::to_string(variable.receptor);
  }
  throw std::invalid_argument("invalid StateKind value");
}

}  // namespace qsnn::sim
