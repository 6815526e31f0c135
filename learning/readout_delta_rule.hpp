#pragma once
// A local supervised readout: the delta rule (Widrow & Hoff 1960) on sample-level activities, the usual way
// to train the last layer of a spiking classifier or to retrain it for transfer learning while the features
// stay frozen (Acharya et al., ICASSP 2022, "fully quantized transfer learning").
//   dw_ij = eta * e_j * x_i,   e_j = target_j - y_j
// with y_j the output of readout neuron j over a sample (its spike count, or its membrane at the end of the
// sample) and x_i the activity of input i over the sample (its spike count). It is the gradient step of the
// squared error 1/2 sum_j e_j^2 for a readout that is linear in x - local: each synapse needs only its own
// pre activity and its post neuron's error. Updates go through the shared write-back, so quantized weights
// with any rounding, shadow weights, bounds and the learning-rate schedule apply as for every rule.
//
// Usage, once per training sample (after the sample's steps have run):
//   auto& delta = readout.rule<learning::ReadoutDelta>();
//   delta.schedule(input_counts, learning::one_hot_errors(readout_outputs, label, 10.0, 0.0));
//   net.run(1);  // the next step's plasticity applies the update to every synapse once
// eta is in weight steps per unit error and unit pre activity (before the write-back's learning rate).
#include <array>
#include <cmath>
#include <cstdint>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "learning/synapse_ref.hpp"
#include "learning/trace.hpp"

namespace qsnn::learning {

struct ReadoutDelta {
  double eta = 0.01;

  std::array<TraceSpec, 0> pre_traces() const { return {}; }
  std::array<TraceSpec, 0> post_traces() const { return {}; }

  // The next plasticity step applies dw = eta * error[post] * presynaptic_activity[pre] to every synapse, once.
  void schedule(std::span<const double> presynaptic_activity, std::span<const double> error) {
    for (const double x : presynaptic_activity)
      if (!std::isfinite(x)) throw std::invalid_argument("readout delta rule: a presynaptic activity is not finite");
    for (const double e : error)
      if (!std::isfinite(e)) throw std::invalid_argument("readout delta rule: an error is not finite");
    activity_.assign(presynaptic_activity.begin(), presynaptic_activity.end());
    error_.assign(error.begin(), error.end());
    pending_ = true;
  }
  bool pending() const { return pending_; }

  template <class S>
  void on_pre(S&) const {}
  template <class S>
  void on_post(S&) const {}
  bool walks_all_synapses() const { return pending_; }
  template <class S>
  void on_step(S& s) const {
    if (s.pre() >= activity_.size() || s.post() >= error_.size())
      throw std::invalid_argument("readout delta rule: scheduled " + std::to_string(activity_.size()) +
                                  " activities and " + std::to_string(error_.size()) +
                                  " errors, fewer than the projection's neurons");
    const double dw = eta * error_[s.post()] * activity_[s.pre()];
    if (dw != 0.0) s.propose(dw);
  }
  void end_step() { pending_ = false; }

  // Set by schedule() (public only so that the rule stays an aggregate: ReadoutDelta{.eta = 0.1}).
  std::vector<double> activity_;
  std::vector<double> error_;
  bool pending_ = false;
};

// e_j = target - y_j with target = target_on for the label's neuron and target_off for the others.
inline std::vector<double> one_hot_errors(std::span<const double> outputs, std::size_t label, double target_on,
                                          double target_off) {
  if (label >= outputs.size())
    throw std::invalid_argument("readout delta rule: label " + std::to_string(label) + " outside 0.." +
                                std::to_string(outputs.size()) + " readout neurons");
  std::vector<double> error(outputs.size());
  for (std::size_t j = 0; j < outputs.size(); ++j) error[j] = (j == label ? target_on : target_off) - outputs[j];
  return error;
}

}  // namespace qsnn::learning
