#include "experiments/simulate_job.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <stdexcept>
#include <variant>
#include <ostream>
#include <string>
#include <vector>

#include "learning/plastic_projection.hpp"
#include "learning/weight_normalization.hpp"
#include "sim/fit_check.hpp"
#include "sim/quantization_diagnostics.hpp"
#include "sim/network.hpp"

namespace qsnn::experiments {

namespace {

sim::Step to_steps(double ms, double dt_ms) { return static_cast<sim::Step>(std::llround(ms / dt_ms)); }

sim::NetworkOptions network_options(const RunSettings& run) {
  return {.dt_ms = run.dt_ms, .threads = run.threads, .seed = run.seed};
}

bool stop_requested(const JobContext& context) {
  return context.stop_requested != nullptr && *context.stop_requested != 0;
}

// Diehl & Cook's divisive normalization on a schedule: after the rule, every `every` steps (phase 4).
class NormalizationSchedule final : public sim::StepHook {
 public:
  NormalizationSchedule(learning::PlasticProjection& projection, double target, sim::Step every)
      : projection_(projection), target_(target), every_(every) {}
  void after_spikes(sim::Network&, sim::Step t) override {
    if ((t + 1) % every_ == 0) learning::normalize_incoming_weights(projection_, target_);
  }

 private:
  learning::PlasticProjection& projection_;
  double target_;
  sim::Step every_;
};

struct Recorders {
  std::vector<std::pair<const SpikeRecording*, sim::SpikeRecorder*>> spikes;
  std::vector<std::size_t> spikes_written;
  std::vector<std::pair<const StateRecording*, sim::StateRecorder*>> states;
};

}  // namespace

std::vector<std::string> chip_fit_violations(const SimulationConfig& config, std::ostream* report) {
  if (!config.chip || !config.fit_check) return {};
  sim::Network net(network_options(config.run));
  sim::build(net, config.network);
  const sim::FitReport fit = sim::check_fit(net, sim::chip_preset(*config.chip));
  if (report != nullptr) *report << fit.to_string();
  return fit.violations;
}

int run_simulation(const SimulationConfig& config, const JobContext& context) {
  const auto violations = chip_fit_violations(config, nullptr);
  if (!violations.empty()) {
    for (const auto& violation : violations)
      context.log << context.provenance.config_path << ": the network does not fit chip preset '"
                  << sim::chip_name(*config.chip) << "': " << violation << '\n';
    return 2;
  }

  const auto set_up_start = std::chrono::steady_clock::now();
  // With diagnostics the network runs in lockstep with its float64 twin (sim/quantization_diagnostics.hpp),
  // which builds both from the description: populations and projections keep their description order.
  std::unique_ptr<sim::QuantizationDiagnostics> diagnostics;
  std::unique_ptr<sim::Network> own_network;
  sim::BuiltNetwork built;
  if (config.record_diagnostics) {
    diagnostics = std::make_unique<sim::QuantizationDiagnostics>(config.network, network_options(config.run));
    for (std::uint32_t i = 0; i < config.network.populations.size(); ++i) built.populations.push_back({i});
    for (std::uint32_t i = 0; i < config.network.projections.size(); ++i) built.projections.push_back({i});
  } else {
    own_network = std::make_unique<sim::Network>(network_options(config.run));
    built = sim::build(*own_network, config.network);
  }
  sim::Network& net = diagnostics ? diagnostics->fixed_network() : *own_network;
  const auto advance = [&](sim::Step steps) {
    if (diagnostics) diagnostics->run(steps);
    else net.run(steps);
  };
  const double dt = config.run.dt_ms;
  Recorders recorders;
  for (const auto& recording : config.spikes) {
    const sim::PopulationId id = net.find_population(recording.population);
    sim::SpikeRecorderSpec spec{.population = id, .neurons = recording.neurons, .from = to_steps(recording.from_ms, dt)};
    if (recording.to_ms) spec.to = to_steps(*recording.to_ms, dt);
    recorders.spikes.emplace_back(&recording, &net.record_spikes(spec));
    recorders.spikes_written.push_back(0);
  }
  for (const auto& recording : config.states) {
    const sim::PopulationId id = net.find_population(recording.population);
    recorders.states.emplace_back(
        &recording, &net.record_state({.population = id, .variable = recording.variable, .neurons = recording.neurons,
                                       .every = recording.every_steps}));
  }
  net.prepare();
  // Plasticity is attached before the results file exists: a rule that does not suit its projection (e.g.
  // weight dependence without finite bounds) is a config error that must not leave a file behind.
  std::vector<std::unique_ptr<learning::PlasticProjection>> plastic;
  std::vector<std::unique_ptr<NormalizationSchedule>> normalizations;
  struct Detach {  // hooks are destroyed before the network, detached in reverse order
    sim::Network& net;
    std::vector<std::unique_ptr<NormalizationSchedule>>& hooks;
    ~Detach() {
      for (auto& hook : hooks) net.detach(*hook);
    }
  } detach_normalizations{net, normalizations};
  for (const auto& entry : config.plasticity) {
    sim::ProjectionId id{};
    for (std::size_t k = 0; k < built.projections.size(); ++k)
      if (net.projection(built.projections[k]).name() == entry.projection) id = built.projections[k];
    try {
      std::visit([&](const auto& rule) {
        plastic.push_back(std::make_unique<learning::PlasticProjection>(net, id, rule,
                                                                        learning::PlasticityOptions{.write_back = entry.write_back}));
      }, entry.rule);
    } catch (const std::invalid_argument& error) {
      context.log << entry.where << ": " << error.what() << '\n';
      return 2;
    }
    net.attach(*plastic.back());
    if (entry.normalize_every_steps > 0) {
      normalizations.push_back(
          std::make_unique<NormalizationSchedule>(*plastic.back(), entry.normalize_target, entry.normalize_every_steps));
      net.attach(*normalizations.back());
    }
  }

  const std::filesystem::path output(config.run.output);
  if (output.has_parent_path()) std::filesystem::create_directories(output.parent_path());
  ResultsFile results(config.run.output);
  RunProvenance provenance = context.provenance;
  provenance.seed = config.run.seed;
  provenance.threads = net.threads();
  results.write_provenance(provenance);
  for (const auto& [recording, recorder] : recorders.spikes)
    results.add_spike_population(recording->population, net.population(recorder->spec().population).size());
  const auto snapshot = [&](std::int32_t epoch) {
    if (!config.record_weights) return;
    for (std::size_t k = 0; k < built.projections.size(); ++k) {
      const auto& projection = net.projection(built.projections[k]);
      results.snapshot_weights(projection, config.network.population_name(projection.spec().pre),
                               config.network.population_name(projection.spec().post), epoch);
    }
  };
  snapshot(-1);
  results.checkpoint();
  const double set_up_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - set_up_start).count();

