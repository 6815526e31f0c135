#include "sim/quantization_diagnostics.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <span>
#include <stdexcept>
#include <utility>

#include "sim/lif_population.hpp"

namespace qsnn::sim {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// The codes a signed format of `bits` bits keeps unchanged under an overflow mode (quant/overflow.hpp):
// [-2^(b-1), 2^(b-1) - 1] for saturate and wrap, without -2^(b-1) for saturate_symmetric, shifted up by one
// code, (-2^(b-1), 2^(b-1)], for wrap_lava. As doubles, so that reference values far outside any format
// still compare.
struct CodeLimits {
  double low;
  double high;
};
CodeLimits signed_limits(int bits, quant::OverflowMode mode) {
  const double half = std::ldexp(1.0, bits - 1);
  switch (mode) {
    case quant::OverflowMode::saturate_symmetric:
      return {-(half - 1.0), half - 1.0};
    case quant::OverflowMode::wrap_lava:
      return {-(half - 1.0), half};
    default:
      return {-half, half - 1.0};
  }
}

// Smallest signed width whose codes, under `mode`, hold [low, high] (integers given as doubles); 64 at most.
int signed_bits_for(double low, double high, quant::OverflowMode mode = quant::OverflowMode::saturate) {
  for (int bits = 1; bits < 64; ++bits) {
    const CodeLimits limits = signed_limits(bits, mode);
    if (low >= limits.low && high <= limits.high) return bits;
  }
  return 64;
}

// Smallest unsigned width whose codes 0 .. 2^b - 1 hold `magnitude` (>= 0); at least 1.
int unsigned_bits_for(std::int64_t magnitude) {
  int bits = 1;
  while (bits < 63 && magnitude > (std::int64_t{1} << bits) - 1) ++bits;
  return bits;
}

std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

std::string range_text(double low, double high) { return "[" + number(low) + ", " + number(high) + "]"; }

std::string overflow_text(const quant::OverflowCounts& counts) {
  return std::to_string(counts.saturated_high) + " high / " + std::to_string(counts.saturated_low) +
         " low saturations, " + std::to_string(counts.wrapped) + " wraps";
}

}  // namespace

// Running statistics of one state variable; turned into a StateDiagnostics by report().
struct QuantizationDiagnostics::VariableTracker {
  StateVariable variable;
  quant::QFormat format;
  quant::OverflowMode overflow_mode;
  double step;
  std::int64_t min_code = std::numeric_limits<std::int64_t>::max();
  std::int64_t max_code = std::numeric_limits<std::int64_t>::min();
  double reference_min = kInfinity;
  double reference_max = -kInfinity;
  std::uint64_t updates = 0;
  std::uint64_t agreeing_updates = 0;
  std::uint64_t at_limit = 0;
  std::uint64_t zeroed_below_resolution = 0;
  std::uint64_t zeroed_representable = 0;
  double largest_zeroed = 0.0;
  double sum_squared_error = 0.0;
  double max_abs_error = 0.0;

  VariableTracker(StateVariable v, quant::QFormat f, quant::OverflowMode mode, double state_step)
      : variable(v), format(f), overflow_mode(mode), step(state_step) {}

  void observe_code(std::int64_t code) {
    min_code = std::min(min_code, code);
    max_code = std::max(max_code, code);
  }
  // Non-finite reference values (a diverging float network) would make every suggestion meaningless; they
  // still show in the error statistics.
  void observe_reference(double value) {
    if (!std::isfinite(value)) return;
    reference_min = std::min(reference_min, value);
    reference_max = std::max(reference_max, value);
  }
  // `agreeing`: the neuron's spike train still agrees with the reference's (see PopulationTracker).
  void compare(std::int64_t code, double reference, bool agreeing) {
    observe_code(code);
    observe_reference(reference);
    ++updates;
    const CodeLimits limits = signed_limits(format.total_bits(), overflow_mode);
    if (static_cast<double>(code) <= limits.low || static_cast<double>(code) >= limits.high) ++at_limit;
    if (!agreeing) return;
    if (code == 0 && reference != 0.0) {
      const double magnitude = std::abs(reference);
      if (magnitude < 0.5 * step)
        ++zeroed_below_resolution;
      else
        ++zeroed_representable;
      largest_zeroed = std::max(largest_zeroed, magnitude);
    }
    ++agreeing_updates;
    const double error = static_cast<double>(code) * step - reference;
    sum_squared_error += error * error;
    max_abs_error = std::max(max_abs_error, std::abs(error));
  }

