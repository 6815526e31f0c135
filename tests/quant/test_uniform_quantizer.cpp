#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "quant/counter_rng.hpp"
#include "quant/error_metrics.hpp"
#include "quant/uniform_quantizer.hpp"

using namespace qsnn::quant;

namespace {

std::vector<double> uniform_signal(std::size_t n, double lo, double hi, std::uint64_t seed) {
  const CounterRng rng(seed, 0);
  std::vector<double> values(n);
  for (std::size_t i = 0; i < n; ++i) values[i] = lo + (hi - lo) * rng.uniform01(0, i);
  return values;
}

// Gaussian rows whose standard deviations span `decades` decades, smallest first.
std::vector<double> channel_scaled(std::size_t rows, std::size_t cols, double decades, std::uint64_t seed) {
  const CounterRng rng(seed, 0);
  std::vector<double> values(rows * cols);
  for (std::size_t r = 0; r < rows; ++r) {
    const double scale = std::pow(10.0, decades * static_cast<double>(r) / static_cast<double>(rows - 1));
    for (std::size_t c = 0; c < cols; ++c) values[r * cols + c] = scale * rng.normal(0, r * cols + c);
  }
  return values;
}

UniformQuantizerConfig per_tensor(int bits) {
  UniformQuantizerConfig config;
  config.bits = bits;
  config.granularity = Granularity::per_tensor;
  return config;
}

double fake_mse(const UniformQuantizerConfig& config, const WeightMatrixView& view) {
  return mse(view.values, UniformQuantizer(config).fake_quantize(view));
}

// Runs f on a config that differs from `base` only in granularity.
template <class F>
void for_granularities(UniformQuantizerConfig base, std::size_t group_size, F&& f) {
  base.granularity = Granularity::per_tensor;
  const double tensor = f(base);
  base.granularity = Granularity::per_channel;
  const double channel = f(base);
  base.granularity = Granularity::per_group;
  base.group_size = group_size;
  const double group = f(base);
  CHECK(channel <= tensor);
  CHECK(group <= channel);
}

void check_bad_config(const UniformQuantizerConfig& config, const std::string& expected_start) {
  try {
    UniformQuantizer quantizer(config);
    FAIL("bad config accepted: expected " << expected_start);
  } catch (const std::invalid_argument& error) {
    const std::string message = error.what();
    CHECK_MESSAGE(message.find(expected_start) == 0, message);
    CHECK_MESSAGE(message.find("(allowed: ") != std::string::npos, message);
  }
}

}  // namespace

TEST_CASE("every uniform grid round-trips through its config name") {
  for (UniformGrid grid : all_uniform_grids()) CHECK(parse_uniform_grid(uniform_grid_name(grid)) == grid);
  try {
    parse_uniform_grid("midtread");
    FAIL("parse_uniform_grid accepted 'midtread'");
  } catch (const std::invalid_argument& error) {
    CHECK(std::string(error.what()) == "unknown uniform grid 'midtread' (valid: mid-tread, mid-rise)");
  }
}

TEST_CASE("code ranges: narrow for signed symmetric mid-tread, full otherwise") {
  UniformQuantizerConfig config = per_tensor(4);
  const UniformQuantizer narrow(config);
  CHECK(narrow.qmin() == -7);
  CHECK(narrow.qmax() == 7);
  config.symmetric = false;
  CHECK(UniformQuantizer(config).qmin() == -8);
  config.symmetric = true;
  config.grid = UniformGrid::mid_rise;
  CHECK(UniformQuantizer(config).qmin() == -8);
  CHECK(UniformQuantizer(config).qmax() == 7);
  config.is_signed = false;
  CHECK(UniformQuantizer(config).qmin() == 0);
  CHECK(UniformQuantizer(config).qmax() == 15);
  config.bits = 16;
  CHECK(UniformQuantizer(config).qmax() == 65535);
}

