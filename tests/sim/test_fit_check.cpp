// Fit check: a network that fits, and networks that each break one limit with a one-line message.
#include <doctest/doctest.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/chip_preset.hpp"
#include "sim/fit_check.hpp"
#include "sim/network.hpp"

using namespace qsnn::sim;

namespace {

bool has_line(const FitReport& report, const std::string& line) {
  return std::find(report.violations.begin(), report.violations.end(), line) != report.violations.end();
}

std::string all_lines(const FitReport& report) {
  std::string text;
  for (const auto& v : report.violations) text += v + "\n";
  return text;
}

// A population holding the preset's state widths (LifParameters-based, for non-Loihi presets).
PopulationId add_preset_lif(Network& net, const std::string& name, NeuronIndex size, const ChipPreset& preset) {
  LifParameters p;
  p.v_threshold = 1.0;
  return net.add_lif(name, size, p, NumericPath::fixed_point, fixed_point_spec(preset));
}

const WeightQuantization kEightBit{.bits = 8, .exponent = 7};

}  // namespace

TEST_CASE("a small E/I network fits loihi1 on two cores") {
  Network net({.threads = 1, .seed = 5});
  const auto in = net.add_spike_times("in", 64);
  const auto exc = add_loihi_lif(net, "exc", 500, {.du = 100, .dv = 100, .vth = 100});
  const auto inh = add_loihi_lif(net, "inh", 100, {.du = 100, .dv = 100, .vth = 100});
  net.connect({.pre = in, .post = exc, .connectivity = FixedFanIn{8}, .weights = ConstantWeight{640.0},
               .quantization = kEightBit});
  net.connect({.pre = exc, .post = inh, .connectivity = FixedFanIn{50}, .weights = ConstantWeight{640.0},
               .quantization = kEightBit});
  net.connect({.pre = inh, .post = exc, .connectivity = FixedFanIn{10}, .weights = ConstantWeight{-640.0},
               .quantization = {.bits = 6, .sign = SignMode::inhibitory, .exponent = 8}});
  const FitReport r = check_fit(net, chip_preset(Chip::loihi1));
  INFO(r.to_string());
  CHECK(r.fits());
  CHECK(r.violations.empty());
  CHECK(r.unchecked.empty());  // loihi1 knows every limit
  CHECK(r.cores_needed == 2);
  CHECK(r.chips_needed == 1);
  REQUIRE(r.populations.size() == 3);
  CHECK_FALSE(r.populations[0].on_chip);
  CHECK(r.populations[0].cores == 0);
  CHECK(r.populations[1].cores == 1);
  CHECK(r.populations[1].max_fan_in == 18);  // 8 from the input, 10 from inh
  CHECK(r.populations[1].state_bits == 24);
  CHECK(r.populations[2].max_fan_in == 50);
  REQUIRE(r.projections.size() == 3);
  CHECK(r.projections[0].name == "in->exc");
  CHECK(r.projections[0].synapses == 500 * 8);
  CHECK(r.projections[0].max_fan_in == 8);
  CHECK(r.projections[0].chip_exponent == 0);  // engine 7 = 6 + weight_exp 0 + 1 truncated bit
  CHECK(r.projections[2].chip_exponent == 0);  // engine 8 = 6 + 0 + (8 - 6) truncated bits
  REQUIRE(r.cores.size() == 2);
  CHECK(r.cores[0].population == "exc");
  CHECK(r.cores[0].synapses == 500 * 8 + 500 * 10);
  CHECK(r.cores[1].synapses == 100 * 50);
  CHECK(r.max_synapse_memory_bits_per_core > 0);
  CHECK(r.max_synapse_memory_bits_per_core <= 16384 * 64);
  CHECK(r.total_synapse_memory_bits == r.cores[0].synapse_memory_bits + r.cores[1].synapse_memory_bits);
  CHECK(r.to_string().find("fit on loihi1: fits; 2 cores") == 0);
}

TEST_CASE("synapse memory and input axons per core follow the preset's row format") {
  // 3 sources x 10 neurons, all to all, 8-bit weights: per row 10 * (8 + 6 index bits) + 10 header bits
  // = 150 bits, rounded up to three 64-bit words = 192; 3 rows.
  Network net({.threads = 1});
  const auto in = net.add_spike_times("in", 3);
  const auto n = add_loihi_lif(net, "n", 10, {});
  net.connect({.pre = in, .post = n, .weights = ConstantWeight{640.0}, .quantization = kEightBit});
  const FitReport r = check_fit(net, chip_preset(Chip::loihi1));
  REQUIRE(r.cores.size() == 1);
  CHECK(r.cores[0].input_axons == 3);
  CHECK(r.cores[0].synapses == 30);
  CHECK(r.cores[0].synapse_memory_bits == 3 * 192);
  CHECK(r.max_synapse_memory_bits_per_core == 576);
  CHECK(r.fits());
}