  const auto flush_spikes = [&] {
    for (std::size_t k = 0; k < recorders.spikes.size(); ++k) {
      const sim::SpikeRecorder& recorder = *recorders.spikes[k].second;
      const std::size_t from = recorders.spikes_written[k];
      results.append_spikes(recorders.spikes[k].first->population, recorder.steps().subspan(from),
                            recorder.neurons().subspan(from), dt);
      recorders.spikes_written[k] = recorder.count();
    }
  };

  const sim::Step total = std::max<sim::Step>(1, to_steps(config.run.duration_ms, dt));
  const sim::Step checkpoint = std::max<sim::Step>(1, to_steps(config.run.checkpoint_every_ms, dt));
  // Stop requests are honoured within this many steps even when checkpoints are far apart.
  const sim::Step slice = std::min<sim::Step>(checkpoint, std::max<sim::Step>(1, to_steps(100.0, dt)));
  const auto run_start = std::chrono::steady_clock::now();
  sim::Step next_checkpoint = checkpoint;
  bool interrupted = false;
  // One /metrics/epochs row per checkpoint interval: its spikes, wall time and weight-update statistics.
  std::int32_t interval = 0;
  std::uint64_t spikes_before = 0;
  auto interval_start = run_start;
  const auto total_spikes = [&] {
    std::uint64_t n = 0;
    for (const sim::PopulationId id : built.populations) n += net.spike_count(id);
    return n;
  };
  // Redrawn in place at most 10 times a second: steps done, simulated time, rate, ETA.
  auto last_draw = run_start - std::chrono::seconds(1);
  const auto progress_bar = [&] {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_draw < std::chrono::milliseconds(100) && net.now() != total) return;
    last_draw = now;
    const double elapsed = std::chrono::duration<double>(now - run_start).count();
    const double fraction = static_cast<double>(net.now()) / static_cast<double>(total);
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    context.log << "\rqsnn [" << std::string(static_cast<std::size_t>(filled), '#')
                << std::string(static_cast<std::size_t>(kWidth - filled), '.') << "] " << std::lround(100.0 * fraction)
                << " % " << static_cast<double>(net.now()) * dt << "/" << config.run.duration_ms << " ms, "
                << (elapsed > 0 ? static_cast<double>(net.now()) * dt / 1000.0 / elapsed : 0.0) << " sim-s/s, ETA "
                << (fraction > 0 ? std::lround(elapsed * (1.0 - fraction) / fraction) : 0) << " s   " << std::flush;
  };
  const auto close_interval = [&] {
    learning::WeightStatistics stats;
    for (auto& p : plastic) {
      stats += p->statistics();
      p->reset_statistics();
    }
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const auto now = std::chrono::steady_clock::now();
    const std::uint64_t spikes_now = total_spikes();
    results.append_epoch({.epoch = interval++, .train_accuracy = nan, .test_accuracy = nan, .loss = nan,
                          .spikes = spikes_now - spikes_before,
                          .wall_seconds = std::chrono::duration<double>(now - interval_start).count(),
                          .updates_proposed = stats.proposed, .updates_lost_to_rounding = stats.lost_to_rounding,
                          .saturations = stats.saturated()});
    spikes_before = spikes_now;
    interval_start = now;
  };
  while (net.now() < total) {
    if (stop_requested(context)) {
      interrupted = true;
      break;
    }
    advance(std::min({slice, total - net.now(), next_checkpoint - net.now()}));
    if (context.terminal && !context.quiet) progress_bar();
    if (net.now() == next_checkpoint || net.now() == total) {
      flush_spikes();
      close_interval();
      results.checkpoint();
      next_checkpoint += checkpoint;
      if (!context.quiet && !context.terminal) {
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start).count();
        const double fraction = static_cast<double>(net.now()) / static_cast<double>(total);
        context.log << "qsnn: step " << net.now() << "/" << total << " (" << std::lround(100.0 * fraction) << " %), "
                    << elapsed << " s, ETA " << (fraction > 0 ? elapsed * (1.0 - fraction) / fraction : 0.0) << " s\n";
      }
    }
  }
  if (context.terminal && !context.quiet) context.log << '\n';
  const double run_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start).count();

  flush_spikes();
  if (interrupted && spikes_before != total_spikes()) close_interval();
  std::uint64_t spikes = 0;
  for (std::size_t p = 0; p < built.populations.size(); ++p) {
    const sim::PopulationId id = built.populations[p];
    spikes += net.spike_count(id);
    if (std::holds_alternative<sim::LifPopulationDescription>(config.network.populations[p]))
      results.write_population_overflow(net.population(id).name(), net.overflow(id));
  }
  for (const sim::ProjectionId id : built.projections) results.write_projection_saturations(net.projection(id));
  if (diagnostics) results.write_quantization_report(diagnostics->report());
  for (const auto& [recording, recorder] : recorders.states)
    results.write_state(recording->population, recording->variable_name, *recorder, dt);
  snapshot(interval - 1);
  if (interrupted) {
    results.finish_interrupted();
    context.log << "qsnn: interrupted at step " << net.now() << " of " << total << "; partial results in "
                << results.partial_path() << '\n';
    return 1;
  }
  results.finish();
  context.out << "qsnn: simulated " << config.run.duration_ms << " ms in " << run_seconds << " s (set-up "
              << set_up_seconds << " s), " << spikes << " spikes; results: " << results.final_path() << '\n';
  return 0;
}

}  // namespace qsnn::experiments
