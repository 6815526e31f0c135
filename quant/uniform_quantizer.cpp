#include "quant/uniform_quantizer.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "quant/enum_names.hpp"

namespace qsnn::quant {
namespace {

constexpr EnumNames<UniformGrid, 2> kGridNames{
    "uniform grid",
    {UniformGrid::mid_tread, UniformGrid::mid_rise},
    {"mid-tread", "mid-rise"}};

constexpr std::string_view kWho = "uniform quantizer";
constexpr std::size_t kMaxMseCandidates = 65536;

template <class Value>
[[noreturn]] void throw_bad_field(std::string_view field, const Value& value, std::string_view allowed) {
  std::ostringstream message;
  message << kWho << ": " << field << " = " << value << " (allowed: " << allowed << ")";
  throw std::invalid_argument(message.str());
}

bool narrow_signed_range(const UniformQuantizerConfig& config) {
  return config.is_signed && config.symmetric && config.grid == UniformGrid::mid_tread;
}

// NaN or infinite weights are a bug upstream; a finite code would hide it.
void require_finite(std::span<const double> values, std::size_t cols) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      std::ostringstream message;
      message << kWho << ": weight at row " << (cols == 0 ? 0 : i / cols) << ", column " << (cols == 0 ? i : i % cols)
              << " is " << values[i] << " (allowed: finite values)";
      throw std::domain_error(message.str());
    }
  }
}

// The grid a group quantizes onto, and the range outside which its values count as saturated.
struct GroupGrid {
  UniformGroupParams params;
  ClipRange clip;
};

// Everything the hot loops need, fixed for one quantize call.
struct Grid {
  const UniformQuantizerConfig& config;
  std::int32_t qmin;
  std::int32_t qmax;

  // A symmetric range covers [-a, a] ([0, a] for unsigned codes); a zero-width asymmetric range [c, c]
  // is widened to include 0 so that c gets a nonzero step and lands on a level.
  ClipRange clip_of(const ClipRange& calibrated) const {
    if (config.symmetric) {
      const double magnitude = std::max(std::fabs(calibrated.lo), std::fabs(calibrated.hi));
      return {config.is_signed ? -magnitude : 0.0, magnitude};
    }
    if (calibrated.width() == 0.0) return {std::min(calibrated.lo, 0.0), std::max(calibrated.hi, 0.0)};
    return calibrated;
  }

  GroupGrid grid_of(const ClipRange& calibrated) const {
    const ClipRange clip = clip_of(calibrated);
    const bool mid_tread = config.grid == UniformGrid::mid_tread;
    if (clip.width() == 0.0) return {{0.0, mid_tread ? 0.0 : -0.5}, clip};  // [0, 0]: everything is 0
    if (config.symmetric) {
      // mid-tread: +-a are the end levels qmax and -qmax; mid-rise: a is the top edge of cell qmax.
      const double magnitude = clip.hi;
      if (mid_tread) return {{magnitude / qmax, 0.0}, clip};
      return {{magnitude / (static_cast<double>(qmax) + 1.0), -0.5}, clip};
    }
    const double levels = std::ldexp(1.0, config.bits);
    if (mid_tread) {
      const double scale = clip.width() / (levels - 1.0);
      // Rounding the zero point moves the range by under half a step and makes 0 a level when inside it.
      return {{scale, NearestEvenRounder{}.real(qmin - clip.lo / scale)}, clip};
    }
    const double scale = clip.width() / levels;
    return {{scale, qmin - 0.5 - clip.lo / scale}, clip};
  }

  // Quantizes values (flat indices first_index...) onto one group's grid, handing each code to
  // sink(offset, code) and counting values outside the clip range.
  template <class Rounder, class Sink>
  void quantize_group(std::span<const double> values, std::uint64_t first_index, const GroupGrid& group,
                      const Rounder& rounder, OverflowCounts& counts, Sink&& sink) const {
    const auto count_saturation = [&](double x) {
      if (x < group.clip.lo)
        ++counts.saturated_low;
      else if (x > group.clip.hi)
        ++counts.saturated_high;
    };
    const UniformGroupParams& params = group.params;
    if (params.scale == 0.0) {
      const auto zero_code =
          std::clamp(static_cast<std::int32_t>(NearestEvenRounder{}.real(params.zero_point)), qmin, qmax);
      for (std::size_t i = 0; i < values.size(); ++i) {
        count_saturation(values[i]);
        sink(i, zero_code);
      }
      return;
    }
    // Clamping before rounding keeps huge values convertible; anything clamped still rounds outside
    // [qmin, qmax] and so still saturates.
    const double below = static_cast<double>(qmin) - 1.0;
    const double above = static_cast<double>(qmax) + 1.0;
    for (std::size_t i = 0; i < values.size(); ++i) {
      const double x = values[i];
      count_saturation(x);
      const double scaled = std::clamp(x / params.scale + params.zero_point, below, above);
      const auto code = static_cast<std::int32_t>(rounder.real(scaled, first_index + i));
      sink(i, std::clamp(code, qmin, qmax));
    }
  }

