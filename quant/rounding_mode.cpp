#include "quant/rounding_mode.hpp"

#include "quant/enum_names.hpp"

namespace qsnn::quant {
namespace {

constexpr EnumNames<RoundingMode, 7> kRoundingNames{
    "rounding",
    {RoundingMode::nearest_even, RoundingMode::nearest_away, RoundingMode::floor, RoundingMode::ceil,
     RoundingMode::truncate, RoundingMode::stochastic, RoundingMode::stochastic_shared},
    {"nearest-even", "nearest-away", "floor", "ceil", "truncate", "stochastic", "stochastic-shared"}};

}  // namespace

std::string_view rounding_name(RoundingMode value) { return kRoundingNames.name(value); }
std::span<const RoundingMode> all_rounding_modes() { return kRoundingNames.values(); }
std::string valid_rounding_names() { return kRoundingNames.valid_names(); }
RoundingMode parse_rounding(std::string_view name) { return kRoundingNames.parse(name); }

}  // namespace qsnn::quant
