#include "experiments/simulation_config_reader.hpp"

#include "experiments/write_back_config_reader.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <set>
#include <stdexcept>
#include <utility>

#include "quant/counter_rng.hpp"
#include "quant/overflow.hpp"
#include "quant/rounding_mode.hpp"
#include "sim/fit_check.hpp"

namespace qsnn::experiments {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::int64_t kMaxNeurons = std::int64_t{1} << 31;
// Counter-RNG streams of random initial voltages, one per population index (the network's own streams
// start at 2^40, sim/network.cpp).
constexpr std::uint64_t kInitialVoltageStream = 0xC0BA0000;

constexpr std::array<std::string_view, 6> kTables{"run", "chip", "population", "projection", "plasticity", "record"};

// A string key whose value a quant/sim parser turns into an enum; its std::invalid_argument (which lists the
// valid names) becomes a ConfigError at the key.
template <class Parse>
auto named(const TableReader& reader, std::string_view key, Parse parse)
    -> std::optional<decltype(parse(std::string_view{}))> {
  const auto text = reader.non_empty_string(key);
  if (!text) return std::nullopt;
  try {
    return parse(*text);
  } catch (const std::invalid_argument& error) {
    reader.fail_at(key, "key '" + reader.key_path(key) + "': " + error.what());
  }
}

// [[name]] arrays of tables: each element read by `read(reader_path, table)`.
template <class Read>
void for_each_table(const TableReader& top, std::string_view key, Read read) {
  const toml::array* array = top.array(key, false, "array of tables, [[" + std::string(key) + "]]");
  if (array == nullptr) return;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::node& node = *array->get(i);
    const std::string path = std::string(key) + "[" + std::to_string(i) + "]";
    if (!node.is_table())
      top.locator().fail(path, node.source(), "key '" + path + "' " + describe(node) + " (allowed: table)");
    read(path, *node.as_table());
  }
}

RunSettings read_run(const TableReader& top) {
  const toml::table* table = top.table("run", true, "table with duration_ms and output");
  const TableReader r{top.locator(), *table, "run",
                      {"seed", "threads", "dt_ms", "duration_ms", "checkpoint_every_ms", "output"}};
  RunSettings run;
  if (const auto v = r.integer("seed", 0, std::numeric_limits<std::int64_t>::max())) run.seed = static_cast<std::uint64_t>(*v);
  if (const auto v = r.integer("threads", 0, 1024)) run.threads = static_cast<std::size_t>(*v);
  if (const auto v = r.number("dt_ms", 0.0, 100.0, true)) run.dt_ms = *v;
  const auto duration = r.number("duration_ms", 0.0, 1e9, true);
  if (!duration) r.fail_at("duration_ms", "key 'run.duration_ms' is missing (allowed: number > 0 and <= 1e+09)");
  run.duration_ms = *duration;
  if (const auto v = r.number("checkpoint_every_ms", 0.0, 1e9, true)) run.checkpoint_every_ms = *v;
  const auto output = r.non_empty_string("output");
  if (!output) r.fail_at("output", "key 'run.output' is missing (allowed: a file name ending in .h5)");
  if (output->size() < 4 || output->substr(output->size() - 3) != ".h5")
    r.fail_at("output", "key 'run.output' = " + toml_quoted(*output) + " is not allowed (allowed: a file name ending in .h5)");
  run.output = *output;
  return run;
}