TEST_CASE("a population whose synapses overflow one core's memory is split until each slice fits") {
  // 1000 sources x 200 neurons all to all, 8-bit weights. One core: 8 index bits, 16 bits per synapse,
  // rows of 3 full chunks (64 * 16 + 10 -> 1088 bits) and one of 8 (138 -> 192): 3456 bits per row,
  // 3.456 Mbit > 1 Mbit. Three slices of 67 (7 index bits): 64 * 15 + 10 -> 1024 plus 3 * 15 + 10 -> 64,
  // 1088 bits per row, still 1.088 Mbit. Four slices of 50: 50 * 14 + 10 = 710 -> 768 bits per row,
  // 768000 bits per core.
  Network net({.threads = 1});
  const auto in = net.add_spike_times("in", 1000);
  const auto n = add_loihi_lif(net, "n", 200, {});
  net.connect({.pre = in, .post = n, .weights = ConstantWeight{640.0}, .quantization = kEightBit});
  const FitReport r = check_fit(net, chip_preset(Chip::loihi1));
  INFO(r.to_string());
  CHECK(r.fits());
  CHECK(r.cores_needed == 4);
  REQUIRE(r.cores.size() == 4);
  for (const CoreUsage& core : r.cores) {
    CHECK(core.neurons == 50);
    CHECK(core.input_axons == 1000);
    CHECK(core.synapse_memory_bits == 768000);
  }
  // Not split, the same population breaks the memory limit.
  const FitReport one = check_fit(net, chip_preset(Chip::loihi1), {.split_populations = false});
  CHECK(one.violations ==
        std::vector<std::string>{"population 'n': 3456000 bits of synapse memory exceed loihi1's 1048576 bits per core "
                                 "(populations not split)"});
}

TEST_CASE("fan-in beyond the input axons of a core is a violation of the projection") {
  Network net({.threads = 1});
  const auto exc = net.add_spike_times("exc", 4100);
  const auto inh = add_loihi_lif(net, "inh", 2, {});
  net.connect({.pre = exc, .post = inh, .weights = ConstantWeight{640.0}, .quantization = kEightBit});
  const FitReport r = check_fit(net, chip_preset(Chip::loihi1));
  INFO(r.to_string());
  CHECK_FALSE(r.fits());
  CHECK(r.violations ==
        std::vector<std::string>{"projection 'exc->inh': fan-in 4100 exceeds loihi1's 4096 input axons per core"});
  CHECK(r.projections[0].max_fan_in == 4100);
}

TEST_CASE("fan-in summed over projections beyond the input axons is a violation of the population") {
  Network net({.threads = 1});
  const auto a = net.add_spike_times("a", 2100);
  const auto b = net.add_spike_times("b", 2100);
  const auto n = add_loihi_lif(net, "n", 3, {});
  net.connect({.pre = a, .post = n, .weights = ConstantWeight{640.0}, .quantization = kEightBit});
  net.connect({.pre = b, .post = n, .weights = ConstantWeight{640.0}, .quantization = kEightBit});
  const FitReport r = check_fit(net, chip_preset(Chip::loihi1));
  INFO(r.to_string());
  CHECK(r.violations == std::vector<std::string>{"population 'n': neuron 0 needs 4200 input axons over 2 projections, "
                                                 "exceeds loihi1's 4096 input axons per core"});
  CHECK(r.populations[2].max_fan_in == 4200);
}

TEST_CASE("neurons per core: split by default, a violation when populations must not be split") {
  Network net({.threads = 1});
  add_loihi_lif(net, "big", 2000, {});
  const FitReport split = check_fit(net, chip_preset(Chip::loihi1));
  CHECK(split.fits());
  CHECK(split.cores_needed == 2);
  CHECK(split.cores[0].neurons == 1000);
  const FitReport whole = check_fit(net, chip_preset(Chip::loihi1), {.split_populations = false});
  CHECK(whole.violations == std::vector<std::string>{"population 'big': 2000 neurons exceed loihi1's 1024 neurons "
                                                     "per core (populations not split)"});
}

