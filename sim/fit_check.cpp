#include "sim/fit_check.hpp"

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "sim/lif_population.hpp"
#include "sim/network.hpp"

namespace qsnn::sim {
namespace {

std::string quoted(const std::string& name) { return "'" + name + "'"; }

// The synapses of one projection onto an on-chip population, sorted by (pre, post).
struct Incoming {
  std::size_t projection = 0;
  std::vector<Projection::Synapse> synapses;
  int weight_bits = 0;
  bool has_delays = false;  // any delay other than the one-step synaptic delay
};

struct SliceUsage {
  NeuronIndex first = 0;
  NeuronIndex neurons = 0;
  std::uint64_t axons = 0;
  std::uint64_t synapses = 0;
  std::uint64_t bits = 0;
};

struct Limits {
  std::optional<std::uint64_t> neurons, axons, bits;
};

bool slice_fits(const SliceUsage& s, const Limits& limits) {
  return (!limits.neurons || s.neurons <= *limits.neurons) && (!limits.axons || s.axons <= *limits.axons) &&
         (!limits.bits || s.bits <= *limits.bits);
}

// Usage of each of `slices` contiguous near-equal slices of a population: O(synapses onto it).
std::vector<SliceUsage> evaluate(NeuronIndex size, std::uint64_t slices, const std::vector<Incoming>& incoming,
                                 const ChipPreset& preset) {
  std::vector<SliceUsage> usage(slices);
  std::vector<NeuronIndex> begin(slices + 1);
  for (std::uint64_t s = 0; s <= slices; ++s) begin[s] = static_cast<NeuronIndex>(size * s / slices);
  for (std::uint64_t s = 0; s < slices; ++s) {
    usage[s].first = begin[s];
    usage[s].neurons = begin[s + 1] - begin[s];
  }
  const bool two_signs = preset.weights.sign_per_axon;
  for (const Incoming& in : incoming) {
    const auto& syn = in.synapses;
    std::size_t k = 0;
    while (k < syn.size()) {
      const NeuronIndex pre = syn[k].pre;
      std::size_t slice = 0;
      while (k < syn.size() && syn[k].pre == pre) {
        while (syn[k].post >= begin[slice + 1]) ++slice;
        std::uint64_t positive = 0, negative = 0;
        for (; k < syn.size() && syn[k].pre == pre && syn[k].post < begin[slice + 1]; ++k)
          ++(syn[k].weight < 0.0 ? negative : positive);
        SliceUsage& u = usage[slice];
        u.synapses += positive + negative;
        const std::uint64_t neurons = u.neurons;
        if (two_signs) {
          u.axons += (positive > 0 ? 1 : 0) + (negative > 0 ? 1 : 0);
          u.bits += preset.synapse_memory.row_bits(positive, in.weight_bits, neurons, in.has_delays) +
                    preset.synapse_memory.row_bits(negative, in.weight_bits, neurons, in.has_delays);
        } else {
          u.axons += 1;
          u.bits += preset.synapse_memory.row_bits(positive + negative, in.weight_bits, neurons, in.has_delays);
        }
      }
    }
  }
  return usage;
}

struct Mapping {
  std::uint64_t slices = 0;
  std::vector<SliceUsage> usage;
  bool feasible = false;
};

Mapping try_slices(NeuronIndex size, std::uint64_t slices, const std::vector<Incoming>& incoming,
                   const ChipPreset& preset, const Limits& limits) {
  Mapping m{slices, evaluate(size, slices, incoming, preset), true};
  for (const SliceUsage& s : m.usage) m.feasible = m.feasible && slice_fits(s, limits);
  return m;
}

// How far the worst slice is over its axon and memory limits (>= 1 when infeasible).
double overload(const Mapping& m, const Limits& limits) {
  double worst = 1.0;
  for (const SliceUsage& s : m.usage) {
    if (limits.axons && *limits.axons > 0)
      worst = std::max(worst, static_cast<double>(s.axons) / static_cast<double>(*limits.axons));
    if (limits.bits && *limits.bits > 0)
      worst = std::max(worst, static_cast<double>(s.bits) / static_cast<double>(*limits.bits));
  }
  return worst;
}

// The fewest slices found that fit, or one neuron per core when none does.
Mapping split_population(NeuronIndex size, const std::vector<Incoming>& incoming, const ChipPreset& preset,
                         const Limits& limits) {
  const std::uint64_t per_core = limits.neurons.value_or(size);
  std::uint64_t slices = std::max<std::uint64_t>(1, (size + per_core - 1) / std::max<std::uint64_t>(per_core, 1));
  slices = std::min<std::uint64_t>(slices, size);
  std::uint64_t infeasible = slices - 1;  // slice counts below the neuron bound never fit
  Mapping m = try_slices(size, slices, incoming, preset, limits);
  while (!m.feasible && slices < size) {
    infeasible = slices;
    // At least double, so a population no slice count fits costs O(log size) evaluations.
    const auto grown = static_cast<std::uint64_t>(static_cast<double>(slices) * overload(m, limits)) + 1;
    slices = std::min<std::uint64_t>(size, std::max(2 * slices, grown));
    m = try_slices(size, slices, incoming, preset, limits);
  }
  if (!m.feasible) return m;
  // Feasibility is not strictly monotone in the slice count; bisect between the last failure and the fit.
  std::uint64_t lo = infeasible, hi = slices;
  while (hi - lo > 1) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    Mapping candidate = try_slices(size, mid, incoming, preset, limits);
    if (candidate.feasible) {
      hi = mid;
      m = std::move(candidate);
    } else {
      lo = mid;
    }
  }
  return m;
}

std::string state_name(const char* variable, const quant::QFormat& format) {
  return std::to_string(format.total_bits()) + "-bit " + variable;
}

}  // namespace

