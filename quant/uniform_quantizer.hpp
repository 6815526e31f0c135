#pragma once
// Uniform affine quantization in the ONNX convention (QuantizeLinear / DequantizeLinear):
//   q = clamp(round(x / scale + zero_point), qmin, qmax),   w = scale * (q - zero_point),
// with one (scale, zero_point) per group of the chosen granularity.
//
// Two grids:
//   mid-tread: a level sits exactly on 0 (integral zero point), the ONNX/TFLite grid. Over an asymmetric
//              min-max range its 2^b levels span 2^b - 1 steps, so a full-range uniform signal reaches
//              SQNR = 20 log10(2^b - 1) dB (9.5 dB at b = 2; 20 log10(2^b - 2) with signed narrow codes);
//   mid-rise:  the 2^b levels sit at the centres of 2^b equal cells, w = lo + scale * (q - qmin + 1/2),
//              scale = (hi - lo) / 2^b: in general no level on 0, but the classical SQNR = 6.02 b dB of a
//              full-range uniform signal (Bennett 1948; Widrow & Kollar, Quantization Noise, 2008). Its
//              zero point is not an integer (-1/2 when symmetric), so zero points are stored as doubles.
// Symmetric: the range is [-a, a] from |x| (zero point 0 on mid-tread, -1/2 on mid-rise). Signed mid-tread
// codes then use the narrow range [-(2^(b-1) - 1), 2^(b-1) - 1] so that +a and -a are both levels (needs
// b >= 2); signed mid-rise codes use all 2^b codes, w = scale * (q + 1/2), which at b = 1 is +-a/2 binary.
// Unsigned symmetric codes cover [0, a] only: meant for non-negative data; negative values saturate to 0.
// Asymmetric: the range is [lo, hi]; on mid-tread the zero point is rounded to an integer, which shifts the
// range by less than half a step so that 0, when inside it, is exactly a level (ONNX requires an exact
// zero; Jacob et al., CVPR 2018). When 0 is outside the range the zero point is still
// integral but lies outside [qmin, qmax].
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "quant/calibration.hpp"
#include "quant/granularity.hpp"
#include "quant/overflow.hpp"
#include "quant/rounders.hpp"
#include "quant/weight_matrix.hpp"

namespace qsnn::quant {

enum class UniformGrid : std::uint8_t { mid_tread, mid_rise };

// Config names: "mid-tread", "mid-rise".
std::string_view uniform_grid_name(UniformGrid grid);
std::span<const UniformGrid> all_uniform_grids();
std::string valid_uniform_grid_names();
// Throws std::invalid_argument "unknown uniform grid 'x' (valid: mid-tread, mid-rise)".
UniformGrid parse_uniform_grid(std::string_view name);

struct UniformQuantizerConfig {
  int bits = 8;           // 1..16 (2..16 for signed symmetric mid-tread)
  bool is_signed = true;  // signed or unsigned integer codes
  bool symmetric = true;  // range [-a, a] from |x|, or [lo, hi]
  UniformGrid grid = UniformGrid::mid_tread;
  Granularity granularity = Granularity::per_channel;
  std::size_t group_size = 0;  // elements per group; per_group only, >= 1
  // With mse, a per-channel search also tries the range chosen for the whole tensor and a per-group search
  // the range chosen for its row, so a finer granularity never has a larger squared error than a coarser one.
  Calibration calibration = Calibration::min_max;
  double percentile = 99.9;          // Calibration::percentile: in (50, 100]
  std::size_t mse_candidates = 128;  // Calibration::mse: ranges tried, 1..65536
  RoundingSpec rounding{};           // rounding of x / scale + zero_point
};

// Throws std::invalid_argument naming the field and its allowed values.
void validate(const UniformQuantizerConfig& config);

// One group's parameters: w = scale * (q - zero_point). scale is 0 only for a group whose clip range is
// [0, 0] (all weights zero, or calibrated to zero); every code of such a group dequantizes to 0.
struct UniformGroupParams {
  double scale = 0.0;
  double zero_point = 0.0;
  friend bool operator==(const UniformGroupParams&, const UniformGroupParams&) = default;
};

inline double dequantize_code(std::int32_t code, const UniformGroupParams& params) {
  return params.scale * (static_cast<double>(code) - params.zero_point);
}

struct UniformQuantized {
  GroupLayout layout{Granularity::per_tensor, 0, 0};
  std::vector<std::int32_t> codes;         // row-major, in [qmin, qmax]
  std::vector<UniformGroupParams> params;  // one per group of layout
  std::vector<ClipRange> clip_ranges;      // per group: the calibrated range as the grid covers it
                                           // ([0, a] for unsigned symmetric codes)
  std::int32_t qmin = 0;
  std::int32_t qmax = 0;
  // Elements outside their group's clip range, so clamped to (about) its end. Wrapped is always 0.
  OverflowCounts saturation;

  std::uint64_t saturated() const { return saturation.saturated(); }
};

class UniformQuantizer {
 public:
  using Encoded = UniformQuantized;

  // Throws std::invalid_argument for a bad config (see validate).
  explicit UniformQuantizer(UniformQuantizerConfig config = {});

  const UniformQuantizerConfig& config() const { return config_; }
  std::int32_t qmin() const { return qmin_; }
  std::int32_t qmax() const { return qmax_; }
  double bits_per_weight() const { return config_.bits; }

  // Stochastic rounding draws from (seed, stream, rng_step, flat element index): give each training step
  // its own rng_step; the result never depends on the order elements are visited in.
  // Throws std::domain_error on a NaN or infinite weight.
  UniformQuantized quantize(const WeightMatrixView& weights, std::uint64_t rng_step = 0) const;
  // Throws std::invalid_argument if the encoding's arrays disagree with its layout.
  std::vector<double> dequantize(const UniformQuantized& encoded) const;
  // dequantize(quantize(weights, rng_step)) bit for bit, without keeping the codes (QAT shadow weights).
  std::vector<double> fake_quantize(const WeightMatrixView& weights, std::uint64_t rng_step = 0) const;

  // The grid for a clip range. Symmetric configs use a = max(|lo|, |hi|). A zero-width range [c, c] is
  // widened to include 0; [0, 0] gives scale 0.
  UniformGroupParams params_for(const ClipRange& range) const;
  // The clip range the config's calibration picks for one flat set of values (element i drawing stochastic
  // rounding from index first_index + i).
  ClipRange calibrate(std::span<const double> values, std::uint64_t rng_step = 0, std::uint64_t first_index = 0) const;

 private:
  UniformQuantizerConfig config_;
  std::int32_t qmin_;
  std::int32_t qmax_;
};

}  // namespace qsnn::quant