TEST_CASE("grid parameters on hand-computed ranges") {
  UniformQuantizerConfig config = per_tensor(4);
  CHECK(UniformQuantizer(config).params_for({-1.0, 1.75}) == UniformGroupParams{0.25, 0.0});  // a = 1.75 = 7 steps

  config.symmetric = false;
  config.is_signed = false;
  // 15 steps of 0.25 from -1.5: 0 is code 6 without nudging.
  CHECK(UniformQuantizer(config).params_for({-1.5, 2.25}) == UniformGroupParams{0.25, 6.0});
  // 15 steps of 0.2 from -0.35: zero point 1.75 rounds to 2, moving the range to [-0.4, 2.6].
  const UniformGroupParams nudged = UniformQuantizer(config).params_for({-0.35, 2.65});
  CHECK(nudged.scale == doctest::Approx(0.2));
  CHECK(nudged.zero_point == 2.0);

  config.grid = UniformGrid::mid_rise;
  // 16 cells of 0.25 from -1.5: level q sits at -1.5 + 0.25 (q + 1/2), so q - zero_point = q - 5.5.
  CHECK(UniformQuantizer(config).params_for({-1.5, 2.5}) == UniformGroupParams{0.25, 5.5});

  config.symmetric = true;
  config.is_signed = true;
  config.bits = 1;
  // 1-bit symmetric mid-rise: codes -1 and 0 at -a/2 and +a/2.
  const UniformGroupParams binary = UniformQuantizer(config).params_for({-2.0, 2.0});
  CHECK(binary == UniformGroupParams{2.0, -0.5});
  CHECK(dequantize_code(-1, binary) == -1.0);
  CHECK(dequantize_code(0, binary) == 1.0);
}

TEST_CASE("1-bit symmetric mid-rise is binary: sign(x) times a/2") {
  UniformQuantizerConfig config = per_tensor(1);
  config.grid = UniformGrid::mid_rise;
  const std::vector<double> values{-3.0, -0.1, 0.0, 0.2, 1.0, 2.9, -4.0};
  const std::vector<double> fake = UniformQuantizer(config).fake_quantize(WeightMatrixView(values));
  for (std::size_t i = 0; i < values.size(); ++i) {
    CAPTURE(values[i]);
    CHECK(std::fabs(fake[i]) == 2.0);
    if (values[i] != 0.0) CHECK(std::signbit(fake[i]) == std::signbit(values[i]));
  }
}

TEST_CASE("mid-rise min-max reaches SQNR = 6.02 b dB on a full-range uniform signal, b = 2..12") {
  const std::vector<double> values = uniform_signal(1 << 17, -1.0, 1.0, 1);
  const WeightMatrixView view(values);
  for (bool symmetric : {true, false}) {
    for (int bits = 2; bits <= 12; ++bits) {
      CAPTURE(symmetric);
      CAPTURE(bits);
      UniformQuantizerConfig config = per_tensor(bits);
      config.grid = UniformGrid::mid_rise;
      config.symmetric = symmetric;
      config.is_signed = symmetric;
      const UniformQuantizer quantizer(config);
      const double sqnr = sqnr_db(values, quantizer.fake_quantize(view));
      CHECK(std::fabs(sqnr - 6.02 * bits) < 0.1);
      CHECK(quantizer.quantize(view).saturated() == 0);
    }
  }
}

TEST_CASE("mid-tread min-max gives 20 log10(2^b - 1) dB instead, 2.5 dB lower at b = 2") {
  const std::vector<double> values = uniform_signal(1 << 17, -1.0, 1.0, 2);
  const WeightMatrixView view(values);
  for (int bits = 2; bits <= 12; ++bits) {
    CAPTURE(bits);
    UniformQuantizerConfig config = per_tensor(bits);
    config.symmetric = false;  // all 2^b codes: 2^b - 1 steps over the range
    const double sqnr = sqnr_db(values, UniformQuantizer(config).fake_quantize(view));
    const double expected = 20.0 * std::log10(std::ldexp(1.0, bits) - 1.0);
    CHECK(std::fabs(sqnr - expected) < 0.1);
    if (bits <= 3) CHECK(sqnr < 6.02 * bits - 1.0);
    // Signed symmetric mid-tread gives up one more code for the narrow range: 20 log10(2^b - 2).
    config.symmetric = true;
    const double narrow = sqnr_db(values, UniformQuantizer(config).fake_quantize(view));
    CHECK(std::fabs(narrow - 20.0 * std::log10(std::ldexp(1.0, bits) - 2.0)) < 0.1);
  }
}

