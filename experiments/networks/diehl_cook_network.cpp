#include "experiments/networks/diehl_cook_network.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <variant>

#include "learning/diehl_cook_stdp.hpp"
#include "learning/pair_stdp.hpp"
#include "learning/weight_normalization.hpp"
#include "sim/connectivity.hpp"
#include "sim/lif_population.hpp"
#include "sim/poisson_source.hpp"
#include "sim/projection.hpp"

namespace qsnn::experiments {
namespace {

using C = DiehlCookConstants;

void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}

sim::Step steps_of(double ms, double dt_ms) { return static_cast<sim::Step>(std::llround(ms / dt_ms)); }

// Inhibitory neuron i onto every excitatory neuron but i. AllToAll's allow_self applies within one
// population only, so the pairs are listed (n (n - 1) of them, rows ascending).
sim::ExplicitSynapses all_but_partner(sim::NeuronIndex n) {
  sim::ExplicitSynapses synapses;
  synapses.pre.reserve(static_cast<std::size_t>(n) * (n - 1));
  synapses.post.reserve(static_cast<std::size_t>(n) * (n - 1));
  for (sim::NeuronIndex i = 0; i < n; ++i) {
    for (sim::NeuronIndex j = 0; j < n; ++j) {
      if (i == j) continue;
      synapses.pre.push_back(i);
      synapses.post.push_back(j);
    }
  }
  return synapses;
}

}  // namespace

// Counts the excitatory spikes of every step into the span it is given (none: counts nothing). Attached for
// the network's lifetime, ahead of any plasticity.
class DiehlCookNetwork::SpikeCounter final : public sim::StepHook {
 public:
  explicit SpikeCounter(sim::PopulationId exc) : exc_(exc) {}
  void count_into(std::span<std::uint32_t> counts) { counts_ = counts; }
  void after_spikes(sim::Network& net, sim::Step) override {
    if (counts_.empty()) return;
    for (const sim::NeuronIndex j : net.population(exc_).last_spikes()) ++counts_[j];
  }

 private:
  sim::PopulationId exc_;
  std::span<std::uint32_t> counts_;
};

void DiehlCookOptions::validate() const {
  require(n_exc >= 2, "Diehl & Cook n_exc " + std::to_string(n_exc) + " (allowed: >= 2)");
  require(weight_bits >= 2 && weight_bits <= 15,
          "Diehl & Cook weight_bits " + std::to_string(weight_bits) + " (allowed: 2..15)");
  require(std::isfinite(dt_ms) && dt_ms > 0.0 && dt_ms <= 1.0,
          "Diehl & Cook dt_ms " + std::to_string(dt_ms) + " (allowed: (0, 1])");
}

sim::LifParameters diehl_cook_exc_parameters(double dt_ms) {
  sim::LifParameters p;
  p.dt_ms = dt_ms;
  p.tau_mem_ms = C::exc_tau_mem_ms;
  p.tau_syn_ms = {C::exc_tau_e_ms, C::exc_tau_i_ms};
  p.v_rest = C::exc_v_rest_mv;
  p.v_reset = C::exc_v_reset_mv;
  p.v_threshold = C::exc_v_threshold_mv;
  p.refractory_ms = C::exc_refractory_ms;
  p.adaptive_threshold = true;
  p.theta_plus = C::theta_plus_mv;
  p.tau_theta_ms = C::tau_theta_ms;
  return p;
}

sim::LifParameters diehl_cook_inh_parameters(double dt_ms) {
  sim::LifParameters p;
  p.dt_ms = dt_ms;
  p.tau_mem_ms = C::inh_tau_mem_ms;
  p.tau_syn_ms = {C::inh_tau_e_ms};
  p.v_rest = C::inh_v_rest_mv;
  p.v_reset = C::inh_v_reset_mv;
  p.v_threshold = C::inh_v_threshold_mv;
  p.refractory_ms = C::inh_refractory_ms;
  return p;
}

sim::FixedPointSpec diehl_cook_fixed_point_spec() {
  sim::FixedPointSpec spec;
  spec.state_frac_bits = 16;
  spec.current_bits = 24;
  spec.voltage_bits = 24;
  spec.theta_bits = 24;
  spec.decay_shift = 16;
  return spec;  // round to nearest (ties to even) and saturation: the defaults
}

