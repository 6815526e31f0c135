#pragma once
// Deterministic data and comparisons shared by the non-uniform quantizer tests.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "quant/counter_rng.hpp"

namespace qsnn::quant::test {

// n draws of N(mean, sigma^2), element i from (seed, stream 0, step 0, index i).
inline std::vector<double> gaussian(std::size_t n, std::uint64_t seed, double sigma = 1.0, double mean = 0.0) {
  const CounterRng rng(seed, 0);
  std::vector<double> values(n);
  for (std::size_t i = 0; i < n; ++i) values[i] = mean + sigma * rng.normal(0, i);
  return values;
}

inline double mean_squared_error(std::span<const double> a, std::span<const double> b) {
  double sum = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += (a[i] - b[i]) * (a[i] - b[i]);
  return a.empty() ? 0.0 : sum / static_cast<double>(a.size());
}

// Equal bit for bit (so +0.0 and -0.0 differ), not merely ==.
inline bool same_bits(std::span<const double> a, std::span<const double> b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::bit_cast<std::uint64_t>(a[i]) != std::bit_cast<std::uint64_t>(b[i])) return false;
  return true;
}

}  // namespace qsnn::quant::test
