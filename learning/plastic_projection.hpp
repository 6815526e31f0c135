#pragma once
// A learning rule attached to one built projection of a Network. It owns the rule, the spike traces, the
// per-synapse eligibility and shadow arrays and the write-back, and changes the projection's weights in
// place (fixed-point targets: the b-bit codes; float64 targets: the real weights, on the b-bit grid in
// quantized and shadow modes, exact otherwise).
//
// It runs in phase 4 of each network step (sim/network.hpp) on the spikes that step emitted
// (Population::last_spikes()), in the order of kernels/plasticity.hpp, once it is attached to the network as
// a sim::StepHook; updated weights are used from the next step's delivery on. run_with_plasticity() below
// attaches a set of them for one run.
//
//   learning::PlasticProjection stdp(net, projection_id, learning::PairStdp{.a_plus = 0.2, .a_minus = 0.21},
//                                    {.write_back = {.rounding = {quant::RoundingMode::stochastic}}});
//   net.attach(stdp);
//   net.run(10000);           // or, for one run only: learning::run_with_plasticity(net, {&stdp}, 10000);
//
// Determinism: the block layout follows the thread count, but each block is one task, every stochastic
// draw is keyed by (seed, stream, step, synapse index in Projection::synapses() order) or (..., neuron)
// for traces, and no value is summed across blocks, so weights are bit-identical for any thread count.
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <tbb/task_arena.h>

#include "kernels/plasticity.hpp"
#include "learning/synapse_ref.hpp"
#include "learning/trace.hpp"
#include "learning/weight_writeback.hpp"
#include "sim/network.hpp"
#include "sim/step_hook.hpp"

namespace qsnn::learning {

struct PlasticityOptions {
  WriteBackSpec write_back;
  // Counter-RNG streams of this projection's stochastic roundings (write-back and traces); default: a set
  // of its own per projection id.
  std::optional<std::uint64_t> stream;
  // Projections with fewer synapses run their blocks serially whatever the thread count: a parallel step
  // costs microseconds of TBB hand-off (measured for the network step, sim/network.hpp). Results are
  // identical either way; 0 always runs in parallel when the network has several threads.
  std::size_t min_parallel_synapses = 65536;
};

class PlasticProjection final : public sim::StepHook {
 public:
  // Prepares the network (building its projections) if needed. A rule provides pre_traces() and
  // post_traces() (ranges of TraceSpec, at most kMaxTraces each), on_pre(s) and on_post(s), and optionally
  // eligibility_tau_ms(), validate(WeightBounds), begin_step(t), end_step(), walks_all_synapses() and
  // on_step(s) (kernels/plasticity.hpp).
  template <class Rule>
  PlasticProjection(sim::Network& net, sim::ProjectionId id, Rule rule, PlasticityOptions options = {});
  ~PlasticProjection() override;  // detaches itself: destroy it before its network
  PlasticProjection(const PlasticProjection&) = delete;
  PlasticProjection& operator=(const PlasticProjection&) = delete;

  // Phase 4 of Network::step when attached: the plasticity of step t on its populations' last spikes.
  void after_spikes(sim::Network& net, sim::Step t) override;
  // The same, called by hand after net.run(1) for a projection that is not attached: step net.now() - 1.
  void after_step(sim::Network& net);
  // The same for explicit spike lists (ascending neuron indices) of step t; steps must come one after the
  // other, starting at the network's step when this projection was attached.
  void apply(sim::Step t, std::span<const sim::NeuronIndex> pre_spikes, std::span<const sim::NeuronIndex> post_spikes);
  // Shadow mode: recompute every pending forward code now (e.g. at the end of training with k > 1).
  void requantize();

  sim::Projection& projection() { return *projection_; }
  const sim::Projection& projection() const { return *projection_; }
  const ResolvedWriteBack& write_back() const { return wb_; }
  WeightBounds bounds() const { return {wb_.lower, wb_.upper}; }

  WeightStatistics statistics() const;  // summed over blocks
  void reset_statistics();

  // Per synapse, in Projection::synapses() order: the weight learning sees, in steps (shadow, code, or
  // w / step), and the eligibility trace decayed to the last step run (0 for rules without one).
  std::vector<double> weights_in_steps() const;
  std::vector<double> eligibilities() const;