sim::FixedPointSpec read_fixed(const TableReader& reader, sim::FixedPointSpec spec) {
  const toml::table* table = reader.table("fixed", false, "table");
  if (table == nullptr) return spec;
  const TableReader f{reader.locator(), *table, reader.key_path("fixed"),
                      {"state_frac_bits", "current_bits", "voltage_bits", "theta_bits", "current_overflow",
                       "voltage_overflow", "theta_overflow", "decay_shift", "current_decay_rounding",
                       "voltage_decay_rounding", "theta_decay_rounding", "input_rounding"}};
  if (const auto v = f.integer("state_frac_bits", 0, 30)) spec.state_frac_bits = static_cast<int>(*v);
  if (const auto v = f.integer("current_bits", 8, 32)) spec.current_bits = static_cast<int>(*v);
  if (const auto v = f.integer("voltage_bits", 8, 32)) spec.voltage_bits = static_cast<int>(*v);
  if (const auto v = f.integer("theta_bits", 8, 32)) spec.theta_bits = static_cast<int>(*v);
  if (const auto v = f.integer("decay_shift", 1, 24)) spec.decay_shift = static_cast<unsigned>(*v);
  const auto overflow = [&](std::string_view key, quant::OverflowMode& mode) {
    if (const auto v = named(f, key, quant::parse_overflow)) mode = *v;
  };
  overflow("current_overflow", spec.current_overflow);
  overflow("voltage_overflow", spec.voltage_overflow);
  overflow("theta_overflow", spec.theta_overflow);
  const auto rounding = [&](std::string_view key, quant::RoundingSpec& r) {
    if (const auto v = named(f, key, quant::parse_rounding)) r.mode = *v;
  };
  rounding("current_decay_rounding", spec.current_decay_rounding);
  rounding("voltage_decay_rounding", spec.voltage_decay_rounding);
  rounding("theta_decay_rounding", spec.theta_decay_rounding);
  rounding("input_rounding", spec.input_rounding);
  try {
    spec.validate();
  } catch (const std::invalid_argument& error) {
    f.locator().fail(reader.key_path("fixed"), table->source(), "table '" + reader.key_path("fixed") + "': " + error.what());
  }
  return spec;
}

constexpr std::array<std::string_view, 3> kPopulationKinds{"lif", "poisson", "spike-times"};
constexpr std::array<std::string_view, 2> kPaths{"fixed-point", "float64"};
constexpr std::array<std::string_view, 2> kResets{"to-value", "subtract"};