  template <class Rounder>
  double squared_error(std::span<const double> values, std::uint64_t first_index, const ClipRange& candidate,
                       const Rounder& rounder) const {
    const GroupGrid group = grid_of(candidate);
    OverflowCounts ignored;
    double sum = 0.0;
    quantize_group(values, first_index, group, rounder, ignored, [&](std::size_t i, std::int32_t code) {
      const double error = values[i] - dequantize_code(code, group.params);
      sum += error * error;
    });
    return sum;
  }

  template <class Rounder>
  ClipRange calibrate(std::span<const double> values, std::uint64_t first_index, const Rounder& rounder,
                      std::span<const ClipRange> also_try) const {
    switch (config.calibration) {
      case Calibration::min_max: return min_max_range(values, config.symmetric);
      case Calibration::percentile: return percentile_range(values, config.percentile, config.symmetric);
      case Calibration::mse:
        return mse_optimal_range(
            min_max_range(values, config.symmetric), config.mse_candidates,
            [&](const ClipRange& candidate) { return squared_error(values, first_index, candidate, rounder); },
            also_try);
    }
    throw std::invalid_argument("invalid Calibration value");
  }

  // One grid per group. The MSE search at a finer granularity also tries the range chosen at the next
  // coarser one (tensor -> row -> group), which makes per-group <= per-channel <= per-tensor in squared
  // error by construction rather than only on typical data.
  template <class Rounder>
  std::vector<GroupGrid> calibrate_groups(const WeightMatrixView& weights, const GroupLayout& layout,
                                          const Rounder& rounder) const {
    const auto range_of = [&](ElementRange elements, std::span<const ClipRange> also_try) {
      return calibrate(weights.values.subspan(elements.begin, elements.size()), elements.begin, rounder, also_try);
    };
    std::vector<GroupGrid> grids(layout.group_count());
    if (config.calibration != Calibration::mse || layout.granularity() == Granularity::per_tensor) {
      layout.for_each_group([&](std::size_t g, ElementRange elements) { grids[g] = grid_of(range_of(elements, {})); });
      return grids;
    }
    const ClipRange tensor = range_of({0, weights.size()}, {});
    const GroupLayout rows(Granularity::per_channel, weights.rows, weights.cols);
    for (std::size_t r = 0; r < weights.rows; ++r) {
      const ClipRange row = range_of(rows.group(r), std::span(&tensor, 1));
      if (layout.granularity() == Granularity::per_channel) {
        grids[r] = grid_of(row);
        continue;
      }
      for (std::size_t j = 0; j < layout.groups_per_row(); ++j) {
        const std::size_t g = r * layout.groups_per_row() + j;
        grids[g] = grid_of(range_of(layout.group(g), std::span(&row, 1)));
      }
    }
    return grids;
  }

  // Calibrates, then quantizes every group, handing sink(flat index, code, params) each code.
  template <class Sink>
  OverflowCounts run(const WeightMatrixView& weights, const GroupLayout& layout, std::uint64_t rng_step,
                     std::vector<GroupGrid>& grids, Sink&& sink) const {
    require_finite(weights.values, weights.cols);
    OverflowCounts counts;
    visit_rounder(config.rounding, rng_step, [&](const auto& rounder) {
      grids = calibrate_groups(weights, layout, rounder);
      layout.for_each_group([&](std::size_t g, ElementRange elements) {
        const GroupGrid& group = grids[g];
        quantize_group(weights.values.subspan(elements.begin, elements.size()), elements.begin, group, rounder, counts,
                       [&](std::size_t i, std::int32_t code) { sink(elements.begin + i, code, group.params); });
      });
    });
    return counts;
  }
};

}  // namespace

std::string_view uniform_grid_name(UniformGrid value) { return kGridNames.name(value); }
std::span<const UniformGrid> all_uniform_grids() { return kGridNames.values(); }
std::string valid_uniform_grid_names() { return kGridNames.valid_names(); }
UniformGrid parse_uniform_grid(std::string_view name) { return kGridNames.parse(name); }

