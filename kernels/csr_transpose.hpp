#pragma once
// The transposed view of one CsrBlock: for each postsynaptic neuron of the block, the indices of its
// incoming synapses (into the block's target/weight arrays) and their presynaptic neurons. Learning rules
// walk a neuron's inputs through it without a second copy of the weights (Auryn's DuplexConnection keeps
// the same kind of backward index; GeNN builds a column remap for postsynaptic learning).
#include <cstdint>
#include <vector>

#include "kernels/csr_block.hpp"

namespace qsnn::kernels {

struct CsrTranspose {
  std::vector<std::uint32_t> column_start;  // block size + 1 offsets
  std::vector<std::uint32_t> synapse;       // index into the block's target/weight arrays
  std::vector<std::uint32_t> pre;           // presynaptic neuron of that synapse

  std::size_t bytes() const {
    return (column_start.capacity() + synapse.capacity() + pre.capacity()) * sizeof(std::uint32_t);
  }
};

// Counting sort by target: within a column, synapses keep their forward order (ascending pre).
template <class Weight>
CsrTranspose transpose(const CsrBlock<Weight>& block) {
  CsrTranspose t;
  const std::size_t size = block.post_end - block.post_begin;
  t.column_start.assign(size + 1, 0);
  for (std::uint16_t target : block.target) ++t.column_start[target + 1U];
  for (std::size_t j = 0; j < size; ++j) t.column_start[j + 1] += t.column_start[j];
  t.synapse.resize(block.target.size());
  t.pre.resize(block.target.size());
  std::vector<std::uint32_t> next(t.column_start.begin(), t.column_start.end() - 1);
  for (std::size_t pre = 0; pre + 1 < block.row_start.size(); ++pre) {
    for (std::uint32_t k = block.row_start[pre]; k < block.row_start[pre + 1]; ++k) {
      const std::uint32_t slot = next[block.target[k]]++;
      t.synapse[slot] = k;
      t.pre[slot] = static_cast<std::uint32_t>(pre);
    }
  }
  return t;
}

}  // namespace qsnn::kernels
