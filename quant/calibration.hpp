#pragma once
// Choosing the clipping range [lo, hi] a quantizer spreads its levels over. Min-max never clips but lets
// one outlier stretch the step for everyone; a percentile ignores the tails; the MSE search trades clipping
// error against rounding error explicitly (Banner, Nahshan & Soudry, NeurIPS 2019, show the optimum for
// Laplacian or Gaussian weights lies well inside the min-max range at 2..4 bits).
//
// The MSE search does not know any quantizer: it asks a callback for the squared error of each
// candidate, so every quantizer (uniform or not) can reuse it with its own grid and rounding.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace qsnn::quant {

struct ClipRange {
  double lo = 0.0;
  double hi = 0.0;

  double width() const { return hi - lo; }
  bool contains(double x) const { return x >= lo && x <= hi; }
  friend bool operator==(const ClipRange&, const ClipRange&) = default;
};

enum class Calibration : std::uint8_t {
  min_max,     // [min, max] of the data (or +-max|x|)
  percentile,  // two-sided percentiles of the data (or of |x|)
  mse          // the candidate range with the least quantize-dequantize squared error
};

// Config names: "min-max", "percentile", "mse".
std::string_view calibration_name(Calibration calibration);
std::span<const Calibration> all_calibrations();
std::string valid_calibration_names();
// Throws std::invalid_argument "unknown calibration 'x' (valid: min-max, percentile, mse)".
Calibration parse_calibration(std::string_view name);

// [min, max], or [-max|x|, max|x|] when symmetric. An empty set gives [0, 0].
ClipRange min_max_range(std::span<const double> values, bool symmetric);

// Two-sided percentile range for p in (50, 100]: [Q(1 - p/100), Q(p/100)] of the values, or [-a, a] with
// a = Q(p/100) of |x| when symmetric. Q interpolates linearly between order statistics (Hyndman & Fan
// 1996, definition 7, numpy's default), so p = 100 is exactly min-max. Throws std::invalid_argument for p
// outside (50, 100]; an empty set gives [0, 0].
ClipRange percentile_range(std::span<const double> values, double percentile, bool symmetric);
// Throws std::invalid_argument unless p is in (50, 100].
void require_percentile(double percentile);

// The ranges the MSE search tries: `full` itself first, then `count - 1` ranges shrunk toward an anchor by
// the factors (count - 1) / count, ..., 1 / count. The anchor is 0 when full contains 0 (so a symmetric
// range stays symmetric and 0 stays inside), otherwise the end nearest 0 (one-signed data is clipped only
// on its far side). count >= 1 (std::invalid_argument otherwise).
std::vector<ClipRange> shrinking_ranges(ClipRange full, std::size_t count);

// Squared quantize-dequantize error summed over the values being calibrated, for one candidate range.
using SquaredErrorOf = std::function<double(const ClipRange&)>;

// The range with the least squared error among shrinking_ranges(full, count) followed by `also_try`.
// Ties keep the earlier candidate, so min-max (tried first) wins ties and the result is never worse than
// min-max; a caller that passes a coarser granularity's choice in also_try is never worse than it either.
ClipRange mse_optimal_range(ClipRange full, std::size_t count, const SquaredErrorOf& squared_error,
                            std::span<const ClipRange> also_try = {});

}  // namespace qsnn::quant
