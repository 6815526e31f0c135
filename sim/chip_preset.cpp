#include "sim/chip_preset.hpp"

#include <array>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <utility>
#include <vector>

#include "quant/enum_names.hpp"
#include "quant/qformat.hpp"
#include "sim/lif_population.hpp"
#include "sim/network.hpp"

namespace qsnn::sim {
namespace {

using quant::OverflowMode;
using quant::RoundingMode;
using quant::RoundingSpec;

constexpr quant::EnumNames<Chip, 5> kChipNames{
    "chip preset",
    {Chip::loihi1, Chip::loihi2, Chip::spinnaker, Chip::truenorth, Chip::brainscales2},
    {"loihi1", "loihi2", "spinnaker", "truenorth", "brainscales2"}};

void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}

constexpr std::uint32_t bits_mask(std::initializer_list<int> bits) {
  std::uint32_t mask = 0;
  for (int b : bits) mask |= std::uint32_t{1} << b;
  return mask;
}
constexpr std::uint32_t bits_range(int lo, int hi) {
  std::uint32_t mask = 0;
  for (int b = lo; b <= hi; ++b) mask |= std::uint32_t{1} << b;
  return mask;
}

constexpr std::uint64_t kKibibit = 1024;

// Lava's bit-accurate LIF constants (lava-nc/lava src/lava/proc/lif/models.py, AbstractPyLifModelFixed):
// decay_unity = 2^12, ds_offset = 1, dm_offset = 0, vth_shift = act_shift = 6, uv_bitwidth = 24.
constexpr int kLoihiDecayUnity = 4096;
constexpr int kLoihiDsOffset = 1;
constexpr int kLoihiDmOffset = 0;
constexpr int kLoihiVthShift = 6;
constexpr int kLoihiActShift = 6;
constexpr int kLoihiStateBits = 24;
// Lava weightutils.py: weights are clipped to 8 bits (by sign mode) before the LSB truncation.
constexpr int kLoihiWeightBits = 8;

ChipPreset loihi1() {
  ChipPreset p;
  p.chip = Chip::loihi1;
  p.name = "loihi1";
  p.summary = "Intel Loihi 1, bit-accurate with Lava's PyLifModelBitAcc / PyDenseModelBitAcc";
  // chips.md §1 row "Current u, voltage v": 24-bit signed; u wraps (Lava: into (-2^23, 2^23]), v is
  // clipped to +-(2^23 - 1) (Lava); §2 steps 2 and 4.
  p.state_frac_bits = 0;
  p.current_overflow = OverflowMode::wrap_lava;
  p.voltage_overflow = OverflowMode::saturate_symmetric;
  // chips.md §1 row "Decay constants": du, dv 12-bit, unit 4096.
  p.decay_shift = 12;
  // chips.md §6 row `loihi1`, column "Rounding": decay trunc->0 / weight floor (Lava's arithmetic shift) /
  // learning SR to 2^7 in a 16-bit accumulator; §1 "Loihi learning engine": accumulator 15 bits + sign,
  // one uniform draw per step shared by all synapses (Lava ConnVarRandom) -> stochastic_shared.
  p.rounding.decay = RoundingSpec{RoundingMode::truncate};
  p.rounding.weight = RoundingSpec{RoundingMode::floor};
  p.rounding.learning = RoundingSpec{RoundingMode::stochastic_shared};
  p.rounding.learning_accumulator_bits = 16;
  p.rounding.learning_fraction_bits = 7;
  // chips.md §1 row "Synaptic weight (L1)": 8-bit magnitude mantissa, sign via sign mode (mixed spends
  // one of numWeightBits on the sign), numWeightBits in {0,1,2,3,4,5,6,8} (0 is not an engine width),
  // weightExp in [-8, 7], effective weight w * 2^(6 + weightExp).
  p.weights.max_bits = {8, 8, 8};
  p.weights.allowed_bits = bits_mask({1, 2, 3, 4, 5, 6, 8});
  p.weights.max_magnitude = 255;
  p.weights.has_exponent = true;
  p.weights.exponent_min = -8;
  p.weights.exponent_max = 7;
  p.weights.exponent_alignment = kLoihiActShift;
  // Synapse entry format: not in chips.md. From nengo-loihi nengo_loihi/block.py SynapseConfig.bits_per_axon
  // (github.com/nengo/nengo-loihi): per synapse weight bits + index bits (INDEX_BITS_MAP: 6..12) + delay
  // and tag bits; per chunk of up to 64 synapses 4 + 6 header bits; each chunk rounded up to 64-bit words.
  // Delay field 6 bits: chips.md §1 row "Other synapse fields".
  p.synapse_memory.sparse_index = true;
  p.synapse_memory.min_index_bits = 6;
  p.synapse_memory.delay_bits = 6;
  p.synapse_memory.row_header_bits = 4 + 6;
  p.synapse_memory.row_chunk_synapses = 64;
  p.synapse_memory.word_bits = 64;
  // chips.md §1 rows "Compartments / core (L1)" 1024, "Fan-in / fan-out per core (L1)" 4096 input axons,
  // "Synapse memory / core (L1)" 16384 x 64 bit = 1 Mbit and 16 MB per chip, "Cores / chip (L1)" 128,
  // "Other synapse fields" 6-bit delay 0..62 (+ the one-step synaptic delay: engine steps 1..63).
  p.limits.neurons_per_core = 1024;
  p.limits.input_axons_per_core = 4096;
  p.limits.synapse_memory_bits_per_core = 16384 * 64;
  p.limits.synapse_memory_bits_per_chip = 16 * 1024 * kKibibit * 8;
  p.limits.cores_per_chip = 128;
  p.limits.max_delay_steps = 63;
  p.limits.max_state_bits = kLoihiStateBits;
  p.lava_bit_accurate = true;
  return p;
}

ChipPreset loihi2() {
  ChipPreset p = loihi1();
  p.chip = Chip::loihi2;
  p.name = "loihi2";
  p.summary = "Intel Loihi 2 as Lava emulates it (24-bit LIF state assumed as Loihi 1; unverified widths)";
  p.lava_bit_accurate = false;
  // chips.md §3 row "Loihi 2": neuron state microcode-defined, Lava only ships the L1 24-bit LIF (L2 widths
  // unverified): the state, overflow and rounding of loihi1 are kept (§6 row `loihi2_lava`: "int24
  // (assumed, as L1)", rounding "as loihi1").
  // chips.md §1 row "Loihi 2 weights (Lava)": <= 8-bit; the exponent semantics of optimize_weight_bits(...,
  // loihi2=True) differ from Loihi 1 and are not pinned down, so no exponent range is checked.
  p.weights.max_bits = {8, 8, 8};
  p.weights.allowed_bits = bits_range(1, 8);
  p.weights.has_exponent = false;
  // chips.md §1 row "Loihi 2": 128 neuron cores, 128 KB flexible SRAM per core (~8k neurons/core), shared by
  // neurons and synapses (the split is unverified: the whole 128 KB is allowed for synapses, and the
  // entry format of loihi1 is assumed). Input axons per core: not in chips.md.
  p.limits.neurons_per_core = 8192;
  p.limits.input_axons_per_core = std::nullopt;
  p.limits.synapse_memory_bits_per_core = 128 * kKibibit * 8;
  p.limits.synapse_memory_bits_per_chip = 128 * 128 * kKibibit * 8;
  p.limits.cores_per_chip = 128;
  // chips.md §1 row "Other synapse fields": "Loihi 2 has a maximum of 6 bits for delays" (Lava DelayDense).
  p.limits.max_delay_steps = 63;
  return p;
}

ChipPreset spinnaker() {
  ChipPreset p;
  p.chip = Chip::spinnaker;
  p.name = "spinnaker";
  p.summary = "SpiNNaker 1 with sPyNNaker's s16.15 accum state and 16-bit unsigned weights";
  // chips.md §3 row "SpiNNaker 1": state s16.15 `accum` (REAL) -> 32 bits, 15 fractional.
  p.state_frac_bits = 15;
  // Overflow: chips.md does not say. Ours (unverified): GCC's non-_Sat accum type does not saturate, and
  // integer arithmetic wraps.
  p.current_overflow = OverflowMode::wrap;
  p.voltage_overflow = OverflowMode::wrap;
  p.decay_shift = 15;  // ours: decays as s16.15 multipliers
  // chips.md §3 row "SpiNNaker 1", column "Rounding": truncation (>> weight_shift), GCC stdfix lacks
  // round-to-nearest; §5: SpiNNaker `>>` floors. STDP runs in software with the same shifts.
  p.rounding.decay = RoundingSpec{RoundingMode::floor};
  p.rounding.weight = RoundingSpec{RoundingMode::floor};
  p.rounding.learning = RoundingSpec{RoundingMode::floor};
  p.rounding.learning_accumulator_bits = 32;  // weights shifted into s16.15 (weight_additive_one_term_impl.h)
  p.rounding.learning_fraction_bits = 0;      // the shift back is the synapse type's weight_shift (per model)
  // chips.md §3 row "SpiNNaker 1": 16-bit unsigned weights, sign = receptor type (no mixed-sign synapses
  // unless SYNAPSE_WEIGHTS_SIGNED); `weight_shift` per synapse type (range not in chips.md: not checked).
  p.weights.max_bits = {0, 16, 16};
  p.weights.allowed_bits = bits_range(1, 16);
  p.weights.max_magnitude = 65535;
  // Synapse rows live in SDRAM (128 MB per node, chips.md §3 sources). Entry: 16-bit weight plus a 16-bit
  // control half-word holding the 8-bit target index, delay and type (ours, unverified: 32 bits per
  // synapse; row headers ignored).
  p.synapse_memory.stored_weight_bits = 16;
  p.synapse_memory.extra_bits_per_synapse = 16;
  p.synapse_memory.word_bits = 32;
  // chips.md §3 row "SpiNNaker 1": 255 neurons per core (sPyNNaker default), fan-in SDRAM-limited rows;
  // sources: 18 ARM968 cores per chip, 128 MB SDRAM per node.
  p.limits.neurons_per_core = 255;
  p.limits.input_axons_per_core = std::nullopt;
  p.limits.synapse_memory_bits_per_core = std::nullopt;
  p.limits.synapse_memory_bits_per_chip = 128 * 1024 * kKibibit * 8;
  p.limits.cores_per_chip = 18;
  p.limits.max_state_bits = 32;
  return p;
}

ChipPreset truenorth() {
  ChipPreset p;
  p.chip = Chip::truenorth;
  p.name = "truenorth";
  p.summary = "IBM TrueNorth: 256x256 binary crossbar cores, 4 axon-type weights per neuron, no learning";
  // chips.md §3 row "TrueNorth": integer V (~20-bit, unverified). Overflow: not in chips.md; ours: saturate.
  p.state_frac_bits = 0;
  p.current_overflow = OverflowMode::saturate;
  p.voltage_overflow = OverflowMode::saturate;
  // chips.md §3 row "TrueNorth", column "Rounding": deterministic or PRNG-stochastic leak/synapse/threshold.
  // The leak is additive on chip; a multiplicative decay in this engine rounds toward zero (deterministic
  // mode; RoundingMode::stochastic models the PRNG mode). Weights are set offline: nearest (ours).
  p.rounding.decay = RoundingSpec{RoundingMode::truncate};
  p.rounding.weight = RoundingSpec{RoundingMode::nearest_even};
  p.rounding.learning = std::nullopt;  // "Learning: none on chip"
  // chips.md §3 row "TrueNorth": binary crossbar x per-neuron weight for each of 4 axon types (9-bit signed,
  // unverified).
  p.weights.max_bits = {9, 8, 8};
  p.weights.allowed_bits = bits_range(1, 9);
  p.weights.max_magnitude = 256;
  // One bit per crossbar synapse; 256 axons x 256 neurons per core (chips.md §3 sources: Merolla 2014).
  p.synapse_memory.stored_weight_bits = 1;
  // chips.md §3 row "TrueNorth": 256 axons, 256 neurons per core, 4096 cores; 4 axon types.
  p.limits.neurons_per_core = 256;
  p.limits.input_axons_per_core = 256;
  p.limits.synapse_memory_bits_per_core = 256 * 256;
  p.limits.cores_per_chip = 4096;
  p.limits.distinct_weights_per_neuron = 4;
  p.limits.max_state_bits = 20;
  return p;
}

ChipPreset brainscales2() {
  ChipPreset p;
  p.chip = Chip::brainscales2;
  p.name = "brainscales2";
  p.summary = "BrainScaleS-2 digital emulation: 6-bit weights with row sign, int16 state for the analog AdEx";
  // chips.md §6 row `brainscales2_digital`: analog on chip, emulate as int16. Fractional bits, overflow and
  // decay rounding are ours: 8 fractional bits, saturate (the analog rails), nearest (no rounding on chip).
  p.state_frac_bits = 8;
  p.current_overflow = OverflowMode::saturate;
  p.voltage_overflow = OverflowMode::saturate;
  p.rounding.decay = RoundingSpec{RoundingMode::nearest_even};
  p.rounding.weight = RoundingSpec{RoundingMode::nearest_even};
  // chips.md §3 row "BrainScaleS-2": learning in software on the PPU (128 x 8-bit SIMD); rounding is the
  // program's choice (ours: a plain shift, floor), 8-bit lanes.
  p.rounding.learning = RoundingSpec{RoundingMode::floor};
  p.rounding.learning_accumulator_bits = 8;
  p.rounding.learning_fraction_bits = 0;
  // chips.md §3 row "BrainScaleS-2": 6-bit unsigned SRAM weight, sign per synapse row ("maximum weight of a
  // single synapse is 63"). Mixed-sign projections use an excitatory and an inhibitory row: 7-bit signed
  // codes, magnitudes up to 63.
  p.weights.max_bits = {7, 6, 6};
  p.weights.allowed_bits = bits_range(1, 7);
  p.weights.max_magnitude = 63;
  p.weights.sign_per_axon = true;
  // 6-bit weight + 6-bit source label per synapse (chips.md §3 row "BrainScaleS-2").
  p.synapse_memory.stored_weight_bits = 6;
  p.synapse_memory.extra_bits_per_synapse = 6;
  // chips.md §3 row "BrainScaleS-2": 512 neurons (2 x 256), 256 rows per neuron column, 2 synapse arrays x
  // 256 rows: one "core" here is one array half (256 neurons, 256 rows).
  p.limits.neurons_per_core = 256;
  p.limits.input_axons_per_core = 256;
  p.limits.synapse_memory_bits_per_core = 256 * 256 * 12;
  p.limits.cores_per_chip = 2;
  p.limits.max_state_bits = 16;
  return p;
}

}  // namespace