sim::PopulationDescription read_population(const TableReader& top, const std::string& path, const toml::table& table,
                                           const SimulationConfig& config) {
  // Kind first, so that the unknown-key check knows which keys the kind allows.
  std::vector<std::string_view> keys{"name", "kind", "size"};
  std::vector<std::string_view> present;  // no unknown-key check yet: that needs the kind
  for (const auto& [key, node] : table) present.push_back(key.str());
  const TableReader probe{top.locator(), table, path, present};
  const std::size_t kind = probe.choice("kind", kPopulationKinds);
  if (kind == 0) {
    keys.insert(keys.end(), {"path", "tau_mem_ms", "tau_syn_ms", "v_rest", "v_reset", "v_threshold", "steady_drive",
                             "refractory_ms", "reset", "adaptive_threshold", "theta_plus", "tau_theta_ms",
                             "initial_voltage", "injection", "fixed"});
  } else if (kind == 1) {
    keys.insert(keys.end(), {"rate_hz", "rates_hz"});
  } else {
    keys.insert(keys.end(), {"times_ms", "neurons"});
  }
  const TableReader r{top.locator(), table, path, keys};
  const auto name = r.non_empty_string("name");
  if (!name) r.fail_at("name", "key '" + r.key_path("name") + "' is missing (allowed: non-empty string)");
  const auto size_value = r.integer("size", 1, kMaxNeurons);
  if (!size_value) r.fail_at("size", "key '" + r.key_path("size") + "' is missing (allowed: integer 1.." + std::to_string(kMaxNeurons) + ")");
  const auto size = static_cast<sim::NeuronIndex>(*size_value);
  const auto sized = [&](std::string_view key, const std::vector<double>& values) {
    if (!values.empty() && values.size() != size)
      r.fail_at(key, "key '" + r.key_path(key) + "' has " + std::to_string(values.size()) + " values for " +
                         std::to_string(size) + " neurons (allowed: one per neuron, or absent)");
  };

  if (kind == 0) {
    sim::LifPopulationDescription lif{.name = *name, .size = size};
    lif.path = r.choice("path", kPaths, 0) == 0 ? sim::NumericPath::fixed_point : sim::NumericPath::float64;
    sim::LifParameters& p = lif.parameters;
    if (const auto v = r.number("tau_mem_ms", 0.0, 1e7, true)) p.tau_mem_ms = *v;
    if (const auto v = r.numbers("tau_syn_ms", 1e-9, 1e9); !v.empty()) {
      if (v.size() > 4) r.fail_at("tau_syn_ms", "key '" + r.key_path("tau_syn_ms") + "' has " + std::to_string(v.size()) + " receptors (allowed: 1..4 time constants)");
      p.tau_syn_ms = v;
    }
    if (const auto v = r.number("v_rest", -kInf, kInf)) p.v_rest = *v;
    if (const auto v = r.number("v_reset", -kInf, kInf)) p.v_reset = *v;
    if (const auto v = r.number("v_threshold", -kInf, kInf)) p.v_threshold = *v;
    if (const auto v = r.number("steady_drive", -kInf, kInf)) p.steady_drive = *v;
    if (const auto v = r.number("refractory_ms", 0.0, 1e6)) p.refractory_ms = *v;
    p.reset = r.choice("reset", kResets, 0) == 0 ? kernels::ResetMode::to_value : kernels::ResetMode::subtract;
    if (const auto v = r.boolean("adaptive_threshold")) p.adaptive_threshold = *v;
    if (const auto v = r.number("theta_plus", 0.0, kInf)) p.theta_plus = *v;
    if (const auto v = r.number("tau_theta_ms", 0.0, kInf, true)) p.tau_theta_ms = *v;
    p.dt_ms = config.run.dt_ms;
    try {
      p.validate();
    } catch (const std::invalid_argument& error) {
      top.locator().fail(path, table.source(), "population '" + *name + "': " + error.what());
    }
    if (const toml::node* init = table.get("initial_voltage"); init != nullptr && init->is_table()) {
      // v0 = low + u * (high - u), u uniform in [0, 1) keyed by (seed, stream of this population, neuron).
      const TableReader u{top.locator(), *init->as_table(), r.key_path("initial_voltage"), {"kind", "low", "high"}};
      constexpr std::array<std::string_view, 1> kInitKinds{"uniform"};
      u.choice("kind", kInitKinds);
      const double low = u.number("low", -kInf, kInf).value_or(p.v_rest);
      const double high = u.number("high", -kInf, kInf).value_or(p.v_threshold);
      if (high < low) u.fail_at("high", "key '" + u.key_path("high") + "' is below low (allowed: high >= low)");
      const quant::CounterRng rng{config.run.seed, kInitialVoltageStream + config.network.populations.size()};
      lif.initial_voltage.resize(size);
      for (sim::NeuronIndex i = 0; i < size; ++i) lif.initial_voltage[i] = low + rng.uniform01(0, i) * (high - low);
    } else {
      lif.initial_voltage = r.numbers("initial_voltage", -kInf, kInf);
      sized("initial_voltage", lif.initial_voltage);
    }
    lif.injection = r.numbers("injection", -kInf, kInf);
    sized("injection", lif.injection);
    sim::FixedPointSpec base;
    if (config.chip) base = sim::fixed_point_spec(sim::chip_preset(*config.chip));
    lif.fixed = read_fixed(r, base);
    if (lif.path == sim::NumericPath::fixed_point) {
      try {
        (void)sim::discretize_fixed(p, lif.fixed);
      } catch (const std::invalid_argument& error) {
        top.locator().fail(path, table.source(), "population '" + *name + "': " + error.what());
      }
    }
    return lif;
  }
  if (kind == 1) {
    const double max_rate = 1000.0 / config.run.dt_ms;  // one spike per step at most
    sim::PoissonSourceDescription poisson{.name = *name, .size = size};
    if (const auto v = r.number("rate_hz", 0.0, max_rate)) poisson.rate_hz = *v;
    poisson.rates_hz = r.numbers("rates_hz", 0.0, max_rate);
    sized("rates_hz", poisson.rates_hz);
    return poisson;
  }
  sim::SpikeTimeSourceDescription source{.name = *name, .size = size};
  const auto times = r.numbers("times_ms", 0.0, 1e9);
  const auto neurons = r.integers("neurons", 0, static_cast<std::int64_t>(size) - 1);
  if (times.size() != neurons.size())
    r.fail_at("neurons", "keys '" + r.key_path("times_ms") + "' and '" + r.key_path("neurons") + "' have " +
                             std::to_string(times.size()) + " and " + std::to_string(neurons.size()) +
                             " values (allowed: one neuron per time)");
  for (std::size_t k = 0; k < times.size(); ++k) {
    const double steps = times[k] / config.run.dt_ms;
    if (std::abs(steps - std::round(steps)) > 1e-6)
      r.fail_at("times_ms", "key '" + r.key_path("times_ms") + "' has time " + std::to_string(times[k]) +
                                " ms that is not a whole number of steps of dt_ms = " + std::to_string(config.run.dt_ms));
    source.spikes.push_back({static_cast<sim::Step>(std::llround(steps)), static_cast<sim::NeuronIndex>(neurons[k])});
  }
  return source;
}