  StateDiagnostics result() const {
    StateDiagnostics d;
    d.variable = variable;
    d.format = format;
    d.overflow_mode = overflow_mode;
    d.state_step = step;
    const bool any_code = min_code <= max_code;
    d.min_code = any_code ? min_code : 0;
    d.max_code = any_code ? max_code : 0;
    d.bits_used = signed_bits_for(static_cast<double>(d.min_code), static_cast<double>(d.max_code), overflow_mode);
    const bool any_reference = reference_min <= reference_max;
    d.reference_min = any_reference ? reference_min : 0.0;
    d.reference_max = any_reference ? reference_max : 0.0;
    // Outward to whole codes: a reference value between two codes needs the farther one to be safe
    // whichever way the fixed path rounds.
    double low = static_cast<double>(d.min_code), high = static_cast<double>(d.max_code);
    if (any_reference) {
      low = std::min(low, std::floor(reference_min / step));
      high = std::max(high, std::ceil(reference_max / step));
    }
    d.bits_needed = signed_bits_for(low, high, overflow_mode);
    d.suggested_bits = std::max(d.bits_needed, kMinStateBits);
    d.updates = updates;
    d.updates_at_limit = at_limit;
    d.zeroed_below_resolution = zeroed_below_resolution;
    d.zeroed_representable = zeroed_representable;
    d.largest_zeroed_reference = largest_zeroed;
    d.agreeing_updates = agreeing_updates;
    d.rmse = agreeing_updates > 0 ? std::sqrt(sum_squared_error / static_cast<double>(agreeing_updates)) : 0.0;
    d.max_abs_error = max_abs_error;
    return d;
  }
};

struct QuantizationDiagnostics::PopulationTracker {
  PopulationId id;
  const FixedLifPopulation* fixed = nullptr;           // in the fixed network, when on the fixed-point path
  const FloatLifPopulation* fixed_as_float = nullptr;  // in the fixed network, when described as float64
  const FloatLifPopulation* reference = nullptr;       // the twin
  std::vector<VariableTracker> variables;              // currents per receptor, membrane, theta (adaptive)
  // The reference state before the step, for the values the kernel computes but does not keep.
  std::vector<double> previous_voltage;
  std::vector<double> previous_theta;
  std::vector<std::uint16_t> previous_refractory;

  // Neurons that spiked in one network only at some step so far: their later states differ by a reset, not
  // by rounding, so they no longer count towards precision lost.
  std::vector<char> diverged;
  std::uint64_t diverged_neurons = 0;

  std::uint64_t fixed_spikes = 0;
  std::uint64_t reference_spikes = 0;
  std::uint64_t spike_mismatches = 0;
  std::optional<Step> first_divergence_step;
  NeuronIndex first_divergence_neuron = 0;
  double membrane_sum_squared_error = 0.0;
  double membrane_max_abs_error = 0.0;
  std::uint64_t membrane_samples = 0;

  std::size_t receptors() const { return fixed->constants().receptors; }
  VariableTracker& voltage() { return variables[receptors()]; }
  VariableTracker& theta() { return variables[receptors() + 1]; }
};

