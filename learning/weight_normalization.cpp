#include "learning/weight_normalization.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "kernels/csr_transpose.hpp"
#include "kernels/plasticity.hpp"
#include "quant/rounded_division.hpp"
#include "quant/rounders.hpp"
#include "quant/saturate.hpp"

namespace qsnn::learning {

WeightNormalizationStats& WeightNormalizationStats::operator+=(const WeightNormalizationStats& other) {
  neurons_normalized += other.neurons_normalized;
  zero_sum_neurons += other.zero_sum_neurons;
  changed += other.changed;
  saturations += other.saturations;
  forward_changes += other.forward_changes;
  forward_saturations += other.forward_saturations;
  max_abs_deviation = std::max(max_abs_deviation, other.max_abs_deviation);
  return *this;
}

namespace {

// Offsets of normalization's counter-RNG streams from the projection's first stream (plastic_projection.cpp).
constexpr std::uint64_t kValueStream = 2;    // the rescaled codes or fixed-point shadows
constexpr std::uint64_t kForwardStream = 3;  // shadow mode: the forward codes

// One normalization, resolved once and read by every block task.
struct Plan {
  const ResolvedWriteBack* wb = nullptr;
  double target = 0.0;  // steps
  bool shadow = false;
  bool integer = false;  // quantized mode or a fixed-point shadow
  int frac_bits = 0;     // integer modes count units of 2^-frac_bits steps
  std::int64_t target_units = 0;
  std::int64_t lower_units = 0, upper_units = 0;  // quantized mode: the integral bounds
  quant::RoundingSpec value_rounding;
  quant::RoundingSpec forward_rounding;
  std::uint64_t key = 0;
};

// One block's synapses as the columns of its postsynaptic neurons.
struct BlockColumns {
  const kernels::CsrTranspose& columns;
  std::span<const std::uint32_t> row_start;
  std::span<const std::uint64_t> row_base;

