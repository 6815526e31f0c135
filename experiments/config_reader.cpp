#include "experiments/config_reader.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace qsnn::experiments {

std::string join(std::span<const std::string_view> items, std::string_view separator) {
  std::string joined;
  for (const auto item : items) {
    if (!joined.empty()) joined.append(separator);
    joined.append(item);
  }
  return joined;
}

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

std::string value_text(const toml::node& node) {
  if (const auto* text = node.as_string()) return toml_quoted(text->get());
  std::ostringstream os;
  node.visit([&os](const auto& value) { os << value; });
  return os.str();
}

namespace {
std::string type_name(const toml::node& node) {
  std::ostringstream os;
  os << node.type();
  return os.str();
}

}  // namespace

std::string describe(const toml::node& node) {
  if (node.is_table() || node.is_array()) return "has type " + type_name(node);
  return "= " + value_text(node) + " has type " + type_name(node);
}

std::string Locator::where(const std::string& key_path, const toml::source_region& region) const {
  // The key, or the nearest table above it, came from --set (e.g. --set 'quant_demo={rows=8}').
  for (std::string path = key_path; !path.empty();) {
    if (const auto it = overrides_.find(path); it != overrides_.end()) return it->second;
    const auto dot = path.rfind('.');
    path.resize(dot == std::string::npos ? 0 : dot);
  }
  if (region.begin.line > 0) return file_ + ":" + std::to_string(region.begin.line);
  return file_;
}

TableReader::TableReader(const Locator& locator, const toml::table& table, std::string path,
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

const toml::table* TableReader::table(std::string_view key, bool required, std::string_view allowed) const {
  const toml::node* node = find(key, required, allowed);
  if (node == nullptr) return nullptr;
  if (!node->is_table()) fail_type(key, *node, allowed);
  return node->as_table();
}

const toml::array* TableReader::array(std::string_view key, bool required, std::string_view allowed) const {
  const toml::node* node = find(key, required, allowed);
  if (node == nullptr) return nullptr;
  if (!node->is_array()) fail_type(key, *node, allowed);
  return node->as_array();
}

std::optional<std::int64_t> TableReader::integer(std::string_view key, std::int64_t min, std::int64_t max) const {
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

namespace {
std::string number_range(double min, double max, bool min_exclusive) {
  std::ostringstream os;
  os << "number";
  if (std::isfinite(min) && std::isfinite(max)) os << (min_exclusive ? " > " : " ") << min << (min_exclusive ? " and <= " : "..") << max;
  else if (std::isfinite(min)) os << (min_exclusive ? " > " : " >= ") << min;
  else if (std::isfinite(max)) os << " <= " << max;
  return os.str();
}
}  // namespace

std::optional<double> TableReader::number(std::string_view key, double min, double max, bool min_exclusive) const {
  const std::string allowed = number_range(min, max, min_exclusive);
  const toml::node* node = find(key, false, allowed);
  if (node == nullptr) return std::nullopt;
  double value = 0.0;
  if (const auto* f = node->as_floating_point()) value = f->get();
  else if (const auto* i = node->as_integer()) value = static_cast<double>(i->get());
  else fail_type(key, *node, allowed);
  if (!std::isfinite(value) || value < min || value > max || (min_exclusive && value == min))
    fail(key, *node, "key '" + key_path(key) + "' = " + value_text(*node) + " is out of range (allowed: " + allowed + ")");
  return value;
}

std::optional<bool> TableReader::boolean(std::string_view key) const {
  const toml::node* node = find(key, false, "true or false");
  if (node == nullptr) return std::nullopt;
  const auto* value = node->as_boolean();
  if (value == nullptr) fail_type(key, *node, "true or false");
  return value->get();
}

std::optional<std::string> TableReader::non_empty_string(std::string_view key) const {
  constexpr std::string_view allowed = "non-empty string";
  const toml::node* node = find(key, false, allowed);
  if (node == nullptr) return std::nullopt;
  const auto* value = node->as_string();
  if (value == nullptr) fail_type(key, *node, allowed);
  if (value->get().empty())
    fail(key, *node, "key '" + key_path(key) + "' = \"\" is not allowed (allowed: " + std::string{allowed} + ")");
  return value->get();
}

std::vector<double> TableReader::numbers(std::string_view key, double min, double max) const {
  const std::string allowed = "array of " + number_range(min, max, false);
  const toml::array* values = array(key, false, allowed);
  std::vector<double> out;
  if (values == nullptr) return out;
  for (const auto& node : *values) {
    double value = 0.0;
    if (const auto* f = node.as_floating_point()) value = f->get();
    else if (const auto* i = node.as_integer()) value = static_cast<double>(i->get());
    else fail(key, node, "key '" + key_path(key) + "' has an element that " + describe(node) + " (allowed: " + allowed + ")");
    if (!std::isfinite(value) || value < min || value > max)
      fail(key, node, "key '" + key_path(key) + "' has element " + value_text(node) + " out of range (allowed: " + allowed + ")");
    out.push_back(value);
  }
  return out;
}

std::vector<std::int64_t> TableReader::integers(std::string_view key, std::int64_t min, std::int64_t max) const {
  const std::string allowed = "array of integers " + std::to_string(min) + ".." + std::to_string(max);
  const toml::array* values = array(key, false, allowed);
  std::vector<std::int64_t> out;
  if (values == nullptr) return out;
  for (const auto& node : *values) {
    const auto* value = node.as_integer();
    if (value == nullptr)
      fail(key, node, "key '" + key_path(key) + "' has an element that " + describe(node) + " (allowed: " + allowed + ")");
    if (value->get() < min || value->get() > max)
      fail(key, node, "key '" + key_path(key) + "' has element " + value_text(node) + " out of range (allowed: " + allowed + ")");
    out.push_back(value->get());
  }
  return out;
}

std::size_t TableReader::choice(std::string_view key, std::span<const std::string_view> choices,
                                std::optional<std::size_t> default_index) const {
  std::vector<std::string> quoted_choices;
  for (const auto choice : choices) quoted_choices.push_back(toml_quoted(choice));
  const std::vector<std::string_view> views(quoted_choices.begin(), quoted_choices.end());
  const std::string allowed = join(views);
  const toml::node* node = find(key, !default_index.has_value(), allowed);
  if (node == nullptr) return *default_index;
  const auto* value = node->as_string();
  if (value == nullptr) fail_type(key, *node, allowed);
  const auto it = std::find(choices.begin(), choices.end(), value->get());
  if (it == choices.end())
    fail(key, *node, "key '" + key_path(key) + "' = " + value_text(*node) + " is not allowed (allowed: " + allowed + ")");
  return static_cast<std::size_t>(it - choices.begin());
}

void TableReader::fail_at(std::string_view key, const std::string& message) const {
  const toml::node* node = table_.get(key);
  locator_.fail(key_path(key), node != nullptr ? node->source() : table_.source(), message);
}

const toml::node* TableReader::find(std::string_view key, bool required, std::string_view allowed) const {
  const toml::node* node = table_.get(key);
  if (node == nullptr && required)
    locator_.fail(key_path(key), table_.source(),
                  "key '" + key_path(key) + "' is missing (allowed: " + std::string{allowed} + ")");
  return node;
}

void TableReader::fail(std::string_view key, const toml::node& node, const std::string& message) const {
  locator_.fail(key_path(key), node.source(), message);
}

void TableReader::fail_type(std::string_view key, const toml::node& node, std::string_view allowed) const {
  fail(key, node, "key '" + key_path(key) + "' " + describe(node) + " (allowed: " + std::string{allowed} + ")");
}

}  // namespace qsnn::experiments