TEST_CASE("weight bits: too wide, not a chip width, sign mode missing, magnitude too large, exponent out of range") {
  SUBCASE("loihi1") {
    Network net({.threads = 1});
    const auto in = net.add_spike_times("in", 4);
    const auto n = add_loihi_lif(net, "n", 4, {});
    net.connect({.pre = in, .post = n, .connectivity = OneToOne{}, .weights = ConstantWeight{64.0},
                 .quantization = {.bits = 10, .exponent = 0}});
    net.connect({.name = "seven", .pre = in, .post = n, .connectivity = OneToOne{}, .weights = ConstantWeight{64.0},
                 .quantization = {.bits = 7, .exponent = 0}});
    net.connect({.name = "tiny", .pre = in, .post = n, .connectivity = OneToOne{}, .weights = ConstantWeight{0.01},
                 .quantization = {.bits = 8, .exponent = -10}});
    const FitReport r = check_fit(net, chip_preset(Chip::loihi1));
    INFO(all_lines(r));
    CHECK(has_line(r, "projection 'in->n': 10-bit mixed weights exceed loihi1's 8 weight bits"));
    CHECK(has_line(r, "projection 'seven': 7-bit weights are not a loihi1 weight width "
                      "(allowed: 1, 2, 3, 4, 5, 6, 8)"));
    CHECK(has_line(r, "projection 'tiny': weight exponent -10 is loihi1 weight_exp -17, outside -8..7"));
    // Exponent 0 is weight_exp 0 - 6 - (8 - 7 + 1) = -8 for the 7-bit projection: the edge, still allowed.
    CHECK(r.violations.size() == 3);
    CHECK(r.projections[1].chip_exponent == -8);
  }
  SUBCASE("spinnaker has no mixed-sign synapses") {
    const ChipPreset spinnaker = chip_preset(Chip::spinnaker);
    Network net({.threads = 1});
    const auto in = net.add_spike_times("in", 4);
    const auto n = add_preset_lif(net, "n", 4, spinnaker);
    net.connect({.pre = in, .post = n, .connectivity = OneToOne{}, .weights = ConstantWeight{0.5},
                 .quantization = {.bits = 8}});
    net.connect({.name = "exc", .pre = in, .post = n, .connectivity = OneToOne{}, .weights = ConstantWeight{0.5},
                 .quantization = weight_quantization(spinnaker, 12, SignMode::excitatory)});
    const FitReport r = check_fit(net, spinnaker);
    INFO(r.to_string());
    CHECK(r.violations == std::vector<std::string>{"projection 'in->n': spinnaker has no mixed-sign weights"});
    CHECK(std::find(r.unchecked.begin(), r.unchecked.end(),
                    "spinnaker: input axons per core not known (not checked)") != r.unchecked.end());
  }
  SUBCASE("brainscales2: 7-bit mixed codes reach magnitude 64, one more than a 6-bit synapse holds") {
    Network net({.threads = 1});
    const ChipPreset bss2 = chip_preset(Chip::brainscales2);
    const auto in = net.add_spike_times("in", 2);
    const auto n = add_preset_lif(net, "n", 2, bss2);
    net.connect({.pre = in, .post = n, .connectivity = OneToOne{}, .weights = ConstantWeight{-1.0},
                 .quantization = {.bits = 7, .exponent = -6}});  // -1 V / 2^-6 V = code -64
    const FitReport r = check_fit(net, bss2);
    CHECK(r.violations ==
          std::vector<std::string>{
              "projection 'in->n': weight code magnitude 64 exceeds brainscales2's largest weight 63"});
    CHECK(r.projections[0].max_abs_code == 64);
  }
}

TEST_CASE("state bits wider than the chip's, and float64 state, are violations") {
  Network net({.threads = 1});
  FixedPointSpec wide;
  wide.voltage_bits = 32;
  wide.current_bits = 24;
  LifParameters p;
  net.add_lif("wide", 10, p, NumericPath::fixed_point, wide);
  net.add_lif("real", 10, p, NumericPath::float64);
  const FitReport r = check_fit(net, chip_preset(Chip::loihi1));
  CHECK(r.violations == std::vector<std::string>{"population 'wide': 32-bit voltage exceeds loihi1's 24-bit state",
                                                 "population 'real': float64 state does not fit loihi1's 24-bit "
                                                 "fixed-point state"});
  CHECK(r.populations[0].state_bits == 32);
}