constexpr std::array<std::string_view, 4> kConnectivity{"all-to-all", "one-to-one", "fixed-probability", "fixed-fan-in"};
constexpr std::array<std::string_view, 3> kWeightKinds{"constant", "uniform", "normal"};
constexpr std::array<std::string_view, 2> kDelayKinds{"constant", "uniform"};

sim::ProjectionSpec read_projection(const TableReader& top, const std::string& path, const toml::table& table,
                                    const SimulationConfig& config) {
  const TableReader r{top.locator(), table, path,
                      {"name", "pre", "post", "receptor", "connectivity", "weights", "delays", "quantization",
                       "float_uses_quantized_weights"}};
  sim::ProjectionSpec spec;
  const auto population = [&](std::string_view key) {
    const auto name = r.non_empty_string(key);
    if (!name) r.fail_at(key, "key '" + r.key_path(key) + "' is missing (allowed: the name of a [[population]])");
    for (std::size_t i = 0; i < config.network.populations.size(); ++i)
      if (sim::population_description_name(config.network.populations[i]) == *name)
        return sim::PopulationId{static_cast<std::uint32_t>(i)};
    std::vector<std::string_view> names;
    for (const auto& p : config.network.populations) names.push_back(sim::population_description_name(p));
    r.fail_at(key, "key '" + r.key_path(key) + "' = " + toml_quoted(*name) + " names no population (allowed: " + join(names) + ")");
  };
  spec.pre = population("pre");
  spec.post = population("post");
  spec.name = r.non_empty_string("name").value_or(config.network.population_name(spec.pre) + "_" +
                                                   config.network.population_name(spec.post));
  const auto* target = std::get_if<sim::LifPopulationDescription>(&config.network.populations[spec.post.value]);
  if (target == nullptr)
    r.fail_at("post", "key '" + r.key_path("post") + "' names population '" + config.network.population_name(spec.post) +
                          "', a source that cannot receive synapses (allowed: a population of kind \"lif\")");
  if (const auto v = r.integer("receptor", 0, 3)) spec.receptor = static_cast<std::size_t>(*v);
  if (spec.receptor >= target->parameters.tau_syn_ms.size())
    r.fail_at("receptor", "key '" + r.key_path("receptor") + "' = " + std::to_string(spec.receptor) + " but population '" +
                              target->name + "' has " + std::to_string(target->parameters.tau_syn_ms.size()) +
                              " receptor(s) (allowed: 0.." + std::to_string(target->parameters.tau_syn_ms.size() - 1) +
                              "; one per tau_syn_ms entry)");
  if (const auto v = r.boolean("float_uses_quantized_weights")) spec.float_uses_quantized_weights = *v;

  if (const toml::table* c = r.table("connectivity", false, "table with kind")) {
    const TableReader cr{top.locator(), *c, r.key_path("connectivity"), {"kind", "p", "fan_in", "allow_self"}};
    const std::size_t kind = cr.choice("kind", kConnectivity);
    const bool allow_self = cr.boolean("allow_self").value_or(true);
    if (kind == 0) spec.connectivity = sim::AllToAll{allow_self};
    else if (kind == 1) spec.connectivity = sim::OneToOne{};
    else if (kind == 2) {
      const auto p = cr.number("p", 0.0, 1.0);
      if (!p) cr.fail_at("p", "key '" + cr.key_path("p") + "' is missing (allowed: number 0..1)");
      spec.connectivity = sim::FixedProbability{*p, allow_self};
    } else {
      const auto n = cr.integer("fan_in", 0, kMaxNeurons);
      if (!n) cr.fail_at("fan_in", "key '" + cr.key_path("fan_in") + "' is missing (allowed: integer >= 0)");
      spec.connectivity = sim::FixedFanIn{static_cast<std::uint32_t>(*n), allow_self};
    }
  }
  if (const toml::table* w = r.table("weights", false, "table with kind")) {
    const TableReader wr{top.locator(), *w, r.key_path("weights"), {"kind", "value", "low", "high", "mean", "sd"}};
    const std::size_t kind = wr.choice("kind", kWeightKinds);
    if (kind == 0) spec.weights = sim::ConstantWeight{wr.number("value", -kInf, kInf).value_or(1.0)};
    else if (kind == 1) {
      const double low = wr.number("low", -kInf, kInf).value_or(0.0), high = wr.number("high", -kInf, kInf).value_or(1.0);
      if (high < low) wr.fail_at("high", "key '" + wr.key_path("high") + "' is below low (allowed: high >= low)");
      spec.weights = sim::UniformWeight{low, high};
    } else {
      spec.weights = sim::NormalWeight{wr.number("mean", -kInf, kInf).value_or(0.0), wr.number("sd", 0.0, kInf).value_or(1.0)};
    }
  }
  if (const toml::table* d = r.table("delays", false, "table with kind")) {
    const TableReader dr{top.locator(), *d, r.key_path("delays"), {"kind", "steps", "min_steps", "max_steps"}};
    const std::size_t kind = dr.choice("kind", kDelayKinds);
    const auto max = static_cast<std::int64_t>(sim::kMaxDelaySteps);
    if (kind == 0) spec.delays = sim::ConstantDelay{static_cast<std::uint16_t>(dr.integer("steps", 1, max).value_or(1))};
    else {
      const auto low = dr.integer("min_steps", 1, max).value_or(1), high = dr.integer("max_steps", 1, max).value_or(1);
      if (high < low) dr.fail_at("max_steps", "key '" + dr.key_path("max_steps") + "' is below min_steps (allowed: max_steps >= min_steps)");
      spec.delays = sim::UniformDelay{static_cast<std::uint16_t>(low), static_cast<std::uint16_t>(high)};
    }
  }
  int bits = 8;
  sim::SignMode sign = sim::SignMode::mixed;
  std::optional<int> exponent;
  std::optional<quant::RoundingMode> rounding;
  if (const toml::table* q = r.table("quantization", false, "table")) {
    const TableReader qr{top.locator(), *q, r.key_path("quantization"), {"bits", "sign", "exponent", "rounding"}};
    if (const auto v = qr.integer("bits", 1, 16)) bits = static_cast<int>(*v);
    if (const auto v = named(qr, "sign", sim::parse_sign_mode)) sign = *v;
    if (const auto v = qr.integer("exponent", -24, 24)) exponent = static_cast<int>(*v);
    rounding = named(qr, "rounding", quant::parse_rounding);
    if (sign != sim::SignMode::mixed && bits > 15)
      qr.fail_at("bits", "key '" + qr.key_path("bits") + "' = 16 with sign = " + toml_quoted(sim::sign_mode_name(sign)) + " (allowed: 1..15)");
    if (config.chip) {
      try {
        spec.quantization = sim::weight_quantization(sim::chip_preset(*config.chip), bits, sign, exponent);
      } catch (const std::invalid_argument& error) {
        qr.locator().fail(r.key_path("quantization"), q->source(), "projection '" + spec.name + "': " + error.what());
      }
    }
  } else if (config.chip) {
    spec.quantization = sim::weight_quantization(sim::chip_preset(*config.chip), bits, sign, exponent);
  }
  if (!config.chip) spec.quantization = {.bits = bits, .sign = sign, .exponent = exponent};
  if (rounding) spec.quantization.rounding.mode = *rounding;
  return spec;
}

