#include "learning/weight_writeback.hpp"

#include <limits>
#include <stdexcept>
#include <string>
#include <variant>

namespace qsnn::learning {
namespace {

void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}

std::string_view mode_name(WriteBackMode mode) {
  switch (mode) {
    case WriteBackMode::quantized: return "quantized";
    case WriteBackMode::shadow: return "shadow";
    case WriteBackMode::exact: return "exact";
  }
  return "?";
}

}  // namespace

WeightStatistics& WeightStatistics::operator+=(const WeightStatistics& other) {
  proposed += other.proposed;
  changed += other.changed;
  lost_to_rounding += other.lost_to_rounding;
  saturations += other.saturations;
  forward_changes += other.forward_changes;
  forward_saturations += other.forward_saturations;
  sum_abs_dw += other.sum_abs_dw;
  return *this;
}

WeightGrid weight_grid(const sim::Projection& projection) {
  const std::string where = "plastic projection '" + projection.name() + "': ";
  if (!projection.built()) throw std::logic_error(where + "the projection is not built (prepare the network first)");
  WeightGrid grid;
  grid.where = where;
  grid.float_target = std::holds_alternative<sim::RealBlocks>(projection.blocks());
  grid.on_grid = !grid.float_target || projection.spec().float_uses_quantized_weights;
  grid.off_grid_hint = " needs float_uses_quantized_weights, so the weights lie on the b-bit grid";
  grid.unit = projection.weight_step();
  grid.min_code = projection.min_weight_code();
  grid.max_code = projection.max_weight_code();
  // No grid in exact mode: only the sign mode bounds a real weight.
  constexpr double kInf = std::numeric_limits<double>::infinity();
  grid.exact_lower = projection.spec().quantization.sign == sim::SignMode::excitatory ? 0.0 : -kInf;
  grid.exact_upper = projection.spec().quantization.sign == sim::SignMode::inhibitory ? 0.0 : kInf;
  return grid;
}

ResolvedWriteBack resolve_write_back(const WriteBackSpec& spec, const sim::Projection& projection, std::uint64_t seed,
                                     std::uint64_t stream_base) {
  return resolve_write_back(spec, weight_grid(projection), seed, stream_base);
}

ResolvedWriteBack resolve_write_back(const WriteBackSpec& spec, const WeightGrid& grid, std::uint64_t seed,
                                     std::uint64_t stream_base) {
  const std::string& where = grid.where;
  ResolvedWriteBack wb;
  wb.float_target = grid.float_target;
  const bool on_grid = grid.on_grid;
  wb.mode = spec.mode.value_or(on_grid ? WriteBackMode::quantized : WriteBackMode::exact);
  wb.round_of = spec.round_of;
  wb.unit = grid.unit;
  require(wb.float_target || wb.mode != WriteBackMode::exact,
          where + "exact write-back needs a float64 target; a fixed-point target holds only codes (use quantized or "
                  "shadow)");
  require(!wb.float_target || wb.mode == WriteBackMode::exact || on_grid,
          where + std::string(mode_name(wb.mode)) + " write-back on a float64 target" + grid.off_grid_hint);

  constexpr double kInf = std::numeric_limits<double>::infinity();
  const auto code_lo = static_cast<double>(grid.min_code);
  const auto code_hi = static_cast<double>(grid.max_code);
  double lo = code_lo, hi = code_hi;
  if (wb.mode == WriteBackMode::exact) {
    lo = grid.exact_lower;
    hi = grid.exact_upper;
  }
  if (spec.lower_bound) {
    require(*spec.lower_bound >= lo && *spec.lower_bound <= hi,
            where + "lower bound " + std::to_string(*spec.lower_bound) + " steps is outside the weight range [" +
                std::to_string(lo) + ", " + std::to_string(hi) + "]");
    lo = *spec.lower_bound;
  }
  if (spec.upper_bound) {
    require(*spec.upper_bound >= lo && *spec.upper_bound <= hi,
            where + "upper bound " + std::to_string(*spec.upper_bound) + " steps is outside [" + std::to_string(lo) +
                ", " + std::to_string(hi) + "]");
    hi = *spec.upper_bound;
  }
  // Codes are integers: the tightest integral bounds inside [lo, hi].
  const double int_lo = lo == -kInf ? lo : quant::CeilRounder{}.real(lo);
  const double int_hi = hi == kInf ? hi : quant::FloorRounder{}.real(hi);
  require(int_lo <= int_hi || wb.mode == WriteBackMode::exact, where + "no weight code lies between the bounds");
  wb.code_lower = int_lo;
  wb.code_upper = int_hi;
  wb.lower = wb.mode == WriteBackMode::quantized ? int_lo : lo;
  wb.upper = wb.mode == WriteBackMode::quantized ? int_hi : hi;

  auto keyed = [&](quant::RoundingSpec r, std::uint64_t offset) {
    r.seed = seed;
    r.stream = stream_base + offset;
    return r;
  };
  wb.update_rounding = keyed(spec.rounding, 0);
  if (wb.mode == WriteBackMode::shadow) {
    wb.fixed_shadow = spec.shadow.extra_frac_bits.has_value();
    if (wb.fixed_shadow) {
      wb.extra_frac_bits = *spec.shadow.extra_frac_bits;
      require(wb.extra_frac_bits >= 0 && wb.extra_frac_bits <= 36,
              where + "shadow extra_frac_bits " + std::to_string(wb.extra_frac_bits) + " (allowed 0..36)");
      wb.update_rounding = keyed(spec.shadow.rounding, 0);
    }
    require(spec.shadow.requantize_every >= 1, where + "shadow requantize_every must be >= 1 step");
    wb.requantize_every = spec.shadow.requantize_every;
  }
  if (wb.mode == WriteBackMode::exact || (wb.mode == WriteBackMode::shadow && !wb.fixed_shadow))
    wb.update_rounding = quant::RoundingSpec{};  // unused: nothing is rounded
  if (quant::is_stochastic(wb.update_rounding.mode)) quant::detail::require_random_bits(wb.update_rounding.random_bits);
  wb.forward_rounding = keyed(spec.shadow.forward_rounding, 1);
  if (quant::is_stochastic(wb.forward_rounding.mode)) quant::detail::require_random_bits(wb.forward_rounding.random_bits);
  require(std::isfinite(spec.rate.initial), where + "learning rate must be finite");
  require(spec.rate.decay > 0.0 && std::isfinite(spec.rate.decay), where + "learning-rate decay must be finite and > 0");
  wb.rate = spec.rate;
  return wb;
}

CodeHistogram weight_code_histogram(const sim::Projection& projection) {
  CodeHistogram h;
  h.min_code = projection.min_weight_code();
  h.counts.assign(static_cast<std::size_t>(projection.max_weight_code() - h.min_code + 1), 0);
  const auto lo = static_cast<double>(h.min_code);
  const auto hi = static_cast<double>(projection.max_weight_code());
  quant::OverflowCounts clipped;  // real weights beyond the grid land in its end bins
  std::visit(
      [&](const auto& blocks) {
        for (const auto& block : blocks) {
          for (const auto w : block.weight) {
            double code = static_cast<double>(w);
            if constexpr (std::is_same_v<std::decay_t<decltype(w)>, double>)
              code = quant::saturate_real(quant::NearestEvenRounder{}.real(w / projection.weight_step()), lo, hi, clipped);
            ++h.counts[static_cast<std::size_t>(static_cast<std::int64_t>(code) - h.min_code)];
          }
        }
      },
      projection.blocks());
  return h;
}

}  // namespace qsnn::learning