  const TraceArray& pre_trace(std::size_t i = 0) const { return pre_traces_.at(i); }
  const TraceArray& post_trace(std::size_t i = 0) const { return post_traces_.at(i); }

  // The attached rule, e.g. to set RewardStdp::reward; throws std::invalid_argument for another type.
  template <class Rule>
  Rule& rule();

  // Manual epochs for the learning-rate schedule (used when LearningRate::epoch_steps is 0).
  void set_epoch(std::uint64_t epoch) { epoch_ = epoch; }
  std::uint64_t epoch_at(sim::Step t) const;
  double learning_rate_at(sim::Step t) const { return wb_.rate.at_epoch(epoch_at(t)); }
  sim::Step next_step() const { return next_step_; }

 private:
  struct BlockState {
    WriteBackState write_back;
    std::vector<double> eligibility;
    std::vector<sim::Step> eligibility_step;
    std::vector<std::uint64_t> row_base;  // per presynaptic neuron
  };

  struct RuleRunner {
    virtual ~RuleRunner() = default;
    virtual void step(PlasticProjection& p, sim::Step t) = 0;
  };
  template <class Rule>
  struct RunnerOf;
  template <class Weight>
  class BlockContext;
  class StepHost;

  PlasticProjection(sim::Network& net, sim::ProjectionId id, PlasticityOptions options, std::vector<TraceSpec> pre,
                    std::vector<TraceSpec> post, std::optional<double> eligibility_tau_ms);
  template <class Range>
  static std::vector<TraceSpec> to_vector(const Range& specs) {
    return std::vector<TraceSpec>(std::begin(specs), std::end(specs));
  }

  sim::Network* net_;
  sim::ProjectionId id_;
  sim::Projection* projection_;
  sim::PopulationId pre_population_, post_population_;
  ResolvedWriteBack wb_;
  std::vector<TraceArray> pre_traces_;
  std::vector<TraceArray> post_traces_;
  const std::vector<kernels::CsrTranspose>* columns_ = nullptr;
  std::vector<BlockState> blocks_;
  bool uses_eligibility_ = false;
  double eligibility_log_decay_ = 0.0;
  std::unique_ptr<tbb::task_arena> arena_;  // null: serial
  sim::Step first_step_ = 0;
  sim::Step next_step_ = 0;
  std::uint64_t epoch_ = 0;
  double rate_ = 1.0;  // of the step being applied
  std::span<const sim::NeuronIndex> pre_spikes_, post_spikes_;
  std::unique_ptr<RuleRunner> runner_;
  std::uint64_t stream_base_ = 0;  // first of this projection's counter-RNG streams (plastic_projection.cpp)

  // Weight normalization (learning/weight_normalization.cpp) walks the blocks, columns and shadows.
  friend struct WeightNormalizationAccess;
};

// Runs the network for `steps` steps with the listed plasticity attached for this run only (it must not be
// attached already). The optional callback runs in phase 4 of each step before them, after any hook that was
// attached before, with the step's spikes known (e.g. to set a reward from them).
void run_with_plasticity(sim::Network& net, std::span<PlasticProjection* const> plastic, sim::Step steps,
                         const std::function<void(sim::Step)>& before_plasticity = {});
inline void run_with_plasticity(sim::Network& net, std::initializer_list<PlasticProjection*> plastic, sim::Step steps,
                                const std::function<void(sim::Step)>& before_plasticity = {}) {
  run_with_plasticity(net, std::span<PlasticProjection* const>(plastic.begin(), plastic.size()), steps,
                      before_plasticity);
}

// ---- implementation of the templates ------------------------------------------------------------------

// One block of one step: builds the hooks' synapse objects with one rounder per phase.
template <class Weight>
class PlasticProjection::BlockContext {
 public:
  BlockContext(PlasticProjection& p, kernels::CsrBlock<Weight>& block, BlockState& state, sim::Step t)
      : p_(p), block_(block), state_(state), t_(t) {
    for (std::size_t i = 0; i < p.pre_traces_.size(); ++i) view_.pre_traces[i] = p.pre_traces_[i].values().data();
    for (std::size_t i = 0; i < p.post_traces_.size(); ++i) view_.post_traces[i] = p.post_traces_[i].values().data();
    view_.row_start = block.row_start.data();
    view_.row_base = state.row_base.data();
    if (p.uses_eligibility_) {
      view_.eligibility = state.eligibility.data();
      view_.eligibility_step = state.eligibility_step.data();
      view_.eligibility_log_decay = p.eligibility_log_decay_;
    }
    view_.t = t;
    view_.bounds = p.bounds();
  }