QuantizationDiagnostics::QuantizationDiagnostics(const NetworkDescription& description, NetworkOptions options)
    : description_(description),
      fixed_(std::make_unique<Network>(options)),
      reference_(std::make_unique<Network>(options)) {
  build(*fixed_, description_);
  build(*reference_, description_, NumericPath::float64);
  fixed_->prepare();
  reference_->prepare();

  // The reference's weights are the exact ones unless some projection asks float targets for quantized
  // weights; the weight diagnostics then take them from a third build that is prepared but never run.
  const bool quantized_reference = std::any_of(description_.projections.begin(), description_.projections.end(),
                                               [](const ProjectionSpec& p) { return p.float_uses_quantized_weights; });
  if (quantized_reference) {
    NetworkDescription exact = description_;
    for (ProjectionSpec& p : exact.projections) p.float_uses_quantized_weights = false;
    exact_weights_ = std::make_unique<Network>(options);
    build(*exact_weights_, exact, NumericPath::float64);
    exact_weights_->prepare();
  }

  for (std::size_t p = 0; p < description_.populations.size(); ++p) {
    if (!std::holds_alternative<LifPopulationDescription>(description_.populations[p])) continue;
    const PopulationId id{static_cast<std::uint32_t>(p)};
    PopulationTracker tracker;
    tracker.id = id;
    tracker.reference = &reference_->population_as<FloatLifPopulation>(id);
    tracker.diverged.assign(tracker.reference->size(), 0);
    tracker.fixed = dynamic_cast<const FixedLifPopulation*>(&fixed_->population(id));
    if (tracker.fixed == nullptr) {
      tracker.fixed_as_float = &fixed_->population_as<FloatLifPopulation>(id);
    } else {
      const kernels::FixedLifConstants& c = tracker.fixed->constants();
      const double step = tracker.fixed->state_step();
      for (std::size_t r = 0; r < c.receptors; ++r)
        tracker.variables.emplace_back(StateVariable{StateKind::current, r}, c.current_format, c.current_overflow,
                                       step);
      tracker.variables.emplace_back(StateVariable{StateKind::voltage, 0}, c.voltage_format, c.voltage_overflow, step);
      if (c.adaptive_threshold)
        tracker.variables.emplace_back(StateVariable{StateKind::theta, 0}, c.theta_format, c.theta_overflow, step);
    }
    trackers_.push_back(std::move(tracker));
  }
  observe_initial_state();
}

QuantizationDiagnostics::~QuantizationDiagnostics() = default;

void QuantizationDiagnostics::observe_initial_state() {
  for (PopulationTracker& t : trackers_) {
    if (t.fixed == nullptr) continue;
    for (std::size_t r = 0; r < t.receptors(); ++r) {
      for (std::int32_t code : t.fixed->current_codes(r)) t.variables[r].observe_code(code);
      for (double value : t.reference->current_values(r)) t.variables[r].observe_reference(value);
    }
    for (std::int32_t code : t.fixed->voltage_codes()) t.voltage().observe_code(code);
    for (double value : t.reference->voltage_relative()) t.voltage().observe_reference(value);
    if (t.fixed->constants().adaptive_threshold) {
      for (std::int32_t code : t.fixed->theta_codes()) t.theta().observe_code(code);
      for (double value : t.reference->theta_values()) t.theta().observe_reference(value);
    }
  }
}

void QuantizationDiagnostics::run(Step steps) {
  for (Step s = 0; s < steps; ++s) {
    if (fixed_->now() != steps_ || reference_->now() != steps_)
      throw std::logic_error("quantization diagnostics: the networks were stepped outside run() (at steps " +
                             std::to_string(fixed_->now()) + " and " + std::to_string(reference_->now()) +
                             ", expected " + std::to_string(steps_) + ")");
    for (PopulationTracker& t : trackers_) {
      if (t.fixed == nullptr) continue;
      const auto v = t.reference->voltage_relative();
      const auto refractory = t.reference->refractory_counters();
      t.previous_voltage.assign(v.begin(), v.end());
      t.previous_refractory.assign(refractory.begin(), refractory.end());
      if (t.fixed->constants().adaptive_threshold) {
        const auto theta = t.reference->theta_values();
        t.previous_theta.assign(theta.begin(), theta.end());
      }
    }
    fixed_->run(1);
    reference_->run(1);
    compare_step(steps_);
    ++steps_;
  }
}

