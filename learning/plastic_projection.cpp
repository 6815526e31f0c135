#include "learning/plastic_projection.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace qsnn::learning {
namespace {

// Calls f(block, state, k, index) for synapse k of every block, where index is the synapse's position in
// Projection::synapses() (rows in order, and within a row the blocks' parts in order).
template <class Blocks, class States, class F>
void for_each_stored_synapse(const Blocks& blocks, const States& states, F&& f) {
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    const auto& block = blocks[b];
    const auto& state = states[b];
    for (std::size_t i = 0; i + 1 < block.row_start.size(); ++i)
      for (std::uint32_t k = block.row_start[i]; k < block.row_start[i + 1]; ++k)
        f(block, state, k, state.row_base[i] + (k - block.row_start[i]));
  }
}


// Counter-RNG streams of learning, above the network's own (sim/network.cpp uses 1..4 << 40). Per plastic
// projection 256 streams: +0 write-back rounding, +1 forward requantization, +2 and +3 weight normalization
// (learning/weight_normalization.cpp), +16.. pre traces, +32.. post traces.
constexpr std::uint64_t kLearningStreams = std::uint64_t{16} << 40;

void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}

void require_spikes(std::span<const sim::NeuronIndex> spikes, sim::NeuronIndex size, const std::string& what) {
  require(std::is_sorted(spikes.begin(), spikes.end()) && std::adjacent_find(spikes.begin(), spikes.end()) == spikes.end(),
          what + " spikes must be strictly ascending");
  require(spikes.empty() || spikes.back() < size, what + " spike of neuron " +
                                                      (spikes.empty() ? std::string() : std::to_string(spikes.back())) +
                                                      " (population size " + std::to_string(size) + ")");
}

}  // namespace

PlasticProjection::PlasticProjection(sim::Network& net, sim::ProjectionId id, PlasticityOptions options,
                                     std::vector<TraceSpec> pre, std::vector<TraceSpec> post,
                                     std::optional<double> eligibility_tau_ms)
    : net_(&net), id_(id), projection_(nullptr) {
  net.prepare();
  projection_ = &net.projection(id);
  const std::string where = "plastic projection '" + projection_->name() + "': ";
  pre_population_ = projection_->spec().pre;
  post_population_ = projection_->spec().post;
  const sim::NeuronIndex pre_size = net.population(pre_population_).size();
  const sim::NeuronIndex post_size = net.population(post_population_).size();
  require(pre.size() <= kMaxTraces && post.size() <= kMaxTraces,
          where + "a rule may use at most " + std::to_string(kMaxTraces) + " traces per side");

  const std::uint64_t base = kLearningStreams + (options.stream.value_or(id.value) << 8);
  stream_base_ = base;
  wb_ = resolve_write_back(options.write_back, *projection_, net.seed(), base);
  for (std::size_t i = 0; i < pre.size(); ++i) pre_traces_.emplace_back(pre[i], pre_size, net.dt_ms(), net.seed(), base + 16 + i);
  for (std::size_t i = 0; i < post.size(); ++i)
    post_traces_.emplace_back(post[i], post_size, net.dt_ms(), net.seed(), base + 32 + i);

  if (eligibility_tau_ms) {
    require(*eligibility_tau_ms > 0.0 && std::isfinite(*eligibility_tau_ms), where + "eligibility tau must be finite and > 0");
    uses_eligibility_ = true;
    eligibility_log_decay_ = -net.dt_ms() / *eligibility_tau_ms;
  }
  first_step_ = next_step_ = net.now();
  columns_ = &projection_->transposed();  // built here, never inside the parallel loops

  std::visit(
      [&](const auto& blocks) {
        blocks_.resize(blocks.size());
        // Synapses are generated row by row (ascending pre, then post): a synapse's index in that order is
        // the sum of the row lengths before it, whichever block holds it.
        std::vector<std::uint64_t> row_begin(static_cast<std::size_t>(pre_size) + 1, 0);
        for (const auto& block : blocks)
          for (std::size_t i = 0; i < pre_size; ++i) row_begin[i + 1] += block.row_start[i + 1] - block.row_start[i];
        for (std::size_t i = 0; i < pre_size; ++i) row_begin[i + 1] += row_begin[i];
        for (std::size_t b = 0; b < blocks.size(); ++b) {
          const auto& block = blocks[b];
          BlockState& state = blocks_[b];
          state.row_base.assign(row_begin.begin(), row_begin.end() - 1);
          for (std::size_t i = 0; i < pre_size; ++i) row_begin[i] += block.row_start[i + 1] - block.row_start[i];
          const std::size_t n = block.synapse_count();
          if (wb_.mode == WriteBackMode::shadow) {
            state.write_back.shadow.resize(n);
            for (std::size_t k = 0; k < n; ++k) {
              if constexpr (std::is_same_v<std::decay_t<decltype(block.weight[k])>, double>)
                state.write_back.shadow[k] = block.weight[k] / wb_.unit;
              else
                state.write_back.shadow[k] = static_cast<double>(block.weight[k]);
            }
            state.write_back.is_dirty.assign(n, 0);
          }
          if (uses_eligibility_) {
            state.eligibility.assign(n, 0.0);
            state.eligibility_step.assign(n, first_step_);
          }
        }
      },
      projection_->blocks());
  if (net.threads() > 1 && projection_->synapse_count() >= options.min_parallel_synapses)
    arena_ = std::make_unique<tbb::task_arena>(static_cast<int>(net.threads()));
}