std::string_view chip_name(Chip value) { return kChipNames.name(value); }
std::span<const Chip> all_chips() { return kChipNames.values(); }
std::string valid_chip_names() { return kChipNames.valid_names(); }
Chip parse_chip(std::string_view name) { return kChipNames.parse(name); }

std::string ChipWeights::allowed_bits_text() const {
  std::string text;
  for (int b = 0; b < 32; ++b) {
    if (!allows_bits(b)) continue;
    if (!text.empty()) text += ", ";
    text += std::to_string(b);
  }
  return text;
}

std::uint64_t SynapseMemoryFormat::row_bits(std::uint64_t synapses, int weight_bits, std::uint64_t neurons_on_core,
                                            bool has_delays) const {
  if (synapses == 0) return 0;
  std::uint64_t per_synapse =
      static_cast<std::uint64_t>(stored_weight_bits.value_or(weight_bits) + extra_bits_per_synapse);
  if (has_delays) per_synapse += static_cast<std::uint64_t>(delay_bits);
  if (sparse_index && neurons_on_core > 1) {
    const int needed = std::bit_width(neurons_on_core - 1);  // ceil(log2(neurons_on_core))
    per_synapse += static_cast<std::uint64_t>(std::max(needed, min_index_bits));
  }
  const std::uint64_t chunk = row_chunk_synapses == 0 ? synapses : row_chunk_synapses;
  const auto word = static_cast<std::uint64_t>(std::max(word_bits, 1));
  std::uint64_t total = 0;
  for (std::uint64_t done = 0; done < synapses; done += chunk) {
    const std::uint64_t n = std::min(chunk, synapses - done);
    const std::uint64_t bits = n * per_synapse + static_cast<std::uint64_t>(row_header_bits);
    total += (bits + word - 1) / word * word;
  }
  return total;
}