void QuantizationDiagnostics::compare_step(Step step) {
  for (PopulationTracker& t : trackers_) {
    // Spike trains: both spans are ascending, so one merge finds the neurons that spiked in one network only.
    const auto fixed_spikes = fixed_->population(t.id).last_spikes();
    const auto reference_spikes = t.reference->last_spikes();
    t.fixed_spikes += fixed_spikes.size();
    t.reference_spikes += reference_spikes.size();
    std::size_t a = 0, b = 0;
    while (a < fixed_spikes.size() || b < reference_spikes.size()) {
      NeuronIndex only;
      if (b == reference_spikes.size() || (a < fixed_spikes.size() && fixed_spikes[a] < reference_spikes[b])) {
        only = fixed_spikes[a++];
      } else if (a == fixed_spikes.size() || reference_spikes[b] < fixed_spikes[a]) {
        only = reference_spikes[b++];
      } else {
        ++a;
        ++b;
        continue;
      }
      if (!t.first_divergence_step) {
        t.first_divergence_step = step;
        t.first_divergence_neuron = only;
      }
      ++t.spike_mismatches;
      if (!t.diverged[only]) {
        t.diverged[only] = 1;
        ++t.diverged_neurons;
      }
    }

    const auto reference_voltage = t.reference->voltage_relative();
    if (t.fixed == nullptr) {
      const auto fixed_voltage = t.fixed_as_float->voltage_relative();
      for (std::size_t i = 0; i < reference_voltage.size(); ++i) {
        const double error = fixed_voltage[i] - reference_voltage[i];
        t.membrane_sum_squared_error += error * error;
        t.membrane_max_abs_error = std::max(t.membrane_max_abs_error, std::abs(error));
      }
      t.membrane_samples += reference_voltage.size();
      continue;
    }

    const kernels::FixedLifConstants& fc = t.fixed->constants();
    const kernels::FloatLifConstants& rc = t.reference->constants();
    const double step_size = t.fixed->state_step();
    for (std::size_t r = 0; r < fc.receptors; ++r) {
      const auto codes = t.fixed->current_codes(r);
      const auto values = t.reference->current_values(r);
      for (std::size_t i = 0; i < codes.size(); ++i) t.variables[r].compare(codes[i], values[i], !t.diverged[i]);
    }
    VariableTracker& voltage = t.voltage();
    const auto codes = t.fixed->voltage_codes();
    const auto injection = t.reference->injection_values();
    std::array<std::span<const double>, kernels::kMaxReceptors> reference_current;
    for (std::size_t r = 0; r < rc.receptors; ++r) reference_current[r] = t.reference->current_values(r);
    for (std::size_t i = 0; i < codes.size(); ++i) {
      voltage.compare(codes[i], reference_voltage[i], !t.diverged[i]);
      const double error = static_cast<double>(codes[i]) * step_size - reference_voltage[i];
      t.membrane_sum_squared_error += error * error;
      t.membrane_max_abs_error = std::max(t.membrane_max_abs_error, std::abs(error));
      // The membrane before threshold and reset, as kernels::update_float_lif computes it (same operations in
      // the same order): the fixed kernel fits this value into the voltage format, so it must be in range.
      if (t.previous_refractory[i] == 0) {
        double total_current = 0.0;
        for (std::size_t r = 0; r < rc.receptors; ++r) total_current += reference_current[r][i];
        const double injected = injection.empty() ? 0.0 : injection[i];
        voltage.observe_reference(rc.voltage_decay * t.previous_voltage[i] + total_current + rc.bias + injected);
      }
    }
    t.membrane_samples += codes.size();
    if (fc.adaptive_threshold) {
      VariableTracker& theta = t.theta();
      const auto theta_codes = t.fixed->theta_codes();
      const auto theta_values = t.reference->theta_values();
      for (std::size_t i = 0; i < theta_codes.size(); ++i)
        theta.compare(theta_codes[i], theta_values[i], !t.diverged[i]);
      // theta + theta_plus is fitted into the theta format before the decay shrinks it.
      for (NeuronIndex i : reference_spikes) theta.observe_reference(t.previous_theta[i] + rc.theta_plus);
    }
  }
}

