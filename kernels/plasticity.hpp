#pragma once
// The plasticity loops, written once and templated on the learning rule (learning/ holds the rules, the
// traces and the weight write-back). A rule is a struct of hooks:
//
//   on_pre(s)     a presynaptic neuron of synapse s spiked at step t          (required)
//   on_post(s)    the postsynaptic neuron of synapse s spiked at step t       (required)
//   begin_step(t) / end_step()   once per step, serially                       (optional)
//   walks_all_synapses() -> bool, on_step(s)   on steps where the rule asks for it, on_step is called
//                 for every synapse (R-STDP applying a reward)                 (optional)
//
// and `s` is whatever the host's block context makes of (synapse, pre, post): in learning/ a
// SynapseRef that reads weights and traces and proposes dw to the write-back.
//
// Order of one plasticity step t, run after the network has computed the spikes of step t:
//   1. every trace decays from t-1 to t, so it holds the spikes of steps < t only;
//   2. begin_step(t);
//   3. per postsynaptic block, in parallel, one task per block (the block's weights and per-synapse state
//      belong to that task alone: no atomics, and the result does not depend on the thread count):
//        a. on_pre for every synapse in the rows of the presynaptic neurons that spiked at t (forward CSR);
//        b. on_post for every synapse in the columns of the block's postsynaptic neurons that spiked at t
//           (the transposed index);
//        c. on_step for every synapse of the block, only if walks_all_synapses();
//        d. the host finishes the block (shadow requantization);
//   4. end_step();
//   5. the spikes of step t are added to the traces.
// Hence an isolated pair with dt = t_post - t_pre > 0 steps meets, at the post spike, the pre trace
// decayed dt times: dw = A+ exp(-dt / tau+) exactly, and symmetrically A- exp(dt / tau-) for dt < 0. A pre
// and a post spike in the same step do not see each other (each hook reads traces of earlier spikes only),
// so same-step pairs change nothing, which keeps the window antisymmetric at dt = 0 (Morrison et al. 2008,
// sec. 4.1, exclude the zero-lag pair the same way). Axonal delays are not subtracted: pairing uses the
// step a spike is emitted, as Auryn's STDPConnection does.
//
// Work per step grows with spikes x fan-out (a) and spikes x fan-in (b); only (c), on the steps a rule
// asks for it, touches every synapse. Traces cost one update per neuron per step.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "kernels/csr_block.hpp"
#include "kernels/csr_transpose.hpp"