  std::size_t size() const { return columns.column_start.size() - 1; }
  // Position in Projection::synapses(): the key of the synapse's stochastic draws, whatever the blocks.
  std::uint64_t index(std::uint32_t slot) const {
    const std::uint32_t pre = columns.pre[slot];
    return row_base[pre] + (columns.synapse[slot] - row_start[pre]);
  }
};

void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}

// A stored weight in steps (fixed-point codes, or real weights of a float64 target).
template <class Weight>
double stored_steps(Weight w, double unit) {
  if constexpr (std::is_same_v<Weight, double>) return w / unit;
  else return static_cast<double>(w);
}
// Steps that are integral (codes) or any real (exact float64 weights) into the block's storage.
template <class Weight>
Weight to_stored(double steps, double unit) {
  if constexpr (std::is_same_v<Weight, double>) return steps * unit;
  else return static_cast<Weight>(steps);  // an integral code inside the code range: exact
}

// Quantized mode or a fixed-point shadow: w <- clip(R(w * T / S)) in integers.
template <class Weight, class Rounder>
void normalize_integer_columns(const Plan& plan, const BlockColumns& block, std::span<Weight> weights,
                               std::span<double> shadow, std::vector<std::uint8_t>& normalized, const Rounder& rounder,
                               WeightNormalizationStats& stats) {
  const ResolvedWriteBack& wb = *plan.wb;
  // The weight in units. Codes of float64 targets are w / step up to the rounding of that division;
  // a shadow clipped to a fractional user bound is off its grid: both are taken at the nearest unit.
  auto units = [&](std::uint32_t k) {
    const double value = plan.shadow ? std::ldexp(shadow[k], plan.frac_bits) : stored_steps(weights[k], wb.unit);
    return static_cast<std::int64_t>(quant::NearestEvenRounder{}.real(value));  // integral, |.| < 2^52
  };
  for (std::size_t j = 0; j < block.size(); ++j) {
    const std::uint32_t begin = block.columns.column_start[j], end = block.columns.column_start[j + 1];
    std::int64_t sum = 0;
    for (std::uint32_t slot = begin; slot < end; ++slot) sum += units(block.columns.synapse[slot]);
    if (sum == 0) {
      ++stats.zero_sum_neurons;
      continue;
    }
    // w T / S with a positive divisor: a negative sum flips the sign of the target instead.
    const std::int64_t divisor = sum < 0 ? -sum : sum;
    const std::int64_t target = sum < 0 ? -plan.target_units : plan.target_units;
    double new_sum = 0.0;
    for (std::uint32_t slot = begin; slot < end; ++slot) {
      const std::uint32_t k = block.columns.synapse[slot];
      const std::int64_t before = units(k);
      // w T fits 64 bits for every realistic weight and target: divide it directly (same result as
      // checked_multiply_divide, without its 128-bit product and optional return).
      std::int64_t product = 0;
      const std::optional<std::int64_t> rescaled =
          __builtin_mul_overflow(before, target, &product)
              ? quant::checked_multiply_divide(before, target, divisor, rounder, block.index(slot))
              : std::optional<std::int64_t>(quant::divide(product, divisor, rounder, block.index(slot)));
      // Beyond 64 bits (only mixed-sign inputs summing to nearly 0) is beyond every bound: clipped below.
      constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
      const std::int64_t value = rescaled ? *rescaled : ((before < 0) != (target < 0) ? -kMax : kMax);
      if (plan.shadow) {
        const double after = quant::saturate_real(std::ldexp(static_cast<double>(value), -plan.frac_bits), wb.lower,
                                                  wb.upper, stats.saturations);
        if (after != shadow[k]) ++stats.changed;
        shadow[k] = after;
        new_sum += after;
      } else {
        const std::int64_t code = quant::saturate_code(value, plan.lower_units, plan.upper_units, stats.saturations);
        if (code != before) ++stats.changed;
        weights[k] = to_stored<Weight>(static_cast<double>(code), wb.unit);
        new_sum += static_cast<double>(code);  // exact below 2^53
      }
    }
    ++stats.neurons_normalized;
    normalized[j] = 1;
    stats.max_abs_deviation = std::max(stats.max_abs_deviation, std::abs(new_sum - plan.target));
  }
}

// Exact float64 weights or a float64 shadow: w *= T / S (Diehl & Cook's normalize_weights).
template <class Weight>
void normalize_real_columns(const Plan& plan, const BlockColumns& block, std::span<Weight> weights,
                            std::span<double> shadow, std::vector<std::uint8_t>& normalized,
                            WeightNormalizationStats& stats) {
  const ResolvedWriteBack& wb = *plan.wb;
  auto steps = [&](std::uint32_t k) { return plan.shadow ? shadow[k] : stored_steps(weights[k], wb.unit); };
  for (std::size_t j = 0; j < block.size(); ++j) {
    const std::uint32_t begin = block.columns.column_start[j], end = block.columns.column_start[j + 1];
    double sum = 0.0;
    for (std::uint32_t slot = begin; slot < end; ++slot) sum += steps(block.columns.synapse[slot]);
    if (sum == 0.0) {
      ++stats.zero_sum_neurons;
      continue;
    }
    const double factor = plan.target / sum;
    double new_sum = 0.0;
    for (std::uint32_t slot = begin; slot < end; ++slot) {
      const std::uint32_t k = block.columns.synapse[slot];
      const double before = steps(k);
      const double after = quant::saturate_real(before * factor, wb.lower, wb.upper, stats.saturations);
      if (after != before) ++stats.changed;
      if (plan.shadow) shadow[k] = after;
      else weights[k] = to_stored<Weight>(after, wb.unit);  // exact mode: float64 targets only
      new_sum += after;
    }
    ++stats.neurons_normalized;
    normalized[j] = 1;
    stats.max_abs_deviation = std::max(stats.max_abs_deviation, std::abs(new_sum - plan.target));
  }
}

// Shadow mode: the forward codes of the normalized neurons' inputs, as requantize_block computes them.
template <class Weight, class Rounder>
void requantize_columns(const Plan& plan, const BlockColumns& block, std::span<Weight> weights,
                        std::span<const double> shadow, const std::vector<std::uint8_t>& normalized,
                        const Rounder& rounder, WeightNormalizationStats& stats) {
  const ResolvedWriteBack& wb = *plan.wb;
  for (std::size_t j = 0; j < block.size(); ++j) {
    if (normalized[j] == 0) continue;
    for (std::uint32_t slot = block.columns.column_start[j]; slot < block.columns.column_start[j + 1]; ++slot) {
      const std::uint32_t k = block.columns.synapse[slot];
      const double code = quant::saturate_real(rounder.real(shadow[k], block.index(slot)), wb.code_lower,
                                               wb.code_upper, stats.forward_saturations);
      const Weight w = to_stored<Weight>(code, wb.unit);
      if (w != weights[k]) ++stats.forward_changes;
      weights[k] = w;
    }
  }
}

}  // namespace

