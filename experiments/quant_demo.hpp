#pragma once
// The quantization demo: quantizes synthetic Gaussian and Laplacian weight tensors with every quantizer of
// quant/ at 1..8 bits and reports the error (MSE, SQNR, max error, fraction saturated), as a table of SQNR
// on a stream and as a CSV file with every number.
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace qsnn::experiments {

struct QuantDemoOptions {
  std::size_t rows = 256, cols = 256;  // output channels x inputs of the synthetic weight tensor
  std::uint64_t seed = 1;
  std::string output = "experiments/results/quant_sqnr.csv";  // relative paths resolve against the cwd
};

// Largest allowed rows and cols (so a tensor holds at most 2^24 weights).
inline constexpr std::size_t kQuantDemoMaxDim = 4096;

// Prints the table to `table_out`, writes the CSV (creating its directory) and returns the process exit
// code: 0 on success, 1 if the CSV could not be written (reported on stderr).
int run_quant_demo(const QuantDemoOptions& options, std::ostream& table_out);

}  // namespace qsnn::experiments
