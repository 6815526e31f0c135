#pragma once
// What a rule's hooks see of one synapse (kernels/plasticity.hpp calls the hooks, learning/ builds this).
// Everything is in weight steps (units of Projection::weight_step()) and trace units (an impulse is 1 by
// default).
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "sim/types.hpp"

namespace qsnn::learning {

inline constexpr std::size_t kMaxTraces = 4;  // per side (pre, post) and rule

// The weight bounds of a plastic projection, in steps (infinite for unbounded exact float weights).
struct WeightBounds {
  double lower = 0.0;
  double upper = 0.0;
};

// Per block and step: where the hooks' data lives.
struct SynapseView {
  std::array<const double*, kMaxTraces> pre_traces{};
  std::array<const double*, kMaxTraces> post_traces{};
  const std::uint32_t* row_start = nullptr;  // the block's forward rows
  const std::uint64_t* row_base = nullptr;   // Projection::synapses() index of each row's first synapse here
  double* eligibility = nullptr;             // per synapse, value at eligibility_step
  sim::Step* eligibility_step = nullptr;
  double eligibility_log_decay = 0.0;        // -dt / tau_e
  sim::Step t = 0;
  WeightBounds bounds;

  // The synapse's position in Projection::synapses() order: independent of the block layout.
  std::uint64_t index(std::uint32_t k, std::uint32_t pre) const { return row_base[pre] + (k - row_start[pre]); }
};

template <class Writer>
class SynapseRef {
 public:
  SynapseRef(Writer& writer, const SynapseView& view, std::uint32_t k, sim::NeuronIndex pre, sim::NeuronIndex post)
      : writer_(writer), view_(view), k_(k), pre_(pre), post_(post) {}

  sim::NeuronIndex pre() const { return pre_; }
  sim::NeuronIndex post() const { return post_; }
  sim::Step step() const { return view_.t; }
  std::uint64_t index() const { return view_.index(k_, pre_); }

  // The weight learning sees, in steps (the shadow in shadow mode: straight-through estimation).
  double w() const { return writer_.weight(k_); }
  const WeightBounds& bounds() const { return view_.bounds; }

  // Trace i of the presynaptic / postsynaptic neuron, holding the spikes before this step.
  double pre_trace(std::size_t i = 0) const { return view_.pre_traces[i][pre_]; }
  double post_trace(std::size_t i = 0) const { return view_.post_traces[i][post_]; }

  // Hands dw (steps, before the learning rate) to the write-back. Inlined into the hook loops of
  // kernels/plasticity.hpp (one call per synapse event; out of line it cost a third of a training step).
  [[gnu::always_inline]] void propose(double dw) { writer_.propose(k_, index(), dw); }

  // The per-synapse eligibility trace, decayed to this step. It decays lazily - e(t) = e(t0) exp(-(t - t0)
  // dt / tau_e) when touched - so it costs nothing on steps its synapse is not visited.
  double eligibility() {
    catch_up();
    return view_.eligibility[k_];
  }
  void add_eligibility(double de) {
    catch_up();
    view_.eligibility[k_] += de;
  }

 private:
  void catch_up() {
    sim::Step& last = view_.eligibility_step[k_];
    if (last != view_.t) {
      view_.eligibility[k_] *= std::exp(static_cast<double>(view_.t - last) * view_.eligibility_log_decay);
      last = view_.t;
    }
  }

  Writer& writer_;
  const SynapseView& view_;
  std::uint32_t k_;
  sim::NeuronIndex pre_;
  sim::NeuronIndex post_;
};

}  // namespace qsnn::learning