  template <class Loop>
  void phase(kernels::PlasticityPhase phase, Loop&& loop) {
    quant::visit_rounder(p_.wb_.update_rounding, kernels::rounding_step(t_, phase), [&](const auto& rounder) {
      using Writer = WeightWriter<Weight, std::decay_t<decltype(rounder)>>;
      Writer writer(p_.wb_, p_.rate_, std::span<Weight>(block_.weight), state_.write_back, rounder);
      const SynapseView view = view_;  // a local copy the hooks' weight stores cannot alias
      loop([&](std::uint32_t k, std::uint32_t pre, std::uint32_t post) {
        return SynapseRef<Writer>(writer, view, k, pre, post);
      });
    });
  }

 private:
  PlasticProjection& p_;
  kernels::CsrBlock<Weight>& block_;
  BlockState& state_;
  sim::Step t_;
  SynapseView view_;
};

// What kernels::plasticity_step needs from its host.
class PlasticProjection::StepHost {
 public:
  StepHost(PlasticProjection& p, sim::Step t) : p_(p), t_(t) {}

  void decay_traces(sim::Step t) {
    for (auto& trace : p_.pre_traces_) trace.decay(t);
    for (auto& trace : p_.post_traces_) trace.decay(t);
  }
  void add_spikes_to_traces(sim::Step t) {
    for (auto& trace : p_.pre_traces_) trace.add_spikes(t, p_.pre_spikes_);
    for (auto& trace : p_.post_traces_) trace.add_spikes(t, p_.post_spikes_);
  }
  std::span<const sim::NeuronIndex> pre_spikes() const { return p_.pre_spikes_; }
  std::span<const sim::NeuronIndex> post_spikes() const { return p_.post_spikes_; }

  template <class G>
  void for_each_block(G&& g) {
    const bool requantize = p_.wb_.mode == WriteBackMode::shadow &&
                            (t_ - p_.first_step_ + 1) % p_.wb_.requantize_every == 0;
    std::visit(
        [&](auto& blocks) {
          using Weight = typename std::decay_t<decltype(blocks[0].weight)>::value_type;
          kernels::for_each_block(p_.arena_.get(), blocks.size(), [&](std::size_t b) {
            BlockContext<Weight> context(p_, blocks[b], p_.blocks_[b], t_);
            g(std::as_const(blocks[b]), (*p_.columns_)[b], context);
            if (requantize) requantize_block(p_.wb_, t_, std::span<Weight>(blocks[b].weight), p_.blocks_[b].write_back);
          });
        },
        p_.projection_->mutable_blocks());
  }

 private:
  PlasticProjection& p_;
  sim::Step t_;
};

template <class Rule>
struct PlasticProjection::RunnerOf final : RuleRunner {
  explicit RunnerOf(Rule r) : rule(std::move(r)) {}
  void step(PlasticProjection& p, sim::Step t) override {
    StepHost host(p, t);
    kernels::plasticity_step(rule, t, host);
  }
  Rule rule;
};

template <class Rule>
PlasticProjection::PlasticProjection(sim::Network& net, sim::ProjectionId id, Rule rule, PlasticityOptions options)
    : PlasticProjection(net, id, std::move(options), to_vector(rule.pre_traces()), to_vector(rule.post_traces()),
                        [&]() -> std::optional<double> {
                          if constexpr (requires { rule.eligibility_tau_ms(); }) return rule.eligibility_tau_ms();
                          else return std::nullopt;
                        }()) {
  if constexpr (requires { rule.validate(bounds()); }) rule.validate(bounds());
  runner_ = std::make_unique<RunnerOf<Rule>>(std::move(rule));
}

template <class Rule>
Rule& PlasticProjection::rule() {
  auto* runner = dynamic_cast<RunnerOf<Rule>*>(runner_.get());
  if (runner == nullptr)
    throw std::invalid_argument("plastic projection '" + projection_->name() + "' runs another rule");
  return runner->rule;
}

}  // namespace qsnn::learning
