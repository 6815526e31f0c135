#pragma once
// The network of Diehl & Cook 2015 (Front. Comput. Neurosci. 9:99; code github.com/peter-u-diehl/stdp-mnist),
// with the parameters of ../shared/reference/papers.md §3.1 (the GeNN re-implementation, sym-STDP-SNN
// model.h):
//   784 Poisson inputs, rate = pixel / 8 * intensity Hz (intensity 2: pixel / 4, at most 63.75 Hz)
//     -> all-to-all plastic synapses, weights in [0, w_max = 1], initially uniform in [0, 0.3]
//   N_exc LIF: v_rest = v_reset = -65 mV, v_th = -52 mV + theta, tau_m = 100 ms, refractory 2 ms, adaptive
//     threshold theta += 0.07 mV per spike, tau_theta = 1e7 ms; synapses tau_e 1 ms, tau_i 2 ms
//     -> 1:1 to N_inh LIF (v_rest -60, v_reset -45, v_th -40 mV, tau_m 10 ms, refractory 2 ms), g_EI 10.4
//     -> every excitatory neuron but the one that drove it (all-to-all minus self), g_IE 17
//   dt = 0.5 ms; before each sample the incoming weights of every excitatory neuron are scaled to sum 78.4;
//   350 ms of image, 150 ms of rest with zero input; a sample that drew fewer than 5 excitatory spikes is
//   shown again with intensity + 1 (D&C's input_intensity: + pixel / 8 Hz, up to +31.9 Hz).
//
// Deviation: D&C's synapses are conductances, dv/dt = ((v_rest - v) + g_e (E_e - v) + g_i (E_i - v)) / tau_m
// with E_e = 0 mV, E_i = -100 mV (-85 mV onto inhibitory neurons). qsnn's LIF is current-based
// (sim/lif_parameters.hpp), so each conductance jump g becomes a voltage jump g (E - v_op) with the
// driving force frozen at the operating point v_op = (v_rest + v_th) / 2, the middle of the range the
// membrane spends its time in below threshold: 58.5 mV per unit weight for input -> exc, -41.5 mV per
// unit for inh -> exc, 50 mV per unit for exc -> inh. The jump is then converted to a weight by
// LifParameters::weight_for_conductance_jump, which keeps each PSP's voltage integral. What is lost is the
// shunting: a conductance-based neuron near E_i cannot be inhibited further and one near threshold gets
// less drive per input; the current-based one is linear, so strong inhibition pushes v below -100 mV
// (saturated in fixed point by the 24-bit voltage format, +-128 mV around v_rest). The winner-take-all
// mechanism - one spike of an excitatory neuron makes its inhibitory partner fire at once and silence the
// others for a few ms - survives, since the partner still fires on every spike (a 52 mV jump against a
// 20 mV threshold gap). The Brian2 peer (experiments/bench/brian2_stdp.py) runs these current-based
// equations, so the benchmark compares like with like.
//
// Fixed-point path: 24-bit signed current, voltage and theta codes with 16 fractional bits (2^-16 mV),
// 16-bit decay fractions, round to nearest even, saturation. Input -> exc weights are unsigned
// `weight_bits`-bit codes of one power-of-two step chosen so that w_max fits (8 bits: w_max = 235 codes of
// 64 state codes); learning rounds stochastically (the pre-spike depression, nu_pre = 1e-4 w_max, is 0.02
// codes). The float64 path is the same model in double precision with exact weights.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "learning/plastic_projection.hpp"
#include "sim/lif_parameters.hpp"
#include "sim/network.hpp"
#include "sim/types.hpp"

namespace qsnn::experiments {

// Which rule learns on input -> exc.
enum class DiehlCookRule : std::uint8_t {
  pair,       // learning::PairStdp, nearest pairing: post spike dw = nu_post x_pre, pre spike dw = -nu_pre x_post
  diehl_cook  // learning::DiehlCookStdp: D&C's rule (the potentiation is gated by a second, 40 ms post trace)
};

struct DiehlCookOptions {
  sim::NeuronIndex n_exc = 400;
  sim::NumericPath path = sim::NumericPath::fixed_point;
  int weight_bits = 8;  // fixed path: unsigned codes of input -> exc (2..15)
  DiehlCookRule rule = DiehlCookRule::diehl_cook;
  bool plastic = true;
  bool lateral_inhibition = true;  // false: inh -> exc weights are 0 (an ablation: no winner-take-all)
  std::size_t threads = 1;  // 0: all cores
  std::uint64_t seed = 1;
  double dt_ms = 0.5;
  // Below these sizes the network step / the plasticity run serially (sim::NetworkOptions,
  // learning::PlasticityOptions); results are identical either way.
  std::size_t min_parallel_neurons = sim::NetworkOptions{}.min_parallel_neurons;
  std::size_t min_parallel_synapses = learning::PlasticityOptions{}.min_parallel_synapses;

