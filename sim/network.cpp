#include "sim/network.hpp"

#include <algorithm>
#include <stdexcept>
#include <thread>
#include <utility>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "kernels/spike_delivery.hpp"
#include "sim/lif_population.hpp"
#include "sim/poisson_source.hpp"

namespace qsnn::sim {
namespace {

// Counter-RNG stream ids: one per purpose and object, so no two draws of a network ever coincide.
constexpr std::uint64_t kPoissonStreams = std::uint64_t{1} << 40;
constexpr std::uint64_t kDecayRoundingStreams = std::uint64_t{2} << 40;
constexpr std::uint64_t kConnectivityStreams = std::uint64_t{3} << 40;
constexpr std::uint64_t kWeightRoundingStreams = std::uint64_t{4} << 40;
constexpr std::uint64_t kPartialSumRoundingStreams = std::uint64_t{5} << 40;

std::size_t resolve_threads(std::size_t threads) {
  if (threads > 0) return threads;
  const unsigned cores = std::thread::hardware_concurrency();
  return cores > 0 ? cores : 1;
}

// Blocks are owned by one task each: as many as threads, and at most kMaxBlockSize neurons (16-bit targets).
std::vector<NeuronIndex> block_layout(NeuronIndex size, std::size_t threads) {
  const std::size_t by_capacity = (size + kernels::kMaxBlockSize - 1) / kernels::kMaxBlockSize;
  const std::size_t blocks = std::max<std::size_t>({by_capacity, std::min<std::size_t>(threads, size), 1});
  std::vector<NeuronIndex> begin(blocks + 1);
  for (std::size_t b = 0; b <= blocks; ++b) begin[b] = static_cast<NeuronIndex>(size * b / blocks);
  return begin;
}

}  // namespace

Network::Network(NetworkOptions options) : options_(options) {
  if (!(options_.dt_ms > 0.0)) throw std::invalid_argument("network dt_ms must be > 0");
  set_threads(options_.threads);
}

Network::~Network() = default;

void Network::set_threads(std::size_t threads) {
  require_unprepared("change the thread count");
  threads_ = resolve_threads(threads);
  arena_ = std::make_unique<tbb::task_arena>(static_cast<int>(threads_));
}

void Network::require_unprepared(const char* what) const {
  if (prepared_) throw std::logic_error(std::string("cannot ") + what + " after the network has been prepared");
}

quant::RoundingSpec Network::keyed(quant::RoundingSpec spec, std::uint64_t stream) const {
  spec.seed = options_.seed;
  spec.stream = stream;
  return spec;
}

PopulationId Network::add_population(std::unique_ptr<Population> population) {
  require_unprepared("add a population");
  for (const auto& existing : populations_) {
    if (existing->name() == population->name())
      throw std::invalid_argument("population name '" + population->name() + "' is used twice");
  }
  populations_.push_back(std::move(population));
  return PopulationId{static_cast<std::uint32_t>(populations_.size() - 1)};
}

PopulationId Network::add_lif(std::string name, NeuronIndex size, LifParameters parameters, NumericPath path,
                              const FixedPointSpec& spec) {
  parameters.dt_ms = options_.dt_ms;
  if (path == NumericPath::float64)
    return add_population(std::make_unique<FloatLifPopulation>(std::move(name), size, parameters));
  return add_fixed_lif(std::move(name), size, discretize_fixed(parameters, spec), spec.state_step(), parameters.v_rest);
}

PopulationId Network::add_fixed_lif(std::string name, NeuronIndex size, kernels::FixedLifConstants constants,
                                    double state_step, double v_rest) {
  const std::uint64_t base = kDecayRoundingStreams + (static_cast<std::uint64_t>(populations_.size()) << 4);
  constants.current_decay_rounding = keyed(constants.current_decay_rounding, base + 0);
  constants.voltage_decay_rounding = keyed(constants.voltage_decay_rounding, base + 1);
  constants.theta_decay_rounding = keyed(constants.theta_decay_rounding, base + 2);
  constants.input_rounding = keyed(constants.input_rounding, base + 3);
  return add_population(std::make_unique<FixedLifPopulation>(std::move(name), size, constants, state_step, v_rest));
}

PopulationId Network::add_poisson(std::string name, NeuronIndex size, double rate_hz) {
  auto source = std::make_unique<PoissonSource>(
      std::move(name), size, options_.dt_ms, quant::CounterRng{options_.seed, kPoissonStreams + populations_.size()});
  source->set_rate(rate_hz);
  return add_population(std::move(source));
}

PopulationId Network::add_spike_times(std::string name, NeuronIndex size, std::vector<TimedSpike> spikes) {
  auto source = std::make_unique<SpikeTimeSource>(std::move(name), size);
  source->set_spikes(std::move(spikes));
  return add_population(std::move(source));
}

ProjectionId Network::connect(ProjectionSpec spec) {
  require_unprepared("add a projection");
  population(spec.pre);
  Population& post = population(spec.post);
  std::size_t receptors = 0;
  if (auto* fixed = dynamic_cast<FixedLifPopulation*>(&post)) receptors = fixed->constants().receptors;
  if (auto* real = dynamic_cast<FloatLifPopulation*>(&post)) receptors = real->constants().receptors;
  if (receptors == 0)
    throw std::invalid_argument("projection '" + spec.name + "': population '" + post.name() +
                                "' is a source and cannot receive synapses");
  if (spec.receptor >= receptors)
    throw std::invalid_argument("projection '" + spec.name + "': receptor " + std::to_string(spec.receptor) +
                                " (population '" + post.name() + "' has receptors 0.." + std::to_string(receptors - 1) + ")");
  if (spec.name.empty()) spec.name = population(spec.pre).name() + "->" + post.name();
  projections_.push_back(std::make_unique<Projection>(std::move(spec)));
  return ProjectionId{static_cast<std::uint32_t>(projections_.size() - 1)};
}

SpikeRecorder& Network::record_spikes(SpikeRecorderSpec spec) {
  const NeuronIndex size = population(spec.population).size();
  spike_recorders_.push_back(std::make_unique<SpikeRecorder>(std::move(spec), size));
  return *spike_recorders_.back();
}

StateRecorder& Network::record_state(StateRecorderSpec spec) {
  const Population& target = population(spec.population);
  state_recorders_.push_back(std::make_unique<StateRecorder>(std::move(spec), target));
  return *state_recorders_.back();
}

Population& Network::population(PopulationId id) {
  if (id.value >= populations_.size()) throw std::invalid_argument("unknown population id " + std::to_string(id.value));
  return *populations_[id.value];
}
const Population& Network::population(PopulationId id) const {
  if (id.value >= populations_.size()) throw std::invalid_argument("unknown population id " + std::to_string(id.value));
  return *populations_[id.value];
}

PopulationId Network::find_population(std::string_view name) const {
  std::string names;
  for (std::size_t i = 0; i < populations_.size(); ++i) {
    if (populations_[i]->name() == name) return PopulationId{static_cast<std::uint32_t>(i)};
    names += (names.empty() ? "" : ", ") + populations_[i]->name();
  }
  throw std::invalid_argument("unknown population '" + std::string(name) + "' (defined: " + names + ")");
}

Projection& Network::projection(ProjectionId id) { return *projections_.at(id.value); }
const Projection& Network::projection(ProjectionId id) const { return *projections_.at(id.value); }

kernels::LifOverflowCounts Network::overflow(PopulationId id) const {
  if (const auto* fixed = dynamic_cast<const FixedLifPopulation*>(&population(id))) return fixed->overflow();
  return {};
}

void Network::prepare() {
  if (prepared_) return;
  layouts_.assign(populations_.size(), {});
  for (std::size_t p = 0; p < populations_.size(); ++p) {
    layouts_[p].block_begin = block_layout(populations_[p]->size(), threads_);
    layouts_[p].outputs.resize(layouts_[p].block_begin.size() - 1);
  }
  std::vector<std::uint16_t> ring_length(populations_.size(), 1);
  std::vector<int> min_exponent(populations_.size(), 0);
  for (std::size_t q = 0; q < projections_.size(); ++q) {
    Projection& projection = *projections_[q];
    const auto pre = projection.spec().pre.value, post = projection.spec().post.value;
    PostLayout layout;
    layout.pre_size = populations_[pre]->size();
    layout.post_size = populations_[post]->size();
    layout.same_population = pre == post;
    layout.block_begin = layouts_[post].block_begin;
    layout.rng = quant::CounterRng{options_.seed, kConnectivityStreams + projection.spec().stream.value_or(q)};
    if (const auto* fixed = dynamic_cast<const FixedLifPopulation*>(populations_[post].get())) {
      layout.post_path = NumericPath::fixed_point;
      layout.state_step = fixed->state_step();
    }
    layout.weight_rounding =
        keyed(projection.spec().quantization.rounding, kWeightRoundingStreams + projection.spec().stream.value_or(q));
    arena_->execute([&] { projection.build(layout); });  // rows are built in parallel, identically
    layouts_[post].incoming.push_back(static_cast<std::uint32_t>(q));
    ring_length[post] = std::max(ring_length[post], projection.max_delay());
    if (layout.post_path == NumericPath::fixed_point)
      min_exponent[post] = std::min(min_exponent[post], projection.rounds_partial_sum()
                                                            ? projection.spec().quantization.partial_sum->grid_exponent
                                                            : projection.weight_exponent());
  }
  partial_sums_.assign(projections_.size(), {});
  for (std::size_t q = 0; q < projections_.size(); ++q) {
    if (!projections_[q]->rounds_partial_sum()) continue;
    const auto post = projections_[q]->spec().post.value;
    partial_sums_[q].ring_length = ring_length[post];
    partial_sums_[q].values.assign(static_cast<std::size_t>(ring_length[post]) * populations_[post]->size(), 0);
  }
  for (std::size_t p = 0; p < populations_.size(); ++p) {
    layouts_[p].guard_bits = static_cast<unsigned>(-min_exponent[p]);
    if (auto* fixed = dynamic_cast<FixedLifPopulation*>(populations_[p].get()))
      fixed->prepare_input(ring_length[p], layouts_[p].guard_bits);
    if (auto* real = dynamic_cast<FloatLifPopulation*>(populations_[p].get())) real->prepare_input(ring_length[p]);
  }
  tasks_.clear();
  for (std::size_t p = 0; p < populations_.size(); ++p)
    for (std::size_t b = 0; b + 1 < layouts_[p].block_begin.size(); ++b)
      tasks_.push_back({static_cast<std::uint32_t>(p), static_cast<std::uint32_t>(b)});
  spike_counts_.assign(populations_.size(), 0);
  spikes_per_step_.assign(populations_.size(), {});
  prepared_ = true;
}

void Network::run_task(const BlockTask& task, Step step) {
  Population& target = *populations_[task.population];
  PopulationLayout& layout = layouts_[task.population];
  BlockOutput& out = layout.outputs[task.block];
  out.spikes.clear();
  out.overflow = {};
  if (step > 0 && !layout.incoming.empty()) {
    auto* fixed = dynamic_cast<FixedLifPopulation*>(&target);
    auto* real = fixed ? nullptr : static_cast<FloatLifPopulation*>(&target);
    for (std::uint32_t q : layout.incoming) {
      const Projection& projection = *projections_[q];
      const auto spikes = populations_[projection.spec().pre.value]->last_spikes();
      if (spikes.empty()) continue;
      const std::size_t receptor = projection.spec().receptor;
      const unsigned delay = projection.uniform_delay_steps();
      std::visit(
          [&](const auto& blocks) {
            const auto& block = blocks[task.block];
            using Weight = std::decay_t<decltype(block.weight[0])>;
            if constexpr (std::is_same_v<Weight, double>) {
              kernels::deliver_spikes(block, spikes, real->input_ring(receptor), step - 1, delay,
                                      [](double w) { return w; });
            } else if (projection.rounds_partial_sum()) {
              kernels::deliver_spikes(block, spikes, partial_sums_[q].view(), step - 1, delay,
                                      [](Weight w) { return static_cast<std::int64_t>(w); });
            } else {
              const unsigned shift = static_cast<unsigned>(projection.weight_exponent() + static_cast<int>(layout.guard_bits));
              kernels::deliver_spikes(block, spikes, fixed->input_ring(receptor), step - 1, delay,
                                      [shift](Weight w) { return static_cast<std::int64_t>(w) << shift; });
            }
          },
          projection.blocks());
    }
  }
  fold_partial_sums(task, step);
  target.update_block(step, layout.block_begin[task.block], layout.block_begin[task.block + 1], out);
}

// Rounds the sums that arrive at `step` of every projection with its own rounding (PartialSumRounding) to
// their grid and adds them to the target's input, for the block's neurons only.
void Network::fold_partial_sums(const BlockTask& task, Step step) {
  PopulationLayout& layout = layouts_[task.population];
  for (std::uint32_t q : layout.incoming) {
    const Projection& projection = *projections_[q];
    if (!projection.rounds_partial_sum()) continue;
    auto& fixed = static_cast<FixedLifPopulation&>(*populations_[task.population]);
    const PartialSumRounding& partial = *projection.spec().quantization.partial_sum;
    const auto drop = static_cast<unsigned>(partial.grid_exponent - projection.weight_exponent());
    const auto align = static_cast<unsigned>(partial.grid_exponent + static_cast<int>(layout.guard_bits));
    std::int64_t* sums = partial_sums_[q].view().slot_for_arrival(step);
    std::int64_t* input = fixed.input_ring(projection.spec().receptor).slot_for_arrival(step);
    const quant::RoundingSpec rounding =
        keyed(partial.rounding, kPartialSumRoundingStreams + projection.spec().stream.value_or(q));
    quant::visit_rounder(rounding, step, [&](const auto& rounder) {
      for (NeuronIndex i = layout.block_begin[task.block]; i < layout.block_begin[task.block + 1]; ++i) {
        input[i] += rounder.shift(sums[i], drop, i) << align;
        sums[i] = 0;
      }
    });
  }
}

void Network::step() {
  const Step t = now_;
  for (auto& population : populations_) population->begin_step(t);
  // A parallel step costs a few microseconds of TBB hand-off (measured: the 4,000-neuron CUBA network ran
  // 0.17 s per simulated second on 1 thread, 0.21 s on 2), more than small networks gain from a second
  // thread, so they run their blocks serially. The blocks are the same either way, so results are too.
  std::size_t neurons = 0;
  for (const auto& population : populations_) neurons += population->size();
  if (threads_ == 1 || neurons < options_.min_parallel_neurons) {
    for (const BlockTask& task : tasks_) run_task(task, t);
  } else {
    arena_->execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, tasks_.size(), 1),
                        [&](const tbb::blocked_range<std::size_t>& range) {
                          for (std::size_t k = range.begin(); k != range.end(); ++k) run_task(tasks_[k], t);
                        },
                        tbb::simple_partitioner{});
    });
  }
  for (std::size_t p = 0; p < populations_.size(); ++p) {
    auto& spikes = populations_[p]->last_spikes_buffer();
    spikes.clear();
    kernels::LifOverflowCounts overflow;
    for (const BlockOutput& out : layouts_[p].outputs) {
      spikes.insert(spikes.end(), out.spikes.begin(), out.spikes.end());
      overflow += out.overflow;
    }
    if (auto* fixed = dynamic_cast<FixedLifPopulation*>(populations_[p].get())) fixed->add_overflow(overflow);
    spike_counts_[p] += spikes.size();
    spikes_per_step_[p].push_back(static_cast<std::uint32_t>(spikes.size()));
  }
  running_hooks_ = true;
  try {
    for (StepHook* hook : hooks_) hook->after_spikes(*this, t);
  } catch (...) {
    running_hooks_ = false;
    throw;
  }
  running_hooks_ = false;
  for (auto& recorder : spike_recorders_)
    recorder->record(t, populations_[recorder->spec().population.value]->last_spikes());
  for (auto& recorder : state_recorders_) recorder->sample(t, *populations_[recorder->spec().population.value]);
  ++now_;
}

void Network::run(Step steps) {
  prepare();
  for (Step s = 0; s < steps; ++s) step();
}

void Network::attach(StepHook& hook) {
  if (running_hooks_) throw std::logic_error("a step hook cannot attach hooks while the hooks run");
  if (is_attached(hook)) throw std::invalid_argument("this step hook is already attached to the network");
  hooks_.push_back(&hook);
}

void Network::detach(StepHook& hook) {
  if (running_hooks_) throw std::logic_error("a step hook cannot detach hooks while the hooks run");
  std::erase(hooks_, &hook);
}

bool Network::is_attached(const StepHook& hook) const {
  return std::find(hooks_.begin(), hooks_.end(), &hook) != hooks_.end();
}

}  // namespace qsnn::sim