constexpr std::array<std::string_view, 3> kRules{"pair-stdp", "triplet-stdp", "diehl-cook"};
constexpr std::array<std::string_view, 2> kDiehlCookForms{"published-code", "presynaptic-target"};
constexpr std::array<std::string_view, 2> kPairings{"all-to-all", "nearest"};

std::optional<learning::TraceFixedPoint> read_trace_format(const TableReader& r) {
  const toml::table* t = r.table("trace", false, "table");
  if (t == nullptr) return std::nullopt;
  const TableReader tr{r.locator(), *t, r.key_path("trace"), {"bits", "frac_bits", "rounding"}};
  learning::TraceFixedPoint format;
  if (const auto v = tr.integer("bits", 1, 31)) format.bits = static_cast<int>(*v);
  if (const auto v = tr.integer("frac_bits", 0, 30)) format.frac_bits = static_cast<int>(*v);
  if (const auto v = named(tr, "rounding", quant::parse_rounding)) format.rounding.mode = *v;
  if (format.frac_bits >= format.bits)
    tr.fail_at("frac_bits", "key '" + tr.key_path("frac_bits") + "' leaves no integer bit for a trace impulse of 1 (allowed: frac_bits < bits)");
  return format;
}

PlasticityConfig read_plasticity(const TableReader& top, const std::string& path, const toml::table& table,
                                 const SimulationConfig& config) {
  std::vector<std::string_view> present;  // the rule decides which keys are allowed
  for (const auto& [key, node] : table) present.push_back(key.str());
  const std::size_t rule = TableReader{top.locator(), table, path, present}.choice("rule", kRules);
  std::vector<std::string_view> keys{"projection", "rule", "pairing", "trace", "write_back", "normalize"};
  if (rule == 0) keys.insert(keys.end(), {"a_plus", "a_minus", "tau_plus_ms", "tau_minus_ms", "mu_plus", "mu_minus"});
  else if (rule == 1)
    keys.insert(keys.end(), {"a2_plus", "a3_plus", "a2_minus", "a3_minus", "tau_plus_ms", "tau_minus_ms", "tau_x_ms", "tau_y_ms"});
  else keys.insert(keys.end(), {"form", "eta_pre", "eta_post", "tau_pre_ms", "tau_post1_ms", "tau_post2_ms", "x_tar", "mu"});
  const TableReader r{top.locator(), table, path, keys};
  PlasticityConfig plasticity;
  plasticity.where = top.locator().where(path, table.source());
  const auto projection = r.non_empty_string("projection");
  if (!projection) r.fail_at("projection", "key '" + r.key_path("projection") + "' is missing (allowed: the name of a [[projection]])");
  std::vector<std::string_view> names;
  for (const auto& spec : config.network.projections) names.push_back(spec.name);
  if (std::find(names.begin(), names.end(), *projection) == names.end())
    r.fail_at("projection", "key '" + r.key_path("projection") + "' = " + toml_quoted(*projection) + " names no projection (allowed: " + join(names) + ")");
  plasticity.projection = *projection;
  // Diehl & Cook's code sets traces to 1 at a spike (nearest); the STDP rules default to all-to-all.
  const auto pairing = r.choice("pairing", kPairings, rule == 2 ? 1 : 0) == 0 ? learning::Pairing::all_to_all
                                                                               : learning::Pairing::nearest;
  const auto trace = read_trace_format(r);
  const auto amplitude = [&](std::string_view key, double fallback) { return r.number(key, 0.0, kInf).value_or(fallback); };
  const auto tau = [&](std::string_view key, double fallback) { return r.number(key, 0.0, kInf, true).value_or(fallback); };
  if (rule == 0) {
    learning::PairStdp stdp;
    stdp.a_plus = amplitude("a_plus", stdp.a_plus);
    stdp.a_minus = amplitude("a_minus", stdp.a_minus);
    stdp.tau_plus_ms = tau("tau_plus_ms", stdp.tau_plus_ms);
    stdp.tau_minus_ms = tau("tau_minus_ms", stdp.tau_minus_ms);
    stdp.mu_plus = amplitude("mu_plus", stdp.mu_plus);
    stdp.mu_minus = amplitude("mu_minus", stdp.mu_minus);
    stdp.pairing = pairing;
    stdp.trace_format = trace;
    plasticity.rule = stdp;
  } else if (rule == 2) {
    learning::DiehlCookStdp dc;
    dc.form = r.choice("form", kDiehlCookForms, 0) == 0 ? learning::DiehlCookForm::published_code
                                                        : learning::DiehlCookForm::presynaptic_target;
    dc.eta_pre = amplitude("eta_pre", dc.eta_pre);
    dc.eta_post = amplitude("eta_post", dc.eta_post);
    dc.tau_pre_ms = tau("tau_pre_ms", dc.tau_pre_ms);
    dc.tau_post1_ms = tau("tau_post1_ms", dc.tau_post1_ms);
    dc.tau_post2_ms = tau("tau_post2_ms", dc.tau_post2_ms);
    dc.x_tar = amplitude("x_tar", dc.x_tar);
    dc.mu = amplitude("mu", dc.mu);
    dc.pairing = pairing;
    dc.trace_format = trace;
    plasticity.rule = dc;
  } else {
    learning::TripletStdp stdp;
    stdp.a2_plus = amplitude("a2_plus", stdp.a2_plus);
    stdp.a3_plus = amplitude("a3_plus", stdp.a3_plus);
    stdp.a2_minus = amplitude("a2_minus", stdp.a2_minus);
    stdp.a3_minus = amplitude("a3_minus", stdp.a3_minus);
    stdp.tau_plus_ms = tau("tau_plus_ms", stdp.tau_plus_ms);
    stdp.tau_minus_ms = tau("tau_minus_ms", stdp.tau_minus_ms);
    stdp.tau_x_ms = tau("tau_x_ms", stdp.tau_x_ms);
    stdp.tau_y_ms = tau("tau_y_ms", stdp.tau_y_ms);
    stdp.pairing = pairing;
    stdp.trace_format = trace;
    plasticity.rule = stdp;
  }
  plasticity.write_back = read_write_back(r);
  if (const toml::table* n = r.table("normalize", false, "table with target_sum and every_ms")) {
    const TableReader nr{top.locator(), *n, r.key_path("normalize"), {"target_sum", "every_ms"}};
    const auto target = nr.number("target_sum", 0.0, 1e15);
    if (!target) nr.fail_at("target_sum", "key '" + nr.key_path("target_sum") + "' is missing (allowed: number >= 0, weight steps)");
    const double every = nr.number("every_ms", 0.0, 1e9, true).value_or(config.run.dt_ms);
    plasticity.normalize_target = *target;
    plasticity.normalize_every_steps = std::max<sim::Step>(1, static_cast<sim::Step>(std::llround(every / config.run.dt_ms)));
  }
  return plasticity;
}

