#pragma once
// Triplet STDP, the all-to-all model of Pfister & Gerstner 2006 (J. Neurosci. 26:9673, eqs. 3-4):
// presynaptic traces r1 (tau+) and r2 (tau_x), postsynaptic traces o1 (tau-) and o2 (tau_y), each
// jumping by 1 at a spike of its neuron.
//   pre spike:   dw = -o1 (A2- + A3- r2(t - eps))
//   post spike:  dw = +r1 (A2+ + A3+ o2(t - eps))
// "t - eps": the triplet term reads o2 (r2) before this spike is added, which the step order of
// kernels/plasticity.hpp guarantees (hooks run before the step's spikes enter the traces).
// The minimal model sets A3- = 0 (r2 is then kept but never read). Defaults: the visual-cortex fit of the
// minimal all-to-all model (Pfister & Gerstner 2006, Table 4), in weight steps.
#include <array>
#include <optional>

#include "learning/trace.hpp"

namespace qsnn::learning {

struct TripletStdp {
  double a2_plus = 5e-10;
  double a3_plus = 6.2e-3;
  double a2_minus = 7e-3;
  double a3_minus = 0.0;
  double tau_plus_ms = 16.8;
  double tau_minus_ms = 33.7;
  double tau_x_ms = 101.0;
  double tau_y_ms = 125.0;
  Pairing pairing = Pairing::all_to_all;
  std::optional<TraceFixedPoint> trace_format;  // nullopt: float64 traces

  // r1, r2 and o1, o2.
  std::array<TraceSpec, 2> pre_traces() const {
    return {TraceSpec{tau_plus_ms, 1.0, pairing, trace_format}, TraceSpec{tau_x_ms, 1.0, pairing, trace_format}};
  }
  std::array<TraceSpec, 2> post_traces() const {
    return {TraceSpec{tau_minus_ms, 1.0, pairing, trace_format}, TraceSpec{tau_y_ms, 1.0, pairing, trace_format}};
  }

  template <class S>
  void on_pre(S& s) const {
    s.propose(-s.post_trace(0) * (a2_minus + a3_minus * s.pre_trace(1)));
  }
  template <class S>
  void on_post(S& s) const {
    s.propose(s.pre_trace(0) * (a2_plus + a3_plus * s.post_trace(1)));
  }
};

}  // namespace qsnn::learning