ChipPreset chip_preset(Chip chip) {
  switch (chip) {
    case Chip::loihi1: return loihi1();
    case Chip::loihi2: return loihi2();
    case Chip::spinnaker: return spinnaker();
    case Chip::truenorth: return truenorth();
    case Chip::brainscales2: return brainscales2();
  }
  throw std::invalid_argument("invalid Chip value");
}

ChipPreset chip_preset(std::string_view name) { return chip_preset(parse_chip(name)); }

FixedPointSpec fixed_point_spec(const ChipPreset& preset) {
  FixedPointSpec spec;
  spec.state_frac_bits = preset.state_frac_bits;
  spec.current_bits = preset.limits.max_state_bits;
  spec.voltage_bits = preset.limits.max_state_bits;
  spec.theta_bits = preset.limits.max_state_bits;
  spec.current_overflow = preset.current_overflow;
  spec.voltage_overflow = preset.voltage_overflow;
  spec.theta_overflow = quant::OverflowMode::saturate;
  spec.decay_shift = preset.decay_shift;
  spec.current_decay_rounding = preset.rounding.decay;
  spec.voltage_decay_rounding = preset.rounding.decay;
  spec.theta_decay_rounding = preset.rounding.decay;
  spec.input_rounding = preset.rounding.weight;
  spec.validate();
  return spec;
}