PlasticProjection::~PlasticProjection() { net_->detach(*this); }

std::uint64_t PlasticProjection::epoch_at(sim::Step t) const {
  if (wb_.rate.epoch_steps > 0) return t < first_step_ ? 0 : (t - first_step_) / wb_.rate.epoch_steps;
  return epoch_;
}

void PlasticProjection::after_spikes(sim::Network& net, sim::Step t) {
  if (&net != net_)
    throw std::invalid_argument("plastic projection '" + projection_->name() + "' belongs to another network");
  apply(t, net.population(pre_population_).last_spikes(), net.population(post_population_).last_spikes());
}

void PlasticProjection::after_step(sim::Network& net) {
  if (net.is_attached(*this))
    throw std::logic_error("plastic projection '" + projection_->name() +
                           "' is attached to the network, which already runs it every step");
  if (net.now() == 0) throw std::logic_error("after_step before the network ran a step");
  after_spikes(net, net.now() - 1);
}

void PlasticProjection::apply(sim::Step t, std::span<const sim::NeuronIndex> pre_spikes,
                              std::span<const sim::NeuronIndex> post_spikes) {
  if (t != next_step_)
    throw std::logic_error("plastic projection '" + projection_->name() + "' expects step " +
                           std::to_string(next_step_) + ", got " + std::to_string(t) +
                           " (run the plasticity after every step)");
  require_spikes(pre_spikes, net_->population(pre_population_).size(), "presynaptic");
  require_spikes(post_spikes, net_->population(post_population_).size(), "postsynaptic");
  pre_spikes_ = pre_spikes;
  post_spikes_ = post_spikes;
  rate_ = learning_rate_at(t);
  runner_->step(*this, t);
  pre_spikes_ = {};
  post_spikes_ = {};
  next_step_ = t + 1;
}

void PlasticProjection::requantize() {
  if (wb_.mode != WriteBackMode::shadow) return;
  const sim::Step t = next_step_ > first_step_ ? next_step_ - 1 : first_step_;
  std::visit(
      [&](auto& blocks) {
        using Weight = typename std::decay_t<decltype(blocks[0].weight)>::value_type;
        for (std::size_t b = 0; b < blocks.size(); ++b)
          requantize_block(wb_, t, std::span<Weight>(blocks[b].weight), blocks_[b].write_back);
      },
      projection_->mutable_blocks());
}

WeightStatistics PlasticProjection::statistics() const {
  WeightStatistics total;
  for (const BlockState& state : blocks_) total += state.write_back.stats;
  return total;
}

void PlasticProjection::reset_statistics() {
  for (BlockState& state : blocks_) state.write_back.stats = {};
}

std::vector<double> PlasticProjection::weights_in_steps() const {
  std::vector<double> out(projection_->synapse_count());
  std::visit(
      [&](const auto& blocks) {
        for_each_stored_synapse(blocks, blocks_, [&](const auto& block, const BlockState& state, std::uint32_t k,
                                                     std::size_t index) {
          if (wb_.mode == WriteBackMode::shadow) out[index] = state.write_back.shadow[k];
          else if constexpr (std::is_same_v<std::decay_t<decltype(block.weight[k])>, double>) out[index] = block.weight[k] / wb_.unit;
          else out[index] = static_cast<double>(block.weight[k]);
        });
      },
      projection_->blocks());
  return out;
}

std::vector<double> PlasticProjection::eligibilities() const {
  std::vector<double> out(projection_->synapse_count(), 0.0);
  if (!uses_eligibility_) return out;
  const sim::Step now = next_step_ > first_step_ ? next_step_ - 1 : first_step_;
  std::visit(
      [&](const auto& blocks) {
        for_each_stored_synapse(blocks, blocks_, [&](const auto&, const BlockState& state, std::uint32_t k,
                                                     std::size_t index) {
          const double age = static_cast<double>(now - state.eligibility_step[k]);
          out[index] = state.eligibility[k] * std::exp(age * eligibility_log_decay_);
        });
      },
      projection_->blocks());
  return out;
}

namespace {

// The callback of run_with_plasticity as a hook of its own, attached before the plasticity.
class CallbackHook final : public sim::StepHook {
 public:
  explicit CallbackHook(const std::function<void(sim::Step)>& callback) : callback_(callback) {}
  void after_spikes(sim::Network&, sim::Step t) override { callback_(t); }

 private:
  const std::function<void(sim::Step)>& callback_;
};

// Attaches hooks for one scope and detaches them on the way out, exceptions included.
class ScopedAttachment {
 public:
  explicit ScopedAttachment(sim::Network& net) : net_(net) {}
  ~ScopedAttachment() {
    for (sim::StepHook* hook : attached_) net_.detach(*hook);
  }
  ScopedAttachment(const ScopedAttachment&) = delete;
  ScopedAttachment& operator=(const ScopedAttachment&) = delete;
  void attach(sim::StepHook& hook) {
    net_.attach(hook);
    attached_.push_back(&hook);
  }

 private:
  sim::Network& net_;
  std::vector<sim::StepHook*> attached_;
};

}  // namespace

void run_with_plasticity(sim::Network& net, std::span<PlasticProjection* const> plastic, sim::Step steps,
                         const std::function<void(sim::Step)>& before_plasticity) {
  CallbackHook callback(before_plasticity);
  ScopedAttachment attachment(net);
  if (before_plasticity) attachment.attach(callback);
  for (PlasticProjection* p : plastic) attachment.attach(*p);
  net.run(steps);
}

}  // namespace qsnn::learning