struct WeightNormalizationAccess {
  static WeightNormalizationStats run(PlasticProjection& p, double target_sum, std::uint64_t key) {
    const ResolvedWriteBack& wb = p.wb_;
    const std::string where = "weight normalization of '" + p.projection_->name() + "': ";
    require(std::isfinite(target_sum), where + "the target sum must be finite");
    Plan plan;
    plan.wb = &wb;
    plan.target = target_sum;
    plan.key = key;
    plan.shadow = wb.mode == WriteBackMode::shadow;
    plan.integer = wb.mode == WriteBackMode::quantized || (plan.shadow && wb.fixed_shadow);
    const auto& columns = *p.columns_;
    if (plan.integer) {
      plan.frac_bits = plan.shadow ? wb.extra_frac_bits : 0;
      // Sums of units and the target must stay inside 64 bits (products are formed in 128 bits): |w| is at
      // most the largest code, and a neuron has at most max_fan_in inputs.
      std::size_t max_fan_in = 0;
      for (const auto& block_columns : columns)
        for (std::size_t j = 0; j + 1 < block_columns.column_start.size(); ++j)
          max_fan_in = std::max<std::size_t>(max_fan_in, block_columns.column_start[j + 1] - block_columns.column_start[j]);
      const auto largest_code = static_cast<double>(
          std::max(std::abs(p.projection_->min_weight_code()), std::abs(p.projection_->max_weight_code())));
      const double largest_sum = std::ldexp(largest_code, plan.frac_bits) * static_cast<double>(max_fan_in);
      require(largest_sum < 0x1p62, where + "weight sums of up to " + std::to_string(largest_sum) +
                                        " units exceed the 2^62 of integer normalization (use fewer shadow bits)");
      const double target_units = std::ldexp(target_sum, plan.frac_bits);
      require(std::abs(target_units) < 0x1p62,
              where + "target sum " + std::to_string(target_sum) + " steps is too large for integer normalization");
      plan.target_units = static_cast<std::int64_t>(quant::NearestEvenRounder{}.real(target_units));  // integral
      if (!plan.shadow) {
        plan.lower_units = static_cast<std::int64_t>(wb.lower);  // quantized mode: integral, inside the code range
        plan.upper_units = static_cast<std::int64_t>(wb.upper);
      }
      plan.value_rounding = wb.update_rounding;
      plan.value_rounding.stream = p.stream_base_ + kValueStream;
    }
    plan.forward_rounding = wb.forward_rounding;
    plan.forward_rounding.stream = p.stream_base_ + kForwardStream;

    std::vector<WeightNormalizationStats> per_block(p.blocks_.size());
    std::visit(
        [&](auto& blocks) {
          using Weight = typename std::decay_t<decltype(blocks[0].weight)>::value_type;
          kernels::for_each_block(p.arena_.get(), blocks.size(), [&](std::size_t b) {
            auto& state = p.blocks_[b];
            const BlockColumns block{columns[b], blocks[b].row_start, state.row_base};
            const std::span<Weight> weights(blocks[b].weight);
            const std::span<double> shadow = plan.shadow ? std::span<double>(state.write_back.shadow) : std::span<double>();
            std::vector<std::uint8_t> normalized(block.size(), 0);
            WeightNormalizationStats& stats = per_block[b];
            if (plan.integer) {
              quant::visit_rounder(plan.value_rounding, plan.key, [&](const auto& rounder) {
                normalize_integer_columns(plan, block, weights, shadow, normalized, rounder, stats);
              });
            } else {
              normalize_real_columns(plan, block, weights, shadow, normalized, stats);
            }
            if (plan.shadow) {
              quant::visit_rounder(plan.forward_rounding, plan.key, [&](const auto& rounder) {
                requantize_columns(plan, block, weights, std::span<const double>(shadow), normalized, rounder, stats);
              });
            }
          });
        },
        p.projection_->mutable_blocks());

    WeightNormalizationStats total;
    for (const WeightNormalizationStats& s : per_block) total += s;
    return total;
  }
};

WeightNormalizationStats normalize_incoming_weights(PlasticProjection& projection, double target_sum) {
  return WeightNormalizationAccess::run(projection, target_sum, projection.next_step());
}

WeightNormalizationStats normalize_incoming_weights(PlasticProjection& projection, double target_sum,
                                                    std::uint64_t draw_key) {
  return WeightNormalizationAccess::run(projection, target_sum, draw_key);
}

}  // namespace qsnn::learning