TEST_CASE("per-channel is never worse than per-tensor, nor per-group than per-channel, with MSE calibration") {
  const std::vector<double> values = channel_scaled(8, 96, 1.0, 5);
  const WeightMatrixView view(values, 8, 96);
  for (bool symmetric : {true, false}) {
    for (RoundingMode mode : {RoundingMode::nearest_even, RoundingMode::stochastic, RoundingMode::floor}) {
      for (int bits : {2, 4, 6}) {
        CAPTURE(symmetric);
        CAPTURE(rounding_name(mode));
        CAPTURE(bits);
        UniformQuantizerConfig config;
        config.bits = bits;
        config.symmetric = symmetric;
        config.calibration = Calibration::mse;
        config.mse_candidates = 64;
        config.rounding.mode = mode;
        for_granularities(config, 24, [&](const UniformQuantizerConfig& c) { return fake_mse(c, view); });
      }
    }
  }
  // Also on data without channel structure, where the guarantee cannot come from the data.
  const std::vector<double> flat = uniform_signal(4 * 50, -1.0, 1.0, 9);
  UniformQuantizerConfig config;
  config.bits = 3;
  config.calibration = Calibration::mse;
  for_granularities(config, 7,
                    [&](const UniformQuantizerConfig& c) { return fake_mse(c, WeightMatrixView(flat, 4, 50)); });
}

TEST_CASE("MSE calibration of a row also tries the tensor's range, so a row that fits the tensor grid stays exact") {
  // 3-bit narrow codes: the tensor range [-1.5, 1.5] has levels 0, +-0.5, +-1, +-1.5, holding every value.
  // Row 0 alone (max 1.0) would try only [-t, t] with t <= 1, and no such grid holds both 0.5 and 1.0.
  const std::vector<double> values{0.5, 1.0, -0.5, 1.0, 1.5, -1.5, 0.5, 1.0};
  const WeightMatrixView view(values, 2, 4);
  UniformQuantizerConfig config;
  config.bits = 3;
  config.calibration = Calibration::mse;
  config.mse_candidates = 10;
  for (Granularity granularity : all_granularities()) {
    CAPTURE(granularity_name(granularity));
    config.granularity = granularity;
    config.group_size = 2;
    CHECK(UniformQuantizer(config).fake_quantize(view) == values);
  }
  config.granularity = Granularity::per_channel;
  const std::vector<double> row0(values.begin(), values.begin() + 4);
  const UniformQuantizer alone(config);
  CHECK(mse(row0, alone.fake_quantize(WeightMatrixView(row0))) > 0.0);
}

TEST_CASE("per-channel min-max is far better than per-tensor when channel scales differ by 1000x") {
  const std::vector<double> values = channel_scaled(16, 256, 3.0, 6);
  const WeightMatrixView view(values, 16, 256);
  for (int bits : {2, 3, 4, 8}) {
    CAPTURE(bits);
    UniformQuantizerConfig config;
    config.bits = bits;
    config.granularity = Granularity::per_tensor;
    const double tensor = fake_mse(config, view);
    config.granularity = Granularity::per_channel;
    const double channel = fake_mse(config, view);
    config.granularity = Granularity::per_group;
    config.group_size = 32;
    const double group = fake_mse(config, view);
    CHECK(channel < tensor);
    CHECK(group < channel);
    // At 2 bits both round most of every row to 0, so only from 3 bits does the channel scale pay off fully.
    if (bits >= 3) CHECK(channel < 0.5 * tensor);
  }
}

