#include "experiments/networks/cuba_network.hpp"

#include <cmath>
#include <stdexcept>
#include <vector>

#include "quant/counter_rng.hpp"
#include "sim/connectivity.hpp"
#include "sim/lif_population.hpp"
#include "sim/projection.hpp"

namespace qsnn::experiments {
namespace {

// Counter-RNG stream of the initial voltages (the network's own streams start at 2^40).
constexpr std::uint64_t kInitialVoltageStream = 0xC0BA;

void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}

}  // namespace

void CubaOptions::validate() const {
  require(size >= 10, "CUBA size " + std::to_string(size) + " (allowed: >= 10 neurons)");
  require(std::isfinite(probability) && probability >= 0.0 && probability <= 1.0,
          "CUBA probability " + std::to_string(probability) + " (allowed: 0..1; 0 = preset)");
  require(std::isfinite(weight_scale) && weight_scale >= 0.0,
          "CUBA weight_scale " + std::to_string(weight_scale) + " (allowed: >= 0; 0 = 80 / fan-out)");
  require(weight_bits >= 2 && weight_bits <= 16, "CUBA weight_bits " + std::to_string(weight_bits) + " (allowed: 2..16)");
  require(std::isfinite(dt_ms) && dt_ms > 0.0 && dt_ms <= 1.0, "CUBA dt_ms " + std::to_string(dt_ms) + " (allowed: (0, 1])");
}

double cuba_preset_probability(sim::NeuronIndex size) { return size <= 40000 ? 0.02 : 80.0 / size; }

sim::LifParameters cuba_lif_parameters(double dt_ms) {
  using C = CubaConstants;
  sim::LifParameters p;
  p.dt_ms = dt_ms;
  p.tau_mem_ms = C::taum_ms;
  p.tau_syn_ms = {C::taue_ms, C::taui_ms};
  p.v_rest = C::vr_mv;
  p.v_reset = C::vr_mv;
  p.v_threshold = C::vt_mv;
  p.steady_drive = C::el_mv - C::vr_mv;
  p.refractory_ms = C::refractory_ms;
  return p;
}

sim::FixedPointSpec cuba_fixed_point_spec() {
  sim::FixedPointSpec spec;
  spec.state_frac_bits = 16;
  spec.current_bits = 24;
  spec.voltage_bits = 24;
  spec.decay_shift = 16;
  return spec;  // round to nearest (ties to even) and saturation: the defaults
}

sim::NeuronIndex CubaNetwork::size() const {
  return network->population(exc).size() + network->population(inh).size();
}

std::uint64_t CubaNetwork::spikes() const { return network->spike_count(exc) + network->spike_count(inh); }

std::uint64_t CubaNetwork::synapses() const {
  std::uint64_t total = 0;
  for (const auto id : projections) total += network->projection(id).synapse_count();
  return total;
}

std::uint64_t CubaNetwork::synapse_bytes() const {
  std::uint64_t total = 0;
  for (const auto id : projections) total += network->projection(id).bytes();
  return total;
}

CubaNetwork build_cuba(const CubaOptions& options) {
  options.validate();
  using C = CubaConstants;
  CubaNetwork cuba;
  cuba.probability = options.probability > 0.0 ? options.probability : cuba_preset_probability(options.size);
  const double fan_out = cuba.probability * options.size;
  cuba.weight_scale = options.weight_scale > 0.0 ? options.weight_scale : 80.0 / fan_out;

  cuba.network = std::make_unique<sim::Network>(
      sim::NetworkOptions{.dt_ms = options.dt_ms,
                          .threads = options.threads,
                          .seed = options.seed,
                          .min_parallel_neurons = options.min_parallel_neurons});
  sim::Network& net = *cuba.network;
  const sim::LifParameters lif = cuba_lif_parameters(options.dt_ms);
  const sim::FixedPointSpec spec = cuba_fixed_point_spec();
  const auto n_exc = static_cast<sim::NeuronIndex>(std::floor(options.size * C::excitatory_fraction));
  const sim::NeuronIndex n_inh = options.size - n_exc;
  cuba.exc = net.add_lif("exc", n_exc, lif, options.path, spec);
  cuba.inh = net.add_lif("inh", n_inh, lif, options.path, spec);

  // v0 = Vr + rand() * (Vt - Vr), one draw per neuron keyed by (seed, stream, global neuron index).
  const quant::CounterRng rng{options.seed, kInitialVoltageStream};
  auto initial = [&](sim::NeuronIndex first, sim::NeuronIndex count) {
    std::vector<double> v(count);
    for (sim::NeuronIndex i = 0; i < count; ++i) v[i] = C::vr_mv + rng.uniform01(0, first + i) * (C::vt_mv - C::vr_mv);
    return v;
  };
  const auto v_exc = initial(0, n_exc), v_inh = initial(n_exc, n_inh);
  if (options.path == sim::NumericPath::fixed_point) {
    net.population_as<sim::FixedLifPopulation>(cuba.exc).set_voltage(v_exc);
    net.population_as<sim::FixedLifPopulation>(cuba.inh).set_voltage(v_inh);
  } else {
    net.population_as<sim::FloatLifPopulation>(cuba.exc).set_voltage(v_exc);
    net.population_as<sim::FloatLifPopulation>(cuba.inh).set_voltage(v_inh);
  }

  cuba.we_per_step = lif.weight_for_conductance_jump(C::we_mv * cuba.weight_scale, 0);
  cuba.wi_per_step = lif.weight_for_conductance_jump(C::wi_mv * cuba.weight_scale, 1);
  const sim::WeightQuantization quantization{.bits = options.weight_bits, .sign = sim::SignMode::mixed};
  const sim::FixedProbability connectivity{.probability = cuba.probability, .allow_self = true};
  std::size_t k = 0;
  for (const auto pre : {cuba.exc, cuba.inh}) {
    const bool excitatory = pre == cuba.exc;
    for (const auto post : {cuba.exc, cuba.inh}) {
      cuba.projections[k++] = net.connect({.pre = pre,
                                           .post = post,
                                           .receptor = excitatory ? std::size_t{0} : std::size_t{1},
                                           .connectivity = connectivity,
                                           .weights = sim::ConstantWeight{excitatory ? cuba.we_per_step : cuba.wi_per_step},
                                           .delays = sim::ConstantDelay{1},
                                           .quantization = quantization});
    }
  }
  return cuba;
}

}  // namespace qsnn::experiments
