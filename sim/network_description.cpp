#include "sim/network_description.hpp"

#include <algorithm>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "sim/lif_population.hpp"
#include "sim/poisson_source.hpp"

namespace qsnn::sim {
namespace {

// Exponents a WeightQuantization accepts (sim/projection.hpp).
constexpr int kMinWeightExponent = -24;
constexpr int kMaxWeightExponent = 24;

const LifPopulationDescription* as_lif(const NetworkDescription& description, PopulationId id) {
  return std::get_if<LifPopulationDescription>(&description.populations[id.value]);
}

}  // namespace

const std::string& population_description_name(const PopulationDescription& population) {
  return std::visit([](const auto& p) -> const std::string& { return p.name; }, population);
}

PopulationId NetworkDescription::add(PopulationDescription population) {
  populations.push_back(std::move(population));
  return PopulationId{static_cast<std::uint32_t>(populations.size() - 1)};
}

ProjectionId NetworkDescription::connect(ProjectionSpec projection) {
  projections.push_back(std::move(projection));
  return ProjectionId{static_cast<std::uint32_t>(projections.size() - 1)};
}

const std::string& NetworkDescription::population_name(PopulationId id) const {
  if (id.value >= populations.size())
    throw std::invalid_argument("network description has no population " + std::to_string(id.value) + " (it has " +
                                std::to_string(populations.size()) + ")");
  return population_description_name(populations[id.value]);
}

BuiltNetwork build(Network& network, const NetworkDescription& description, std::optional<NumericPath> force_path) {
  if (network.population_count() != 0 || network.projection_count() != 0)
    throw std::invalid_argument(
        "build: the network must be empty, so its population and projection indices (which key the random "
        "streams) match the description's");
  BuiltNetwork built;
  for (const PopulationDescription& population : description.populations) {
    const PopulationId id = std::visit(
        [&](const auto& p) -> PopulationId {
          using Description = std::decay_t<decltype(p)>;
          if constexpr (std::is_same_v<Description, LifPopulationDescription>) {
            const NumericPath path = force_path.value_or(p.path);
            const PopulationId lif = network.add_lif(p.name, p.size, p.parameters, path, p.fixed);
            if (path == NumericPath::fixed_point) {
              auto& target = network.population_as<FixedLifPopulation>(lif);
              if (!p.initial_voltage.empty()) target.set_voltage(p.initial_voltage);
              if (!p.injection.empty()) target.set_injection(p.injection);
            } else {
              auto& target = network.population_as<FloatLifPopulation>(lif);
              if (!p.initial_voltage.empty()) target.set_voltage(p.initial_voltage);
              if (!p.injection.empty()) target.set_injection(p.injection);
            }
            return lif;
          } else if constexpr (std::is_same_v<Description, PoissonSourceDescription>) {
            const PopulationId source = network.add_poisson(p.name, p.size, p.rate_hz);
            if (!p.rates_hz.empty()) network.population_as<PoissonSource>(source).set_rates(p.rates_hz);
            return source;
          } else {
            return network.add_spike_times(p.name, p.size, p.spikes);
          }
        },
        population);
    built.populations.push_back(id);
  }
  for (std::size_t q = 0; q < description.projections.size(); ++q) {
    ProjectionSpec spec = description.projections[q];
    if (spec.pre.value >= description.populations.size() || spec.post.value >= description.populations.size())
      throw std::invalid_argument("projection '" + spec.name + "' refers to population " +
                                  std::to_string(std::max(spec.pre.value, spec.post.value)) +
                                  " but the description has " + std::to_string(description.populations.size()));
    // The network's own default is the projection index too; stating it keeps the twin's synapses identical
    // even if the network's default ever changes, and shows in spec() which stream was used.
    spec.stream = spec.stream.value_or(q);
    const LifPopulationDescription* post = as_lif(description, spec.post);
    if (force_path && post != nullptr && post->path == NumericPath::fixed_point &&
        *force_path == NumericPath::float64 && spec.float_uses_quantized_weights && spec.quantization.exponent) {
      const int shifted = *spec.quantization.exponent - post->fixed.state_frac_bits;
      if (shifted < kMinWeightExponent || shifted > kMaxWeightExponent)
        throw std::invalid_argument("projection '" + spec.name + "': weight exponent " +
                                    std::to_string(*spec.quantization.exponent) + " with " +
                                    std::to_string(post->fixed.state_frac_bits) +
                                    " state fractional bits has no float64 equivalent within " +
                                    std::to_string(kMinWeightExponent) + ".." + std::to_string(kMaxWeightExponent));
      spec.quantization.exponent = shifted;
    }
    built.projections.push_back(network.connect(std::move(spec)));
  }
  return built;
}

}  // namespace qsnn::sim
