#include "experiments/quant_demo.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "quant/binary_quantizer.hpp"
#include "quant/codebook_quantizer.hpp"
#include "quant/counter_rng.hpp"
#include "quant/error_metrics.hpp"
#include "quant/mantissa_exponent_quantizer.hpp"
#include "quant/power_of_two_quantizer.hpp"
#include "quant/product_quantizer.hpp"
#include "quant/ternary_quantizer.hpp"
#include "quant/uniform_quantizer.hpp"
#include "quant/weight_matrix.hpp"

namespace qsnn::experiments {
namespace {

// What one quantizer made of one tensor at one width.
struct Reconstruction {
  std::vector<double> values;
  std::optional<std::uint64_t> saturated;  // absent: the quantizer has no clipping range
};

struct QuantizerVariant {
  std::string name;
  int min_bits;
  int max_bits;
  // Storage per weight of a rows x cols tensor at `bits`, codebooks (32-bit levels) included: product
  // quantization shares one index among d weights but stores 2^b centroids per sub-space.
  std::function<double(int bits, std::size_t rows, std::size_t cols)> bits_per_weight;
  std::function<Reconstruction(const quant::WeightMatrixView&, int bits)> run;
};

struct ResultRow {
  std::string distribution;
  std::string quantizer;
  int bits;
  double bits_per_weight;
  quant::QuantizationError error;
  std::optional<double> fraction_saturated;
};

// Loihi's mantissa-exponent format quantizes effective integer weights (units of the dendritic
// accumulator's LSB), so unit-variance data is scaled to such units first; SQNR does not depend on it.
constexpr double kLoihiWeightUnits = 256.0;
constexpr std::size_t kProductSubVector = 4;

quant::UniformQuantizerConfig uniform(int bits, quant::UniformGrid grid, quant::Granularity granularity,
                                      quant::Calibration calibration, bool symmetric = true) {
  quant::UniformQuantizerConfig config;
  config.bits = bits;
  config.grid = grid;
  config.granularity = granularity;
  config.calibration = calibration;
  config.symmetric = symmetric;
  if (granularity == quant::Granularity::per_group) config.group_size = 32;
  return config;
}

template <class Quantizer>
Reconstruction with_saturation(const Quantizer& quantizer, const quant::WeightMatrixView& w) {
  const auto encoded = quantizer.quantize(w);
  return {quantizer.dequantize(encoded), encoded.saturated()};
}

template <class Quantizer>
Reconstruction without_saturation(const Quantizer& quantizer, const quant::WeightMatrixView& w) {
  return {quantizer.fake_quantize(w), std::nullopt};
}

std::vector<QuantizerVariant> variants() {
  using quant::Calibration;
  using quant::Granularity;
  using quant::UniformGrid;
  auto same_bits = [](int bits, std::size_t, std::size_t) { return static_cast<double>(bits); };
  auto uniform_variant = [&](std::string name, int min_bits, UniformGrid grid, Granularity granularity,
                             Calibration calibration, bool symmetric = true) {
    return QuantizerVariant{std::move(name), min_bits, 8, same_bits, [=](const quant::WeightMatrixView& w, int bits) {
                              return with_saturation(quant::UniformQuantizer(uniform(bits, grid, granularity, calibration, symmetric)), w);
                            }};
  };
  std::vector<QuantizerVariant> list;
  list.push_back(uniform_variant("uniform-symmetric-tensor-minmax", 2, UniformGrid::mid_tread, Granularity::per_tensor, Calibration::min_max));
  list.push_back(uniform_variant("uniform-midrise-tensor-minmax", 1, UniformGrid::mid_rise, Granularity::per_tensor, Calibration::min_max));
  list.push_back(uniform_variant("uniform-asymmetric-channel-minmax", 1, UniformGrid::mid_tread, Granularity::per_channel, Calibration::min_max, false));
  list.push_back(uniform_variant("uniform-symmetric-channel-minmax", 2, UniformGrid::mid_tread, Granularity::per_channel, Calibration::min_max));
  list.push_back(uniform_variant("uniform-symmetric-group32-minmax", 2, UniformGrid::mid_tread, Granularity::per_group, Calibration::min_max));
  list.push_back(uniform_variant("uniform-symmetric-channel-p99.9", 2, UniformGrid::mid_tread, Granularity::per_channel, Calibration::percentile));
  list.push_back(uniform_variant("uniform-symmetric-channel-mse", 2, UniformGrid::mid_tread, Granularity::per_channel, Calibration::mse));
  list.push_back({"binary-channel", 1, 1, same_bits, [](const quant::WeightMatrixView& w, int) {
                    return without_saturation(quant::BinaryQuantizer(), w);
                  }});
  list.push_back({"ternary-channel", 2, 2, same_bits, [](const quant::WeightMatrixView& w, int) {
                    return without_saturation(quant::TernaryQuantizer(), w);
                  }});
  list.push_back({"power-of-two-channel", 1, 8, same_bits, [](const quant::WeightMatrixView& w, int bits) {
                    quant::PowerOfTwoQuantizerConfig config;
                    config.bits = bits;
                    config.granularity = Granularity::per_channel;
                    return without_saturation(quant::PowerOfTwoQuantizer(config), w);
                  }});
  auto codebook_bits = [](int bits, std::size_t rows, std::size_t cols) {
    return bits + std::ldexp(32.0, bits) / static_cast<double>(rows * cols);
  };
  list.push_back({"codebook-kmeans-tensor", 1, 8, codebook_bits, [](const quant::WeightMatrixView& w, int bits) {
                    quant::CodebookQuantizerConfig config;
                    config.bits = bits;
                    return without_saturation(quant::CodebookQuantizer(config), w);
                  }});
  auto product_bits = [](int bits, std::size_t rows, std::size_t cols) {
    quant::ProductQuantizerConfig config;
    config.sub_vector_length = kProductSubVector;
    config.bits = bits;
    const quant::ProductQuantizer quantizer(config);
    return quantizer.bits_per_weight() +
           static_cast<double>(quantizer.codebook_bits(cols)) / static_cast<double>(rows * cols);
  };
  list.push_back({"product-d4", 1, 8, product_bits,
                  [](const quant::WeightMatrixView& w, int bits) {
                    quant::ProductQuantizerConfig config;
                    config.sub_vector_length = kProductSubVector;
                    config.bits = bits;
                    return without_saturation(quant::ProductQuantizer(config), w);
                  }});
  list.push_back({"loihi-mantissa-exponent", 2, 8, same_bits, [](const quant::WeightMatrixView& w, int bits) {
                    std::vector<double> scaled(w.values.begin(), w.values.end());
                    for (double& x : scaled) x *= kLoihiWeightUnits;
                    quant::MantissaExponentQuantizerConfig config;
                    config.weight_bits = bits;
                    const quant::MantissaExponentQuantizer quantizer(config);
                    const auto encoded = quantizer.quantize({scaled, w.rows, w.cols});
                    auto values = quantizer.dequantize(encoded);
                    for (double& x : values) x /= kLoihiWeightUnits;
                    return Reconstruction{std::move(values), encoded.saturated()};
                  }});
  return list;
}

// Unit-variance Laplacian by inverse CDF: x = -b sgn(u - 1/2) ln(1 - 2|u - 1/2|), b = 1/sqrt(2).
double laplacian(const quant::CounterRng& rng, std::uint64_t i) {
  const double u = rng.uniform01(0, i) - 0.5;
  const double magnitude = -std::log1p(-2.0 * std::abs(u)) / std::sqrt(2.0);
  return u < 0.0 ? -magnitude : magnitude;
}

std::string csv_number(double x) { return std::isfinite(x) ? fmt::format("{:.10g}", x) : (x > 0 ? "inf" : "-inf"); }

}  // namespace

int run_quant_demo(const QuantDemoOptions& options, std::ostream& table_out) {
  const std::size_t n = options.rows * options.cols;
  // Element i of each tensor comes from the counter-based RNG at (seed, stream, 0, i).
  const quant::CounterRng gaussian_rng{options.seed, 0}, laplacian_rng{options.seed, 1};
  std::vector<double> gaussian(n), laplace(n);
  for (std::size_t i = 0; i < n; ++i) {
    gaussian[i] = gaussian_rng.normal(0, i);
    laplace[i] = laplacian(laplacian_rng, i);
  }
  const std::vector<std::pair<std::string, const std::vector<double>*>> distributions{{"gaussian", &gaussian},
                                                                                      {"laplacian", &laplace}};
  const auto quantizers = variants();

  std::vector<ResultRow> rows;
  for (const auto& [distribution, values] : distributions) {
    const quant::WeightMatrixView view{*values, options.rows, options.cols};
    for (const auto& variant : quantizers) {
      if (variant.name == "product-d4" && options.cols % kProductSubVector != 0) continue;
      for (int bits = variant.min_bits; bits <= variant.max_bits; ++bits) {
        const Reconstruction r = variant.run(view, bits);
        std::optional<double> fraction;
        if (r.saturated) fraction = static_cast<double>(*r.saturated) / static_cast<double>(n);
        rows.push_back({distribution, variant.name, bits, variant.bits_per_weight(bits, options.rows, options.cols),
                        quant::quantization_error(*values, r.values), fraction});
      }
    }
  }

  // The terminal gets SQNR in dB per quantizer and width; the CSV has every number.
  table_out << fmt::format("quant-demo: SQNR in dB of {}x{} weight tensors (rows = output channels), seed {}\n",
                           options.rows, options.cols, options.seed);
  for (const auto& [distribution, values] : distributions) {
    table_out << fmt::format("\n{} N(0,1)-variance weights{:>14}", distribution, "bits:");
    for (int bits = 1; bits <= 8; ++bits) table_out << fmt::format("{:>7}", bits);
    table_out << '\n';
    for (const auto& variant : quantizers) {
      table_out << fmt::format("  {:<38}", variant.name);
      for (int bits = 1; bits <= 8; ++bits) {
        std::string cell = "-";
        for (const auto& row : rows)
          if (row.distribution == distribution && row.quantizer == variant.name && row.bits == bits)
            cell = fmt::format("{:.2f}", row.error.sqnr_db);
        table_out << fmt::format("{:>7}", cell);
      }
      table_out << '\n';
    }
  }
  table_out << fmt::format(
      "\nbits = bits of one code. product-d4 stores one code per 4 weights plus 2^bits 32-bit centroids per "
      "sub-space\n(it memorizes a tensor once 2^bits reaches the row count); the CSV's bits_per_weight counts "
      "codebooks.\nloihi-mantissa-exponent: Loihi's b-bit mantissa x 2^(6+exp), exp in -8..7, on weights scaled "
      "to {} LSB.\n",
      kLoihiWeightUnits);

  const std::filesystem::path path{options.output};
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  std::ofstream csv{path};
  if (ec || !csv) {
    std::cerr << "qsnn: cannot write '" << options.output << "': " << (ec ? ec.message() : std::strerror(errno))
              << '\n';
    return 1;
  }
  csv << "distribution,quantizer,bits,bits_per_weight,mse,sqnr_db,max_abs_error,fraction_saturated\n";
  for (const auto& row : rows)
    csv << fmt::format("{},{},{},{},{},{},{},{}\n", row.distribution, row.quantizer, row.bits,
                       csv_number(row.bits_per_weight), csv_number(row.error.mse), csv_number(row.error.sqnr_db),
                       csv_number(row.error.max_abs), row.fraction_saturated ? csv_number(*row.fraction_saturated) : "");
  csv.close();
  if (!csv) {
    std::cerr << "qsnn: error while writing '" << options.output << "'\n";
    return 1;
  }
  table_out << "wrote " << options.output << " (" << rows.size() << " rows)\n";
  return 0;
}

}  // namespace qsnn::experiments
