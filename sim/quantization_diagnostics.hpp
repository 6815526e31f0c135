#pragma once
// Where does a fixed-point network part from its ideal float64 twin, and why?
//
// QuantizationDiagnostics builds one NetworkDescription twice — as described (the "fixed" network) and with
// every LIF population forced to float64 (the "reference") — steps both one step at a time on the same
// inputs and synapses, and compares them after every step. It reports, per fixed-point LIF population and
// state variable, the range used and the range the reference needed, overflow, values lost to zero and the
// error against the reference; per population the spike-train divergence; per projection how the weights
// quantized. The results are plain structs (the experiments layer writes them to HDF5) and
// quantization_report_text() renders them for people.
//
// Cost: the comparison is O(neurons x receptors) per step plus a copy of the reference state, paid only by
// this runner; the Network itself is not instrumented. Memory: two networks (three when some projection
// sets float_uses_quantized_weights: the exact weights then come from a third, prepared but never run).
//
// Conventions. A state "value" is what its code stands for, code * state_step, in voltage units; the membrane
// is relative to v_rest, as its codes are. The "reference" of a value is the float64 twin's value of the same
// neuron after the same step. Once spike trains differ (PopulationDiagnostics::first_divergence_step) the
// two networks follow different trajectories, and later errors mix quantization with that divergence.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kernels/lif_constants.hpp"
#include "quant/overflow.hpp"
#include "quant/qformat.hpp"
#include "sim/network.hpp"
#include "sim/network_description.hpp"
#include "sim/projection.hpp"
#include "sim/state_variable.hpp"
#include "sim/types.hpp"

namespace qsnn::sim {

// The narrowest state width FixedPointSpec accepts (FixedPointSpec::validate).
inline constexpr int kMinStateBits = 8;

// One state variable (current of one receptor, membrane, or adaptive threshold theta) of one fixed-point
// LIF population, over the initial state and every step run.
struct StateDiagnostics {
  StateVariable variable;
  quant::QFormat format{16, 8, true};
  quant::OverflowMode overflow_mode = quant::OverflowMode::saturate;
  double state_step = 1.0;  // voltage units per code

  // The range the fixed path used: codes held in the initial state and after every update. theta is held
  // after its decay, so a theta that saturated on a spike's increment shows a little below the limit; the
  // population's overflow counters count every saturation and wrap.
  std::int64_t min_code = 0;
  std::int64_t max_code = 0;
  int bits_used = 1;  // smallest signed width holding [min_code, max_code] under overflow_mode's code range

  // The range the reference needed, in voltage units: its values in the initial state and after every update,
  // and also the values the fixed kernel fits into the format without keeping them — the membrane before the
  // threshold test and reset (non-refractory neurons), theta after a spike's increment and before its decay.
  double reference_min = 0.0;
  double reference_max = 0.0;

  // The smallest signed width at format.frac_bits() whose codes (the range overflow_mode keeps:
  // saturate_symmetric and wrap_lava never keep -2^(b-1), wrap_lava keeps +2^(b-1)) hold both the fixed range
  // and the reference range (reference values rounded outward to codes): the format under which this run's
  // ideal trajectory would not have overflowed. The fixed trajectory stays within its rounding error of the ideal one, so
  // a run with bits_needed can still overflow when the reference comes within that error of the limit.
  // suggested_bits is bits_needed raised to kMinStateBits.
  int bits_needed = 1;
  int suggested_bits = kMinStateBits;

  std::uint64_t updates = 0;           // neuron-steps compared
  std::uint64_t updates_at_limit = 0;  // updates that left the code at (or past) an end of the mode's code range
  // Updates of neurons whose spike train has agreed with the reference's so far: once a neuron has spiked
  // in one network only, one of its membranes was reset and the other not, a difference of spiking rather
  // than of rounding. Precision lost and the errors below count these updates only; the population's
  // membrane_rmse counts all.
  std::uint64_t agreeing_updates = 0;

  // Precision lost: an agreeing update counts when it leaves the fixed code at 0 while the reference value is
  // not 0. Split by the reference's magnitude:
  //   below resolution: 0 < |reference| < state_step / 2 — the format cannot represent the value at all
  //     (nearest rounding of the reference itself gives code 0); more fractional bits would keep it;
  //   representable: |reference| >= state_step / 2 — the format could hold a non-zero code but the fixed
  //     arithmetic (rounded decays, rounded inputs, earlier errors) reached 0; this includes a membrane
  //     that passes through 0 while it is half a code or more off the reference.
  // Exponential decays never reach 0 in float64, so a decayed-away current counts on every step until its
  // next input: largest_zeroed_reference (voltage units) tells whether what was lost matters.
  std::uint64_t zeroed_below_resolution = 0;
  std::uint64_t zeroed_representable = 0;
  double largest_zeroed_reference = 0.0;
  std::uint64_t zeroed_updates() const { return zeroed_below_resolution + zeroed_representable; }

