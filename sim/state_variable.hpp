#pragma once
// Names of recordable state variables, resolved once when a recorder is set up.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace qsnn::sim {

enum class StateKind : std::uint8_t { current, voltage, theta, refractory };

struct StateVariable {
  StateKind kind = StateKind::voltage;
  std::size_t receptor = 0;  // for currents
  friend bool operator==(const StateVariable&, const StateVariable&) = default;
};

// "v", "theta", "refractory", "I" (receptor 0) or "I1".."I3". Throws std::invalid_argument listing them.
StateVariable parse_state_variable(std::string_view name);
std::string state_variable_name(const StateVariable& variable);

}  // namespace qsnn::sim
