#pragma once
// Phase 4 of Network::step (sim/network.hpp): code that runs once per step on the spikes the step just
// emitted, before they are recorded - learning rules (learning/plastic_projection.hpp), reward signals,
// sample schedules. sim/ cannot know learning/ (the dependencies point the other way), hence an interface:
// one virtual call per hook and step, never per neuron or synapse.
#include "sim/types.hpp"

namespace qsnn::sim {

class Network;

class StepHook {
 public:
  virtual ~StepHook() = default;
  // Step t has run its delivery and neuron updates: Population::last_spikes() holds the spikes of step t and
  // net.now() is still t. Changes to weights take effect from the delivery of step t + 1 on, which carries
  // the spikes of step t.
  virtual void after_spikes(Network& net, Step t) = 0;

 protected:
  StepHook() = default;
  StepHook(const StepHook&) = default;
  StepHook& operator=(const StepHook&) = default;
};

}  // namespace qsnn::sim