std::vector<double> diehl_cook_rates(std::span<const std::uint8_t> pixels, int intensity) {
  std::vector<double> rates(pixels.size());
  for (std::size_t i = 0; i < pixels.size(); ++i) rates[i] = pixels[i] / 8.0 * intensity;
  return rates;
}

DiehlCookNetwork::DiehlCookNetwork(const DiehlCookOptions& options) : options_(options) {
  options.validate();
  network_ = std::make_unique<sim::Network>(sim::NetworkOptions{.dt_ms = options.dt_ms,
                                                                .threads = options.threads,
                                                                .seed = options.seed,
                                                                .min_parallel_neurons = options.min_parallel_neurons});
  sim::Network& net = *network_;
  const bool fixed = options.path == sim::NumericPath::fixed_point;
  const sim::LifParameters exc_lif = diehl_cook_exc_parameters(options.dt_ms);
  const sim::LifParameters inh_lif = diehl_cook_inh_parameters(options.dt_ms);
  const sim::FixedPointSpec spec = diehl_cook_fixed_point_spec();
  input_ = net.add_poisson("input", C::inputs, 0.0);
  exc_ = net.add_lif("exc", options.n_exc, exc_lif, options.path, spec);
  inh_ = net.add_lif("inh", options.n_exc, inh_lif, options.path, spec);

  // Input -> exc. Fixed point: the smallest power-of-two step that holds w_max in the unsigned codes.
  const double unit_weight = exc_lif.weight_for_conductance_jump(C::input_jump_mv, 0);
  sim::WeightQuantization input_quantization{.bits = options.weight_bits, .sign = sim::SignMode::excitatory};
  if (fixed) {
    const double max_code = std::ldexp(1.0, options.weight_bits) - 1.0;
    int exponent = -24;
    while (C::w_max * unit_weight / std::ldexp(spec.state_step(), exponent) > max_code) ++exponent;
    input_quantization.exponent = exponent;
  }
  input_to_exc_ = net.connect({.name = "input_to_exc",
                               .pre = input_,
                               .post = exc_,
                               .receptor = 0,
                               .connectivity = sim::AllToAll{},
                               .weights = sim::UniformWeight{0.0, C::w_init_max * unit_weight},
                               .delays = sim::ConstantDelay{1},
                               .quantization = input_quantization});
  exc_to_inh_ = net.connect({.name = "exc_to_inh",
                             .pre = exc_,
                             .post = inh_,
                             .receptor = 0,
                             .connectivity = sim::OneToOne{},
                             .weights = sim::ConstantWeight{inh_lif.weight_for_conductance_jump(C::ei_jump_mv, 0)},
                             .delays = sim::ConstantDelay{1},
                             .quantization = {.bits = 8, .sign = sim::SignMode::excitatory}});
  inh_to_exc_ = net.connect({.name = "inh_to_exc",
                             .pre = inh_,
                             .post = exc_,
                             .receptor = 1,
                             .connectivity = all_but_partner(options.n_exc),
                             .weights = sim::ConstantWeight{options.lateral_inhibition
                                                                ? exc_lif.weight_for_conductance_jump(C::ie_jump_mv, 1)
                                                                : 0.0},
                             .delays = sim::ConstantDelay{1},
                             .quantization = {.bits = 8, .sign = sim::SignMode::inhibitory}});
  net.prepare();

  const double weight_step = net.projection(input_to_exc_).weight_step();
  steps_per_unit_ = unit_weight / weight_step;
  w_max_steps_ = fixed ? std::floor(C::w_max * steps_per_unit_) : C::w_max * steps_per_unit_;

  counter_ = std::make_unique<SpikeCounter>(exc_);
  net.attach(*counter_);

  if (!options.plastic) return;
  learning::PlasticityOptions plasticity{.min_parallel_synapses = options.min_parallel_synapses};
  plasticity.write_back.upper_bound = w_max_steps_;
  plasticity.write_back.lower_bound = 0.0;
  // Fixed point: the depression of one pre spike is ~0.02 codes; nearest rounding would drop all of it.
  if (fixed) plasticity.write_back.rounding = {quant::RoundingMode::stochastic};
  switch (options.rule) {
    case DiehlCookRule::pair:
      plastic_ = std::make_unique<learning::PlasticProjection>(
          net, input_to_exc_,
          learning::PairStdp{.a_plus = C::nu_post * steps_per_unit_,
                             .a_minus = C::nu_pre * steps_per_unit_,
                             .tau_plus_ms = C::tau_pre_ms,
                             .tau_minus_ms = C::tau_post_ms,
                             .pairing = learning::Pairing::nearest},
          plasticity);
      break;
    case DiehlCookRule::diehl_cook:
      plastic_ = std::make_unique<learning::PlasticProjection>(
          net, input_to_exc_,
          learning::DiehlCookStdp{.form = learning::DiehlCookForm::published_code,
                                  .eta_pre = C::nu_pre * steps_per_unit_,
                                  .eta_post = C::nu_post * steps_per_unit_,
                                  .tau_pre_ms = C::tau_pre_ms,
                                  .tau_post1_ms = C::tau_post_ms,
                                  .tau_post2_ms = C::tau_post2_ms,
                                  .pairing = learning::Pairing::nearest},
          plasticity);
      break;
  }
}