WeightQuantization weight_quantization(const ChipPreset& preset, int bits, SignMode sign,
                                       std::optional<int> exponent) {
  const int max_bits = preset.weights.max_bits_for(sign);
  require(max_bits > 0, preset.name + " has no " + std::string(sign_mode_name(sign)) + " weights");
  require(bits <= max_bits && preset.weights.allows_bits(bits),
          std::to_string(bits) + "-bit " + std::string(sign_mode_name(sign)) + " weights do not fit " + preset.name +
              " (allowed: " + preset.weights.allowed_bits_text() + ", at most " + std::to_string(max_bits) + ")");
  WeightQuantization q;
  q.bits = bits;
  q.sign = sign;
  q.exponent = exponent;
  q.rounding = preset.rounding.weight;
  return q;
}

std::optional<int> chip_weight_exponent(const ChipPreset& preset, int engine_exponent, int bits, SignMode sign) {
  if (!preset.weights.has_exponent) return std::nullopt;
  const int truncated = kLoihiWeightBits - bits + (sign == SignMode::mixed ? 1 : 0);
  return engine_exponent - preset.weights.exponent_alignment - truncated;
}

// ---- Loihi 1 ----------------------------------------------------------------------------------------

std::int64_t loihi_bias(int bias_mant, int bias_exp) {
  // PyLifModelBitAcc docstring: bias_mant signed 13-bit (-4096..4095), bias_exp unsigned 3-bit (0..7);
  // Lava's scale_bias: bias_mant << bias_exp (chips.md §1 row "Bias", §2 step 3).
  require(bias_mant >= -4096 && bias_mant <= 4095,
          "Loihi bias_mant = " + std::to_string(bias_mant) + " (allowed: -4096..4095)");
  require(bias_exp >= 0 && bias_exp <= 7, "Loihi bias_exp = " + std::to_string(bias_exp) + " (allowed: 0..7)");
  return static_cast<std::int64_t>(bias_mant) * (std::int64_t{1} << bias_exp);
}