QuantizationReport QuantizationDiagnostics::report() const {
  QuantizationReport out;
  out.steps = steps_;
  out.dt_ms = fixed_->dt_ms();
  out.seed = fixed_->seed();
  for (const PopulationTracker& t : trackers_) {
    PopulationDiagnostics d;
    const Population& population = fixed_->population(t.id);
    d.name = population.name();
    d.id = t.id;
    d.size = population.size();
    d.fixed_point = t.fixed != nullptr;
    d.v_rest = t.reference->v_rest();
    d.overflow = fixed_->overflow(t.id);
    for (const VariableTracker& v : t.variables) d.variables.push_back(v.result());
    d.fixed_spikes = t.fixed_spikes;
    d.reference_spikes = t.reference_spikes;
    d.spike_count_difference =
        static_cast<std::int64_t>(t.fixed_spikes) - static_cast<std::int64_t>(t.reference_spikes);
    d.spike_mismatches = t.spike_mismatches;
    d.diverged_neurons = t.diverged_neurons;
    d.first_divergence_step = t.first_divergence_step;
    d.first_divergence_neuron = t.first_divergence_neuron;
    d.membrane_rmse = t.membrane_samples > 0
                          ? std::sqrt(t.membrane_sum_squared_error / static_cast<double>(t.membrane_samples))
                          : 0.0;
    d.membrane_max_abs_error = t.membrane_max_abs_error;
    out.populations.push_back(std::move(d));
  }

  const Network& exact_network = exact_weights_ ? *exact_weights_ : *reference_;
  for (std::size_t q = 0; q < fixed_->projection_count(); ++q) {
    const ProjectionId id{static_cast<std::uint32_t>(q)};
    const Projection& projection = fixed_->projection(id);
    const ProjectionSpec& spec = projection.spec();
    ProjectionDiagnostics d;
    d.name = projection.name();
    d.pre = fixed_->population(spec.pre).name();
    d.post = fixed_->population(spec.post).name();
    d.receptor = spec.receptor;
    d.synapses = projection.synapse_count();
    d.fixed_point = dynamic_cast<const FixedLifPopulation*>(&fixed_->population(spec.post)) != nullptr;
    if (d.fixed_point) {
      d.weight_bits = projection.weight_bits();
      d.sign = spec.quantization.sign;
      d.exponent = projection.weight_exponent();
      d.weight_step = projection.weight_step();
      d.saturations = projection.weight_saturations();
      const auto quantized = projection.synapses();
      const auto exact = exact_network.projection(id).synapses();
      if (exact.size() != quantized.size())
        throw std::logic_error("quantization diagnostics: projection '" + d.name + "' has " +
                               std::to_string(quantized.size()) + " synapses but its exact twin " +
                               std::to_string(exact.size()));
      double sum_squared_error = 0.0;
      d.exact_min = quantized.empty() ? 0.0 : kInfinity;
      d.exact_max = quantized.empty() ? 0.0 : -kInfinity;
      d.min_code = quantized.empty() ? 0 : std::numeric_limits<std::int32_t>::max();
      d.max_code = quantized.empty() ? 0 : std::numeric_limits<std::int32_t>::min();
      for (std::size_t k = 0; k < quantized.size(); ++k) {
        const Projection::Synapse& s = quantized[k];
        const Projection::Synapse& e = exact[k];
        if (s.pre != e.pre || s.post != e.post)
          throw std::logic_error("quantization diagnostics: projection '" + d.name +
                                 "' and its exact twin differ at synapse " + std::to_string(k));
        d.min_code = std::min(d.min_code, s.code);
        d.max_code = std::max(d.max_code, s.code);
        d.exact_min = std::min(d.exact_min, e.weight);
        d.exact_max = std::max(d.exact_max, e.weight);
        if (s.code == 0 && e.weight != 0.0) ++d.zeroed_weights;
        const double error = s.weight - e.weight;
        sum_squared_error += error * error;
        d.max_abs_error = std::max(d.max_abs_error, std::abs(error));
      }
      d.rmse = quantized.empty() ? 0.0 : std::sqrt(sum_squared_error / static_cast<double>(quantized.size()));
      switch (d.sign) {
        case SignMode::mixed:
          d.bits_used = signed_bits_for(d.min_code, d.max_code);
          break;
        case SignMode::excitatory:
          d.bits_used = unsigned_bits_for(d.max_code);
          break;
        case SignMode::inhibitory:
          d.bits_used = unsigned_bits_for(-static_cast<std::int64_t>(d.min_code));
          break;
      }
    }
    out.projections.push_back(std::move(d));
  }
  return out;
}