DiehlCookNetwork::~DiehlCookNetwork() {
  plastic_.reset();
  if (counter_) network_->detach(*counter_);
}

std::vector<double> DiehlCookNetwork::input_weights() const {
  const sim::Projection& projection = network_->projection(input_to_exc_);
  std::vector<double> weights;
  weights.reserve(projection.synapse_count());
  const double unit = projection.weight_step() * steps_per_unit_;  // voltage per step of one D&C unit
  for (const auto& s : projection.synapses()) weights.push_back(s.weight / unit);
  return weights;
}

std::vector<double> DiehlCookNetwork::theta_mv() const {
  const sim::Population& exc = network_->population(exc_);
  if (const auto* fixed = dynamic_cast<const sim::FixedLifPopulation*>(&exc)) {
    const double step = diehl_cook_fixed_point_spec().state_step();
    std::vector<double> theta;
    for (const std::int32_t code : fixed->theta_codes()) theta.push_back(code * step);
    return theta;
  }
  const auto values = dynamic_cast<const sim::FloatLifPopulation&>(exc).theta_values();
  return {values.begin(), values.end()};
}

void DiehlCookNetwork::set_input_rates(std::span<const double> rates_hz) {
  network_->population_as<sim::PoissonSource>(input_).set_rates(rates_hz);
}

void DiehlCookNetwork::normalize_weights() {
  if (!plastic_) throw std::logic_error("Diehl & Cook network: weight normalization needs the plastic projection");
  learning::normalize_incoming_weights(*plastic_, C::normalization_sum * steps_per_unit_);
}

void DiehlCookNetwork::run(sim::Step steps, bool learn, std::span<std::uint32_t> counts) {
  counter_->count_into(counts);
  if (learn && plastic_) {
    learning::run_with_plasticity(*network_, {plastic_.get()}, steps);
  } else {
    network_->run(steps);
  }
  counter_->count_into({});
}

DiehlCookSampleResult DiehlCookNetwork::present(std::span<const std::uint8_t> pixels,
                                                const DiehlCookSampleOptions& sample) {
  require(pixels.size() == C::inputs, "Diehl & Cook sample of " + std::to_string(pixels.size()) + " pixels (need 784)");
  const double dt = network_->dt_ms();
  DiehlCookSampleResult result;
  result.exc_spike_counts.assign(options_.n_exc, 0);
  const std::vector<double> silence(C::inputs, 0.0);
  sim::Network& net = *network_;
  for (int intensity = 2;; ++intensity) {
    if (sample.normalize && plastic_) normalize_weights();
    const std::uint64_t in0 = net.spike_count(input_), e0 = net.spike_count(exc_), i0 = net.spike_count(inh_);
    std::fill(result.exc_spike_counts.begin(), result.exc_spike_counts.end(), 0U);
    set_input_rates(diehl_cook_rates(pixels, intensity));
    run(steps_of(sample.image_ms, dt), sample.learn, result.exc_spike_counts);
    set_input_rates(silence);
    run(steps_of(sample.rest_ms, dt), sample.learn, {});
    result.input_spikes += net.spike_count(input_) - in0;
    result.exc_spikes += net.spike_count(exc_) - e0;
    result.inh_spikes += net.spike_count(inh_) - i0;
    std::uint64_t shown = 0;
    for (const auto n : result.exc_spike_counts) shown += n;
    if (!sample.boost || shown >= C::min_spikes || result.boosts >= sample.max_boosts) break;
    ++result.boosts;
  }
  return result;
}

}  // namespace qsnn::experiments