  void validate() const;  // throws std::invalid_argument naming the field
};

// The model constants (mV, ms; weights in D&C's units, w_max = 1).
struct DiehlCookConstants {
  static constexpr sim::NeuronIndex inputs = 784;
  static constexpr double exc_v_rest_mv = -65.0, exc_v_reset_mv = -65.0, exc_v_threshold_mv = -52.0;
  static constexpr double exc_tau_mem_ms = 100.0, exc_refractory_ms = 2.0;
  static constexpr double exc_tau_e_ms = 1.0, exc_tau_i_ms = 2.0;
  static constexpr double theta_plus_mv = 0.07, tau_theta_ms = 1e7;
  static constexpr double inh_v_rest_mv = -60.0, inh_v_reset_mv = -45.0, inh_v_threshold_mv = -40.0;
  static constexpr double inh_tau_mem_ms = 10.0, inh_refractory_ms = 2.0, inh_tau_e_ms = 1.0;
  static constexpr double e_exc_mv = 0.0, e_inh_exc_mv = -100.0;  // reversal potentials (conductance model)
  static constexpr double g_ei = 10.4, g_ie = 17.0;
  static constexpr double w_max = 1.0, w_init_max = 0.3, normalization_sum = 78.4;
  static constexpr double nu_pre = 0.0001, nu_post = 0.01;
  static constexpr double tau_pre_ms = 20.0, tau_post_ms = 20.0, tau_post2_ms = 40.0;
  static constexpr double max_rate_hz = 63.75;  // pixel 255 / 4
  static constexpr double image_ms = 350.0, rest_ms = 150.0;
  static constexpr std::uint32_t min_spikes = 5;

  // Voltage jumps of the current-based equivalent (mV per unit weight), see the deviation note above.
  static constexpr double exc_operating_mv = (exc_v_rest_mv + exc_v_threshold_mv) / 2.0;
  static constexpr double inh_operating_mv = (inh_v_rest_mv + inh_v_threshold_mv) / 2.0;
  static constexpr double input_jump_mv = e_exc_mv - exc_operating_mv;              // 58.5
  static constexpr double ei_jump_mv = g_ei * (e_exc_mv - inh_operating_mv);        // 520
  static constexpr double ie_jump_mv = g_ie * (e_inh_exc_mv - exc_operating_mv);    // -705.5
};

sim::LifParameters diehl_cook_exc_parameters(double dt_ms);
sim::LifParameters diehl_cook_inh_parameters(double dt_ms);
sim::FixedPointSpec diehl_cook_fixed_point_spec();

// Input rates in Hz of an image (pixels 0..255, row-major 28 x 28): pixel / 8 * intensity.
std::vector<double> diehl_cook_rates(std::span<const std::uint8_t> pixels, int intensity = 2);

struct DiehlCookSampleOptions {
  double image_ms = DiehlCookConstants::image_ms;
  double rest_ms = DiehlCookConstants::rest_ms;
  bool normalize = true;   // scale every excitatory neuron's incoming weights to normalization_sum first
  bool boost = true;       // show again with intensity + 1 while fewer than min_spikes excitatory spikes
  int max_boosts = 8;      // gives up after this many repeats (D&C repeats without limit)
  bool learn = true;       // plasticity during the sample (and its rest)
};

struct DiehlCookSampleResult {
  std::vector<std::uint32_t> exc_spike_counts;  // per excitatory neuron, of the last presentation
  int boosts = 0;                               // extra presentations
  std::uint64_t input_spikes = 0;               // all presentations
  std::uint64_t exc_spikes = 0;
  std::uint64_t inh_spikes = 0;
};

class DiehlCookNetwork {
 public:
  explicit DiehlCookNetwork(const DiehlCookOptions& options);
  ~DiehlCookNetwork();
  DiehlCookNetwork(const DiehlCookNetwork&) = delete;
  DiehlCookNetwork& operator=(const DiehlCookNetwork&) = delete;

  const DiehlCookOptions& options() const { return options_; }
  sim::Network& network() { return *network_; }
  const sim::Network& network() const { return *network_; }
  sim::PopulationId input() const { return input_; }
  sim::PopulationId exc() const { return exc_; }
  sim::PopulationId inh() const { return inh_; }
  sim::ProjectionId input_to_exc() const { return input_to_exc_; }
  sim::ProjectionId exc_to_inh() const { return exc_to_inh_; }
  sim::ProjectionId inh_to_exc() const { return inh_to_exc_; }
  // Null when built with plastic = false.
  learning::PlasticProjection* plasticity() { return plastic_.get(); }

  // Weight steps (Projection::weight_step()) per unit of D&C's weight, and the bounds in D&C units.
  double steps_per_unit() const { return steps_per_unit_; }
  double weight_max_steps() const { return w_max_steps_; }
  // Input -> exc weights in D&C units, in Projection::synapses() order (pre-major: input i, exc j at
  // i * n_exc + j).
  std::vector<double> input_weights() const;
  std::vector<double> theta_mv() const;  // per excitatory neuron

  void set_input_rates(std::span<const double> rates_hz);
  void normalize_weights();
  // Runs `steps` steps with plasticity when `learn` (and the network is plastic); adds the excitatory
  // spikes of those steps to `counts` (n_exc entries).
  void run(sim::Step steps, bool learn, std::span<std::uint32_t> counts);

  // One training (or, learn = false, test) sample: see DiehlCookSampleOptions.
  DiehlCookSampleResult present(std::span<const std::uint8_t> pixels, const DiehlCookSampleOptions& sample = {});

 private:
  class SpikeCounter;

  DiehlCookOptions options_;
  std::unique_ptr<sim::Network> network_;
  sim::PopulationId input_, exc_, inh_;
  sim::ProjectionId input_to_exc_, exc_to_inh_, inh_to_exc_;
  double steps_per_unit_ = 1.0;
  double w_max_steps_ = 1.0;
  std::unique_ptr<learning::PlasticProjection> plastic_;
  std::unique_ptr<SpikeCounter> counter_;
};

}  // namespace qsnn::experiments
