#include "experiments/job_config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <vector>

namespace qsnn::experiments {

std::string_view job_kind_name(JobKind kind) {
  switch (kind) {
    case JobKind::quant_demo: return "quant-demo";
  }
  return "?";
}

namespace {

std::string join(std::span<const std::string_view> items, std::string_view separator = ", ") {
  std::string joined;
  for (const auto item : items) {
    if (!joined.empty()) joined.append(separator);
    joined.append(item);
  }
  return joined;
}

// A TOML basic string: "text", with quotes, backslashes and control characters escaped.
std::string toml_quoted(std::string_view text) {
  std::string out{'"'};
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      constexpr char kHex[] = "0123456789ABCDEF";
      out += "\\u00";
      out += kHex[(static_cast<unsigned char>(c) >> 4) & 0xF];
      out += kHex[static_cast<unsigned char>(c) & 0xF];
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

// A scalar as TOML source text; strings always as basic (double-quoted) strings.
std::string value_text(const toml::node& node) {
  if (const auto* text = node.as_string()) return toml_quoted(text->get());
  std::ostringstream os;
  node.visit([&os](const auto& value) { os << value; });
  return os.str();
}

std::string type_name(const toml::node& node) {
  std::ostringstream os;
  os << node.type();
  return os.str();
}

// "= 5 has type integer" for scalars (the value as TOML), "has type table" for tables and arrays.
std::string describe(const toml::node& node) {
  if (node.is_table() || node.is_array()) return "has type " + type_name(node);
  return "= " + value_text(node) + " has type " + type_name(node);
}

// Where a key is: the --set that produced it, else FILE:LINE from toml++'s source regions.
class Locator {
 public:
  explicit Locator(std::string file) : file_(std::move(file)) {}

  void record_override(const std::string& key_path, const std::string& origin) { overrides_[key_path] = origin; }

  std::string where(const std::string& key_path, const toml::source_region& region) const {
    // The key, or the nearest table above it, came from --set (e.g. --set 'quant_demo={rows=8}').
    for (std::string path = key_path; !path.empty();) {
      if (const auto it = overrides_.find(path); it != overrides_.end()) return it->second;
      const auto dot = path.rfind('.');
      path.resize(dot == std::string::npos ? 0 : dot);
    }
    if (region.begin.line > 0) return file_ + ":" + std::to_string(region.begin.line);
    return file_;
  }

  [[noreturn]] void fail(const std::string& key_path, const toml::source_region& region,
                         const std::string& message) const {
    throw ConfigError(where(key_path, region) + ": " + message);
  }

 private:
  std::string file_;
  std::map<std::string, std::string> overrides_;
};

// One table of the config: rejects keys it does not know on construction, then reads typed values.
class TableReader {
 public:
  TableReader(const Locator& locator, const toml::table& table, std::string path,
              std::vector<std::string_view> allowed)
      : locator_(locator), table_(table), path_(std::move(path)), allowed_(std::move(allowed)) {
    // Report the unknown key that comes first in the file (the table itself is ordered by name).
    const toml::key* first_unknown = nullptr;
    for (const auto& [key, node] : table_) {
      if (std::find(allowed_.begin(), allowed_.end(), key.str()) != allowed_.end()) continue;
      if (first_unknown == nullptr || key.source().begin < first_unknown->source().begin) first_unknown = &key;
    }
    if (first_unknown != nullptr)
      locator_.fail(key_path(first_unknown->str()), first_unknown->source(),
                    "key '" + key_path(first_unknown->str()) + "' is unknown (allowed: " + join(allowed_) + ")");
  }

  std::string key_path(std::string_view key) const {
    return path_.empty() ? std::string{key} : path_ + "." + std::string{key};
  }

  // nullptr if absent and optional; a table of the given path otherwise.
  const toml::table* table(std::string_view key, bool required, std::string_view allowed) const {
    const toml::node* node = find(key, required, allowed);
    if (node == nullptr) return nullptr;
    if (!node->is_table()) fail_type(key, *node, allowed);
    return node->as_table();
  }

  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max) const {
    const std::string allowed = max == std::numeric_limits<std::int64_t>::max()
                                    ? "integer >= " + std::to_string(min)
                                    : "integer " + std::to_string(min) + ".." + std::to_string(max);
    const toml::node* node = find(key, false, allowed);
    if (node == nullptr) return std::nullopt;
    const auto* value = node->as_integer();
    if (value == nullptr) fail_type(key, *node, allowed);
    if (value->get() < min || value->get() > max)
      fail(key, *node, "key '" + key_path(key) + "' = " + value_text(*node) + " is out of range (allowed: " +
                           allowed + ")");
    return value->get();
  }

  std::optional<std::string> non_empty_string(std::string_view key) const {
    constexpr std::string_view allowed = "non-empty string";
    const toml::node* node = find(key, false, allowed);
    if (node == nullptr) return std::nullopt;
    const auto* value = node->as_string();
    if (value == nullptr) fail_type(key, *node, allowed);
    if (value->get().empty())
      fail(key, *node, "key '" + key_path(key) + "' = \"\" is not allowed (allowed: " + std::string{allowed} + ")");
    return value->get();
  }

  // One of `choices`; returns its index.
  std::size_t choice(std::string_view key, std::span<const std::string_view> choices) const {
    std::vector<std::string> quoted_choices;
    for (const auto choice : choices) quoted_choices.push_back(toml_quoted(choice));
    const std::vector<std::string_view> views(quoted_choices.begin(), quoted_choices.end());
    const std::string allowed = join(views);
    const toml::node* node = find(key, true, allowed);
    const auto* value = node->as_string();
    if (value == nullptr) fail_type(key, *node, allowed);
    const auto it = std::find(choices.begin(), choices.end(), value->get());
    if (it == choices.end())
      fail(key, *node, "key '" + key_path(key) + "' = " + value_text(*node) + " is not allowed (allowed: " +
                           allowed + ")");
    return static_cast<std::size_t>(it - choices.begin());
  }

 private:
  const toml::node* find(std::string_view key, bool required, std::string_view allowed) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr && required)
      locator_.fail(key_path(key), table_.source(),
                    "key '" + key_path(key) + "' is missing (allowed: " + std::string{allowed} + ")");
    return node;
  }

  [[noreturn]] void fail(std::string_view key, const toml::node& node, const std::string& message) const {
    locator_.fail(key_path(key), node.source(), message);
  }

  [[noreturn]] void fail_type(std::string_view key, const toml::node& node, std::string_view allowed) const {
    fail(key, node, "key '" + key_path(key) + "' " + describe(node) + " (allowed: " + std::string{allowed} + ")");
  }

  const Locator& locator_;
  const toml::table& table_;
  std::string path_;
  std::vector<std::string_view> allowed_;
};

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

constexpr std::string_view kJobKinds[] = {"quant-demo"};

JobConfig validate(const toml::table& root, const Locator& locator) {
  const TableReader top{locator, root, "", {"job", "quant_demo"}};
  JobConfig config;

  const toml::table* job = top.table("job", true, "table with kind = \"quant-demo\"");
  const TableReader job_reader{locator, *job, "job", {"kind"}};
  config.kind = static_cast<JobKind>(job_reader.choice("kind", kJobKinds));

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
  return validate(root, locator);
}

int run_job(const JobConfig& config, std::ostream& out) {
  switch (config.kind) {
    case JobKind::quant_demo: return run_quant_demo(config.quant_demo, out);
  }
  throw std::logic_error("unhandled job kind");
}

}  // namespace qsnn::experiments
