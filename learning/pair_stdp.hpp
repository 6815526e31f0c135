#pragma once
// Pair-based STDP with traces (Morrison, Diesmann & Gerstner 2008, Biol. Cybern. 98:459, sec. 4.1; the
// window of Bi & Poo 1998): a presynaptic trace x (tau+) and a postsynaptic trace y (tau-), impulse 1.
//   post spike:  dw = +A+ f+(w) x      (x holds the earlier pre spikes: potentiation, dt > 0)
//   pre spike:   dw = -A- f-(w) y      (y holds the earlier post spikes: depression, dt < 0)
// An isolated pair at dt = t_post - t_pre gives A+ exp(-dt/tau+) for dt > 0 and -A- exp(dt/tau-) for
// dt < 0 (kernels/plasticity.hpp: same-step pairs give nothing). All-to-all pairing sums every earlier
// partner spike (x += 1); nearest-spike pairing keeps the latest one (x = 1).
//
// Weight dependence (Gutig, Aharonov, Rotter & Sompolinsky 2003, J. Neurosci. 23:3697): with
// u = (w - w_min) / (w_max - w_min) in [0, 1] over the write-back's hard bounds,
//   f+(w) = (1 - u)^mu_plus,   f-(w) = u^mu_minus.
// mu = 0 is additive STDP, mu = 1 multiplicative (dw+ ~ (w_max - w), dw- ~ w); mu_plus = 0 with
// mu_minus = 1 is van Rossum, Bi & Turrigiano 2000 (J. Neurosci. 20:8812): additive potentiation,
// multiplicative depression.
//
// A+ and A- are in weight steps (units of Projection::weight_step()) per unit trace.
#include <array>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "learning/synapse_ref.hpp"
#include "learning/trace.hpp"

namespace qsnn::learning {

struct PairStdp {
  double a_plus = 0.01;
  double a_minus = 0.0105;
  double tau_plus_ms = 20.0;
  double tau_minus_ms = 20.0;
  Pairing pairing = Pairing::all_to_all;
  double mu_plus = 0.0;
  double mu_minus = 0.0;
  std::optional<TraceFixedPoint> trace_format;  // nullopt: float64 traces

  std::array<TraceSpec, 1> pre_traces() const { return {TraceSpec{tau_plus_ms, 1.0, pairing, trace_format}}; }
  std::array<TraceSpec, 1> post_traces() const { return {TraceSpec{tau_minus_ms, 1.0, pairing, trace_format}}; }

  void validate(const WeightBounds& bounds) const {
    if ((mu_plus != 0.0 || mu_minus != 0.0) &&
        !(std::isfinite(bounds.lower) && std::isfinite(bounds.upper) && bounds.upper > bounds.lower))
      throw std::invalid_argument("weight-dependent STDP needs finite weight bounds with lower < upper");
  }

  // The two halves, shared with the rules built on pairing (reward_stdp.hpp).
  template <class S>
  double potentiation(const S& s) const {
    return a_plus * dependence(1.0 - position(s), mu_plus) * s.pre_trace(0);
  }
  template <class S>
  double depression(const S& s) const {
    return -a_minus * dependence(position(s), mu_minus) * s.post_trace(0);
  }

  template <class S>
  void on_pre(S& s) const {
    s.propose(depression(s));
  }
  template <class S>
  void on_post(S& s) const {
    s.propose(potentiation(s));
  }

 private:
  template <class S>
  double position(const S& s) const {
    if (mu_plus == 0.0 && mu_minus == 0.0) return 0.0;  // additive: bounds may be infinite
    return (s.w() - s.bounds().lower) / (s.bounds().upper - s.bounds().lower);
  }
  static double dependence(double base, double mu) {
    if (mu == 0.0) return 1.0;
    if (mu == 1.0) return base;
    return std::pow(base, mu);
  }
};

}  // namespace qsnn::learning