LoihiLif loihi_lif(const LoihiLifParameters& parameters) {
  const auto& p = parameters;
  require(p.du >= 0 && p.du <= 4095, "Loihi du = " + std::to_string(p.du) + " (allowed: 0..4095)");
  require(p.dv >= 0 && p.dv <= 4095, "Loihi dv = " + std::to_string(p.dv) + " (allowed: 0..4095)");
  require(p.vth >= 0 && p.vth <= 131071, "Loihi vth = " + std::to_string(p.vth) + " (allowed: 0..131071)");
  const ChipPreset preset = loihi1();

  LoihiLif out;
  kernels::FixedLifConstants& c = out.constants;
  c.receptors = 1;  // one current u per compartment
  c.decay_shift = preset.decay_shift;
  // D(u, du + ds_offset) and D(v, dv + dm_offset): multiply by 4096 - d, drop 12 bits toward zero.
  c.current_decay = {kLoihiDecayUnity - (p.du + kLoihiDsOffset)};
  c.voltage_decay = kLoihiDecayUnity - (p.dv + kLoihiDmOffset);
  c.theta_decay = kLoihiDecayUnity;
  c.bias = loihi_bias(p.bias_mant, p.bias_exp);
  c.threshold = static_cast<std::int64_t>(p.vth) << kLoihiVthShift;  // v > vth << 6 (strict)
  c.reset_value = 0;                                                // spiking neurons: v <- 0, u kept
  c.reset = kernels::ResetMode::to_value;
  c.refractory_steps = 0;  // not modelled by Lava's bit-accurate LIF (its docstring)
  c.adaptive_threshold = false;
  c.current_format = quant::QFormat(kLoihiStateBits, 0, true);
  c.voltage_format = quant::QFormat(kLoihiStateBits, 0, true);
  c.theta_format = quant::QFormat(kLoihiStateBits, 0, true);
  c.current_overflow = preset.current_overflow;  // wrap into (-2^23, 2^23]
  c.voltage_overflow = preset.voltage_overflow;  // clip to +-(2^23 - 1)
  c.theta_overflow = quant::OverflowMode::saturate;
  c.current_decay_rounding = preset.rounding.decay;  // sgn(x) * (|x| >> 12)
  c.voltage_decay_rounding = preset.rounding.decay;
  c.theta_decay_rounding = preset.rounding.decay;
  // Only used when a projection has a negative engine exponent; Loihi weights round their sums per
  // projection instead (LoihiWeights::quantization.partial_sum). Lava's right shifts are arithmetic: floor.
  c.input_rounding = preset.rounding.weight;
  return out;
}