TEST_CASE("signed symmetric codes stay in the narrow range, even when clipping") {
  std::vector<double> values = uniform_signal(2000, -1.0, 1.0, 3);
  values[10] = -40.0;  // an outlier below: must not reach -2^(b-1)
  const WeightMatrixView view(values, 4, 500);
  for (Calibration calibration : all_calibrations()) {
    for (int bits : {2, 3, 8}) {
      UniformQuantizerConfig config;
      config.bits = bits;
      config.calibration = calibration;
      config.percentile = 99.0;
      const UniformQuantizer quantizer(config);
      const UniformQuantized encoded = quantizer.quantize(view);
      const std::int32_t limit = (1 << (bits - 1)) - 1;
      CHECK(encoded.qmin == -limit);
      CHECK(encoded.qmax == limit);
      const auto [lo, hi] = std::minmax_element(encoded.codes.begin(), encoded.codes.end());
      CHECK(*lo >= -limit);
      CHECK(*hi <= limit);
      CHECK(encoded.codes[10] == -limit);  // the outlier takes the narrow end, never -2^(b-1)
      for (const UniformGroupParams& params : encoded.params) CHECK(params.zero_point == 0.0);
    }
  }
}

TEST_CASE("asymmetric mid-tread represents 0 exactly") {
  std::vector<double> values = uniform_signal(3 * 40, -0.37, 1.91, 4);
  for (std::size_t i = 0; i < values.size(); i += 7) values[i] = 0.0;
  const WeightMatrixView view(values, 3, 40);
  for (bool is_signed : {true, false}) {
    for (Granularity granularity : all_granularities()) {
      for (int bits : {1, 2, 3, 5, 8, 16}) {
        CAPTURE(is_signed);
        CAPTURE(granularity_name(granularity));
        CAPTURE(bits);
        UniformQuantizerConfig config;
        config.bits = bits;
        config.symmetric = false;
        config.is_signed = is_signed;
        config.granularity = granularity;
        config.group_size = 6;
        const UniformQuantizer quantizer(config);
        const std::vector<double> fake = quantizer.fake_quantize(view);
        for (std::size_t i = 0; i < values.size(); i += 7) CHECK(fake[i] == 0.0);
        const UniformQuantized encoded = quantizer.quantize(view);
        for (std::size_t g = 0; g < encoded.params.size(); ++g) {
          const UniformGroupParams& params = encoded.params[g];
          CHECK(params.zero_point == std::round(params.zero_point));
          if (!encoded.clip_ranges[g].contains(0.0)) continue;  // no zero to represent
          CHECK(params.zero_point >= quantizer.qmin());
          CHECK(params.zero_point <= quantizer.qmax());
          CHECK(dequantize_code(static_cast<std::int32_t>(params.zero_point), params) == 0.0);
        }
      }
    }
  }
}

TEST_CASE("values already on the grid round-trip exactly") {
  // Signed symmetric 4-bit: a = 1.75 gives steps of 0.25; every multiple of 0.25 in [-1.75, 1.75] is a level.
  std::vector<double> levels;
  for (int k = -7; k <= 7; ++k) levels.push_back(0.25 * k);
  const UniformQuantizer symmetric(per_tensor(4));
  const UniformQuantized encoded = symmetric.quantize(WeightMatrixView(levels));
  for (std::size_t i = 0; i < levels.size(); ++i) CHECK(encoded.codes[i] == static_cast<int>(i) - 7);
  CHECK(symmetric.dequantize(encoded) == levels);

  // Unsigned asymmetric 4-bit over [-1.5, 2.25]: 15 steps of 0.25, zero point 6.
  std::vector<double> shifted;
  for (int q = 0; q <= 15; ++q) shifted.push_back(0.25 * (q - 6));
  UniformQuantizerConfig config = per_tensor(4);
  config.symmetric = false;
  config.is_signed = false;
  const UniformQuantizer asymmetric(config);
  CHECK(asymmetric.fake_quantize(WeightMatrixView(shifted)) == shifted);
}

