// qsnn_bench_cuba: runs one configuration of the CUBA benchmark (experiments/networks/cuba_network.hpp) and
// prints one JSON object with its timings, activity and memory. Run each configuration in its own process
// (experiments/bench/run_cuba_bench.sh does), so the peak memory is that configuration's.
//
//   qsnn_bench_cuba --size 4000 --path fixed --threads 1 --duration 10
//
// Timings (wall clock, std::chrono::steady_clock):
//   setup_s      build_cuba (populations, initial voltages, projection specs) + Network::prepare (synapses)
//   build_s      Network::prepare alone: making the synapses
//   run_s        the simulation proper, duration / dt steps
// Synaptic events count every synapse a spike is delivered through: sum over neurons of spikes x out-degree.
#include <CLI/CLI.hpp>

#include <chrono>
#include <ctime>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "experiments/networks/cuba_network.hpp"
#include "sim/projection.hpp"

namespace {

using qsnn::experiments::CubaNetwork;
using qsnn::experiments::CubaOptions;
using qsnn::sim::NeuronIndex;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU seconds of all threads of this process: on a machine shared with other jobs, wall time counts the
// time this process waited for a core, CPU time does not.
double process_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// A field of /proc/self/status in kB (VmRSS, VmHWM); 0 where unavailable.
double status_kb(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      std::istringstream in(line.substr(field.size() + 1));
      double kb = 0;
      in >> kb;
      return kb;
    }
  }
  return 0.0;
}

// Out-degree of every presynaptic neuron of a projection, added to `degree` at `offset`.
void add_out_degrees(const qsnn::sim::Projection& projection, std::vector<std::uint64_t>& degree, NeuronIndex offset) {
  std::visit(
      [&](const auto& blocks) {
        for (const auto& block : blocks)
          for (std::size_t pre = 0; pre + 1 < block.row_start.size(); ++pre)
            degree[offset + pre] += block.row_start[pre + 1] - block.row_start[pre];
      },
      projection.blocks());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"qsnn_bench_cuba: one configuration of the CUBA benchmark, as one JSON line on stdout"};
  CubaOptions options;
  std::string path = "fixed";
  double duration_s = 10.0;
  app.add_option("--size", options.size, "neurons (80 % excitatory)")->capture_default_str();
  app.add_option("--path", path, "numeric path: fixed (8-bit weights, 24-bit state) or float64")
      ->check(CLI::IsMember({"fixed", "float64"}))
      ->capture_default_str();
  app.add_option("--threads", options.threads, "worker threads (0: all cores)")->capture_default_str();
  app.add_option("--duration", duration_s, "biological time in seconds")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--probability", options.probability, "connection probability (0: preset for the size)")
      ->capture_default_str();
  app.add_option("--weight-scale", options.weight_scale, "factor on we and wi (0: 80 / fan-out)")->capture_default_str();
  app.add_option("--weight-bits", options.weight_bits, "fixed path weight bits")->capture_default_str();
  app.add_option("--seed", options.seed, "network seed")->capture_default_str();
  app.add_option("--dt", options.dt_ms, "time step in ms")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  options.path = path == "fixed" ? qsnn::sim::NumericPath::fixed_point : qsnn::sim::NumericPath::float64;

  try {
    const double rss_before_kb = status_kb("VmRSS");
    const auto setup_start = Clock::now();
    CubaNetwork cuba = qsnn::experiments::build_cuba(options);
    const auto build_start = Clock::now();
    cuba.network->prepare();
    const double build_s = seconds_since(build_start);
    const double setup_s = seconds_since(setup_start);
    const double rss_after_setup_kb = status_kb("VmRSS");

    qsnn::sim::Network& net = *cuba.network;
    const NeuronIndex n_exc = net.population(cuba.exc).size();
    const NeuronIndex n = cuba.size();
    const auto steps = static_cast<qsnn::sim::Step>(std::llround(duration_s * 1e3 / options.dt_ms));
    std::vector<std::uint64_t> spikes_of(n, 0);

    const double run_cpu_start = process_cpu_seconds();
    const auto run_start = Clock::now();
    for (qsnn::sim::Step s = 0; s < steps; ++s) {
      net.run(1);
      for (NeuronIndex i : net.population(cuba.exc).last_spikes()) ++spikes_of[i];
      for (NeuronIndex i : net.population(cuba.inh).last_spikes()) ++spikes_of[n_exc + i];
    }
    const double run_s = seconds_since(run_start);
    const double run_cpu_s = process_cpu_seconds() - run_cpu_start;

    std::vector<std::uint64_t> out_degree(n, 0);
    add_out_degrees(net.projection(cuba.projections[0]), out_degree, 0);
    add_out_degrees(net.projection(cuba.projections[1]), out_degree, 0);
    add_out_degrees(net.projection(cuba.projections[2]), out_degree, n_exc);
    add_out_degrees(net.projection(cuba.projections[3]), out_degree, n_exc);
    std::uint64_t events = 0;
    for (NeuronIndex i = 0; i < n; ++i) events += spikes_of[i] * out_degree[i];

    const std::uint64_t spikes_exc = net.spike_count(cuba.exc), spikes_inh = net.spike_count(cuba.inh);
    const double sim_s = static_cast<double>(steps) * options.dt_ms * 1e-3;
    const double peak_kb = status_kb("VmHWM");
    std::printf(
        "{\"impl\": \"qsnn\", \"mode\": \"%s\", \"size\": %u, \"threads\": %zu, \"duration_s\": %.6g, \"steps\": %llu, "
        "\"probability\": %.8g, \"fan_out\": %.6g, \"weight_scale\": %.6g, \"setup_s\": %.6f, \"build_s\": %.6f, "
        "\"compile_s\": 0, \"run_s\": %.6f, \"run_s_per_sim_s\": %.6f, \"run_cpu_s\": %.6f, \"spikes\": %llu, \"spikes_exc\": %llu, "
        "\"spikes_inh\": %llu, \"rate_hz\": %.6f, \"rate_exc_hz\": %.6f, \"rate_inh_hz\": %.6f, \"synapses\": %llu, "
        "\"events\": %llu, \"events_per_s\": %.6g, \"neuron_steps_per_s\": %.6g, \"peak_rss_mb\": %.3f, "
        "\"rss_delta_mb\": %.3f, \"setup_rss_delta_mb\": %.3f, \"bytes_per_synapse\": %.4f}\n",
        path == "fixed" ? "fixed8" : "float64", n, net.threads(), sim_s, static_cast<unsigned long long>(steps),
        cuba.probability, cuba.probability * n, cuba.weight_scale, setup_s, build_s, run_s, run_s / sim_s, run_cpu_s,
        static_cast<unsigned long long>(spikes_exc + spikes_inh), static_cast<unsigned long long>(spikes_exc),
        static_cast<unsigned long long>(spikes_inh), static_cast<double>(spikes_exc + spikes_inh) / (n * sim_s),
        static_cast<double>(spikes_exc) / (n_exc * sim_s), static_cast<double>(spikes_inh) / ((n - n_exc) * sim_s),
        static_cast<unsigned long long>(cuba.synapses()), static_cast<unsigned long long>(events),
        static_cast<double>(events) / run_s, static_cast<double>(n) * static_cast<double>(steps) / run_s,
        peak_kb / 1024.0, (peak_kb - rss_before_kb) / 1024.0, (rss_after_setup_kb - rss_before_kb) / 1024.0,
        static_cast<double>(cuba.synapse_bytes()) / static_cast<double>(cuba.synapses()));
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "qsnn_bench_cuba: " << error.what() << "\n";
    return 1;
  }
}
