#pragma once
// Event-driven delivery: only the rows of presynaptic neurons that spiked are read, so the cost grows with
// spikes times fan-out, not with the number of synapses.
//
// Delayed input lives in a ring of accumulators on the postsynaptic side (as NEST's ring_buffer.h): a spike
// emitted at step t through a synapse of delay d >= 1 is added to slot (t + d) mod L, and the neuron update
// of step t' reads and clears slot t' mod L. L exceeds the largest delay, so a slot is never written for
// two different arrival steps at once.
#include <cstdint>
#include <span>

#include "kernels/csr_block.hpp"

namespace qsnn::kernels {

// Where one receptor's accumulators of one postsynaptic population live: slot s, neuron i is at
// base[s * slot_stride + i].
template <class Acc>
struct InputRingView {
  Acc* base = nullptr;
  std::size_t slot_stride = 0;
  unsigned length = 1;

  Acc* slot_for_arrival(std::uint64_t arrival_step) const { return base + (arrival_step % length) * slot_stride; }
};

// contribution(weight) turns a stored weight into accumulator units (shift and sign for codes, identity
// for real weights); it is a template parameter so the call inlines into the loop.
template <class Weight, class Acc, class Contribution>
void deliver_spikes(const CsrBlock<Weight>& block, std::span<const std::uint32_t> spikes,
                    const InputRingView<Acc>& ring, std::uint64_t emit_step, unsigned uniform_delay,
                    Contribution contribution) {
  const std::uint16_t* target = block.target.data();
  const Weight* weight = block.weight.data();
  if (block.delay.empty()) {
    Acc* slot = ring.slot_for_arrival(emit_step + uniform_delay) + block.post_begin;
    for (std::uint32_t pre : spikes) {
      const std::uint32_t end = block.row_start[pre + 1];
      for (std::uint32_t k = block.row_start[pre]; k < end; ++k) slot[target[k]] += contribution(weight[k]);
    }
    return;
  }
  const std::uint8_t* delay = block.delay.data();
  for (std::uint32_t pre : spikes) {
    const std::uint32_t end = block.row_start[pre + 1];
    for (std::uint32_t k = block.row_start[pre]; k < end; ++k)
      ring.slot_for_arrival(emit_step + delay[k])[block.post_begin + target[k]] += contribution(weight[k]);
  }
}

}  // namespace qsnn::kernels
