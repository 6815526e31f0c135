// Spike delivery: delays arrive at exactly t + d, rings wrap, weights are quantized as specified.
#include <doctest/doctest.h>

#include <map>
#include <vector>

#include "sim/lif_population.hpp"
#include "sim/network.hpp"

using namespace qsnn::sim;
using qsnn::kernels::FixedLifConstants;
using qsnn::quant::QFormat;

namespace {

// An integrator whose current is exactly this step's input: its current trace shows arrivals.
FixedLifConstants arrival_probe() {
  FixedLifConstants c;
  c.current_decay = {0};
  c.voltage_decay = 0;
  c.threshold = 1 << 20;
  c.current_format = QFormat(24, 0, true);
  c.voltage_format = QFormat(24, 0, true);
  return c;
}

}  // namespace

TEST_CASE("heterogeneous delays deliver at exactly t + d, across many wraps of the ring") {
  Network net({.dt_ms = 1.0, .threads = 2, .seed = 3, .min_parallel_neurons = 0});
  std::vector<TimedSpike> input;
  for (Step t = 0; t < 400; t += 37) input.push_back({t, static_cast<NeuronIndex>(t % 3)});
  const auto source = net.add_spike_times("in", 3, input);
  const auto probe = net.add_fixed_lif("probe", 4, arrival_probe(), 1.0, 0.0);
  ExplicitSynapses synapses;
  // pre -> post with delay and a distinct power-of-two weight per synapse, so arrivals can be decoded.
  const std::vector<std::tuple<NeuronIndex, NeuronIndex, std::uint16_t, double>> table{
      {0, 0, 1, 1}, {0, 1, 7, 2}, {1, 1, 13, 4}, {2, 3, 30, 8}, {1, 3, 2, 16}, {2, 2, 30, 32}};
  for (const auto& [pre, post, delay, weight] : table) {
    synapses.pre.push_back(pre);
    synapses.post.push_back(post);
    synapses.delay_steps.push_back(delay);
    synapses.weight.push_back(weight);
  }
  net.connect({.pre = source, .post = probe, .connectivity = synapses, .quantization = {.bits = 8, .exponent = 0}});
  auto& current = net.record_state({.population = probe, .variable = {StateKind::current, 0}});
  net.run(450);

  std::map<std::pair<Step, NeuronIndex>, double> expected;
  for (const TimedSpike& spike : input)
    for (const auto& [pre, post, delay, weight] : table)
      if (pre == spike.neuron) expected[{spike.step + delay, post}] += weight;
  for (std::size_t s = 0; s < current.steps().size(); ++s) {
    for (NeuronIndex n = 0; n < 4; ++n) {
      const auto it = expected.find({current.steps()[s], n});
      const double want = it == expected.end() ? 0.0 : it->second;
      if (current.value(s, n) != want) FAIL("step ", current.steps()[s], " neuron ", n, ": ", current.value(s, n), " != ", want);
    }
  }
  CHECK(net.projection({0}).max_delay() == 30);
  CHECK_FALSE(net.projection({0}).has_uniform_delay());
}

TEST_CASE("a uniform delay uses the shared-delay path and arrives at t + d") {
  for (std::uint16_t delay : {1, 2, 5, 255}) {
    Network net({.dt_ms = 1.0, .threads = 1, .seed = 3});
    const auto source = net.add_spike_times("in", 2, {{3, 0}, {4, 1}, {300, 1}});
    const auto probe = net.add_fixed_lif("probe", 2, arrival_probe(), 1.0, 0.0);
    net.connect({.pre = source, .post = probe, .connectivity = OneToOne{}, .weights = ConstantWeight{5.0},
                 .delays = ConstantDelay{delay}, .quantization = {.bits = 4, .exponent = 0}});
    auto& current = net.record_state({.population = probe, .variable = {StateKind::current, 0}});
    net.run(600);
    CHECK(net.projection({0}).has_uniform_delay());
    for (std::size_t s = 0; s < current.steps().size(); ++s) {
      const Step t = current.steps()[s];
      CHECK(current.value(s, 0) == (t == 3u + delay ? 5.0 : 0.0));
      CHECK(current.value(s, 1) == ((t == 4u + delay || t == 300u + delay) ? 5.0 : 0.0));
    }
  }
}