TEST_CASE("requantizing dequantized values gives the same codes") {
  const std::vector<double> values = channel_scaled(6, 50, 1.0, 8);
  const WeightMatrixView view(values, 6, 50);
  for (bool symmetric : {true, false}) {
    for (bool is_signed : {true, false}) {
      // Unsigned symmetric takes a from |x| but keeps only [0, a]: on signed data the dequantized values
      // lose the negative side that set a, so requantizing them picks a smaller a.
      if (symmetric && !is_signed) continue;
      for (Granularity granularity : all_granularities()) {
        CAPTURE(symmetric);
        CAPTURE(is_signed);
        CAPTURE(granularity_name(granularity));
        UniformQuantizerConfig config;
        config.bits = 5;
        config.symmetric = symmetric;
        config.is_signed = is_signed;
        config.granularity = granularity;
        config.group_size = 8;
        const UniformQuantizer quantizer(config);
        const UniformQuantized first = quantizer.quantize(view);
        const std::vector<double> reconstructed = quantizer.dequantize(first);
        const UniformQuantized second = quantizer.quantize(WeightMatrixView(reconstructed, 6, 50));
        CHECK(second.codes == first.codes);
        CHECK(max_abs_error(quantizer.dequantize(second), reconstructed) <= 1e-12);
      }
    }
  }
}

TEST_CASE("fake_quantize equals dequantize(quantize(x)) bit for bit") {
  const std::vector<double> values = channel_scaled(5, 33, 2.0, 10);
  const WeightMatrixView view(values, 5, 33);
  for (UniformGrid grid : all_uniform_grids()) {
    for (Calibration calibration : all_calibrations()) {
      for (RoundingMode mode : all_rounding_modes()) {
        for (Granularity granularity : all_granularities()) {
          UniformQuantizerConfig config;
          config.bits = 3;
          config.grid = grid;
          config.symmetric = grid == UniformGrid::mid_rise;
          config.calibration = calibration;
          config.rounding.mode = mode;
          config.rounding.seed = 17;
          config.granularity = granularity;
          config.group_size = 5;
          config.mse_candidates = 32;
          const UniformQuantizer quantizer(config);
          const std::vector<double> direct = quantizer.fake_quantize(view, 4);
          const std::vector<double> round_trip = quantizer.dequantize(quantizer.quantize(view, 4));
          REQUIRE(direct.size() == round_trip.size());
          CHECK(std::equal(direct.begin(), direct.end(), round_trip.begin(), [](double a, double b) {
            return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
          }));
        }
      }
    }
  }
}

TEST_CASE("saturated counts are exact when a percentile clips known outliers") {
  // 990 values inside [-1, 1] of which 20 sit at each end, then 5 outliers on each side.
  std::vector<double> values;
  for (int i = 0; i < 20; ++i) values.push_back(-1.0);
  for (int i = 0; i < 20; ++i) values.push_back(1.0);
  for (int i = 0; i < 950; ++i) values.push_back(-0.99 + 1.98 * i / 949.0);
  for (int i = 0; i < 5; ++i) values.push_back(-50.0 - i);
  for (int i = 0; i < 5; ++i) values.push_back(30.0 + i);
  REQUIRE(values.size() == 1000);
  const WeightMatrixView view(values);
  for (bool symmetric : {true, false}) {
    CAPTURE(symmetric);
    UniformQuantizerConfig config = per_tensor(4);
    config.symmetric = symmetric;
    config.calibration = Calibration::percentile;
    config.percentile = 98.5;  // the 1.5th and 98.5th percentiles (of x or |x|) fall among the copies of +-1
    const UniformQuantized encoded = UniformQuantizer(config).quantize(view);
    CHECK(encoded.clip_ranges[0] == ClipRange{-1.0, 1.0});
    CHECK(encoded.saturation.saturated_low == 5);
    CHECK(encoded.saturation.saturated_high == 5);
    CHECK(encoded.saturated() == 10);
    CHECK(encoded.saturation.wrapped == 0);
    CHECK(fraction_saturated(encoded.saturated(), values.size()) == fraction_saturated(values, encoded.clip_ranges[0]));
    // The outliers land on the end codes.
    for (std::size_t i = 990; i < 995; ++i) CHECK(encoded.codes[i] == encoded.qmin);
    for (std::size_t i = 995; i < 1000; ++i) CHECK(encoded.codes[i] == encoded.qmax);

    config.calibration = Calibration::min_max;
    CHECK(UniformQuantizer(config).quantize(view).saturated() == 0);
  }
}