const StateDiagnostics* PopulationDiagnostics::find(const StateVariable& variable) const {
  for (const StateDiagnostics& d : variables)
    if (d.variable == variable) return &d;
  return nullptr;
}

const PopulationDiagnostics* QuantizationReport::population(std::string_view name) const {
  for (const PopulationDiagnostics& d : populations)
    if (d.name == name) return &d;
  return nullptr;
}

const ProjectionDiagnostics* QuantizationReport::projection(std::string_view name) const {
  for (const ProjectionDiagnostics& d : projections)
    if (d.name == name) return &d;
  return nullptr;
}

QuantizationReport diagnose_quantization(const NetworkDescription& description, NetworkOptions options, Step steps) {
  QuantizationDiagnostics diagnostics(description, options);
  diagnostics.run(steps);
  return diagnostics.report();
}

namespace {

const quant::OverflowCounts& counts_of(const PopulationDiagnostics& p, StateKind kind) {
  switch (kind) {
    case StateKind::current:
      return p.overflow.current;
    case StateKind::theta:
      return p.overflow.theta;
    default:
      return p.overflow.voltage;
  }
}

void append_variable(std::string& text, const PopulationDiagnostics& p, const StateDiagnostics& v) {
  const std::string name = state_variable_name(v.variable);
  text += "  " + name + "  " + v.format.to_string() + " " + std::string(quant::overflow_name(v.overflow_mode)) +
          ": codes [" + std::to_string(v.min_code) + ", " + std::to_string(v.max_code) + "] use " +
          std::to_string(v.bits_used) + " of " + std::to_string(v.format.total_bits()) + " bits; reference " +
          range_text(v.reference_min, v.reference_max) + " needs " + std::to_string(v.bits_needed) +
          " bits -> suggested " + std::to_string(v.suggested_bits) + " bits at " +
          std::to_string(v.format.frac_bits()) + " fractional\n";
  text += "      " + std::to_string(v.updates_at_limit) + " of " + std::to_string(v.updates) +
          " updates at a format limit; zeroed where the reference was not (spikes agreeing): " +
          std::to_string(v.zeroed_below_resolution) + " below half a code, " + std::to_string(v.zeroed_representable) +
          " representable (largest " + number(v.largest_zeroed_reference) + "); RMSE " + number(v.rmse) +
          ", max |error| " + number(v.max_abs_error) + " over " + std::to_string(v.agreeing_updates) +
          " such updates\n";

  const quant::OverflowCounts& counts = counts_of(p, v.variable.kind);
  // Receptors share one current counter: with several, a receptor is blamed only if its own codes reached a
  // limit or its reference range does not fit.
  const auto currents = std::count_if(p.variables.begin(), p.variables.end(),
                                      [](const StateDiagnostics& d) { return d.variable.kind == StateKind::current; });
  const bool blamed = v.variable.kind != StateKind::current || currents == 1 || v.bits_needed > v.format.total_bits() ||
                      v.updates_at_limit > 0;
  const CodeLimits limits = signed_limits(v.format.total_bits(), v.overflow_mode);
  const std::string holds =
      v.format.to_string() + " holds " + range_text(limits.low * v.state_step, limits.high * v.state_step);
  if (counts.total() > 0 && blamed) {
    // When the reference fits, the fixed path's own error carried it out of range: no width follows from the
    // reference, only that this one is too tight.
    const std::string advice = v.bits_needed > v.format.total_bits()
                                   ? "use >= " + std::to_string(v.suggested_bits) + " bits"
                                   : "the reference fits, the fixed path's error carried it out: use more than " +
                                         std::to_string(v.format.total_bits()) + " bits or reduce that error";
    text += "  !! '" + p.name + "' " + name + ": " + overflow_text(counts) +
            (v.variable.kind == StateKind::current ? " (all receptors)" : "") + "; " + holds +
            ", the reference reached " + range_text(v.reference_min, v.reference_max) + ": " + advice + "\n";
  } else if (v.bits_needed > v.format.total_bits()) {
    text += "  !! '" + p.name + "' " + name + ": the reference reached " +
            range_text(v.reference_min, v.reference_max) + " beyond " + holds +
            ": use >= " + std::to_string(v.suggested_bits) + " bits\n";
  }
}

}  // namespace

