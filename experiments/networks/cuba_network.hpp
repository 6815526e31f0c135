#pragma once
// The CUBA network: benchmark 2 of Brette et al. 2007 (J Comput Neurosci 23:349), after Vogels & Abbott
// 2005, as in Brian2's CUBA example:
//   dv/dt = (ge + gi - (v - El)) / taum  (unless refractory),  dge/dt = -ge/taue,  dgi/dt = -gi/taui
//   taum 20 ms, taue 5 ms, taui 10 ms, Vt -50 mV, Vr -60 mV, El -49 mV, refractory 5 ms,
//   threshold v > Vt, reset v = Vr, v0 = Vr + rand() * (Vt - Vr),
//   80 % excitatory (ge += we, we = 60 * 0.27 / 10 mV), 20 % inhibitory (gi += wi, wi = -20 * 4.5 / 10 mV),
//   every ordered pair (self pairs included) connected with probability p = 0.02, dt = 0.1 ms.
// Here: two LIF populations `exc` and `inh` with two receptors (0: tau 5 ms, 1: tau 10 ms), v_rest = Vr,
// steady_drive = El - Vr, the jumps converted by LifParameters::weight_for_conductance_jump, and four
// FixedProbability projections E->E, E->I (receptor 0), I->E, I->I (receptor 1) with delay 1 step (Brian2
// applies on_pre at the end of the spiking step, so the jump acts from the next step on).
//
// Larger networks (the benchmark sizes of issue 3) keep the expected fan-out or set it, and scale both
// weights by 80 / fan-out, so the mean synaptic input per neuron stays that of the original 4,000-neuron
// network (fan-out 80):
//   4,000:   p = 0.02,        fan-out 80,  weights x 1
//   40,000:  p = 0.02,        fan-out 800, weights x 0.1
//   400,000: p = 80 / N,      fan-out 80,  weights x 1
//
// Fixed-point path (cuba_fixed_point_spec): 24-bit signed current and voltage codes with 16 fractional bits
// (one code = 2^-16 mV ~ 15 nV, range +-128 mV around Vr, which holds threshold, reset and the deepest
// inhibition), decays as 16-bit fractions (decay_shift 16: at dt = 0.1 ms the voltage decay exp(-0.1/20)
// = 0.99501 is 65209 / 65536, a leak rate within 0.05 % of exact; 12-bit fractions would be 4075 / 4096,
// 0.5 % off), round-to-nearest-even everywhere. Weights are 8-bit signed codes with one power-of-two step
// per projection (E: 66 x 2^-13 mV per step, I: -92 x 2^-11), so each weight is within 0.5 % of its real
// value. Initial voltages are drawn from quant::CounterRng, the same for both numeric paths.
#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "sim/lif_parameters.hpp"
#include "sim/network.hpp"
#include "sim/types.hpp"

namespace qsnn::experiments {

struct CubaOptions {
  sim::NeuronIndex size = 4000;       // total neurons; 80 % excitatory (rounded down), the rest inhibitory
  double probability = 0.0;           // connection probability; 0: the preset for `size` (cuba_preset)
  double weight_scale = 0.0;          // factor on we and wi; 0: 80 / (probability * size)
  sim::NumericPath path = sim::NumericPath::fixed_point;
  int weight_bits = 8;                // fixed path: signed weight codes of this width (2..16)
  std::size_t threads = 1;            // 0: all cores
  std::uint64_t seed = 1;
  double dt_ms = 0.1;
  std::size_t min_parallel_neurons = sim::NetworkOptions{}.min_parallel_neurons;  // see sim::NetworkOptions

  // Throws std::invalid_argument naming the field.
  void validate() const;
};

// The connection probability of the benchmark preset for `size`: 0.02 up to 40,000 neurons, above that
// 80 / size (fan-out 80).
double cuba_preset_probability(sim::NeuronIndex size);

// The model constants (Brian2's CUBA example), in mV and ms.
struct CubaConstants {
  static constexpr double taum_ms = 20.0, taue_ms = 5.0, taui_ms = 10.0;
  static constexpr double vt_mv = -50.0, vr_mv = -60.0, el_mv = -49.0;
  static constexpr double refractory_ms = 5.0;
  static constexpr double we_mv = 60.0 * 0.27 / 10.0;
  static constexpr double wi_mv = -20.0 * 4.5 / 10.0;
  static constexpr double excitatory_fraction = 0.8;
};

sim::LifParameters cuba_lif_parameters(double dt_ms);
sim::FixedPointSpec cuba_fixed_point_spec();

struct CubaNetwork {
  std::unique_ptr<sim::Network> network;
  sim::PopulationId exc, inh;
  std::array<sim::ProjectionId, 4> projections{};  // E->E, E->I, I->E, I->I
  double probability = 0.0;                        // as resolved
  double weight_scale = 1.0;                       // as resolved
  double we_per_step = 0.0;                        // real weights (mV per step) before quantization
  double wi_per_step = 0.0;

  sim::NeuronIndex size() const;
  std::uint64_t spikes() const;  // both populations, since the start
  std::uint64_t synapses() const;   // after prepare()
  std::uint64_t synapse_bytes() const;
};

// Builds populations, initial voltages and projections; the synapses are made by network->prepare() (or
// the first run), so set-up time can be split into model and synapse building.
CubaNetwork build_cuba(const CubaOptions& options);

}  // namespace qsnn::experiments
