#pragma once
// A read-only view of a projection's real-valued weights, row-major, one row per output channel
// (postsynaptic neuron), one column per input. Quantizers take this view; none of them owns the data.
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>

namespace qsnn::quant {

struct WeightMatrixView {
  std::span<const double> values;
  std::size_t rows = 0;  // output channels
  std::size_t cols = 0;  // inputs per channel

  WeightMatrixView(std::span<const double> values_, std::size_t rows_, std::size_t cols_)
      : values(values_), rows(rows_), cols(cols_) {
    if (rows * cols != values.size())
      throw std::invalid_argument("weight matrix of " + std::to_string(rows) + "x" + std::to_string(cols) +
                                  " given " + std::to_string(values.size()) + " values");
  }
  // A flat tensor is one channel.
  explicit WeightMatrixView(std::span<const double> values_) : WeightMatrixView(values_, 1, values_.size()) {}

  std::span<const double> row(std::size_t r) const { return values.subspan(r * cols, cols); }
  std::size_t size() const { return values.size(); }
};

}  // namespace qsnn::quant
