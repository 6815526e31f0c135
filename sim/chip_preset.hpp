#pragma once
// Chip presets: the state widths, rounding per operation, overflow per variable, weight formats and
// resource limits of five neuromorphic chips. Every number comes from ../shared/reference/chips.md; the
// definitions in chip_preset.cpp cite the section and row of each one. Values chips.md marks
// "(unverified)" or "derived" are marked so there too, and limits it does not give are left empty
// (std::nullopt): the fit check (sim/fit_check.hpp) then reports them as unchecked instead of inventing them.
//
// `loihi1` additionally follows Lava's bit-accurate LIF (lava-nc/lava src/lava/proc/lif/models.py,
// PyLifModelBitAcc over AbstractPyLifModelFixed; dense synapses src/lava/proc/dense/models.py,
// PyDenseModelBitAcc; weight clipping and truncation src/lava/utils/weightutils.py), chips.md §2:
//   D(x, d) = sgn(x) * floor(|x| * (4096 - d) / 2^12)                  (truncation toward zero)
//   u' = D(u, du + 1) + a * 2^6, wrapped into (-2^23, 2^23]           (OverflowMode::wrap_lava)
//   v' = D(v, dv) + u' + bias_mant * 2^bias_exp, clipped to +-(2^23 - 1)  (OverflowMode::saturate_symmetric)
//   spike if v' > vth * 2^6; then v <- 0 (u is kept); no refractory period
//   a = sum of the 8-bit weights (clipped by sign mode, low 8 - num_weight_bits + mixed bits dropped by an
//       arithmetic shift) of the spikes of the previous step, times 2^weight_exp (arithmetic shift if < 0).
// loihi_lif() and loihi_weights() turn Loihi's integer parameters into the engine's FixedLifConstants and
// WeightQuantization, for Network::add_fixed_lif and Network::connect. One engine state code is one Loihi
// unit (state_step 1, v_rest 0).
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "kernels/lif_constants.hpp"
#include "quant/overflow.hpp"
#include "quant/rounders.hpp"
#include "sim/lif_parameters.hpp"
#include "sim/projection.hpp"
#include "sim/types.hpp"

namespace qsnn::sim {

class Network;
class FixedLifPopulation;

enum class Chip : std::uint8_t { loihi1, loihi2, spinnaker, truenorth, brainscales2 };

// "loihi1", "loihi2", "spinnaker", "truenorth", "brainscales2".
std::string_view chip_name(Chip chip);
std::span<const Chip> all_chips();
std::string valid_chip_names();
// Throws std::invalid_argument "unknown chip preset 'x' (valid: loihi1, loihi2, spinnaker, truenorth,
// brainscales2)".
Chip parse_chip(std::string_view name);

// The rounding of each operation (chips.md §5: a preset names one per operation, not one global mode).
struct ChipRounding {
  quant::RoundingSpec decay;   // multiplicative leak of current and voltage
  quant::RoundingSpec weight;  // weights -> stored codes, and sums of scaled weights that lose low bits
  // Write-back of learned weights; nullopt when the chip has no on-chip learning. Stored here for the
  // learning rules; nothing in sim/ applies it yet.
  std::optional<quant::RoundingSpec> learning;
  int learning_accumulator_bits = 0;  // width of the accumulator the learning rounding writes back from
  int learning_fraction_bits = 0;     // fractional bits dropped by that rounding (Loihi: 7)
};

// How the chip stores weights. Bits follow WeightQuantization: signed code bits in mixed sign mode,
// magnitude bits in excitatory and inhibitory mode.
struct ChipWeights {
  std::array<int, 3> max_bits{};  // by SignMode (mixed, excitatory, inhibitory); 0: sign mode not available
  std::uint32_t allowed_bits = 0;  // bit b set: b-bit weights can be configured
  std::int64_t max_magnitude = 0;  // largest |code| a synapse can hold
  // A shared per-projection exponent with the chip's own range (Loihi weightExp); engine exponent =
  // chip exponent + exponent_alignment + (8 - bits + mixed) (chips.md §1 and §2: w * 2^(6 + weightExp),
  // Lava's w_scale = 8 - num_weight_bits + weight_exp + isMixed).
  bool has_exponent = false;
  int exponent_min = 0;
  int exponent_max = 0;
  int exponent_alignment = 0;
  // The sign is a property of the input row, not of the synapse (BrainScaleS-2): a presynaptic neuron
  // that reaches one core with both signs takes two rows.
  bool sign_per_axon = false;

  int max_bits_for(SignMode sign) const { return max_bits[static_cast<std::size_t>(sign)]; }
  bool allows_bits(int bits) const { return bits >= 0 && bits < 32 && ((allowed_bits >> bits) & 1U) != 0; }
  std::string allowed_bits_text() const;  // "1, 2, 3, 4, 5, 6, 8"
};

// Memory one presynaptic row of n synapses takes on a core: chunks of at most `row_chunk_synapses`
// synapses (0: one chunk), each n * bits_per_synapse + row_header_bits, padded to whole words.
// bits_per_synapse = stored weight bits + extra_bits_per_synapse + index bits (sparse formats:
// max(min_index_bits, ceil(log2(neurons on the core)))) + delay_bits when the projection's delays are not
// all one step.
struct SynapseMemoryFormat {
  std::optional<int> stored_weight_bits;  // fixed field width; nullopt: the projection's bits
  int extra_bits_per_synapse = 0;
  bool sparse_index = false;
  int min_index_bits = 0;
  int delay_bits = 0;
  int row_header_bits = 0;
  std::uint32_t row_chunk_synapses = 0;
  int word_bits = 1;

