#include "quant/lloyd_1d.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace qsnn::quant {

namespace {

// Prefix sums of values centred on the median: centring keeps the sums small, so differences of them
// (cell sums) and the squared-error identity sum (v - l)^2 = S2 - 2 l S1 + l^2 n lose little to
// cancellation. Long double adds 11 bits over double on x86-64 at no real cost here.
class CellSums {
 public:
  explicit CellSums(std::span<const double> sorted) : centre_(sorted.empty() ? 0.0 : sorted[sorted.size() / 2]) {
    first_.assign(sorted.size() + 1, 0.0L);
    second_.assign(sorted.size() + 1, 0.0L);
    for (std::size_t i = 0; i < sorted.size(); ++i) {
      const long double v = static_cast<long double>(sorted[i]) - centre_;
      first_[i + 1] = first_[i] + v;
      second_[i + 1] = second_[i] + v * v;
    }
  }
  // Mean of sorted[begin, end), end > begin.
  double mean(std::size_t begin, std::size_t end) const {
    return static_cast<double>((first_[end] - first_[begin]) / static_cast<long double>(end - begin) + centre_);
  }
  // Sum of (v - level)^2 over sorted[begin, end).
  long double squared_error(std::size_t begin, std::size_t end, double level) const {
    const long double l = static_cast<long double>(level) - centre_;
    const long double error = (second_[end] - second_[begin]) - 2.0L * l * (first_[end] - first_[begin]) +
                              l * l * static_cast<long double>(end - begin);
    return error > 0.0L ? error : 0.0L;
  }

 private:
  long double centre_;
  std::vector<long double> first_;
  std::vector<long double> second_;
};

// bounds[i]..bounds[i+1] is the cell of level i: the values above midpoint i-1 and up to midpoint i.
void assign_cells(std::span<const double> sorted, std::span<const double> levels, std::vector<std::size_t>& bounds) {
  const std::size_t count = levels.size();
  bounds.assign(count + 1, 0);
  bounds[count] = sorted.size();
  for (std::size_t i = 0; i + 1 < count; ++i) {
    const double midpoint = std::midpoint(levels[i], levels[i + 1]);
    bounds[i + 1] = static_cast<std::size_t>(std::upper_bound(sorted.begin(), sorted.end(), midpoint) - sorted.begin());
  }
}

double mean_squared_error(const CellSums& sums, std::span<const double> levels, const std::vector<std::size_t>& bounds,
                          std::size_t n) {
  if (n == 0) return 0.0;
  long double total = 0.0L;
  for (std::size_t i = 0; i < levels.size(); ++i) total += sums.squared_error(bounds[i], bounds[i + 1], levels[i]);
  return static_cast<double>(total / static_cast<long double>(n));
}

// Moves the levels of empty cells into the cells with the largest squared error, one empty level per cell.
void reseed_empty_cells(std::span<const double> sorted, const CellSums& sums, std::vector<double>& levels,
                        const std::vector<std::size_t>& bounds) {
  std::vector<std::size_t> empty;
  std::vector<std::size_t> splittable;  // cells holding at least two distinct values
  for (std::size_t i = 0; i < levels.size(); ++i) {
    if (bounds[i] == bounds[i + 1])
      empty.push_back(i);
    else if (sorted[bounds[i]] != sorted[bounds[i + 1] - 1])
      splittable.push_back(i);
  }
  if (empty.empty() || splittable.empty()) return;
  const std::size_t moves = std::min(empty.size(), splittable.size());
  const auto error_of = [&](std::size_t cell) {
    return sums.squared_error(bounds[cell], bounds[cell + 1], levels[cell]);
  };
  std::partial_sort(splittable.begin(), splittable.begin() + static_cast<std::ptrdiff_t>(moves), splittable.end(),
                    [&](std::size_t a, std::size_t b) {
                      const long double ea = error_of(a), eb = error_of(b);
                      return ea != eb ? ea > eb : a < b;  // ties by index keep the result deterministic
                    });
  for (std::size_t k = 0; k < moves; ++k) {
    const std::size_t cell = splittable[k];
    const double low = sorted[bounds[cell]];
    const double high = sorted[bounds[cell + 1] - 1];
    const double level = levels[cell];
    levels[empty[k]] = (level - low >= high - level) ? low : high;
  }
}

}  // namespace

std::vector<double> level_midpoints(std::span<const double> levels) {
  std::vector<double> midpoints;
  if (levels.size() > 1) midpoints.reserve(levels.size() - 1);
  for (std::size_t i = 0; i + 1 < levels.size(); ++i) midpoints.push_back(std::midpoint(levels[i], levels[i + 1]));
  return midpoints;
}

std::size_t nearest_level_index(std::span<const double> midpoints, double x) {
  return static_cast<std::size_t>(std::lower_bound(midpoints.begin(), midpoints.end(), x) - midpoints.begin());
}

LloydResult lloyd_1d(std::span<const double> sorted_values, std::vector<double> initial_levels,
                     unsigned max_iterations) {
  if (initial_levels.empty()) throw std::invalid_argument("lloyd_1d: no initial levels (allowed: at least one)");
  LloydResult result;
  result.levels = std::move(initial_levels);
  std::sort(result.levels.begin(), result.levels.end());
  const CellSums sums(sorted_values);
  std::vector<std::size_t> bounds;
  std::vector<std::size_t> previous_bounds;
  while (true) {
    assign_cells(sorted_values, result.levels, bounds);
    result.mse.push_back(mean_squared_error(sums, result.levels, bounds, sorted_values.size()));
    if (result.iterations > 0 && bounds == previous_bounds) {
      result.converged = true;
      break;
    }
    if (result.iterations == max_iterations) break;
    for (std::size_t i = 0; i < result.levels.size(); ++i) {
      if (bounds[i] == bounds[i + 1]) continue;
      // A cell of equal values gets that value exactly (a mean from sums may miss it by an ulp), so data
      // with at most 2^bits distinct values is reproduced without error.
      const double low = sorted_values[bounds[i]];
      result.levels[i] = low == sorted_values[bounds[i + 1] - 1] ? low : sums.mean(bounds[i], bounds[i + 1]);
    }
    reseed_empty_cells(sorted_values, sums, result.levels, bounds);
    std::sort(result.levels.begin(), result.levels.end());
    previous_bounds.swap(bounds);
    ++result.iterations;
  }
  return result;
}

}  // namespace qsnn::quant
