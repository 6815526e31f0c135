#include <stdexcept>

#include "sim/projection.hpp"

namespace qsnn::sim {

const std::vector<kernels::CsrTranspose>& Projection::transposed() {
  if (!built_) throw std::logic_error("projection '" + name() + "' is not built yet (the network prepares it)");
  if (transposed_.empty()) {
    std::visit(
        [&](const auto& blocks) {
          transposed_.reserve(blocks.size());
          for (const auto& block : blocks) transposed_.push_back(kernels::transpose(block));
        },
        blocks_);
  }
  return transposed_;
}

}  // namespace qsnn::sim
