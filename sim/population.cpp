#include "sim/population.hpp"

#include <stdexcept>
#include <utility>

namespace qsnn::sim {

Population::Population(std::string name, NeuronIndex size) : name_(std::move(name)), size_(size) {
  if (size == 0) throw std::invalid_argument("population '" + name_ + "' has no neurons (size must be >= 1)");
}

std::optional<double> Population::state_value(const StateVariable&, NeuronIndex) const { return std::nullopt; }
std::optional<std::int64_t> Population::state_code(const StateVariable&, NeuronIndex) const { return std::nullopt; }

}  // namespace qsnn::sim