FitReport check_fit(Network& network, const ChipPreset& preset, const FitOptions& options) {
  if (options.chips == 0) throw std::invalid_argument("fit check needs at least one chip (chips = 0)");
  network.prepare();
  const ChipLimits& L = preset.limits;
  const std::string& chip = preset.name;
  FitReport report;
  report.preset = chip;
  report.chips_available = options.chips;

  auto unchecked = [&](bool known, const std::string& what) {
    if (!known) report.unchecked.push_back(chip + ": " + what + " not known (not checked)");
  };
  unchecked(L.neurons_per_core.has_value(), "neurons per core");
  unchecked(L.input_axons_per_core.has_value(), "input axons per core");
  unchecked(L.synapse_memory_bits_per_core.has_value(), "synapse memory per core");
  unchecked(L.synapse_memory_bits_per_chip.has_value(), "synapse memory per chip");
  unchecked(L.cores_per_chip.has_value(), "cores per chip");
  unchecked(L.max_delay_steps.has_value(), "maximum synaptic delay");
  unchecked(preset.weights.has_exponent, "weight exponent range");

  const std::size_t population_count = network.population_count();
  std::vector<bool> on_chip(population_count, false);
  for (std::size_t p = 0; p < population_count; ++p) {
    const Population& population = network.population(PopulationId{static_cast<std::uint32_t>(p)});
    on_chip[p] = dynamic_cast<const FixedLifPopulation*>(&population) != nullptr ||
                 dynamic_cast<const FloatLifPopulation*>(&population) != nullptr;
  }

  // ---- projections: fan-in per neuron, weights, delays ----
  std::vector<std::vector<Incoming>> incoming(population_count);
  std::vector<std::vector<std::uint64_t>> population_fan_in(population_count);
  std::vector<bool> projection_fan_in_violated(population_count, false);
  std::vector<std::string> projection_violations;
  for (std::size_t q = 0; q < network.projection_count(); ++q) {
    const Projection& projection = network.projection(ProjectionId{static_cast<std::uint32_t>(q)});
    const ProjectionSpec& spec = projection.spec();
    const std::size_t post = spec.post.value;
    const Population& post_population = network.population(spec.post);
    const bool fixed_target = dynamic_cast<const FixedLifPopulation*>(&post_population) != nullptr;
    const std::string name = "projection " + quoted(projection.name());

    ProjectionFit fit;
    fit.name = projection.name();
    fit.synapses = projection.synapse_count();
    fit.weight_bits = projection.weight_bits();
    fit.sign = spec.quantization.sign;

    Incoming in;
    in.projection = q;
    in.synapses = projection.synapses();
    in.weight_bits = projection.weight_bits();
    in.has_delays = projection.max_delay() > 1;

    // Distinct presynaptic neurons per postsynaptic neuron (synapses come sorted by (pre, post)).
    std::vector<std::uint64_t> fan_in(post_population.size(), 0);
    for (std::size_t k = 0; k < in.synapses.size(); ++k) {
      const auto& s = in.synapses[k];
      if (k == 0 || s.pre != in.synapses[k - 1].pre || s.post != in.synapses[k - 1].post) ++fan_in[s.post];
      if (fixed_target) fit.max_abs_code = std::max<std::int64_t>(fit.max_abs_code, std::abs(s.code));
    }
    for (std::uint64_t f : fan_in) fit.max_fan_in = std::max(fit.max_fan_in, f);
    if (population_fan_in[post].empty()) population_fan_in[post].assign(post_population.size(), 0);
    for (std::size_t i = 0; i < fan_in.size(); ++i) population_fan_in[post][i] += fan_in[i];

    if (fixed_target)
      fit.chip_exponent = chip_weight_exponent(preset, projection.weight_exponent(), fit.weight_bits, fit.sign);

    if (on_chip[post]) {
      if (L.input_axons_per_core && fit.max_fan_in > *L.input_axons_per_core) {
        projection_violations.push_back(name + ": fan-in " + std::to_string(fit.max_fan_in) + " exceeds " + chip +
                                        "'s " + std::to_string(*L.input_axons_per_core) + " input axons per core");
        projection_fan_in_violated[post] = true;
      }
      const int max_bits = preset.weights.max_bits_for(fit.sign);
      const std::string sign_name(sign_mode_name(fit.sign));
      if (max_bits == 0) {
        projection_violations.push_back(name + ": " + chip + " has no " + sign_name + "-sign weights");
      } else if (fit.weight_bits > max_bits) {
        projection_violations.push_back(name + ": " + std::to_string(fit.weight_bits) + "-bit " + sign_name +
                                        " weights exceed " + chip + "'s " + std::to_string(max_bits) +
                                        " weight bits");
      } else if (!preset.weights.allows_bits(fit.weight_bits)) {
        projection_violations.push_back(name + ": " + std::to_string(fit.weight_bits) + "-bit weights are not a " +
                                        chip + " weight width (allowed: " + preset.weights.allowed_bits_text() + ")");
      }
      if (fixed_target && fit.max_abs_code > preset.weights.max_magnitude)
        projection_violations.push_back(name + ": weight code magnitude " + std::to_string(fit.max_abs_code) +
                                        " exceeds " + chip + "'s largest weight " +
                                        std::to_string(preset.weights.max_magnitude));
      if (fit.chip_exponent && (*fit.chip_exponent < preset.weights.exponent_min ||
                                *fit.chip_exponent > preset.weights.exponent_max))
        projection_violations.push_back(name + ": weight exponent " + std::to_string(projection.weight_exponent()) +
                                        " is " + chip + " weight_exp " + std::to_string(*fit.chip_exponent) +
                                        ", outside " + std::to_string(preset.weights.exponent_min) + ".." +
                                        std::to_string(preset.weights.exponent_max));
      if (L.max_delay_steps && projection.max_delay() > *L.max_delay_steps)
        projection_violations.push_back(name + ": delay of " + std::to_string(projection.max_delay()) +
                                        " steps exceeds " + chip + "'s " + std::to_string(*L.max_delay_steps));
      incoming[post].push_back(std::move(in));
    }
    report.projections.push_back(std::move(fit));
  }

  // ---- populations: state widths, per-neuron weight variety, mapping onto cores ----
  const Limits limits{L.neurons_per_core, L.input_axons_per_core, L.synapse_memory_bits_per_core};
  for (std::size_t p = 0; p < population_count; ++p) {
    const Population& population = network.population(PopulationId{static_cast<std::uint32_t>(p)});
    const std::string name = "population " + quoted(population.name());
    PopulationFit fit;
    fit.name = population.name();
    fit.size = population.size();
    fit.on_chip = on_chip[p];
    for (std::uint64_t f : population_fan_in[p]) fit.max_fan_in = std::max(fit.max_fan_in, f);
    if (!fit.on_chip) {
      report.populations.push_back(std::move(fit));
      continue;
    }

    if (const auto* fixed = dynamic_cast<const FixedLifPopulation*>(&population)) {
      const kernels::FixedLifConstants& c = fixed->constants();
      std::vector<std::pair<const char*, quant::QFormat>> formats{{"current", c.current_format},
                                                                  {"voltage", c.voltage_format}};
      if (c.adaptive_threshold) formats.emplace_back("theta", c.theta_format);
      for (const auto& [variable, format] : formats) {
        fit.state_bits = std::max(fit.state_bits, format.total_bits());
        if (format.total_bits() > L.max_state_bits)
          report.violations.push_back(name + ": " + state_name(variable, format) + " exceeds " + chip + "'s " +
                                      std::to_string(L.max_state_bits) + "-bit state");
      }
    } else {
      report.violations.push_back(name + ": float64 state does not fit " + chip + "'s " +
                                  std::to_string(L.max_state_bits) + "-bit fixed-point state");
    }

    if (L.distinct_weights_per_neuron) {
      std::vector<std::vector<double>> weights(population.size());
      for (const Incoming& in : incoming[p])
        for (const auto& s : in.synapses) weights[s.post].push_back(s.weight);
      std::size_t worst = 0;
      NeuronIndex worst_neuron = 0;
      for (NeuronIndex i = 0; i < population.size(); ++i) {
        auto& w = weights[i];
        std::sort(w.begin(), w.end());
        const auto distinct = static_cast<std::size_t>(std::unique(w.begin(), w.end()) - w.begin());
        if (distinct > worst) {
          worst = distinct;
          worst_neuron = i;
        }
      }
      if (worst > *L.distinct_weights_per_neuron)
        report.violations.push_back(name + ": neuron " + std::to_string(worst_neuron) + " receives " +
                                    std::to_string(worst) + " distinct weights, exceeds " + chip + "'s " +
                                    std::to_string(*L.distinct_weights_per_neuron) +
                                    " weights per neuron (one per axon type)");
    }

    Mapping mapping;
    if (options.split_populations) {
      mapping = split_population(population.size(), incoming[p], preset, limits);
      if (!mapping.feasible) {
        // Even one neuron per core does not fit: name the neuron that needs the most.
        const auto most = [&](auto field) {
          return *std::max_element(mapping.usage.begin(), mapping.usage.end(),
                                   [&](const SliceUsage& a, const SliceUsage& b) { return field(a) < field(b); });
        };
        const SliceUsage axons = most([](const SliceUsage& s) { return s.axons; });
        const SliceUsage bits = most([](const SliceUsage& s) { return s.bits; });
        if (limits.axons && axons.axons > *limits.axons && !projection_fan_in_violated[p])
          report.violations.push_back(name + ": neuron " + std::to_string(axons.first) + " needs " +
                                      std::to_string(axons.axons) + " input axons over " +
                                      std::to_string(incoming[p].size()) + " projections, exceeds " + chip + "'s " +
                                      std::to_string(*limits.axons) + " input axons per core");
        if (limits.bits && bits.bits > *limits.bits)
          report.violations.push_back(name + ": neuron " + std::to_string(bits.first) + " needs " +
                                      std::to_string(bits.bits) + " bits of synapse memory, exceeds " + chip + "'s " +
                                      std::to_string(*limits.bits) + " bits per core");
      }
    } else {
      mapping = try_slices(population.size(), 1, incoming[p], preset, limits);
      const SliceUsage& u = mapping.usage.front();
      if (limits.neurons && u.neurons > *limits.neurons)
        report.violations.push_back(name + ": " + std::to_string(u.neurons) + " neurons exceed " + chip + "'s " +
                                    std::to_string(*limits.neurons) + " neurons per core (populations not split)");
      if (limits.axons && u.axons > *limits.axons && !projection_fan_in_violated[p])
        report.violations.push_back(name + ": " + std::to_string(u.axons) + " input axons exceed " + chip + "'s " +
                                    std::to_string(*limits.axons) + " input axons per core (populations not split)");
      if (limits.bits && u.bits > *limits.bits)
        report.violations.push_back(name + ": " + std::to_string(u.bits) + " bits of synapse memory exceed " + chip +
                                    "'s " + std::to_string(*limits.bits) + " bits per core (populations not split)");
    }
    fit.cores = mapping.slices;
    report.cores_needed += mapping.slices;
    for (const SliceUsage& s : mapping.usage) {
      report.cores.push_back({population.name(), s.first, s.neurons, s.axons, s.synapses, s.bits});
      report.max_synapse_memory_bits_per_core = std::max(report.max_synapse_memory_bits_per_core, s.bits);
      report.total_synapse_memory_bits += s.bits;
    }
    report.populations.push_back(std::move(fit));
  }
  report.violations.insert(report.violations.end(), projection_violations.begin(), projection_violations.end());

  // ---- the network as a whole ----
  const std::string chips_text = std::to_string(options.chips) + (options.chips == 1 ? " chip" : " chips");
  if (L.cores_per_chip) {
    report.chips_needed = (report.cores_needed + *L.cores_per_chip - 1) / *L.cores_per_chip;
    if (report.cores_needed > *L.cores_per_chip * options.chips)
      report.violations.push_back("network needs " + std::to_string(report.cores_needed) + " cores, exceeds " + chip +
                                  "'s " + std::to_string(*L.cores_per_chip) + " cores per chip x " + chips_text);
  }
  if (L.synapse_memory_bits_per_chip &&
      report.total_synapse_memory_bits > *L.synapse_memory_bits_per_chip * options.chips)
    report.violations.push_back("network needs " + std::to_string(report.total_synapse_memory_bits) +
                                " bits of synapse memory, exceeds " + chip + "'s " +
                                std::to_string(*L.synapse_memory_bits_per_chip) + " bits per chip x " + chips_text);
  return report;
}

std::string FitReport::to_string() const {
  std::ostringstream out;
  out << "fit on " << preset << ": " << (fits() ? "fits" : "does not fit") << "; " << cores_needed << " cores";
  if (chips_needed > 0) out << " (" << chips_needed << " of " << chips_available << " chips needed)";
  out << ", synapse memory " << total_synapse_memory_bits << " bits, at most " << max_synapse_memory_bits_per_core
      << " bits per core\n";
  for (const PopulationFit& p : populations) {
    out << "  population '" << p.name << "': " << p.size << " neurons";
    if (p.on_chip)
      out << " on " << p.cores << " cores, max fan-in " << p.max_fan_in << ", state " << p.state_bits << " bits";
    else
      out << " (off-chip source)";
    out << '\n';
  }
  for (const std::string& v : violations) out << "  violation: " << v << '\n';
  for (const std::string& u : unchecked) out << "  unchecked: " << u << '\n';
  return out.str();
}

}  // namespace qsnn::sim