TEST_CASE("cores per chip: a violation for one chip, fine for two") {
  const ChipPreset bss2 = chip_preset(Chip::brainscales2);  // 2 cores of 256 neurons per chip
  Network net({.threads = 1});
  add_preset_lif(net, "n", 600, bss2);
  const FitReport one = check_fit(net, bss2);
  CHECK(one.cores_needed == 3);
  CHECK(one.chips_needed == 2);
  CHECK(one.violations ==
        std::vector<std::string>{"network needs 3 cores, exceeds brainscales2's 2 cores per chip x 1 chip"});
  const FitReport two = check_fit(net, bss2, {.chips = 2});
  CHECK(two.fits());
  CHECK_THROWS_AS(check_fit(net, bss2, {.chips = 0}), std::invalid_argument);
}

TEST_CASE("row-signed synapses: a presynaptic neuron with both signs takes two rows on brainscales2") {
  // 150 sources, each +w to neuron 0 and -w to neuron 1: on one core 300 rows > 256, so the two neurons go
  // to two cores of 150 rows each.
  const ChipPreset bss2 = chip_preset(Chip::brainscales2);
  Network net({.threads = 1});
  const auto in = net.add_spike_times("in", 150);
  const auto n = add_preset_lif(net, "n", 2, bss2);
  ExplicitSynapses s;
  for (NeuronIndex j = 0; j < 150; ++j) {
    s.pre.insert(s.pre.end(), {j, j});
    s.post.insert(s.post.end(), {0, 1});
    s.weight.insert(s.weight.end(), {0.1, -0.1});
  }
  net.connect({.pre = in, .post = n, .connectivity = s, .quantization = weight_quantization(bss2, 7, SignMode::mixed)});
  const FitReport r = check_fit(net, bss2);
  INFO(r.to_string());
  CHECK(r.fits());
  CHECK(r.cores_needed == 2);
  REQUIRE(r.cores.size() == 2);
  CHECK(r.cores[0].input_axons == 150);
  CHECK(r.cores[1].input_axons == 150);
  // The same connectivity on loihi1 (sign per synapse) needs one core of 150 axons.
  Network loihi({.threads = 1});
  const auto in2 = loihi.add_spike_times("in", 150);
  const auto n2 = add_loihi_lif(loihi, "n", 2, {});
  loihi.connect({.pre = in2, .post = n2, .connectivity = s, .quantization = kEightBit});
  const FitReport l = check_fit(loihi, chip_preset(Chip::loihi1));
  CHECK(l.cores_needed == 1);
  CHECK(l.cores[0].input_axons == 150);
}

TEST_CASE("truenorth: more distinct weights onto one neuron than axon types") {
  const ChipPreset tn = chip_preset(Chip::truenorth);
  Network net({.threads = 1});
  const auto in = net.add_spike_times("in", 5);
  const auto n = add_preset_lif(net, "n", 1, tn);
  ExplicitSynapses s{.pre = {0, 1, 2, 3, 4}, .post = {0, 0, 0, 0, 0}, .weight = {1, 2, 3, 4, 5}};
  net.connect({.pre = in, .post = n, .connectivity = s, .quantization = {.bits = 8, .exponent = 0}});
  const FitReport r = check_fit(net, tn);
  CHECK(r.violations == std::vector<std::string>{"population 'n': neuron 0 receives 5 distinct weights, exceeds "
                                                 "truenorth's 4 weights per neuron (one per axon type)"});
}

TEST_CASE("delays beyond the chip's delay field") {
  Network net({.threads = 1});
  const auto in = net.add_spike_times("in", 2);
  const auto n = add_loihi_lif(net, "n", 2, {});
  net.connect({.pre = in, .post = n, .connectivity = OneToOne{}, .weights = ConstantWeight{640.0},
               .delays = ConstantDelay{70}, .quantization = kEightBit});
  const FitReport r = check_fit(net, chip_preset(Chip::loihi1));
  CHECK(r.violations == std::vector<std::string>{"projection 'in->n': delay of 70 steps exceeds loihi1's 63"});
}

TEST_CASE("limits a preset does not know are listed as unchecked") {
  Network net({.threads = 1});
  add_loihi_lif(net, "n", 10, {});
  const FitReport r = check_fit(net, chip_preset(Chip::loihi2));
  CHECK(r.fits());
  CHECK(r.unchecked == std::vector<std::string>{"loihi2: input axons per core not known (not checked)",
                                                "loihi2: weight exponent range not known (not checked)"});
  CHECK(r.to_string().find("unchecked: loihi2: input axons per core") != std::string::npos);
}
