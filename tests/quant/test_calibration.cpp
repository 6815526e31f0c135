#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "quant/calibration.hpp"
#include "quant/counter_rng.hpp"
#include "quant/error_metrics.hpp"
#include "quant/uniform_quantizer.hpp"

using namespace qsnn::quant;

namespace {

// Laplace(0, 1) by inverse CDF; u is kept inside (0, 1) so the log stays finite.
std::vector<double> laplacian(std::size_t n, std::uint64_t seed) {
  const CounterRng rng(seed, 0);
  std::vector<double> values(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double u = rng.uniform01(0, i) + 0x1.0p-54 - 0.5;
    values[i] = (u < 0.0 ? 1.0 : -1.0) * std::log(1.0 - 2.0 * std::fabs(u));
  }
  return values;
}

double quantizer_mse(const UniformQuantizerConfig& config, const std::vector<double>& values) {
  const WeightMatrixView view(values);
  return mse(values, UniformQuantizer(config).fake_quantize(view));
}

}  // namespace

TEST_CASE("every calibration round-trips through its config name") {
  for (Calibration calibration : all_calibrations())
    CHECK(parse_calibration(calibration_name(calibration)) == calibration);
  CHECK(calibration_name(Calibration::min_max) == "min-max");
  try {
    parse_calibration("kl");
    FAIL("parse_calibration accepted 'kl'");
  } catch (const std::invalid_argument& error) {
    CHECK(std::string(error.what()) == "unknown calibration 'kl' (valid: min-max, percentile, mse)");
  }
}

TEST_CASE("min-max range, plain and symmetric") {
  const std::vector<double> values{0.5, -3.0, 2.0, 1.0};
  CHECK(min_max_range(values, false) == ClipRange{-3.0, 2.0});
  CHECK(min_max_range(values, true) == ClipRange{-3.0, 3.0});
  CHECK(min_max_range(std::vector<double>{}, false) == ClipRange{0.0, 0.0});
}

TEST_CASE("percentiles interpolate linearly between order statistics") {
  const std::vector<double> two{10.0, 0.0};
  CHECK(percentile_range(two, 75.0, false) == ClipRange{2.5, 7.5});
  CHECK(percentile_range(two, 100.0, false) == ClipRange{0.0, 10.0});

  std::vector<double> ramp;  // 1000, 999, ..., 0: order must not matter
  for (int i = 1000; i >= 0; --i) ramp.push_back(i);
  const ClipRange range = percentile_range(ramp, 99.0, false);
  CHECK(range.lo == doctest::Approx(10.0).epsilon(1e-12));
  CHECK(range.hi == doctest::Approx(990.0).epsilon(1e-12));
}

TEST_CASE("symmetric percentiles are taken of |x|") {
  // |x| = 0..100 with signs alternating; the 90th percentile of |x| is 90.
  std::vector<double> values;
  for (int i = 0; i <= 100; ++i) values.push_back(i % 2 == 0 ? i : -i);
  const ClipRange range = percentile_range(values, 90.0, true);
  CHECK(range.hi == doctest::Approx(90.0).epsilon(1e-12));
  CHECK(range.lo == -range.hi);
  CHECK(percentile_range(values, 100.0, true) == min_max_range(values, true));
}

TEST_CASE("a percentile of 50 or less, or above 100, is an error naming the allowed interval") {
  const std::vector<double> values{1.0, 2.0};
  for (double bad : {50.0, 10.0, 100.5, std::numeric_limits<double>::quiet_NaN()}) {
    try {
      percentile_range(values, bad, false);
      FAIL("percentile accepted");
    } catch (const std::invalid_argument& error) {
      CHECK(std::string(error.what()).find("percentile = ") == 0);
      CHECK(std::string(error.what()).find("(allowed: (50, 100])") != std::string::npos);
    }
  }
}