void validate(const UniformQuantizerConfig& config) {
  if (config.bits < 1 || config.bits > 16) throw_bad_field("bits", config.bits, "1..16");
  if (config.bits < 2 && narrow_signed_range(config))
    throw_bad_field("bits", config.bits,
                    "2..16 for signed symmetric mid-tread codes, whose narrow range [-(2^(b-1) - 1), 2^(b-1) - 1] "
                    "holds only 0 at 1 bit; use mid-rise or unsigned codes for 1 bit");
  if (config.grid != UniformGrid::mid_tread && config.grid != UniformGrid::mid_rise)
    throw_bad_field("grid", static_cast<int>(config.grid), valid_uniform_grid_names());
  switch (config.granularity) {
    case Granularity::per_tensor:
    case Granularity::per_channel: break;
    case Granularity::per_group:
      if (config.group_size < 1) throw_bad_field("group_size", config.group_size, ">= 1 for per-group granularity");
      break;
    default: throw_bad_field("granularity", static_cast<int>(config.granularity), valid_granularity_names());
  }
  switch (config.calibration) {
    case Calibration::min_max:
    case Calibration::percentile:
    case Calibration::mse: break;
    default: throw_bad_field("calibration", static_cast<int>(config.calibration), valid_calibration_names());
  }
  if (!(config.percentile > 50.0 && config.percentile <= 100.0))  // also rejects NaN
    throw_bad_field("percentile", config.percentile, "(50, 100]");
  if (config.mse_candidates < 1 || config.mse_candidates > kMaxMseCandidates)
    throw_bad_field("mse_candidates", config.mse_candidates, "1.." + std::to_string(kMaxMseCandidates));
  if (static_cast<std::size_t>(config.rounding.mode) >= all_rounding_modes().size())
    throw_bad_field("rounding.mode", static_cast<int>(config.rounding.mode), valid_rounding_names());
  if (is_stochastic(config.rounding.mode) && (config.rounding.random_bits < 8 || config.rounding.random_bits > 32))
    throw_bad_field("rounding.random_bits", config.rounding.random_bits, "8..32 for stochastic rounding");
}

UniformQuantizer::UniformQuantizer(UniformQuantizerConfig config) : config_(config), qmin_(0), qmax_(0) {
  validate(config_);
  const std::int32_t levels = std::int32_t{1} << config_.bits;
  if (!config_.is_signed) {
    qmax_ = levels - 1;
  } else if (narrow_signed_range(config_)) {
    qmax_ = levels / 2 - 1;
    qmin_ = -qmax_;
  } else {
    qmax_ = levels / 2 - 1;
    qmin_ = -levels / 2;
  }
}

UniformGroupParams UniformQuantizer::params_for(const ClipRange& range) const {
  return Grid{config_, qmin_, qmax_}.grid_of(range).params;
}

ClipRange UniformQuantizer::calibrate(std::span<const double> values, std::uint64_t rng_step,
                                      std::uint64_t first_index) const {
  require_finite(values, 0);
  const Grid grid{config_, qmin_, qmax_};
  return visit_rounder(config_.rounding, rng_step,
                       [&](const auto& rounder) { return grid.calibrate(values, first_index, rounder, {}); });
}

UniformQuantized UniformQuantizer::quantize(const WeightMatrixView& weights, std::uint64_t rng_step) const {
  UniformQuantized encoded;
  encoded.layout = GroupLayout(config_.granularity, weights, config_.group_size);
  encoded.codes.resize(weights.size());
  encoded.qmin = qmin_;
  encoded.qmax = qmax_;
  std::vector<GroupGrid> grids;
  encoded.saturation = Grid{config_, qmin_, qmax_}.run(
      weights, encoded.layout, rng_step, grids,
      [&](std::size_t i, std::int32_t code, const UniformGroupParams&) { encoded.codes[i] = code; });
  encoded.params.reserve(grids.size());
  encoded.clip_ranges.reserve(grids.size());
  for (const GroupGrid& group : grids) {
    encoded.params.push_back(group.params);
    encoded.clip_ranges.push_back(group.clip);
  }
  return encoded;
}

std::vector<double> UniformQuantizer::dequantize(const UniformQuantized& encoded) const {
  const GroupLayout& layout = encoded.layout;
  if (encoded.codes.size() != layout.element_count() || encoded.params.size() != layout.group_count())
    throw std::invalid_argument(std::string(kWho) + ": encoding has " + std::to_string(encoded.codes.size()) +
                                " codes and " + std::to_string(encoded.params.size()) + " group parameters (expected " +
                                std::to_string(layout.element_count()) + " and " +
                                std::to_string(layout.group_count()) + ")");
  std::vector<double> values(encoded.codes.size());
  layout.for_each_group([&](std::size_t g, ElementRange elements) {
    for (std::size_t i = elements.begin; i < elements.end; ++i)
      values[i] = dequantize_code(encoded.codes[i], encoded.params[g]);
  });
  return values;
}

std::vector<double> UniformQuantizer::fake_quantize(const WeightMatrixView& weights, std::uint64_t rng_step) const {
  const GroupLayout layout(config_.granularity, weights, config_.group_size);
  std::vector<double> values(weights.size());
  std::vector<GroupGrid> grids;
  Grid{config_, qmin_, qmax_}.run(weights, layout, rng_step, grids,
                                  [&](std::size_t i, std::int32_t code, const UniformGroupParams& params) {
                                    values[i] = dequantize_code(code, params);
                                  });
  return values;
}

}  // namespace qsnn::quant
