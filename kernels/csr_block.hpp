#pragma once
// The synapses of one projection that end in one block of postsynaptic neurons, in compressed sparse rows
// by presynaptic neuron. A projection keeps one CsrBlock per postsynaptic block, so the thread that owns
// a block delivers into it alone: no atomics, and every neuron sums its inputs in the same order whatever
// the thread count (NEST delivers the same way: each thread only to its own neurons).
//
// Targets are 16-bit offsets within the block (blocks hold at most 65,536 neurons), so an 8-bit weight
// with a shared delay costs 3 bytes per synapse plus the row starts.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace qsnn::kernels {

inline constexpr std::size_t kMaxBlockSize = 65536;

template <class Weight>
struct CsrBlock {
  std::uint32_t post_begin = 0;            // first postsynaptic neuron of the block
  std::uint32_t post_end = 0;              // one past the last
  std::vector<std::uint32_t> row_start;    // n_pre + 1 offsets into target/weight
  std::vector<std::uint16_t> target;       // postsynaptic neuron - post_begin
  std::vector<Weight> weight;              // integer codes (fixed path) or real weights (float path)
  std::vector<std::uint8_t> delay;         // axonal delay in steps per synapse; empty when all are equal

  std::size_t synapse_count() const { return target.size(); }
  std::size_t bytes() const {
    return row_start.capacity() * sizeof(std::uint32_t) + target.capacity() * sizeof(std::uint16_t) +
           weight.capacity() * sizeof(Weight) + delay.capacity() * sizeof(std::uint8_t);
  }
};

}  // namespace qsnn::kernels
