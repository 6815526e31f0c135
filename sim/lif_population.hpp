#pragma once
// LIF populations in the two numeric paths. State is structure-of-arrays; synaptic input arrives in a ring
// of accumulators (kernels/spike_delivery.hpp) that the population owns and the network fills.
#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "kernels/lif_constants.hpp"
#include "kernels/lif_update.hpp"
#include "kernels/spike_delivery.hpp"
#include "sim/lif_parameters.hpp"
#include "sim/population.hpp"

namespace qsnn::sim {

// Fills one value per neuron with the injected current of a step (voltage units per step).
using InjectionSchedule = std::function<void(Step step, std::span<double> current)>;

template <class State, class Acc>
struct LifArrays {
  std::array<std::vector<State>, kernels::kMaxReceptors> current;
  std::vector<State> voltage;
  std::vector<State> theta;
  std::vector<std::uint16_t> refractory;
  std::vector<State> injection;  // empty when nothing is injected
  std::vector<Acc> input_ring;   // receptors x ring_length x size
  unsigned ring_length = 1;

  void resize(std::size_t receptors, NeuronIndex size) {
    for (std::size_t r = 0; r < receptors; ++r) current[r].assign(size, State{});
    voltage.assign(size, State{});
    theta.assign(size, State{});
    refractory.assign(size, 0);
  }
  kernels::LifStateSpans<State> spans() {
    kernels::LifStateSpans<State> s;
    for (std::size_t r = 0; r < current.size(); ++r) s.current[r] = current[r].data();
    s.voltage = voltage.data();
    s.theta = theta.data();
    s.refractory = refractory.data();
    s.injection = injection.empty() ? nullptr : injection.data();
    return s;
  }
  kernels::InputRingView<Acc> ring_view(std::size_t receptor) {
    const std::size_t size = voltage.size();
    return {input_ring.data() + receptor * ring_length * size, size, ring_length};
  }
  kernels::ReceptorInputs<Acc> inputs_for(Step step, std::size_t receptors) {
    kernels::ReceptorInputs<Acc> inputs{};
    for (std::size_t r = 0; r < receptors; ++r) inputs[r] = ring_view(r).slot_for_arrival(step);
    return inputs;
  }
};

class FixedLifPopulation final : public Population {
 public:
  // `state_step` is the voltage of one code and `v_rest` the voltage of code 0, for reporting.
  FixedLifPopulation(std::string name, NeuronIndex size, kernels::FixedLifConstants constants, double state_step,
                     double v_rest);
  FixedLifPopulation(std::string name, NeuronIndex size, const LifParameters& parameters, const FixedPointSpec& spec);

  const kernels::FixedLifConstants& constants() const { return constants_; }
  kernels::FixedLifConstants& mutable_constants() { return constants_; }
  double state_step() const { return state_step_; }
  double v_rest() const { return v_rest_; }

  // Voltages in model units (absolute), rounded to nearest codes and saturated into the voltage format.
  void set_voltage(std::span<const double> voltage);
  void set_voltage_codes(std::span<const std::int32_t> codes);
  // Constant injection per neuron, voltage units per step (empty span: none).
  void set_injection(std::span<const double> current);
  void set_injection_schedule(InjectionSchedule schedule);

  void prepare_input(unsigned ring_length, unsigned guard_bits);
  kernels::InputRingView<std::int64_t> input_ring(std::size_t receptor) { return arrays_.ring_view(receptor); }

  void begin_step(Step step) override;
  void update_block(Step step, NeuronIndex begin, NeuronIndex end, BlockOutput& out) override;
  std::optional<double> state_value(const StateVariable& variable, NeuronIndex neuron) const override;
  std::optional<std::int64_t> state_code(const StateVariable& variable, NeuronIndex neuron) const override;

  std::span<const std::int32_t> voltage_codes() const { return arrays_.voltage; }
  std::span<const std::int32_t> current_codes(std::size_t receptor) const { return arrays_.current.at(receptor); }
  std::span<const std::int32_t> theta_codes() const { return arrays_.theta; }

  const kernels::LifOverflowCounts& overflow() const { return overflow_; }
  void add_overflow(const kernels::LifOverflowCounts& counts) { overflow_ += counts; }

 private:
  std::int32_t to_state_code(double value, quant::OverflowCounts& counts) const;

  kernels::FixedLifConstants constants_;
  double state_step_;
  double v_rest_;
  LifArrays<std::int32_t, std::int64_t> arrays_;
  InjectionSchedule schedule_;
  std::vector<double> schedule_buffer_;
  kernels::LifOverflowCounts overflow_;
};

class FloatLifPopulation final : public Population {
 public:
  FloatLifPopulation(std::string name, NeuronIndex size, const LifParameters& parameters);

  const kernels::FloatLifConstants& constants() const { return constants_; }
  double v_rest() const { return v_rest_; }

  void set_voltage(std::span<const double> voltage);  // absolute, model units
  void set_injection(std::span<const double> current);
  void set_injection_schedule(InjectionSchedule schedule);

  void prepare_input(unsigned ring_length);
  kernels::InputRingView<double> input_ring(std::size_t receptor) { return arrays_.ring_view(receptor); }

  void begin_step(Step step) override;
  void update_block(Step step, NeuronIndex begin, NeuronIndex end, BlockOutput& out) override;
  std::optional<double> state_value(const StateVariable& variable, NeuronIndex neuron) const override;

  std::span<const double> voltage_relative() const { return arrays_.voltage; }
  // Read-only views of the rest of the state, for diagnostics that compare against the fixed path
  // (sim/quantization_diagnostics.hpp) without a virtual call per neuron.
  std::span<const double> current_values(std::size_t receptor) const { return arrays_.current.at(receptor); }
  std::span<const double> theta_values() const { return arrays_.theta; }
  std::span<const std::uint16_t> refractory_counters() const { return arrays_.refractory; }
  std::span<const double> injection_values() const { return arrays_.injection; }  // empty: nothing injected

 private:
  kernels::FloatLifConstants constants_;
  double v_rest_;
  LifArrays<double, double> arrays_;
  InjectionSchedule schedule_;
};

}  // namespace qsnn::sim
