#pragma once
// Reward-modulated STDP (Izhikevich 2007, Cereb. Cortex 17:2443; Fremaux & Gerstner 2016, Front. Neural
// Circuits 9:85): the STDP pairing of PairStdp does not change the weight but feeds a per-synapse
// eligibility trace e, which decays with tau_e; a reward R delivered at step t changes every synapse by
//   dw = lr * R * e(t)
// (lr: the write-back's learning rate). No reward, no change. The reward pass walks all synapses, but only
// on steps with R != 0; e decays lazily, so steps without reward cost spikes x fan-out as for plain STDP.
// Within a step the pairings of step t feed e before the reward of step t is applied
// (kernels/plasticity.hpp, 3a-c).
//
// Usage: set `reward` on the attached rule (PlasticProjection::rule<RewardStdp>().reward = r) before the
// plasticity of step t runs; it is applied once and cleared.
#include <array>

#include "learning/pair_stdp.hpp"

namespace qsnn::learning {

struct RewardStdp {
  PairStdp stdp;           // pairing window and traces; its amplitudes scale e
  double tau_e_ms = 1000.0;  // Izhikevich 2007: tau_c = 1 s
  double reward = 0.0;

  std::array<TraceSpec, 1> pre_traces() const { return stdp.pre_traces(); }
  std::array<TraceSpec, 1> post_traces() const { return stdp.post_traces(); }
  double eligibility_tau_ms() const { return tau_e_ms; }
  void validate(const WeightBounds& bounds) const { stdp.validate(bounds); }

  template <class S>
  void on_pre(S& s) const {
    s.add_eligibility(stdp.depression(s));
  }
  template <class S>
  void on_post(S& s) const {
    s.add_eligibility(stdp.potentiation(s));
  }
  bool walks_all_synapses() const { return reward != 0.0; }
  template <class S>
  void on_step(S& s) const {
    s.propose(reward * s.eligibility());
  }
  void end_step() { reward = 0.0; }
};

}  // namespace qsnn::learning