TEST_CASE("unsigned symmetric codes cover 0..a, and negative values saturate to 0 and are counted") {
  const std::vector<double> values{-0.5, 0.0, 0.3, 1.5, -2.0, 3.0};
  UniformQuantizerConfig config = per_tensor(2);
  config.is_signed = false;
  const UniformQuantized encoded = UniformQuantizer(config).quantize(WeightMatrixView(values));
  CHECK(encoded.clip_ranges[0] == ClipRange{0.0, 3.0});
  CHECK(encoded.params[0] == UniformGroupParams{1.0, 0.0});
  CHECK(encoded.codes == std::vector<std::int32_t>{0, 0, 0, 2, 0, 3});
  CHECK(encoded.saturation.saturated_low == 2);
  CHECK(encoded.saturation.saturated_high == 0);
}

TEST_CASE("stochastic rounding in the quantizer is unbiased and deterministic per seed") {
  std::vector<double> values = uniform_signal(64, -1.0, 1.0, 12);
  values[0] = -1.0;  // fix the min-max range so every seed shares one grid
  values[1] = 1.0;
  const WeightMatrixView view(values);
  UniformQuantizerConfig config = per_tensor(3);
  config.rounding.mode = RoundingMode::stochastic;
  const double scale = UniformQuantizer(config).params_for({-1.0, 1.0}).scale;

  constexpr int kSeeds = 4000;
  std::vector<double> sum(values.size(), 0.0);
  for (int seed = 0; seed < kSeeds; ++seed) {
    config.rounding.seed = static_cast<std::uint64_t>(seed);
    const std::vector<double> fake = UniformQuantizer(config).fake_quantize(view);
    for (std::size_t i = 0; i < values.size(); ++i) sum[i] += fake[i];
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    CAPTURE(i);
    // Each draw lands on one of the two levels around x: a Bernoulli(f) step of size `scale`.
    const double fraction = values[i] / scale - std::floor(values[i] / scale);
    const double standard_error = scale * std::sqrt(fraction * (1.0 - fraction) / kSeeds);
    CHECK(std::fabs(sum[i] / kSeeds - values[i]) <= 4.0 * standard_error + 1e-12);
  }

  config.rounding.seed = 99;
  const UniformQuantizer quantizer(config);
  CHECK(quantizer.fake_quantize(view) == quantizer.fake_quantize(view));
  CHECK(quantizer.fake_quantize(view, 1) != quantizer.fake_quantize(view, 2));
  config.rounding.seed = 100;
  CHECK(UniformQuantizer(config).fake_quantize(view) != quantizer.fake_quantize(view));
}

TEST_CASE("stochastic rounding draws by element index, so it does not depend on the grouping") {
  const std::vector<double> values = uniform_signal(60, -1.0, 1.0, 13);
  const WeightMatrixView view(values, 3, 20);
  UniformQuantizerConfig config;
  config.bits = 4;
  config.granularity = Granularity::per_group;
  config.group_size = 7;
  config.rounding = {RoundingMode::stochastic, 5, 2, 16};
  const UniformQuantizer quantizer(config);
  const UniformQuantized encoded = quantizer.quantize(view, 8);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const UniformGroupParams& params = encoded.params[encoded.layout.group_of(i)];
    const double expected = round_real(config.rounding, values[i] / params.scale + params.zero_point, 8, i);
    CHECK(encoded.codes[i] == std::clamp(static_cast<std::int32_t>(expected), encoded.qmin, encoded.qmax));
  }
}

TEST_CASE("an all-zero channel quantizes to exact zeros on either grid") {
  std::vector<double> values = uniform_signal(3 * 8, -1.0, 1.0, 14);
  std::fill(values.begin() + 8, values.begin() + 16, 0.0);
  const WeightMatrixView view(values, 3, 8);
  for (UniformGrid grid : all_uniform_grids()) {
    for (bool symmetric : {true, false}) {
      UniformQuantizerConfig config;
      config.bits = 3;
      config.grid = grid;
      config.symmetric = symmetric;
      const UniformQuantizer quantizer(config);
      const UniformQuantized encoded = quantizer.quantize(view);
      CHECK(encoded.params[1].scale == 0.0);
      const std::vector<double> fake = quantizer.fake_quantize(view);
      for (std::size_t i = 8; i < 16; ++i) CHECK(fake[i] == 0.0);
      CHECK(encoded.saturated() == 0);
    }
  }
}