void set_loihi_biases(FixedLifPopulation& population, std::span<const int> bias_mant, std::span<const int> bias_exp) {
  require(bias_mant.size() == population.size() && bias_exp.size() == population.size(),
          "population '" + population.name() + "': " + std::to_string(bias_mant.size()) + " bias mantissas and " +
              std::to_string(bias_exp.size()) + " exponents for " + std::to_string(population.size()) + " neurons");
  require(population.state_step() == 1.0,
          "population '" + population.name() + "' is not a Loihi population (state step must be 1)");
  std::vector<double> bias(bias_mant.size());
  // Integers below 2^20 in magnitude: exact as doubles, and set_injection's rounding to codes keeps them.
  for (std::size_t i = 0; i < bias.size(); ++i) bias[i] = static_cast<double>(loihi_bias(bias_mant[i], bias_exp[i]));
  population.set_injection(bias);
}

PopulationId add_loihi_lif(Network& network, std::string name, NeuronIndex size,
                           const LoihiLifParameters& parameters) {
  const LoihiLif lif = loihi_lif(parameters);
  return network.add_fixed_lif(std::move(name), size, lif.constants, lif.state_step, lif.v_rest);
}

LoihiWeights loihi_weights(const LoihiSynapseParameters& parameters) {
  const auto& p = parameters;
  require(p.num_weight_bits >= 1 && p.num_weight_bits <= kLoihiWeightBits,
          "Loihi num_weight_bits = " + std::to_string(p.num_weight_bits) + " (allowed: 1..8)");
  require(p.weight_exp >= -8 && p.weight_exp <= 7,
          "Loihi weight_exp = " + std::to_string(p.weight_exp) + " (allowed: -8..7)");
  LoihiWeights out;
  // Lava truncate_weights: num_truncate_bits = 8 - num_weight_bits + isMixed; the remaining code has
  // num_weight_bits bits (signed in mixed mode, a magnitude otherwise), which is WeightQuantization's
  // meaning of bits. Clipping to 8 bits and flooring commute for integer weights, so the engine's
  // round-then-saturate gives the same codes. Inhibitory weights are negated, floored, negated back in both.
  out.truncated_bits = kLoihiWeightBits - p.num_weight_bits + (p.sign_mode == SignMode::mixed ? 1 : 0);
  out.quantization.bits = p.num_weight_bits;
  out.quantization.sign = p.sign_mode;
  // Input to u: code * 2^truncated (Lava's stored weight) * 2^weight_exp * 2^act_shift.
  out.quantization.exponent = kLoihiActShift + p.weight_exp + out.truncated_bits;
  out.quantization.rounding = RoundingSpec{RoundingMode::floor};
  // Lava floors a * 2^weight_exp per Dense process, then shifts it left by 6 in the LIF: each projection's
  // sum is floored to a multiple of 2^6 state codes before it meets the others (a no-op when
  // truncated_bits + weight_exp >= 0, where the exponent is already >= 6).
  out.quantization.partial_sum = PartialSumRounding{kLoihiActShift, RoundingSpec{RoundingMode::floor}};
  return out;
}

double loihi_weight_value(std::int64_t weight, const LoihiSynapseParameters& parameters) {
  return std::ldexp(static_cast<double>(weight), kLoihiActShift + parameters.weight_exp);
}

}  // namespace qsnn::sim
