#pragma once
// Which weights share one set of quantization parameters. Rows are output channels, so every group
// (the whole tensor, one row, or a run of k weights inside one row) is one contiguous run of flat
// row-major indices: a group is fully described by [begin, end) and computed in O(1).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "quant/weight_matrix.hpp"

namespace qsnn::quant {

enum class Granularity : std::uint8_t {
  per_tensor,   // one group
  per_channel,  // one group per row (output channel)
  per_group     // runs of group_size consecutive weights within a row; the last run of a row may be shorter
};

// Config names: "per-tensor", "per-channel", "per-group".
std::string_view granularity_name(Granularity granularity);
std::span<const Granularity> all_granularities();
std::string valid_granularity_names();
// Throws std::invalid_argument "unknown granularity 'x' (valid: per-tensor, per-channel, per-group)".
Granularity parse_granularity(std::string_view name);

// Flat element indices [begin, end) of one group.
struct ElementRange {
  std::size_t begin = 0;
  std::size_t end = 0;

  std::size_t size() const { return end - begin; }
  bool empty() const { return begin == end; }
  friend bool operator==(const ElementRange&, const ElementRange&) = default;
};

class GroupLayout {
 public:
  // group_size is read only for per_group, where it must be >= 1 (std::invalid_argument otherwise).
  GroupLayout(Granularity granularity, std::size_t rows, std::size_t cols, std::size_t group_size = 0);
  GroupLayout(Granularity granularity, const WeightMatrixView& weights, std::size_t group_size = 0)
      : GroupLayout(granularity, weights.rows, weights.cols, group_size) {}

  Granularity granularity() const { return granularity_; }
  std::size_t rows() const { return rows_; }
  std::size_t cols() const { return cols_; }
  std::size_t element_count() const { return rows_ * cols_; }

  // per_tensor: 1 (even for an empty matrix); per_channel: rows; per_group: rows * ceil(cols / group_size).
  std::size_t group_count() const;
  // The widest group: rows * cols, cols, or group_size (0 if the matrix has no columns and is per-group).
  std::size_t max_group_size() const;
  // Groups that lie in one row: 1 for per_channel, ceil(cols / group_size) for per_group; 0 for per_tensor,
  // whose single group spans rows.
  std::size_t groups_per_row() const { return groups_per_row_; }

  // The elements of group g (g < group_count(); not checked in release builds).
  ElementRange group(std::size_t g) const;
  // The group that holds flat element index i (i < element_count()).
  std::size_t group_of(std::size_t i) const;

  // f(group_index, ElementRange) for every group in order.
  template <class F>
  void for_each_group(F&& f) const {
    const std::size_t count = group_count();
    for (std::size_t g = 0; g < count; ++g) f(g, group(g));
  }

  friend bool operator==(const GroupLayout&, const GroupLayout&) = default;

 private:
  Granularity granularity_;
  std::size_t rows_;
  std::size_t cols_;
  std::size_t group_size_;  // per_group only; 0 otherwise
  std::size_t groups_per_row_;
};

}  // namespace qsnn::quant
