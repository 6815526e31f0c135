#pragma once
// A network of populations and projections, and the simulation loop. No global state: any number of
// networks can live in one process.
//
// Phase order of one step t (Network::step):
//   1. inputs      each population's begin_step (injection schedules), serially;
//   2. delivery    per postsynaptic block, the spikes every presynaptic population emitted at t-1 are added
//                  to the block's input ring at arrival step t-1+d (d >= 1: Loihi's one-step synaptic delay);
//   3. update      the same block integrates its input of step t, thresholds, resets and emits spikes;
//                  2 and 3 run fused, one task per (population, block), in parallel;
//   4. hooks       the block spikes are concatenated in block order and counters summed; then every attached
//                  StepHook (learning rules, sim/step_hook.hpp) sees the spikes of step t, in the order the
//                  hooks were attached; weight changes take effect from the delivery of step t+1, which
//                  carries the spikes of step t (a Brian2 on_pre that adds w before updating it delivers the
//                  old weight instead; here the update of step t comes first);
//   5. recording   recorders sample the spikes and state of step t.
// Every neuron is written by exactly one task, sums its inputs in a fixed order (projection, then
// presynaptic neuron, then synapse) and saturates once, so results are bit-identical for any thread count.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <tbb/task_arena.h>

#include "kernels/lif_constants.hpp"
#include "kernels/spike_delivery.hpp"
#include "sim/lif_parameters.hpp"
#include "sim/population.hpp"
#include "sim/projection.hpp"
#include "sim/spike_recorder.hpp"
#include "sim/spike_time_source.hpp"
#include "sim/state_recorder.hpp"
#include "sim/step_hook.hpp"
#include "sim/types.hpp"

namespace qsnn::sim {

struct NetworkOptions {
  double dt_ms = 1.0;
  std::size_t threads = 0;  // 0: all cores
  std::uint64_t seed = 1;
  // Networks with fewer neurons step their blocks serially whatever `threads` (a parallel step costs a few
  // microseconds of hand-off); results are identical either way. 0: always parallel when threads > 1.
  std::size_t min_parallel_neurons = 16384;
};

class Network {
 public:
  explicit Network(NetworkOptions options = {});
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  double dt_ms() const { return options_.dt_ms; }
  std::uint64_t seed() const { return options_.seed; }
  std::size_t threads() const { return threads_; }
  void set_threads(std::size_t threads);  // 0: all cores

  // Populations. The network's dt replaces parameters.dt_ms.
  PopulationId add_lif(std::string name, NeuronIndex size, LifParameters parameters, NumericPath path,
                       const FixedPointSpec& spec = {});
  // A fixed-point LIF population from integer constants (chip presets); stochastic roundings are re-keyed
  // to the network's seed.
  PopulationId add_fixed_lif(std::string name, NeuronIndex size, kernels::FixedLifConstants constants,
                             double state_step, double v_rest);
  PopulationId add_poisson(std::string name, NeuronIndex size, double rate_hz);
  PopulationId add_spike_times(std::string name, NeuronIndex size, std::vector<TimedSpike> spikes = {});

  ProjectionId connect(ProjectionSpec spec);

  SpikeRecorder& record_spikes(SpikeRecorderSpec spec);
  StateRecorder& record_state(StateRecorderSpec spec);

  std::size_t population_count() const { return populations_.size(); }
  std::size_t projection_count() const { return projections_.size(); }
  Population& population(PopulationId id);
  const Population& population(PopulationId id) const;
  template <class P>
  P& population_as(PopulationId id) {
    auto* typed = dynamic_cast<P*>(&population(id));
    if (typed == nullptr) throw std::invalid_argument("population '" + population(id).name() + "' has another type");
    return *typed;
  }
  PopulationId find_population(std::string_view name) const;  // throws std::invalid_argument listing the names
  Projection& projection(ProjectionId id);
  const Projection& projection(ProjectionId id) const;

  // Builds synapses and buffers (done by run() when needed); exposed so set-up time can be measured.
  void prepare();
  void run(Step steps);
  Step now() const { return now_; }

  // Phase 4 of every step runs the attached hooks in attachment order. The network does not own them: a hook
  // must outlive its attachment (learning::PlasticProjection detaches itself when destroyed). Attaching a
  // hook twice throws std::invalid_argument; detaching one that is not attached does nothing. Hooks may not
  // attach or detach hooks while they run (std::logic_error).
  void attach(StepHook& hook);
  void detach(StepHook& hook);
  bool is_attached(const StepHook& hook) const;

  std::uint64_t spike_count(PopulationId id) const { return spike_counts_.at(id.value); }
  // Spikes per step of a population (its rate trace), recorded for every step run.
  std::span<const std::uint32_t> spikes_per_step(PopulationId id) const { return spikes_per_step_.at(id.value); }
  kernels::LifOverflowCounts overflow(PopulationId id) const;

  std::span<const std::unique_ptr<SpikeRecorder>> spike_recorders() const { return spike_recorders_; }
  std::span<const std::unique_ptr<StateRecorder>> state_recorders() const { return state_recorders_; }

 private:
  struct BlockTask {
    std::uint32_t population;
    std::uint32_t block;
  };
  struct PopulationLayout {
    std::vector<NeuronIndex> block_begin;
    std::vector<BlockOutput> outputs;
    std::vector<std::uint32_t> incoming;  // projection indices, ascending
    unsigned guard_bits = 0;
  };
  // Accumulators of a projection that rounds its own sums (PartialSumRounding), in units of its codes;
  // same ring layout as its target's input ring.
  struct PartialSumRing {
    std::vector<std::int64_t> values;
    kernels::InputRingView<std::int64_t> view() {
      return {values.data(), values.size() / ring_length, ring_length};
    }
    unsigned ring_length = 1;
  };

  PopulationId add_population(std::unique_ptr<Population> population);
  void require_unprepared(const char* what) const;
  void run_task(const BlockTask& task, Step step);
  void fold_partial_sums(const BlockTask& task, Step step);
  void step();
  quant::RoundingSpec keyed(quant::RoundingSpec spec, std::uint64_t stream) const;

  NetworkOptions options_;
  std::size_t threads_ = 1;
  std::unique_ptr<tbb::task_arena> arena_;
  std::vector<std::unique_ptr<Population>> populations_;
  std::vector<std::unique_ptr<Projection>> projections_;
  std::vector<std::unique_ptr<SpikeRecorder>> spike_recorders_;
  std::vector<std::unique_ptr<StateRecorder>> state_recorders_;
  std::vector<StepHook*> hooks_;
  bool running_hooks_ = false;
  std::vector<PopulationLayout> layouts_;
  std::vector<PartialSumRing> partial_sums_;  // per projection; empty for most
  std::vector<BlockTask> tasks_;
  std::vector<std::uint64_t> spike_counts_;
  std::vector<std::vector<std::uint32_t>> spikes_per_step_;
  bool prepared_ = false;
  Step now_ = 0;
};

}  // namespace qsnn::sim
