#include "quant/overflow.hpp"

#include "quant/enum_names.hpp"

namespace qsnn::quant {
namespace {

constexpr EnumNames<OverflowMode, 4> kOverflowNames{
    "overflow mode",
    {OverflowMode::saturate, OverflowMode::wrap, OverflowMode::saturate_symmetric, OverflowMode::wrap_lava},
    {"saturate", "wrap", "saturate-symmetric", "wrap-lava"}};

}  // namespace

std::string_view overflow_name(OverflowMode value) { return kOverflowNames.name(value); }
std::span<const OverflowMode> all_overflow_modes() { return kOverflowNames.values(); }
std::string valid_overflow_names() { return kOverflowNames.valid_names(); }
OverflowMode parse_overflow(std::string_view name) { return kOverflowNames.parse(name); }

}  // namespace qsnn::quant