void read_record(const TableReader& top, SimulationConfig& config) {
  const toml::table* table = top.table("record", false, "table");
  if (table == nullptr) return;
  const TableReader r{top.locator(), *table, "record", {"spikes", "state", "weights", "diagnostics"}};
  if (const auto v = r.boolean("weights")) config.record_weights = *v;
  if (const auto v = r.boolean("diagnostics")) config.record_diagnostics = *v;
  if (config.record_diagnostics && !config.plasticity.empty())
    r.fail_at("diagnostics", "key 'record.diagnostics' = true with [[plasticity]] (allowed: diagnostics compare a network "
                             "without learning with its float64 twin)");
  const auto population_size = [&](const TableReader& reader, const std::string& name) -> sim::NeuronIndex {
    for (const auto& p : config.network.populations)
      if (sim::population_description_name(p) == name)
        return std::visit([](const auto& d) { return d.size; }, p);
    std::vector<std::string_view> names;
    for (const auto& p : config.network.populations) names.push_back(sim::population_description_name(p));
    reader.fail_at("population", "key '" + reader.key_path("population") + "' = " + toml_quoted(name) + " names no population (allowed: " + join(names) + ")");
  };
  const auto neurons = [&](const TableReader& reader, sim::NeuronIndex size) {
    std::vector<sim::NeuronIndex> out;
    for (const auto i : reader.integers("neurons", 0, static_cast<std::int64_t>(size) - 1)) out.push_back(static_cast<sim::NeuronIndex>(i));
    return out;
  };
  for_each_table(r, "spikes", [&](const std::string& path, const toml::table& t) {
    const TableReader s{top.locator(), t, "record." + path, {"population", "neurons", "from_ms", "to_ms"}};
    SpikeRecording recording;
    const auto name = s.non_empty_string("population");
    if (!name) s.fail_at("population", "key '" + s.key_path("population") + "' is missing (allowed: the name of a [[population]])");
    recording.population = *name;
    recording.neurons = neurons(s, population_size(s, *name));
    recording.from_ms = s.number("from_ms", 0.0, kInf).value_or(0.0);
    recording.to_ms = s.number("to_ms", 0.0, kInf);
    config.spikes.push_back(std::move(recording));
  });
  for_each_table(r, "state", [&](const std::string& path, const toml::table& t) {
    const TableReader s{top.locator(), t, "record." + path, {"population", "variable", "neurons", "every_steps"}};
    StateRecording recording;
    const auto name = s.non_empty_string("population");
    if (!name) s.fail_at("population", "key '" + s.key_path("population") + "' is missing (allowed: the name of a [[population]])");
    recording.population = *name;
    const sim::NeuronIndex size = population_size(s, *name);
    const auto variable = named(s, "variable", sim::parse_state_variable);
    recording.variable = variable.value_or(sim::StateVariable{});
    recording.variable_name = sim::state_variable_name(recording.variable);
    recording.neurons = neurons(s, size);
    recording.every_steps = static_cast<sim::Step>(s.integer("every_steps", 1, std::numeric_limits<std::int64_t>::max()).value_or(1));
    config.states.push_back(std::move(recording));
  });
}

}  // namespace

