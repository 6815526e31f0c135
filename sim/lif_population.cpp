#include "sim/lif_population.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "quant/qformat.hpp"

namespace qsnn::sim {
namespace {

void require_size(std::size_t given, NeuronIndex size, const std::string& population, const char* what) {
  if (given != size)
    throw std::invalid_argument("population '" + population + "': " + what + " has " + std::to_string(given) +
                                " values for " + std::to_string(size) + " neurons");
}

template <class State, class Acc>
std::optional<State> read_state(const LifArrays<State, Acc>& a, const StateVariable& variable, NeuronIndex neuron,
                                std::size_t receptors) {
  switch (variable.kind) {
    case StateKind::voltage: return a.voltage.at(neuron);
    case StateKind::theta: return a.theta.at(neuron);
    case StateKind::refractory: return static_cast<State>(a.refractory.at(neuron));
    case StateKind::current:
      if (variable.receptor >= receptors) return std::nullopt;
      return a.current[variable.receptor].at(neuron);
  }
  return std::nullopt;
}

}  // namespace

FixedLifPopulation::FixedLifPopulation(std::string name, NeuronIndex size, kernels::FixedLifConstants constants,
                                       double state_step, double v_rest)
    : Population(std::move(name), size), constants_(constants), state_step_(state_step), v_rest_(v_rest) {
  if (constants_.receptors < 1 || constants_.receptors > kernels::kMaxReceptors)
    throw std::invalid_argument("population '" + this->name() + "': receptors must be 1..4");
  arrays_.resize(constants_.receptors, size);
  prepare_input(1, 0);
}

FixedLifPopulation::FixedLifPopulation(std::string name, NeuronIndex size, const LifParameters& parameters,
                                       const FixedPointSpec& spec)
    : FixedLifPopulation(std::move(name), size, discretize_fixed(parameters, spec), spec.state_step(),
                         parameters.v_rest) {}

std::int32_t FixedLifPopulation::to_state_code(double value, quant::OverflowCounts& counts) const {
  return static_cast<std::int32_t>(quant::to_fixed(value / state_step_, quant::QFormat(32, 0, true),
                                                   quant::NearestEvenRounder{}, quant::OverflowMode::saturate, counts));
}

void FixedLifPopulation::set_voltage(std::span<const double> voltage) {
  require_size(voltage.size(), size(), name(), "set_voltage");
  for (NeuronIndex i = 0; i < size(); ++i) {
    const std::int64_t code = to_state_code(voltage[i] - v_rest_, overflow_.voltage);
    arrays_.voltage[i] = static_cast<std::int32_t>(
        quant::fit_code(code, constants_.voltage_format, quant::OverflowMode::saturate, overflow_.voltage));
  }
}

void FixedLifPopulation::set_voltage_codes(std::span<const std::int32_t> codes) {
  require_size(codes.size(), size(), name(), "set_voltage_codes");
  for (NeuronIndex i = 0; i < size(); ++i) {
    if (!constants_.voltage_format.contains(codes[i]))
      throw std::invalid_argument("population '" + name() + "': voltage code " + std::to_string(codes[i]) +
                                  " outside " + constants_.voltage_format.to_string());
    arrays_.voltage[i] = codes[i];
  }
}

void FixedLifPopulation::set_injection(std::span<const double> current) {
  if (current.empty()) {
    arrays_.injection.clear();
    return;
  }
  require_size(current.size(), size(), name(), "set_injection");
  arrays_.injection.resize(size());
  quant::OverflowCounts counts;
  for (NeuronIndex i = 0; i < size(); ++i) arrays_.injection[i] = to_state_code(current[i], counts);
}

void FixedLifPopulation::set_injection_schedule(InjectionSchedule schedule) {
  schedule_ = std::move(schedule);
  schedule_buffer_.assign(schedule_ ? size() : 0, 0.0);
  if (schedule_) arrays_.injection.assign(size(), 0);
}

void FixedLifPopulation::prepare_input(unsigned ring_length, unsigned guard_bits) {
  arrays_.ring_length = ring_length;
  arrays_.input_ring.assign(constants_.receptors * ring_length * static_cast<std::size_t>(size()), 0);
  constants_.input_guard_bits = guard_bits;
}

void FixedLifPopulation::begin_step(Step step) {
  if (!schedule_) return;
  std::fill(schedule_buffer_.begin(), schedule_buffer_.end(), 0.0);
  schedule_(step, schedule_buffer_);
  quant::OverflowCounts counts;
  for (NeuronIndex i = 0; i < size(); ++i) arrays_.injection[i] = to_state_code(schedule_buffer_[i], counts);
}

void FixedLifPopulation::update_block(Step step, NeuronIndex begin, NeuronIndex end, BlockOutput& out) {
  kernels::dispatch_fixed_lif_update(constants_, arrays_.spans(), arrays_.inputs_for(step, constants_.receptors), begin,
                                     end, step, out.spikes, out.overflow);
}

std::optional<std::int64_t> FixedLifPopulation::state_code(const StateVariable& variable, NeuronIndex neuron) const {
  if (variable.kind == StateKind::theta && !constants_.adaptive_threshold) return std::nullopt;
  const auto value = read_state(arrays_, variable, neuron, constants_.receptors);
  if (!value) return std::nullopt;
  return *value;
}

std::optional<double> FixedLifPopulation::state_value(const StateVariable& variable, NeuronIndex neuron) const {
  const auto code = state_code(variable, neuron);
  if (!code) return std::nullopt;
  if (variable.kind == StateKind::refractory) return static_cast<double>(*code);
  const double value = static_cast<double>(*code) * state_step_;
  return variable.kind == StateKind::voltage ? value + v_rest_ : value;
}

FloatLifPopulation::FloatLifPopulation(std::string name, NeuronIndex size, const LifParameters& parameters)
    : Population(std::move(name), size), constants_(discretize_float(parameters)), v_rest_(parameters.v_rest) {
  arrays_.resize(constants_.receptors, size);
  prepare_input(1);
}

void FloatLifPopulation::set_voltage(std::span<const double> voltage) {
  require_size(voltage.size(), size(), name(), "set_voltage");
  for (NeuronIndex i = 0; i < size(); ++i) arrays_.voltage[i] = voltage[i] - v_rest_;
}

void FloatLifPopulation::set_injection(std::span<const double> current) {
  if (current.empty()) {
    arrays_.injection.clear();
    return;
  }
  require_size(current.size(), size(), name(), "set_injection");
  arrays_.injection.assign(current.begin(), current.end());
}

void FloatLifPopulation::set_injection_schedule(InjectionSchedule schedule) {
  schedule_ = std::move(schedule);
  if (schedule_) arrays_.injection.assign(size(), 0.0);
}

void FloatLifPopulation::prepare_input(unsigned ring_length) {
  arrays_.ring_length = ring_length;
  arrays_.input_ring.assign(constants_.receptors * ring_length * static_cast<std::size_t>(size()), 0.0);
}

void FloatLifPopulation::begin_step(Step step) {
  if (!schedule_) return;
  std::fill(arrays_.injection.begin(), arrays_.injection.end(), 0.0);
  schedule_(step, arrays_.injection);
}

void FloatLifPopulation::update_block(Step step, NeuronIndex begin, NeuronIndex end, BlockOutput& out) {
  kernels::update_float_lif(constants_, arrays_.spans(), arrays_.inputs_for(step, constants_.receptors), begin, end,
                            out.spikes);
}

std::optional<double> FloatLifPopulation::state_value(const StateVariable& variable, NeuronIndex neuron) const {
  if (variable.kind == StateKind::theta && !constants_.adaptive_threshold) return std::nullopt;
  const auto value = read_state(arrays_, variable, neuron, constants_.receptors);
  if (!value) return std::nullopt;
  return variable.kind == StateKind::voltage ? *value + v_rest_ : *value;
}

}  // namespace qsnn::sim
