#include "quant/granularity.hpp"

#include <array>
#include <cassert>
#include <stdexcept>

#include "quant/enum_names.hpp"

namespace qsnn::quant {
namespace {

constexpr EnumNames<Granularity, 3> kGranularityNames{
    "granularity",
    {Granularity::per_tensor, Granularity::per_channel, Granularity::per_group},
    {"per-tensor", "per-channel", "per-group"}};

std::size_t groups_in_one_row(Granularity granularity, std::size_t cols, std::size_t group_size) {
  switch (granularity) {
    case Granularity::per_tensor: return 0;
    case Granularity::per_channel: return 1;
    case Granularity::per_group: return (cols + group_size - 1) / group_size;
  }
  throw std::invalid_argument("invalid Granularity value");
}

}  // namespace

std::string_view granularity_name(Granularity value) { return kGranularityNames.name(value); }
std::span<const Granularity> all_granularities() { return kGranularityNames.values(); }
std::string valid_granularity_names() { return kGranularityNames.valid_names(); }
Granularity parse_granularity(std::string_view name) { return kGranularityNames.parse(name); }

GroupLayout::GroupLayout(Granularity granularity, std::size_t rows, std::size_t cols, std::size_t group_size)
    : granularity_(granularity),
      rows_(rows),
      cols_(cols),
      group_size_(granularity == Granularity::per_group ? group_size : 0),
      groups_per_row_(0) {
  if (granularity == Granularity::per_group && group_size == 0)
    throw std::invalid_argument("group_size = 0 for per-group granularity (allowed: >= 1)");
  groups_per_row_ = groups_in_one_row(granularity, cols, group_size_);
}

std::size_t GroupLayout::group_count() const {
  return granularity_ == Granularity::per_tensor ? 1 : rows_ * groups_per_row_;
}

std::size_t GroupLayout::max_group_size() const {
  switch (granularity_) {
    case Granularity::per_tensor: return rows_ * cols_;
    case Granularity::per_channel: return cols_;
    case Granularity::per_group: return cols_ == 0 ? 0 : group_size_;
  }
  throw std::invalid_argument("invalid Granularity value");
}

ElementRange GroupLayout::group(std::size_t g) const {
  assert(g < group_count());
  switch (granularity_) {
    case Granularity::per_tensor: return {0, rows_ * cols_};
    case Granularity::per_channel: return {g * cols_, (g + 1) * cols_};
    case Granularity::per_group: {
      const std::size_t row = g / groups_per_row_;
      const std::size_t row_begin = row * cols_;
      const std::size_t begin = row_begin + (g % groups_per_row_) * group_size_;
      const std::size_t row_end = row_begin + cols_;
      return {begin, begin + group_size_ < row_end ? begin + group_size_ : row_end};
    }
  }
  throw std::invalid_argument("invalid Granularity value");
}

std::size_t GroupLayout::group_of(std::size_t i) const {
  assert(i < element_count());
  switch (granularity_) {
    case Granularity::per_tensor: return 0;
    case Granularity::per_channel: return i / cols_;
    case Granularity::per_group: return (i / cols_) * groups_per_row_ + (i % cols_) / group_size_;
  }
  throw std::invalid_argument("invalid Granularity value");
}

}  // namespace qsnn::quant
