// Accessors learning rules need (additive to projection.cpp, which builds the synapses).
#include <stdexcept>

#include "sim/projection.hpp"

namespace qsnn::sim {

std::int64_t Projection::min_weight_code() const {
  const int bits = spec_.quantization.bits;
  switch (spec_.quantization.sign) {
    case SignMode::mixed: return -(std::int64_t{1} << (bits - 1));
    case SignMode::excitatory: return 0;
    case SignMode::inhibitory: return -((std::int64_t{1} << bits) - 1);
  }
  throw std::invalid_argument("invalid SignMode value");
}

std::int64_t Projection::max_weight_code() const {
  const int bits = spec_.quantization.bits;
  switch (spec_.quantization.sign) {
    case SignMode::mixed: return (std::int64_t{1} << (bits - 1)) - 1;
    case SignMode::excitatory: return (std::int64_t{1} << bits) - 1;
    case SignMode::inhibitory: return 0;
  }
  throw std::invalid_argument("invalid SignMode value");
}

}  // namespace qsnn::sim
