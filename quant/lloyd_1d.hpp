#pragma once
// Lloyd's algorithm for scalar quantization (Lloyd 1982, "Least squares quantization in PCM"): alternate
// "assign each value to its nearest level" and "move each level to the mean of its values". Neither step
// can increase the mean squared error, so the result is never worse than the initial levels.
//
// In one dimension the cells are intervals between midpoints of neighbouring levels, so with the values
// sorted once an iteration costs O(levels * log n) (binary searches plus prefix sums), not O(n * levels).
#include <cstddef>
#include <span>
#include <vector>

namespace qsnn::quant {

struct LloydResult {
  std::vector<double> levels;  // sorted ascending
  std::vector<double> mse;     // nearest-level MSE of the initial levels, then after each iteration
  unsigned iterations = 0;     // level updates performed
  bool converged = false;      // stopped because no value changed cell
};

// The index of the level nearest to x among sorted `levels`, given their midpoints
// (midpoints[i] = std::midpoint(levels[i], levels[i+1])). A value exactly on a midpoint takes the lower
// level; lloyd_1d assigns by the same rule, so codes and the Lloyd cells agree.
std::size_t nearest_level_index(std::span<const double> midpoints, double x);

// Midpoints of neighbouring sorted levels (one fewer than the levels).
std::vector<double> level_midpoints(std::span<const double> levels);

// Runs at most max_iterations Lloyd iterations on `sorted_values` (ascending, finite) from
// `initial_levels` (any order, non-empty, finite). A level whose cell is empty is moved to the extreme
// value of the cell with the largest squared error among cells holding distinct values; an unused level
// can be placed anywhere without raising the error, so the MSE sequence stays non-increasing.
// Throws std::invalid_argument on empty initial levels.
LloydResult lloyd_1d(std::span<const double> sorted_values, std::vector<double> initial_levels,
                     unsigned max_iterations);

}  // namespace qsnn::quant