  // |fixed value - reference| over the agreeing updates, voltage units: the error of rounding and overflow
  // alone.
  double rmse = 0.0;
  double max_abs_error = 0.0;
};

struct PopulationDiagnostics {
  std::string name;
  PopulationId id;
  NeuronIndex size = 0;
  bool fixed_point = false;  // false: float64 in both networks; only the divergence below is reported
  double v_rest = 0.0;

  // The population's overflow counters (Network::overflow): the currents of all receptors share one.
  kernels::LifOverflowCounts overflow;
  // Currents I0..I(n-1), then the membrane, then theta (adaptive thresholds only); empty unless fixed_point.
  std::vector<StateDiagnostics> variables;

  // Divergence from the reference.
  std::uint64_t fixed_spikes = 0;
  std::uint64_t reference_spikes = 0;
  std::int64_t spike_count_difference = 0;    // fixed - reference
  std::uint64_t spike_mismatches = 0;         // (step, neuron) pairs that spiked in one network only
  std::uint64_t diverged_neurons = 0;         // neurons with at least one such spike
  std::optional<Step> first_divergence_step;  // first step whose spiking neurons differ; none: identical trains
  NeuronIndex first_divergence_neuron = 0;    // lowest neuron spiking in one network only at that step
  double membrane_rmse = 0.0;                 // over all neurons and steps, voltage units
  double membrane_max_abs_error = 0.0;

  // The diagnostics of one variable; nullptr when the population has none such (float64, non-adaptive theta).
  const StateDiagnostics* find(const StateVariable& variable) const;
};

// One projection of the fixed network. Quantization fields are filled for fixed-point targets only.
struct ProjectionDiagnostics {
  std::string name;
  std::string pre;
  std::string post;
  std::size_t receptor = 0;
  bool fixed_point = false;
  std::size_t synapses = 0;

  int weight_bits = 0;
  SignMode sign = SignMode::mixed;
  int exponent = 0;          // weight = code * 2^exponent state codes
  double weight_step = 0.0;  // voltage units per weight code

  std::int32_t min_code = 0;
  std::int32_t max_code = 0;
  int bits_used = 0;  // smallest width holding [min_code, max_code] in the projection's sign mode

  std::uint64_t zeroed_weights = 0;   // synapses whose exact weight is non-zero and whose code is 0
  quant::OverflowCounts saturations;  // weights clamped to the code range when quantized
  double exact_min = 0.0;             // exact weights, voltage units per step
  double exact_max = 0.0;
  double max_abs_error = 0.0;  // |code * weight_step - exact weight|
  double rmse = 0.0;
};

struct QuantizationReport {
  Step steps = 0;
  double dt_ms = 1.0;
  std::uint64_t seed = 0;
  std::vector<PopulationDiagnostics> populations;  // LIF populations, in description order
  std::vector<ProjectionDiagnostics> projections;  // all projections, in description order

  // nullptr when there is no LIF population or projection of that name.
  const PopulationDiagnostics* population(std::string_view name) const;
  const ProjectionDiagnostics* projection(std::string_view name) const;
};

class QuantizationDiagnostics {
 public:
  // Builds and prepares both networks with the same options (seed, dt, threads).
  QuantizationDiagnostics(const NetworkDescription& description, NetworkOptions options);
  ~QuantizationDiagnostics();
  QuantizationDiagnostics(const QuantizationDiagnostics&) = delete;
  QuantizationDiagnostics& operator=(const QuantizationDiagnostics&) = delete;

  // For adding recorders. Step the networks only through run(): it throws std::logic_error when they are
  // no longer at the step it left them at.
  Network& fixed_network() { return *fixed_; }
  Network& reference_network() { return *reference_; }

  // Runs both networks `steps` further, one step at a time, comparing them after each.
  void run(Step steps);
  Step steps() const { return steps_; }

  QuantizationReport report() const;

 private:
  struct VariableTracker;
  struct PopulationTracker;

  void observe_initial_state();
  void compare_step(Step step);

  NetworkDescription description_;
  std::unique_ptr<Network> fixed_;
  std::unique_ptr<Network> reference_;
  std::unique_ptr<Network> exact_weights_;  // only when the reference's weights are not exact
  std::vector<PopulationTracker> trackers_;
  Step steps_ = 0;
};

// Builds, runs `steps` steps and reports.
QuantizationReport diagnose_quantization(const NetworkDescription& description, NetworkOptions options, Step steps);

// A human-readable report: per population and projection the figures above, and a line starting with "!!"
// for every finding that explains a divergence and says what to change: overflow or a reference range beyond
// the format (with the suggested width), weights quantized to zero or saturated, the first spike-train
// divergence. Values lost to zero are listed but not flagged: zero crossings of the membrane and float64
// decay tails make them a figure to read, not an alarm.
std::string quantization_report_text(const QuantizationReport& report);

}  // namespace qsnn::sim