std::span<const std::string_view> simulation_tables() { return kTables; }

SimulationConfig read_simulation_config(const toml::table& root, const Locator& locator) {
  std::vector<std::string_view> allowed{"job"};
  allowed.insert(allowed.end(), kTables.begin(), kTables.end());
  const TableReader top{locator, root, "", allowed};
  SimulationConfig config;
  config.run = read_run(top);
  if (const toml::table* chip = top.table("chip", false, "table with preset")) {
    const TableReader c{locator, *chip, "chip", {"preset", "fit_check"}};
    config.chip = named(c, "preset", sim::parse_chip);
    if (!config.chip) c.fail_at("preset", "key 'chip.preset' is missing (allowed: " + sim::valid_chip_names() + ")");
    config.fit_check = c.boolean("fit_check").value_or(true);
  }
  std::set<std::string> names;
  for_each_table(top, "population", [&](const std::string& path, const toml::table& table) {
    auto population = read_population(top, path, table, config);
    const std::string& name = sim::population_description_name(population);
    if (!names.insert(name).second)
      locator.fail(path + ".name", table.source(), "population name '" + name + "' is used twice (allowed: unique names)");
    config.network.add(std::move(population));
  });
  if (config.network.populations.empty())
    locator.fail("population", root.source(), "no [[population]] table (allowed: at least one)");
  std::set<std::string> projection_names;
  for_each_table(top, "projection", [&](const std::string& path, const toml::table& table) {
    auto spec = read_projection(top, path, table, config);
    if (!projection_names.insert(spec.name).second)
      locator.fail(path + ".name", table.source(), "projection name '" + spec.name + "' is used twice (allowed: unique names)");
    config.network.connect(std::move(spec));
  });
  std::set<std::string> plastic;
  for_each_table(top, "plasticity", [&](const std::string& path, const toml::table& table) {
    auto plasticity = read_plasticity(top, path, table, config);
    if (!plastic.insert(plasticity.projection).second)
      locator.fail(path + ".projection", table.source(), "projection '" + plasticity.projection + "' has two [[plasticity]] tables (allowed: one per projection)");
    config.plasticity.push_back(std::move(plasticity));
  });
  read_record(top, config);
  return config;
}

}  // namespace qsnn::experiments