namespace qsnn::kernels {

// Which loop a write-back belongs to. Stochastic roundings use 4t + phase as their step counter, so the
// roundings of the loops of one step draw independently even for the same synapse.
enum class PlasticityPhase : std::uint8_t { pre = 0, post = 1, every_synapse = 2, requantize = 3 };
inline constexpr std::uint64_t kPlasticityPhases = 4;

inline std::uint64_t rounding_step(std::uint64_t t, PlasticityPhase phase) {
  return kPlasticityPhases * t + static_cast<std::uint64_t>(phase);
}

// The spikes (ascending global indices) that fall in [begin, end).
inline std::span<const std::uint32_t> spikes_in_range(std::span<const std::uint32_t> spikes, std::uint32_t begin,
                                                      std::uint32_t end) {
  const auto first = std::lower_bound(spikes.begin(), spikes.end(), begin);
  const auto last = std::lower_bound(first, spikes.end(), end);
  return spikes.subspan(static_cast<std::size_t>(first - spikes.begin()), static_cast<std::size_t>(last - first));
}

// Step 3 a-c for one block. `context.phase(p, loop)` enters phase p once (the host picks its rounder there)
// and calls loop(make) where make(k, pre, post) builds the hooks' synapse object for synapse k of the block.
template <class Rule, class Weight, class Context>
void plasticity_block(const Rule& rule, const CsrBlock<Weight>& block, const CsrTranspose& columns,
                      std::span<const std::uint32_t> pre_spikes, std::span<const std::uint32_t> post_spikes,
                      bool every_synapse, Context& context) {
  // Plain pointers, held in registers: hooks store 8-bit weights, which may alias the vectors' own fields
  // and would make the compiler reload them after every update.
  const std::uint32_t* const row_start = block.row_start.data();
  const std::uint16_t* const target = block.target.data();
  const std::uint32_t post_begin = block.post_begin;
  if (!pre_spikes.empty()) {
    context.phase(PlasticityPhase::pre, [&](auto&& make) {
      for (const std::uint32_t pre : pre_spikes) {
        const std::uint32_t row_end = row_start[pre + 1];
        for (std::uint32_t k = row_start[pre]; k < row_end; ++k) {
          auto s = make(k, pre, post_begin + target[k]);
          rule.on_pre(s);
        }
      }
    });
  }
  const auto posts = spikes_in_range(post_spikes, block.post_begin, block.post_end);
  if (!posts.empty()) {
    const std::uint32_t* const column_start = columns.column_start.data();
    const std::uint32_t* const column_synapse = columns.synapse.data();
    const std::uint32_t* const column_pre = columns.pre.data();
    context.phase(PlasticityPhase::post, [&](auto&& make) {
      for (const std::uint32_t post : posts) {
        const std::uint32_t j = post - post_begin;
        const std::uint32_t column_end = column_start[j + 1];
        for (std::uint32_t slot = column_start[j]; slot < column_end; ++slot) {
          auto s = make(column_synapse[slot], column_pre[slot], post);
          rule.on_post(s);
        }
      }
    });
  }
  if constexpr (requires { rule.walks_all_synapses(); }) {
    if (every_synapse) {
      context.phase(PlasticityPhase::every_synapse, [&](auto&& make) {
        for (std::uint32_t pre = 0; pre + 1 < block.row_start.size(); ++pre) {
          for (std::uint32_t k = block.row_start[pre]; k < block.row_start[pre + 1]; ++k) {
            auto s = make(k, pre, block.post_begin + block.target[k]);
            rule.on_step(s);
          }
        }
      });
    }
  }
}

// Calls f(b) for blocks 0 .. count-1: one task per block, in parallel in `arena` when there are several
// (serially when arena is null). Blocks never share writes, so the results are the same either way.
template <class F>
void for_each_block(tbb::task_arena* arena, std::size_t count, F&& f) {
  if (arena == nullptr || count <= 1 || arena->max_concurrency() <= 1) {
    for (std::size_t b = 0; b < count; ++b) f(b);
    return;
  }
  arena->execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, count, 1),
                      [&](const tbb::blocked_range<std::size_t>& range) {
                        for (std::size_t b = range.begin(); b != range.end(); ++b) f(b);
                      },
                      tbb::simple_partitioner{});
  });
}

// The whole step (1-5 above). The host provides decay_traces(t), add_spikes_to_traces(t), pre_spikes(),
// post_spikes() and for_each_block(g), which calls g(block, columns, context) for every block (in
// parallel) and then finishes the block (3d).
template <class Rule, class Host>
void plasticity_step(Rule& rule, std::uint64_t t, Host& host) {
  host.decay_traces(t);
  if constexpr (requires { rule.begin_step(t); }) rule.begin_step(t);
  bool every_synapse = false;
  if constexpr (requires { rule.walks_all_synapses(); }) every_synapse = rule.walks_all_synapses();
  const Rule& hooks = rule;  // hooks run concurrently: they only read the rule
  const auto pre_spikes = host.pre_spikes();
  const auto post_spikes = host.post_spikes();
  host.for_each_block([&](const auto& block, const CsrTranspose& columns, auto& context) {
    plasticity_block(hooks, block, columns, pre_spikes, post_spikes, every_synapse, context);
  });
  if constexpr (requires { rule.end_step(); }) rule.end_step();
  host.add_spikes_to_traces(t);
}

}  // namespace qsnn::kernels