TEST_CASE("shrinking candidates start at the full range and keep 0 or the near end fixed") {
  const std::vector<ClipRange> symmetric = shrinking_ranges({-2.0, 2.0}, 4);
  REQUIRE(symmetric.size() == 4);
  CHECK(symmetric[0] == ClipRange{-2.0, 2.0});
  CHECK(symmetric[1] == ClipRange{-1.5, 1.5});
  CHECK(symmetric[3] == ClipRange{-0.5, 0.5});

  const std::vector<ClipRange> skewed = shrinking_ranges({-1.0, 3.0}, 2);
  CHECK(skewed[1] == ClipRange{-0.5, 1.5});

  const std::vector<ClipRange> positive = shrinking_ranges({1.0, 5.0}, 4);
  CHECK(positive[2] == ClipRange{1.0, 3.0});  // anchored at the end nearest 0
  const std::vector<ClipRange> negative = shrinking_ranges({-5.0, -1.0}, 4);
  CHECK(negative[2] == ClipRange{-3.0, -1.0});

  CHECK(shrinking_ranges({-1.0, 1.0}, 1).size() == 1);
  CHECK_THROWS_AS(shrinking_ranges({-1.0, 1.0}, 0), std::invalid_argument);
  CHECK_THROWS_AS(shrinking_ranges({1.0, -1.0}, 4), std::invalid_argument);
}

TEST_CASE("the MSE search returns the candidate with least error, min-max on ties, extra candidates last") {
  const auto distance_to_0_6 = [](const ClipRange& range) { return std::fabs(range.hi - 0.6); };
  CHECK(mse_optimal_range({-1.0, 1.0}, 10, distance_to_0_6).hi == doctest::Approx(0.6));

  const auto flat = [](const ClipRange&) { return 1.0; };
  CHECK(mse_optimal_range({-1.0, 1.0}, 10, flat) == ClipRange{-1.0, 1.0});

  const ClipRange exact{-0.63, 0.63};
  const auto distance_to_0_63 = [](const ClipRange& range) { return std::fabs(range.hi - 0.63); };
  CHECK(mse_optimal_range({-1.0, 1.0}, 10, distance_to_0_63, std::span(&exact, 1)) == exact);
}

TEST_CASE("MSE-optimal clipping beats min-max on Laplacian data at 2..4 bits") {
  const std::vector<double> values = laplacian(1 << 16, 7);
  for (bool symmetric : {true, false}) {
    for (int bits = 2; bits <= 4; ++bits) {
      CAPTURE(symmetric);
      CAPTURE(bits);
      UniformQuantizerConfig config;
      config.bits = bits;
      config.symmetric = symmetric;
      config.granularity = Granularity::per_tensor;
      const double min_max = quantizer_mse(config, values);
      config.calibration = Calibration::mse;
      const double optimal = quantizer_mse(config, values);
      // Clipping at the optimum (about 2.8b, 3.9b, 5.0b for b = 2, 3, 4 bits; Banner et al. 2019) instead of
      // at max|x| (about 11b for 2^16 samples) cuts the error by far more than half.
      CHECK(optimal < 0.5 * min_max);
    }
  }
}

TEST_CASE("percentile clipping beats min-max on Laplacian data at 2..4 bits") {
  const std::vector<double> values = laplacian(1 << 16, 11);
  for (bool symmetric : {true, false}) {
    for (int bits = 2; bits <= 4; ++bits) {
      CAPTURE(symmetric);
      CAPTURE(bits);
      UniformQuantizerConfig config;
      config.bits = bits;
      config.symmetric = symmetric;
      config.granularity = Granularity::per_tensor;
      const double min_max = quantizer_mse(config, values);
      config.calibration = Calibration::percentile;
      config.percentile = 99.9;
      CHECK(quantizer_mse(config, values) < 0.9 * min_max);
    }
  }
}

TEST_CASE("MSE-optimal clipping is never worse than min-max, whatever the data and grid") {
  const CounterRng rng(3, 0);
  std::vector<double> uniform(4096);
  std::vector<double> gaussian(4096);
  for (std::size_t i = 0; i < uniform.size(); ++i) {
    uniform[i] = 2.0 * rng.uniform01(0, i) - 1.0;
    gaussian[i] = rng.normal(1, i);
  }
  for (const std::vector<double>* values : {&uniform, &gaussian}) {
    for (UniformGrid grid : all_uniform_grids()) {
      for (int bits : {2, 3, 5, 8}) {
        UniformQuantizerConfig config;
        config.bits = bits;
        config.grid = grid;
        config.granularity = Granularity::per_tensor;
        config.rounding.mode = RoundingMode::stochastic;
        const double min_max = quantizer_mse(config, *values);
        config.calibration = Calibration::mse;
        CHECK(quantizer_mse(config, *values) <= min_max);
      }
    }
  }
}
