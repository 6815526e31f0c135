#pragma once
// The STDP of Diehl & Cook 2015 (Front. Comput. Neurosci. 9:99, "Unsupervised learning of digit recognition
// using spike-timing-dependent plasticity") on input -> excitatory synapses, in the two forms the paper and
// its published code use (../shared/reference/papers.md §3.1):
//
//   presynaptic_target  the paper's rule (Methods, "Learning"): a presynaptic trace x_pre (tau 20 ms) and, at
//                       a postsynaptic spike only,
//                         dw = eta_post (x_pre - x_tar) (w_max - w)^mu.
//                       x_tar is the trace value a post spike should find; inputs that fire less often
//                       than that before post spikes (uncorrelated ones) are depressed. mu sets how strongly
//                       the update shrinks as w nears w_max.
//   published_code      the rule of the authors' code (github.com/peter-u-diehl/stdp-mnist,
//                       Diehl&Cook_spiking_MNIST.py, eqs_stdp_pre_ee / eqs_stdp_post_ee): one presynaptic
//                       trace (tc_pre_ee 20 ms) and two postsynaptic traces (tc_post_1_ee 20 ms,
//                       tc_post_2_ee 40 ms),
//                         pre spike:   dw = -eta_pre x_post1                 (nu_ee_pre  = 0.0001)
//                         post spike:  dw = +eta_post x_pre x_post2(before)  (nu_ee_post = 0.01)
//                       with w clipped to [0, wmax_ee = 1]. The second post trace makes potentiation need
//                       an earlier post spike as well (the minimal triplet rule of Pfister & Gerstner 2006,
//                       J. Neurosci. 26:9673): an isolated pre -> post pair only depresses.
//
// The code sets each trace to 1 at a spike (nearest-spike pairing, the default here); the paper's Methods
// increment x_pre by 1 (Pairing::all_to_all; recalled, not re-read - papers.md's [R]). Hooks read the traces of earlier steps only
// (kernels/plasticity.hpp), so post2 at a post spike is exactly the code's post2before.
//
// Units: eta_pre and eta_post are in weight steps per unit trace, like PairStdp's amplitudes; the code's
// numbers are for weights in [0, 1], so with w_max = 1 mapped to W steps multiply them by W. In the paper
// form the weight enters as the fraction of the write-back's range, ((w_max - w) / (w_max - w_min))^mu,
// which is (w_max - w)^mu for the paper's range [0, 1]. Its defaults x_tar = 0.4 and mu = 0.2 are the
// constants STDP_offset and exp_ee_post defined (but not used by the rule) in the published code; the
// paper does not list them (our reading, not a quoted value).
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "learning/synapse_ref.hpp"
#include "learning/trace.hpp"

namespace qsnn::learning {

enum class DiehlCookForm : std::uint8_t {
  presynaptic_target,  // paper: post spike dw = eta_post (x_pre - x_tar) (w_max - w)^mu
  published_code       // stdp-mnist: pre -eta_pre x_post1, post +eta_post x_pre x_post2
};

struct DiehlCookStdp {
  DiehlCookForm form = DiehlCookForm::published_code;
  double eta_pre = 0.0001;  // steps per unit trace; published_code only
  double eta_post = 0.01;   // steps per unit trace; both forms
  double tau_pre_ms = 20.0;
  double tau_post1_ms = 20.0;  // published_code only
  double tau_post2_ms = 40.0;  // published_code only
  double x_tar = 0.4;          // presynaptic_target only, in trace units
  double mu = 0.2;             // presynaptic_target only, >= 0 (0: no weight dependence)
  Pairing pairing = Pairing::nearest;
  std::optional<TraceFixedPoint> trace_format;  // nullopt: float64 traces

  // Throws std::invalid_argument naming the first bad parameter.
  void check_parameters() const {
    require_positive(tau_pre_ms, "tau_pre_ms");
    require_finite_non_negative(eta_post, "eta_post");
    if (form == DiehlCookForm::published_code) {
      require_positive(tau_post1_ms, "tau_post1_ms");
      require_positive(tau_post2_ms, "tau_post2_ms");
      require_finite_non_negative(eta_pre, "eta_pre");
    } else {
      if (!std::isfinite(x_tar)) throw std::invalid_argument("Diehl & Cook STDP: x_tar must be finite");
      require_finite_non_negative(mu, "mu");
    }
  }

  std::array<TraceSpec, 1> pre_traces() const {
    check_parameters();  // runs before PlasticProjection builds the traces, so the messages name the rule
    return {TraceSpec{tau_pre_ms, 1.0, pairing, trace_format}};
  }
  std::vector<TraceSpec> post_traces() const {
    if (form == DiehlCookForm::presynaptic_target) return {};
    return {TraceSpec{tau_post1_ms, 1.0, pairing, trace_format}, TraceSpec{tau_post2_ms, 1.0, pairing, trace_format}};
  }

  void validate(const WeightBounds& bounds) const {
    check_parameters();
    if (form == DiehlCookForm::presynaptic_target && mu != 0.0 &&
        !(std::isfinite(bounds.lower) && std::isfinite(bounds.upper) && bounds.upper > bounds.lower))
      throw std::invalid_argument(
          "Diehl & Cook STDP with mu > 0 needs finite weight bounds with lower < upper (set the write-back's "
          "upper_bound for exact float64 weights)");
  }

  template <class S>
  void on_pre(S& s) const {
    if (form == DiehlCookForm::published_code) s.propose(-eta_pre * s.post_trace(0));
  }

  template <class S>
  void on_post(S& s) const {
    if (form == DiehlCookForm::published_code) {
      s.propose(eta_post * s.pre_trace(0) * s.post_trace(1));
    } else {
      s.propose(eta_post * (s.pre_trace(0) - x_tar) * headroom(s));
    }
  }

 private:
  // ((w_max - w) / (w_max - w_min))^mu; the write-back keeps w inside its bounds, the clamp only guards
  // the power against a negative base.
  template <class S>
  double headroom(const S& s) const {
    if (mu == 0.0) return 1.0;
    const double fraction = (s.bounds().upper - s.w()) / (s.bounds().upper - s.bounds().lower);
    const double base = fraction < 0.0 ? 0.0 : fraction;
    return mu == 1.0 ? base : std::pow(base, mu);
  }

  static void require_positive(double value, const char* name) {
    if (!(value > 0.0 && std::isfinite(value)))
      throw std::invalid_argument(std::string("Diehl & Cook STDP: ") + name + " must be finite and > 0 (got " +
                                  std::to_string(value) + ")");
  }
  static void require_finite_non_negative(double value, const char* name) {
    if (!(value >= 0.0 && std::isfinite(value)))
      throw std::invalid_argument(std::string("Diehl & Cook STDP: ") + name + " must be finite and >= 0 (got " +
                                  std::to_string(value) + ")");
  }
};

}  // namespace qsnn::learning