std::string quantization_report_text(const QuantizationReport& report) {
  std::string text = "Quantization diagnostics: fixed-point network vs float64 twin, " + std::to_string(report.steps) +
                     " steps of " + number(report.dt_ms) + " ms, seed " + std::to_string(report.seed) + "\n";
  text += "(values in voltage units; membranes relative to v_rest)\n";
  for (const PopulationDiagnostics& p : report.populations) {
    text += "\npopulation '" + p.name + "' (" + std::to_string(p.size) + " neurons, " +
            (p.fixed_point ? "fixed-point" : "float64 in both networks") + ")\n";
    text += "  spikes: fixed " + std::to_string(p.fixed_spikes) + ", reference " + std::to_string(p.reference_spikes) +
            " (difference " + std::to_string(p.spike_count_difference) + "), " + std::to_string(p.spike_mismatches) +
            " mismatched, in " + std::to_string(p.diverged_neurons) + " neurons; membrane RMSE " +
            number(p.membrane_rmse) + ", max |error| " + number(p.membrane_max_abs_error) + "\n";
    for (const StateDiagnostics& v : p.variables) append_variable(text, p, v);
    if (p.first_divergence_step) {
      text += "  !! '" + p.name + "': spike trains first differ at step " + std::to_string(*p.first_divergence_step) +
              " (neuron " + std::to_string(p.first_divergence_neuron) + "); " + std::to_string(p.spike_mismatches) +
              " spikes in one network only\n";
    }
  }
  for (const ProjectionDiagnostics& q : report.projections) {
    text += "\nprojection '" + q.name + "' (" + q.pre + " -> " + q.post + ", receptor " + std::to_string(q.receptor) +
            ", " + std::to_string(q.synapses) + " synapses)";
    if (!q.fixed_point) {
      text += ": float64 target, weights exact\n";
      continue;
    }
    text += ": " + std::to_string(q.weight_bits) + "-bit " + std::string(sign_mode_name(q.sign)) + " codes, exponent " +
            std::to_string(q.exponent) + " (step " + number(q.weight_step) + ")\n";
    text += "  codes [" + std::to_string(q.min_code) + ", " + std::to_string(q.max_code) + "] use " +
            std::to_string(q.bits_used) + " of " + std::to_string(q.weight_bits) + " bits; exact weights " +
            range_text(q.exact_min, q.exact_max) + "; RMSE " + number(q.rmse) + ", max |error| " +
            number(q.max_abs_error) + "\n";
    if (q.zeroed_weights > 0) {
      text += "  !! '" + q.name + "': " + std::to_string(q.zeroed_weights) +
              " non-zero weights quantized to code 0 (step " + number(q.weight_step) +
              "; with nearest rounding every |w| below half a step does): a smaller exponent or more bits keeps them\n";
    }
    if (q.saturations.total() > 0) {
      text += "  !! '" + q.name + "': " + std::to_string(q.saturations.total()) + " weights saturated at " +
              std::to_string(q.weight_bits) + " bits (exact range " + range_text(q.exact_min, q.exact_max) +
              "): a larger exponent or more bits holds them\n";
    }
  }
  return text;
}

}  // namespace qsnn::sim
