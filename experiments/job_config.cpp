#include "experiments/job_config.hpp"

#include "experiments/config_reader.hpp"
#include "experiments/decolle_config_reader.hpp"
#include "experiments/diehl_cook_config_reader.hpp"
#include "experiments/simulation_config_reader.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <vector>

namespace qsnn::experiments {

std::string_view job_kind_name(JobKind kind) {
  switch (kind) {
    case JobKind::quant_demo: return "quant-demo";
    case JobKind::simulate: return "simulate";
    case JobKind::diehl_cook: return "diehl-cook";
    case JobKind::decolle: return "decolle";
  }
  return "?";
}

namespace {

std::string trim(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  const auto end = text.find_last_not_of(" \t");
  return std::string{text.substr(begin, end - begin + 1)};
}

// Applies "a.b.c=value" to `root`, creating missing tables; records which keys it produced.
void apply_override(toml::table& root, const std::string& text, Locator& locator) {
  const std::string origin = "--set " + text;
  const auto equals = text.find('=');
  if (equals == std::string::npos)
    throw ConfigError(origin + ": expected KEY=VALUE, e.g. --set quant_demo.seed=5");
  const std::string key_text = trim(std::string_view{text}.substr(0, equals));
  const std::string value_text = trim(std::string_view{text}.substr(equals + 1));

  std::vector<std::string> keys;
  std::string::size_type start = 0;
  while (true) {
    const auto dot = key_text.find('.', start);
    keys.push_back(key_text.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (keys.back().empty()) throw ConfigError(origin + ": malformed key path '" + key_text + "'");
    if (dot == std::string::npos) break;
    start = dot + 1;
  }

  // The value as TOML; anything that does not parse as exactly one TOML value is a plain string.
  toml::table parsed;
  bool is_toml_value = false;
  try {
    parsed = toml::parse("value = " + value_text, std::string_view{"--set"});
    is_toml_value = parsed.size() == 1 && parsed.contains("value");
  } catch (const toml::parse_error&) {
    is_toml_value = false;
  }
  if (!is_toml_value) {
    parsed = toml::table{};
    parsed.insert("value", value_text);
  }

  toml::table* table = &root;
  std::string path;
  for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
    path += (path.empty() ? "" : ".") + keys[i];
    // "population[2]": element 2 of an array of tables, which must exist already.
    if (const auto open = keys[i].find('['); open != std::string::npos && keys[i].back() == ']') {
      const std::string name = keys[i].substr(0, open);
      const std::string index_text = keys[i].substr(open + 1, keys[i].size() - open - 2);
      const bool digits = !index_text.empty() && index_text.find_first_not_of("0123456789") == std::string::npos;
      toml::node* array = table->get(name);
      if (!digits || array == nullptr || !array->is_array())
        throw ConfigError(origin + ": key '" + path + "' names no element of an array of tables");
      const std::size_t index = std::stoul(index_text);
      if (index >= array->as_array()->size() || !array->as_array()->get(index)->is_table())
        throw ConfigError(origin + ": key '" + path + "' is out of range (the config has " +
                          std::to_string(array->as_array()->size()) + " [[" + name + "]] tables)");
      table = array->as_array()->get(index)->as_table();
      continue;
    }
    toml::node* node = table->get(keys[i]);
    if (node == nullptr) {
      node = table->insert(keys[i], toml::table{}).first->second.as_table();
      locator.record_override(path, origin);
    }
    if (!node->is_table())
      throw ConfigError(origin + ": key '" + path + "' " + describe(*node) + ", so it has no key '" + keys[i + 1] +
                        "'");
    table = node->as_table();
  }
  path += (path.empty() ? "" : ".") + keys.back();
  parsed.get("value")->visit([&](auto& value) { table->insert_or_assign(keys.back(), std::move(value)); });
  locator.record_override(path, origin);
}

constexpr std::string_view kJobKinds[] = {"quant-demo", "simulate", "diehl-cook", "decolle"};

JobConfig validate(const toml::table& root, const Locator& locator) {
  JobConfig config;
  // The kind decides which top-level tables are allowed, so it is read first.
  const toml::node* job_node = root.get("job");
  if (job_node == nullptr || !job_node->is_table())
    TableReader{locator, root, "", {"job"}}.table("job", true, "table with kind = \"quant-demo\" or \"simulate\"");
  const TableReader job_reader{locator, *job_node->as_table(), "job", {"kind"}};
  config.kind = static_cast<JobKind>(job_reader.choice("kind", kJobKinds));
  if (config.kind == JobKind::simulate) {
    config.simulation = read_simulation_config(root, locator);
    return config;
  }
  if (config.kind == JobKind::diehl_cook) {
    config.diehl_cook = read_diehl_cook_config(root, locator);
    return config;
  }
  if (config.kind == JobKind::decolle) {
    config.decolle = read_decolle_config(root, locator);
    return config;
  }
  const TableReader top{locator, root, "", {"job", "quant_demo"}};

  if (const toml::table* demo = top.table("quant_demo", false, "table"); demo != nullptr) {
    const TableReader reader{locator, *demo, "quant_demo", {"rows", "cols", "seed", "output"}};
    constexpr auto kMaxDim = static_cast<std::int64_t>(kQuantDemoMaxDim);
    QuantDemoOptions& options = config.quant_demo;
    if (const auto rows = reader.integer("rows", 1, kMaxDim)) options.rows = static_cast<std::size_t>(*rows);
    if (const auto cols = reader.integer("cols", 1, kMaxDim)) options.cols = static_cast<std::size_t>(*cols);
    if (const auto seed = reader.integer("seed", 0, std::numeric_limits<std::int64_t>::max()))
      options.seed = static_cast<std::uint64_t>(*seed);
    if (auto output = reader.non_empty_string("output")) options.output = std::move(*output);
  }
  return config;
}

}  // namespace

JobConfig load_job_config(const std::string& file, std::span<const std::string> overrides) {
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (!std::filesystem::exists(status)) throw ConfigError(file + ": no such config file");
  if (std::filesystem::is_directory(status)) throw ConfigError(file + ": is a directory, not a config file");

  toml::table root;
  try {
    root = toml::parse_file(file);
  } catch (const toml::parse_error& error) {
    const auto line = error.source().begin.line;
    throw ConfigError(file + (line > 0 ? ":" + std::to_string(line) : std::string{}) +
                      ": invalid TOML: " + std::string{error.description()});
  }

  Locator locator{file};
  for (const auto& text : overrides) apply_override(root, text, locator);
  JobConfig config = validate(root, locator);
  config.path = file;
  std::ifstream in(file, std::ios::binary);
  config.source_text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  std::ostringstream resolved;
  resolved << root << '\n';
  config.resolved_text = resolved.str();
  config.overrides.assign(overrides.begin(), overrides.end());
  return config;
}

int run_job(const JobConfig& config, JobContext context) {
  context.provenance.config_path = config.path;
  context.provenance.config_source = config.source_text;
  context.provenance.config_resolved = config.resolved_text;
  context.provenance.overrides = config.overrides;
  switch (config.kind) {
    case JobKind::quant_demo: return run_quant_demo(config.quant_demo, context.out);
    case JobKind::simulate: return run_simulation(config.simulation, context);
    case JobKind::diehl_cook: return run_diehl_cook_job(config.diehl_cook, context);
    case JobKind::decolle: return run_decolle_job(config.decolle, context);
  }
  throw std::logic_error("unhandled job kind");
}

}  // namespace qsnn::experiments
