#pragma once
// Vocabulary types of the simulator. Time is an integer step count; milliseconds are derived from it.
#include <cstdint>
#include <string_view>

namespace qsnn::sim {

using Step = std::uint64_t;
using NeuronIndex = std::uint32_t;

struct PopulationId {
  std::uint32_t value = 0;
  friend bool operator==(PopulationId, PopulationId) = default;
};

struct ProjectionId {
  std::uint32_t value = 0;
  friend bool operator==(ProjectionId, ProjectionId) = default;
};

// Which arithmetic a population integrates with.
enum class NumericPath : std::uint8_t {
  fixed_point,  // integer state codes, decays by multiply-and-shift, named rounding per operation
  float64       // the reference: the same discretized equations in double precision
};

std::string_view numeric_path_name(NumericPath path);  // "fixed-point", "float64"
NumericPath parse_numeric_path(std::string_view name);  // throws std::invalid_argument listing the valid names

}  // namespace qsnn::sim