TEST_CASE("one-element groups reproduce each weight on mid-tread grids") {
  const std::vector<double> values = uniform_signal(12, -3.0, 3.0, 15);
  const WeightMatrixView view(values, 2, 6);
  for (bool symmetric : {true, false}) {
    UniformQuantizerConfig config;
    config.bits = 4;
    config.symmetric = symmetric;
    config.granularity = Granularity::per_group;
    config.group_size = 1;
    const std::vector<double> fake = UniformQuantizer(config).fake_quantize(view);
    for (std::size_t i = 0; i < values.size(); ++i) CHECK(fake[i] == doctest::Approx(values[i]).epsilon(1e-14));
  }
}

TEST_CASE("uniform quantizer codes use exactly their bits with min-max calibration") {
  const std::vector<double> values = uniform_signal(4096, -2.0, 2.0, 16);
  UniformQuantizerConfig config = per_tensor(6);
  const UniformQuantized encoded = UniformQuantizer(config).quantize(WeightMatrixView(values));
  const CodeRangeUsage usage = code_range_usage(encoded.codes, config.bits, config.is_signed);
  CHECK(usage.bits_used == 6);
  CHECK(usage.unused_high_bits() == 0);
  CHECK(usage.distinct_codes == 63);  // the narrow range [-31, 31]
  CHECK(usage.wasted_low_bits == 0);
}

TEST_CASE("bad uniform quantizer configs name the field and the allowed values") {
  UniformQuantizerConfig config;
  config.bits = 0;
  check_bad_config(config, "uniform quantizer: bits = 0");
  config.bits = 17;
  check_bad_config(config, "uniform quantizer: bits = 17 (allowed: 1..16)");

  config = {};
  config.bits = 1;  // signed symmetric mid-tread has no nonzero level at 1 bit
  check_bad_config(config, "uniform quantizer: bits = 1 (allowed: 2..16 for signed symmetric mid-tread");
  config.grid = UniformGrid::mid_rise;
  CHECK_NOTHROW(UniformQuantizer{config});
  config.grid = UniformGrid::mid_tread;
  config.is_signed = false;
  CHECK_NOTHROW(UniformQuantizer{config});

  config = {};
  config.granularity = Granularity::per_group;
  check_bad_config(config, "uniform quantizer: group_size = 0 (allowed: >= 1 for per-group granularity)");

  for (double bad : {50.0, 100.5, std::numeric_limits<double>::quiet_NaN()}) {
    config = {};
    config.percentile = bad;
    check_bad_config(config, "uniform quantizer: percentile = ");
  }

  config = {};
  config.mse_candidates = 0;
  check_bad_config(config, "uniform quantizer: mse_candidates = 0 (allowed: 1..65536)");

  config = {};
  config.rounding.mode = RoundingMode::stochastic;
  config.rounding.random_bits = 4;
  check_bad_config(config, "uniform quantizer: rounding.random_bits = 4 (allowed: 8..32");
}

TEST_CASE("non-finite weights and mismatched encodings are errors") {
  const UniformQuantizer quantizer;
  std::vector<double> values{0.5, std::numeric_limits<double>::quiet_NaN(), 1.0, 2.0};
  CHECK_THROWS_AS(quantizer.quantize(WeightMatrixView(values, 2, 2)), std::domain_error);
  values[1] = std::numeric_limits<double>::infinity();
  CHECK_THROWS_AS(quantizer.fake_quantize(WeightMatrixView(values, 2, 2)), std::domain_error);

  values[1] = 0.0;
  UniformQuantized encoded = quantizer.quantize(WeightMatrixView(values, 2, 2));
  encoded.params.pop_back();
  CHECK_THROWS_AS(quantizer.dequantize(encoded), std::invalid_argument);
}
