// The CUBA benchmark network (experiments/networks/cuba_network.hpp): its spike raster is a pure function of
// the seed — identical for 1, 2 and 3 threads and equal to a golden hash recorded once — in both numeric
// paths, and its activity is that of the CUBA benchmark (a few Hz, Brette et al. 2007).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "experiments/networks/cuba_network.hpp"
#include "sim/spike_recorder.hpp"

using namespace qsnn;

namespace {

constexpr sim::Step kSteps = 3000;  // 300 ms at dt = 0.1 ms

// FNV-1a over the raster: (step as 8 bytes, global neuron as 4 bytes, little-endian) in ascending
// (step, neuron) order; excitatory neurons are 0..3199, inhibitory 3200..3999.
std::uint64_t fnv1a(const std::vector<std::pair<sim::Step, std::uint32_t>>& raster) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  auto add = [&](std::uint64_t value, int bytes) {
    for (int b = 0; b < bytes; ++b) {
      hash ^= (value >> (8 * b)) & 0xffU;
      hash *= 0x100000001b3ULL;
    }
  };
  for (const auto& [step, neuron] : raster) {
    add(step, 8);
    add(neuron, 4);
  }
  return hash;
}

struct CubaRun {
  std::uint64_t hash = 0;
  std::uint64_t spikes_exc = 0, spikes_inh = 0;
  std::uint64_t overflow = 0;
  std::uint64_t synapses = 0;
  double bytes_per_synapse = 0.0;
};

// min_parallel_neurons = 0: the blocks of every thread count really run in parallel (a 4,000-neuron network
// would otherwise step serially, see sim::NetworkOptions).
CubaRun run_cuba(sim::NumericPath path, std::size_t threads, std::uint64_t seed = 1, std::size_t min_parallel = 0) {
  experiments::CubaNetwork cuba = experiments::build_cuba(
      {.size = 4000, .path = path, .threads = threads, .seed = seed, .min_parallel_neurons = min_parallel});
  sim::Network& net = *cuba.network;
  auto& exc = net.record_spikes({.population = cuba.exc});
  auto& inh = net.record_spikes({.population = cuba.inh});
  net.run(kSteps);
  const std::uint32_t n_exc = net.population(cuba.exc).size();
  std::vector<std::pair<sim::Step, std::uint32_t>> raster;
  for (std::size_t k = 0; k < exc.count(); ++k) raster.emplace_back(exc.steps()[k], exc.neurons()[k]);
  for (std::size_t k = 0; k < inh.count(); ++k) raster.emplace_back(inh.steps()[k], n_exc + inh.neurons()[k]);
  std::sort(raster.begin(), raster.end());
  CubaRun run;
  run.hash = fnv1a(raster);
  run.spikes_exc = exc.count();
  run.spikes_inh = inh.count();
  for (const auto id : {cuba.exc, cuba.inh}) run.overflow += net.overflow(id).current.total() + net.overflow(id).voltage.total();
  run.synapses = cuba.synapses();
  run.bytes_per_synapse = static_cast<double>(cuba.synapse_bytes()) / static_cast<double>(cuba.synapses());
  return run;
}

// Recorded once (seed 1, 3000 steps); the one-neuron-at-a-time kernels of commit 8274e2e give the same
// hashes. A change means the dynamics changed.
constexpr std::uint64_t kGoldenFixed = 0x4515cee1227f28cfULL;  // 6034 + 1397 spikes
constexpr std::uint64_t kGoldenFloat = 0x1d241a0a07ee25deULL;  // 5623 + 1381 spikes

}  // namespace

TEST_CASE("CUBA 4,000: the raster hash is the same for 1, 2 and 3 threads and equals the golden hash") {
  for (const sim::NumericPath path : {sim::NumericPath::fixed_point, sim::NumericPath::float64}) {
    INFO("path ", sim::numeric_path_name(path));
    const CubaRun one = run_cuba(path, 1);
    MESSAGE("path ", sim::numeric_path_name(path), ": hash ", one.hash, ", spikes ",
            one.spikes_exc, " + ", one.spikes_inh);
    CHECK(one.hash == (path == sim::NumericPath::fixed_point ? kGoldenFixed : kGoldenFloat));
    for (const std::size_t threads : {std::size_t{2}, std::size_t{3}}) {
      const CubaRun many = run_cuba(path, threads);
      CHECK(many.hash == one.hash);
      CHECK(many.spikes_exc == one.spikes_exc);
      CHECK(many.spikes_inh == one.spikes_inh);
      CHECK(run_cuba(path, threads, 1, 16384).hash == one.hash);  // the serial schedule of small networks
    }
    // CUBA fires at a few Hz to ~20 Hz; both populations alike (they receive the same input statistics).
    const double seconds = kSteps * 1e-4;
    const double rate_exc = static_cast<double>(one.spikes_exc) / (3200 * seconds);
    const double rate_inh = static_cast<double>(one.spikes_inh) / (800 * seconds);
    CHECK(rate_exc > 2.0);
    CHECK(rate_exc < 25.0);
    CHECK(rate_inh > 2.0);
    CHECK(rate_inh < 25.0);
    CHECK(one.overflow == 0);  // 24-bit state with 16 fractional bits never saturates here
    CHECK(one.synapses > 300000);  // 4000 x 4000 x 0.02 = 320,000 expected
    CHECK(one.synapses < 340000);
  }
}

TEST_CASE("CUBA: another seed gives another raster, and the two numeric paths fire alike") {
  const CubaRun fixed = run_cuba(sim::NumericPath::fixed_point, 2);
  const CubaRun real = run_cuba(sim::NumericPath::float64, 2);
  CHECK(run_cuba(sim::NumericPath::fixed_point, 2, 7).hash != fixed.hash);
  const double fixed_total = static_cast<double>(fixed.spikes_exc + fixed.spikes_inh);
  const double real_total = static_cast<double>(real.spikes_exc + real.spikes_inh);
  CHECK(std::abs(fixed_total - real_total) < 0.1 * real_total);
  CHECK(fixed.bytes_per_synapse < real.bytes_per_synapse);  // 8-bit codes against doubles
}

TEST_CASE("CUBA options are validated and presets resolved") {
  CHECK(experiments::cuba_preset_probability(4000) == doctest::Approx(0.02));
  CHECK(experiments::cuba_preset_probability(40000) == doctest::Approx(0.02));
  CHECK(experiments::cuba_preset_probability(400000) == doctest::Approx(0.0002));
  CHECK_THROWS_AS(experiments::build_cuba({.size = 5}), std::invalid_argument);
  CHECK_THROWS_AS(experiments::build_cuba({.probability = 1.5}), std::invalid_argument);
  CHECK_THROWS_AS(experiments::build_cuba({.weight_bits = 1}), std::invalid_argument);
  const auto small = experiments::build_cuba({.size = 1000, .probability = 0.05});
  CHECK(small.probability == doctest::Approx(0.05));
  CHECK(small.weight_scale == doctest::Approx(80.0 / 50.0));
  CHECK(small.size() == 1000);
}
