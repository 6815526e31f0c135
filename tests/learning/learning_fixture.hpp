#pragma once
// Shared set-up of the learning tests: a spike-time source projecting onto a LIF population whose weights
// a rule changes. Most tests feed spike trains straight into PlasticProjection::apply, so the pairings are
// exactly the ones the test constructs, whatever the weights do to the neurons.
#include <cmath>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "learning/plastic_projection.hpp"
#include "quant/counter_rng.hpp"
#include "sim/network.hpp"

namespace qsnn::test {

using sim::NeuronIndex;
using sim::Step;

// Spikes per step, ascending per step.
struct SpikeTrains {
  std::vector<std::vector<NeuronIndex>> pre;
  std::vector<std::vector<NeuronIndex>> post;

  SpikeTrains(Step steps) : pre(steps), post(steps) {}
  Step steps() const { return pre.size(); }
  void add_pre(Step t, NeuronIndex i) { pre.at(t).push_back(i); }
  void add_post(Step t, NeuronIndex j) { post.at(t).push_back(j); }
};

// Independent Bernoulli spikes with probability p per step, drawn from a counter RNG (reproducible).
inline SpikeTrains poisson_trains(Step steps, NeuronIndex n_pre, NeuronIndex n_post, double p, std::uint64_t seed) {
  SpikeTrains trains(steps);
  const quant::CounterRng pre_rng{seed, 1}, post_rng{seed, 2};
  for (Step t = 0; t < steps; ++t) {
    for (NeuronIndex i = 0; i < n_pre; ++i)
      if (pre_rng.uniform01(t, i) < p) trains.add_pre(t, i);
    for (NeuronIndex j = 0; j < n_post; ++j)
      if (post_rng.uniform01(t, j) < p) trains.add_post(t, j);
  }
  return trains;
}

inline void feed(learning::PlasticProjection& plastic, const SpikeTrains& trains) {
  for (Step t = 0; t < trains.steps(); ++t) plastic.apply(t, trains.pre[t], trains.post[t]);
}

// A network holding one projection from `n_pre` spike-time sources onto `n_post` LIF neurons of the given
// path. Fixed-point targets get weight exponent 0 (one step = one state code) and every synapse starts at
// `initial_steps` steps; float64 targets hold exact weights in voltage units with weight_step() = 1, so
// their weights are numerically in steps too.
struct LearningNet {
  sim::Network net;
  sim::PopulationId pre, post;
  sim::ProjectionId projection;

  LearningNet(sim::NumericPath path, NeuronIndex n_pre, NeuronIndex n_post, sim::Connectivity connectivity,
              double initial_steps, sim::WeightQuantization quantization = {}, std::size_t threads = 1,
              std::uint64_t seed = 1)
      : net({.dt_ms = 1.0, .threads = threads, .seed = seed}) {
    pre = net.add_spike_times("pre", n_pre);
    post = net.add_lif("post", n_post, sim::LifParameters{}, path);
    double weight = initial_steps;
    if (path == sim::NumericPath::fixed_point) {
      quantization.exponent = 0;
      weight = initial_steps * sim::FixedPointSpec{}.state_step();
    }
    projection = net.connect({.name = "plastic", .pre = pre, .post = post, .connectivity = std::move(connectivity),
                              .weights = sim::ConstantWeight{weight}, .quantization = quantization});
    net.prepare();
  }

  std::vector<std::int32_t> codes() {
    std::vector<std::int32_t> out;
    for (const auto& s : net.projection(projection).synapses()) out.push_back(s.code);
    return out;
  }
  std::vector<double> real_weights() {
    std::vector<double> out;
    for (const auto& s : net.projection(projection).synapses()) out.push_back(s.weight);
    return out;
  }
};

}  // namespace qsnn::test
