// The network as a whole: determinism across thread counts, independence of networks, sources, errors.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "sim/lif_population.hpp"
#include "sim/network.hpp"
#include "sim/poisson_source.hpp"

using namespace qsnn::sim;

namespace {

struct RunResult {
  std::vector<Step> steps;
  std::vector<NeuronIndex> neurons;
  std::vector<double> voltages;
  std::uint64_t saturations = 0;
  friend bool operator==(const RunResult&, const RunResult&) = default;
};

// A recurrent excitatory/inhibitory network driven by Poisson input, with heterogeneous delays and
// stochastic decay rounding, so every source of nondeterminism is exercised.
struct RecurrentNet {
  Network net;
  PopulationId exc, inh;
  SpikeRecorder* spikes;
  StateRecorder* voltage;

  RecurrentNet(std::size_t threads, NumericPath path, std::uint64_t seed = 11)
      : net({.dt_ms = 0.5, .threads = threads, .seed = seed, .min_parallel_neurons = 0}) {
    LifParameters p;
    p.tau_mem_ms = 15.0;
    p.tau_syn_ms = {4.0, 8.0};
    p.v_rest = -65.0;
    p.v_reset = -65.0;
    p.v_threshold = -55.0;
    p.refractory_ms = 2.0;
    FixedPointSpec spec;
    spec.state_frac_bits = 10;
    spec.voltage_bits = 20;
    spec.current_bits = 20;
    spec.voltage_decay_rounding = {qsnn::quant::RoundingMode::stochastic};
    spec.current_decay_rounding = {qsnn::quant::RoundingMode::stochastic_shared};
    const auto input = net.add_poisson("input", 300, 15.0);
    exc = net.add_lif("exc", 800, p, path, spec);
    inh = net.add_lif("inh", 200, p, path, spec);
    const WeightQuantization eight{.bits = 8};
    net.connect({.pre = input, .post = exc, .connectivity = FixedProbability{0.1}, .weights = UniformWeight{0.0, 2.0},
                 .delays = UniformDelay{1, 6}, .quantization = eight});
    net.connect({.pre = input, .post = inh, .connectivity = FixedFanIn{20}, .weights = ConstantWeight{0.3}});
    net.connect({.pre = exc, .post = exc, .connectivity = FixedProbability{0.05, false},
                 .weights = NormalWeight{0.4, 0.1}, .delays = UniformDelay{1, 10}, .quantization = eight});
    net.connect({.pre = exc, .post = inh, .connectivity = FixedProbability{0.1}, .weights = ConstantWeight{0.2}});
    net.connect({.pre = inh, .post = exc, .receptor = 1, .connectivity = FixedProbability{0.1},
                 .weights = ConstantWeight{-0.25}, .quantization = {.bits = 6, .sign = SignMode::inhibitory}});
    spikes = &net.record_spikes({.population = exc});
    voltage = &net.record_state({.population = exc, .variable = {StateKind::voltage, 0}, .neurons = {0, 399, 799},
                                 .every = 7});
  }

  RunResult run(Step steps) {
    net.run(steps);
    RunResult r{{spikes->steps().begin(), spikes->steps().end()},
                {spikes->neurons().begin(), spikes->neurons().end()},
                {voltage->values().begin(), voltage->values().end()},
                net.overflow(exc).voltage.total() + net.overflow(exc).current.total()};
    return r;
  }
};

}  // namespace

TEST_CASE("spikes, state and counters are bit-identical for 1, 2 and 3 threads, in both numeric paths") {
  for (NumericPath path : {NumericPath::fixed_point, NumericPath::float64}) {
    INFO("path ", numeric_path_name(path));
    RecurrentNet one(1, path);
    const RunResult reference = one.run(1500);
    REQUIRE(reference.steps.size() > 1000);  // the network is active
    for (std::size_t threads : {std::size_t{2}, std::size_t{3}}) {
      RecurrentNet many(threads, path);
      CHECK(many.run(1500) == reference);
    }
    RecurrentNet other_seed(2, path, 12);
    CHECK_FALSE(other_seed.run(1500) == reference);
  }
}

TEST_CASE("two networks in one process do not interfere, even when stepped alternately") {
  RecurrentNet alone(2, NumericPath::fixed_point);
  const RunResult expected = alone.run(600);
  RecurrentNet a(2, NumericPath::fixed_point), b(1, NumericPath::fixed_point, 99);
  for (int k = 0; k < 6; ++k) {
    a.net.run(100);
    b.net.run(100);
  }
  CHECK(a.run(0) == expected);
}