  std::uint64_t row_bits(std::uint64_t synapses, int weight_bits, std::uint64_t neurons_on_core,
                         bool has_delays) const;
};

// Resource limits of the fit check; nullopt: chips.md does not give it (not checked).
struct ChipLimits {
  std::optional<std::uint64_t> neurons_per_core;
  std::optional<std::uint64_t> input_axons_per_core;  // distinct (projection, presynaptic neuron) per core
  std::optional<std::uint64_t> synapse_memory_bits_per_core;
  std::optional<std::uint64_t> synapse_memory_bits_per_chip;
  std::optional<std::uint64_t> cores_per_chip;
  std::optional<std::uint16_t> max_delay_steps;              // engine steps (1 = the next step)
  std::optional<std::uint32_t> distinct_weights_per_neuron;  // TrueNorth: one weight per axon type
  int max_state_bits = 32;                                   // widest current / voltage / theta format
};

struct ChipPreset {
  Chip chip = Chip::loihi1;
  std::string name;
  std::string summary;  // one line: what the preset models and how faithfully

  // State: current and voltage formats of max_state_bits with state_frac_bits, overflow per variable.
  int state_frac_bits = 0;
  quant::OverflowMode current_overflow = quant::OverflowMode::saturate;
  quant::OverflowMode voltage_overflow = quant::OverflowMode::saturate;
  unsigned decay_shift = 12;  // decay constants are multiples of 2^-decay_shift

  ChipRounding rounding;
  ChipWeights weights;
  SynapseMemoryFormat synapse_memory;
  ChipLimits limits;

  // True only for loihi1: loihi_lif() / loihi_weights() reproduce Lava's bit-accurate model exactly.
  bool lava_bit_accurate = false;
};

ChipPreset chip_preset(Chip chip);
ChipPreset chip_preset(std::string_view name);  // parse_chip + chip_preset

// The preset's state widths, overflow modes and decay roundings as a FixedPointSpec for Network::add_lif
// (LifParameters-based populations). The input rounding is the preset's weight rounding.
FixedPointSpec fixed_point_spec(const ChipPreset& preset);
// Throws std::invalid_argument naming the preset's allowed bits when bits or the sign mode do not fit it.
WeightQuantization weight_quantization(const ChipPreset& preset, int bits, SignMode sign,
                                       std::optional<int> exponent = std::nullopt);
// The chip's own exponent (Loihi weightExp) of a projection with this engine exponent, bits and sign
// mode; nullopt when the preset has no shared exponent.
std::optional<int> chip_weight_exponent(const ChipPreset& preset, int engine_exponent, int bits, SignMode sign);

// ---- Loihi 1, bit-accurate with Lava ---------------------------------------------------------------

// Integer parameters of one Lava LIF process (PyLifModelBitAcc); ranges from its docstring and chips.md §1.
struct LoihiLifParameters {
  int du = 0;         // current decay, 0..4095 (12-bit); effective du + 1 (ds_offset), so 4095 clears u
  int dv = 0;         // voltage decay, 0..4095 (12-bit); dm_offset = 0
  int vth = 0;        // threshold mantissa, 0..131071 (17-bit); threshold vth * 2^6
  int bias_mant = 0;  // -4096..4095 (13-bit signed)
  int bias_exp = 0;   // 0..7 (3-bit)
};

struct LoihiLif {
  kernels::FixedLifConstants constants;
  double state_step = 1.0;  // one engine code per Loihi unit
  double v_rest = 0.0;
};

// Throws std::invalid_argument naming the parameter and its range.
LoihiLif loihi_lif(const LoihiLifParameters& parameters);
// bias_mant * 2^bias_exp, validated as above. The engine's bias is one per population; Lava's bias_mant is
// per neuron: give per-neuron biases as FixedLifPopulation::set_injection(loihi_bias(...) values), which
// the kernel adds to v exactly where it adds the bias.
std::int64_t loihi_bias(int bias_mant, int bias_exp);
// Lava's per-neuron bias, bias_mant[i] * 2^bias_exp[i], given as the population's injection (on top of
// its shared bias). Throws std::invalid_argument for sizes that differ from the population or bad values.
void set_loihi_biases(FixedLifPopulation& population, std::span<const int> bias_mant, std::span<const int> bias_exp);
// Network::add_fixed_lif with loihi_lif(parameters).
PopulationId add_loihi_lif(Network& network, std::string name, NeuronIndex size,
                           const LoihiLifParameters& parameters);

// Parameters of one Lava Dense process (PyDenseModelBitAcc).
struct LoihiSynapseParameters {
  int num_weight_bits = 8;  // 1..8 (Lava's truncate_weights; the hardware field allows 0..6 and 8)
  int weight_exp = 0;       // -8..7
  SignMode sign_mode = SignMode::mixed;
};

struct LoihiWeights {
  // bits = num_weight_bits, exponent 6 + weight_exp + truncated_bits, floor; partial_sum floors the
  // projection's summed input at 2^6 state codes, as Lava floors a * 2^weight_exp before the LIF's << 6.
  WeightQuantization quantization;
  int truncated_bits = 0;  // 8 - num_weight_bits + (mixed ? 1 : 0): LSBs Lava drops
};

// Throws std::invalid_argument for num_weight_bits outside 1..8 or weight_exp outside -8..7.
LoihiWeights loihi_weights(const LoihiSynapseParameters& parameters);
// The real weight to put in ProjectionSpec::weights (or ExplicitSynapses::weight) for Lava's integer weight
// w: w * 2^(6 + weight_exp). The projection built with loihi_weights() then stores exactly Lava's code
// (w clipped to 8 bits by sign mode, >> truncated_bits).
double loihi_weight_value(std::int64_t weight, const LoihiSynapseParameters& parameters);

}  // namespace qsnn::sim
