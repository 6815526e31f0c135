#pragma once
// The rounding functions qsnn offers, named as configs name them.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace qsnn::quant {

enum class RoundingMode : std::uint8_t {
  nearest_even,      // ties to even (IEEE default); unbiased on ties
  nearest_away,      // ties away from zero
  floor,             // toward -inf: mean error -step/2 on uniform fractions
  ceil,              // toward +inf: mean error +step/2
  truncate,          // toward zero: shrinks magnitudes, symmetric in sign
  stochastic,        // up with probability equal to the fraction; one draw per element
  stochastic_shared  // as stochastic, but one draw per time step shared by all elements (Lava's Loihi emulation)
};

// Config names: "nearest-even", "nearest-away", "floor", "ceil", "truncate", "stochastic", "stochastic-shared".
std::string_view rounding_name(RoundingMode mode);

// Every mode, in declaration order.
std::span<const RoundingMode> all_rounding_modes();

// The valid names joined by ", " (for error messages).
std::string valid_rounding_names();

// Throws std::invalid_argument "unknown rounding 'x' (valid: ...)" for an unknown name.
RoundingMode parse_rounding(std::string_view name);

constexpr bool is_stochastic(RoundingMode mode) {
  return mode == RoundingMode::stochastic || mode == RoundingMode::stochastic_shared;
}

}  // namespace qsnn::quant