TEST_CASE("Poisson sources fire at their rate, identically for any block layout") {
  Network net({.dt_ms = 1.0, .threads = 3, .seed = 4, .min_parallel_neurons = 0});
  const auto source = net.add_poisson("p", 1000, 40.0);
  net.run(2000);
  const double expected = 1000 * 2000 * 0.04;
  CHECK(std::abs(static_cast<double>(net.spike_count(source)) - expected) < 5 * std::sqrt(expected));
  Network single({.dt_ms = 1.0, .threads = 1, .seed = 4});
  const auto same = single.add_poisson("p", 1000, 40.0);
  auto& a = net.record_spikes({.population = source});
  auto& b = single.record_spikes({.population = same});
  single.run(2000);  // catch up with `net`, then compare the next 100 steps
  b.clear();
  net.run(100);
  single.run(100);
  CHECK(std::vector<Step>(a.steps().begin(), a.steps().end()) == std::vector<Step>(b.steps().begin(), b.steps().end()));
  CHECK(std::vector<NeuronIndex>(a.neurons().begin(), a.neurons().end()) ==
        std::vector<NeuronIndex>(b.neurons().begin(), b.neurons().end()));
  CHECK(a.count() > 0);
}

TEST_CASE("per-neuron Poisson rates and their limits") {
  Network net({.dt_ms = 1.0, .threads = 1, .seed = 4});
  const auto id = net.add_poisson("p", 3, 0.0);
  auto& source = net.population_as<PoissonSource>(id);
  source.set_rates(std::vector<double>{0.0, 1000.0, 100.0});
  auto& spikes = net.record_spikes({.population = id});
  net.run(1000);
  const auto counts = spikes.counts_per_neuron(3);
  CHECK(counts[0] == 0);
  CHECK(counts[1] == 1000);  // probability 1 fires every step
  CHECK(std::abs(static_cast<double>(counts[2]) - 100.0) < 5 * std::sqrt(90.0));
  CHECK_THROWS_AS(source.set_rate(1000.5), std::invalid_argument);
  CHECK_THROWS_AS(source.set_rates(std::vector<double>{1.0}), std::invalid_argument);
}

TEST_CASE("the transposed index lists every neuron's incoming synapses") {
  RecurrentNet r(3, NumericPath::fixed_point);
  r.net.prepare();
  Projection& recurrent = r.net.projection({2});
  const auto forward = recurrent.synapses();
  std::vector<std::vector<std::pair<NeuronIndex, std::int32_t>>> incoming(800);
  for (const auto& s : forward) incoming[s.post].emplace_back(s.pre, s.code);
  const auto& transposed = recurrent.transposed();
  const auto& blocks = std::get<Int8Blocks>(recurrent.blocks());
  REQUIRE(transposed.size() == blocks.size());
  std::size_t seen = 0;
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    for (NeuronIndex j = blocks[b].post_begin; j < blocks[b].post_end; ++j) {
      std::vector<std::pair<NeuronIndex, std::int32_t>> walked;
      const auto& t = transposed[b];
      for (std::uint32_t k = t.column_start[j - blocks[b].post_begin]; k < t.column_start[j - blocks[b].post_begin + 1]; ++k)
        walked.emplace_back(t.pre[k], blocks[b].weight[t.synapse[k]]);
      CHECK(walked == incoming[j]);
      seen += walked.size();
    }
  }
  CHECK(seen == forward.size());
}

TEST_CASE("network errors name what is wrong") {
  Network net({.dt_ms = 1.0, .threads = 1});
  const auto source = net.add_poisson("in", 10, 5.0);
  const auto n = net.add_lif("n", 10, LifParameters{}, NumericPath::float64);
  CHECK_THROWS_WITH_AS(net.add_poisson("in", 3, 1.0), "population name 'in' is used twice", std::invalid_argument);
  CHECK_THROWS_WITH_AS(net.connect({.name = "x", .pre = n, .post = source}),
                       "projection 'x': population 'in' is a source and cannot receive synapses", std::invalid_argument);
  CHECK_THROWS_WITH_AS(net.connect({.name = "y", .pre = source, .post = n, .receptor = 1}),
                       "projection 'y': receptor 1 (population 'n' has receptors 0..0)", std::invalid_argument);
  CHECK_THROWS_WITH_AS(net.find_population("m"), "unknown population 'm' (defined: in, n)", std::invalid_argument);
  CHECK_THROWS_AS(net.add_lif("z", 0, LifParameters{}, NumericPath::float64), std::invalid_argument);
  net.run(1);
  CHECK_THROWS_AS(net.set_threads(2), std::logic_error);
  CHECK_THROWS_AS(net.add_poisson("late", 1, 1.0), std::logic_error);
}
