#include "quant/calibration.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "quant/enum_names.hpp"

namespace qsnn::quant {
namespace {

constexpr EnumNames<Calibration, 3> kCalibrationNames{
    "calibration",
    {Calibration::min_max, Calibration::percentile, Calibration::mse},
    {"min-max", "percentile", "mse"}};

// Q(q) for q in [0, 1] by linear interpolation between order statistics; reorders `scratch`.
double quantile(std::vector<double>& scratch, double q) {
  const double position = q * static_cast<double>(scratch.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const double fraction = position - static_cast<double>(below);
  const auto nth = scratch.begin() + static_cast<std::ptrdiff_t>(below);
  std::nth_element(scratch.begin(), nth, scratch.end());
  const double low = *nth;
  if (fraction == 0.0 || below + 1 == scratch.size()) return low;
  const double high = *std::min_element(nth + 1, scratch.end());  // nth_element put everything >= low after nth
  return low + fraction * (high - low);
}

}  // namespace

std::string_view calibration_name(Calibration value) { return kCalibrationNames.name(value); }
std::span<const Calibration> all_calibrations() { return kCalibrationNames.values(); }
std::string valid_calibration_names() { return kCalibrationNames.valid_names(); }
Calibration parse_calibration(std::string_view name) { return kCalibrationNames.parse(name); }

ClipRange min_max_range(std::span<const double> values, bool symmetric) {
  if (values.empty()) return {};
  if (symmetric) {
    double magnitude = 0.0;
    for (double x : values) magnitude = std::max(magnitude, std::fabs(x));
    return {-magnitude, magnitude};
  }
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  return {*lo, *hi};
}

void require_percentile(double percentile) {
  if (!(percentile > 50.0 && percentile <= 100.0)) {  // also rejects NaN
    std::ostringstream message;
    message << "percentile = " << percentile << " (allowed: (50, 100])";
    throw std::invalid_argument(message.str());
  }
}

ClipRange percentile_range(std::span<const double> values, double percentile, bool symmetric) {
  require_percentile(percentile);
  if (values.empty()) return {};
  const double upper = percentile / 100.0;
  std::vector<double> scratch(values.begin(), values.end());
  if (symmetric) {
    for (double& x : scratch) x = std::fabs(x);
    const double magnitude = quantile(scratch, upper);
    return {-magnitude, magnitude};
  }
  const double hi = quantile(scratch, upper);
  const double lo = quantile(scratch, 1.0 - upper);
  return {lo, hi};
}

std::vector<ClipRange> shrinking_ranges(ClipRange full, std::size_t count) {
  if (count == 0) throw std::invalid_argument("MSE search candidates = 0 (allowed: >= 1)");
  if (!(full.lo <= full.hi)) {
    std::ostringstream message;
    message << "clip range [" << full.lo << ", " << full.hi << "] (allowed: lo <= hi)";
    throw std::invalid_argument(message.str());
  }
  const double anchor = std::clamp(0.0, full.lo, full.hi);
  std::vector<ClipRange> ranges;
  ranges.reserve(count);
  ranges.push_back(full);
  for (std::size_t i = count - 1; i >= 1; --i) {
    const double factor = static_cast<double>(i) / static_cast<double>(count);
    ranges.push_back({anchor + factor * (full.lo - anchor), anchor + factor * (full.hi - anchor)});
  }
  return ranges;
}

ClipRange mse_optimal_range(ClipRange full, std::size_t count, const SquaredErrorOf& squared_error,
                            std::span<const ClipRange> also_try) {
  ClipRange best = full;
  double best_error = squared_error(full);
  const auto consider = [&](const ClipRange& candidate) {
    const double error = squared_error(candidate);
    if (error < best_error) {
      best_error = error;
      best = candidate;
    }
  };
  const std::vector<ClipRange> shrunk = shrinking_ranges(full, count);
  for (std::size_t i = 1; i < shrunk.size(); ++i) consider(shrunk[i]);
  for (const ClipRange& candidate : also_try) consider(candidate);
  return best;
}

}  // namespace qsnn::quant