TEST_CASE("weights are quantized to b-bit codes with one power-of-two step per projection") {
  Network net({.dt_ms = 1.0, .threads = 1, .seed = 3});
  const auto source = net.add_spike_times("in", 4);
  LifParameters p;
  FixedPointSpec spec;
  spec.state_frac_bits = 8;
  const auto post = net.add_lif("post", 1, p, NumericPath::fixed_point, spec);
  ExplicitSynapses list{{0, 1, 2, 3}, {0, 0, 0, 0}, {0.5, -0.25, 0.1, 1.0}, {}};
  const auto mixed = net.connect({.pre = source, .post = post, .connectivity = list, .quantization = {.bits = 4}});
  const auto excitatory = net.connect(
      {.pre = source, .post = post, .connectivity = list, .quantization = {.bits = 4, .sign = SignMode::excitatory}});
  const auto wide = net.connect({.pre = source, .post = post, .connectivity = list, .quantization = {.bits = 12}});
  net.prepare();

  // Mixed 4-bit: codes -8..7; max |w| = 1.0 = 256 codes -> exponent 6 (step 64 codes = 0.25), 256/64 = 4.
  const auto& m = net.projection(mixed);
  CHECK(m.weight_exponent() == 6);
  CHECK(m.weight_step() == 0.25);
  std::vector<std::int32_t> codes;
  for (const auto& s : m.synapses()) codes.push_back(s.code);
  CHECK(codes == std::vector<std::int32_t>{2, -1, 0, 4});  // 0.1 / 0.25 = 0.4 -> 0
  CHECK(m.weight_saturations().total() == 0);
  CHECK(std::holds_alternative<Int8Blocks>(m.blocks()));
  // Excitatory 4-bit: 0..15, exponent 5 (step 0.125): 4, 0 (saturated from -2), 1 (0.8), 8.
  const auto& e = net.projection(excitatory);
  codes.clear();
  for (const auto& s : e.synapses()) codes.push_back(s.code);
  CHECK(e.weight_exponent() == 5);
  CHECK(codes == std::vector<std::int32_t>{4, 0, 1, 8});
  CHECK(e.weight_saturations().saturated_low == 1);
  // 12 bits need 16-bit storage.
  CHECK(std::holds_alternative<Int16Blocks>(net.projection(wide).blocks()));
  CHECK(net.projection(wide).weight_exponent() == -2);  // 256 codes / 2^-2 = 1024 <= 2047, 2^-3 would need 2048
}

TEST_CASE("partial-sum rounding rounds each projection's sum to its grid before the sums meet") {
  // Two projections onto one probe neuron, exponent 0: per step they bring 3 + 2 = 5 and -3 codes. With a
  // floor to multiples of 4 per projection: floor(5/4)*4 = 4 and floor(-3/4)*4 = -4; summed exactly: 2.
  for (bool partial : {false, true}) {
    Network net({.dt_ms = 1.0, .threads = 1, .seed = 3});
    const auto source = net.add_spike_times("in", 3, {{0, 0}, {0, 1}, {0, 2}, {5, 2}});
    const auto probe = net.add_fixed_lif("probe", 1, arrival_probe(), 1.0, 0.0);
    WeightQuantization q{.bits = 8, .exponent = 0};
    if (partial) q.partial_sum = PartialSumRounding{2, {qsnn::quant::RoundingMode::floor}};
    net.connect({.pre = source, .post = probe,
                 .connectivity = ExplicitSynapses{{0, 1}, {0, 0}, {3.0, 2.0}, {}}, .quantization = q});
    net.connect({.pre = source, .post = probe, .connectivity = ExplicitSynapses{{2}, {0}, {-3.0}, {}},
                 .quantization = q});
    auto& current = net.record_state({.population = probe, .variable = {StateKind::current, 0}});
    net.run(8);
    CHECK(net.projection({0}).rounds_partial_sum() == partial);
    CHECK(current.value(1, 0) == (partial ? 0.0 : 2.0));   // step 1: 5 and -3 arrive
    CHECK(current.value(6, 0) == (partial ? -4.0 : -3.0));  // step 6: -3 alone
    CHECK(current.value(2, 0) == 0.0);                      // nothing left behind in the partial sums
  }
}
