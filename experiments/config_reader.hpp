#pragma once
// Reading validated values out of a parsed TOML config: every problem is a ConfigError whose message starts
// with where it is ("FILE:LINE", or the --set that produced the key) and ends with what is allowed.
#include <toml++/toml.h>

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace qsnn::experiments {

// A config or override that cannot be used. what() is one line that starts with where the problem
// is: "FILE:LINE", "FILE" or "--set KEY=VALUE".
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string join(std::span<const std::string_view> items, std::string_view separator = ", ");
// A TOML basic string: "text", with quotes, backslashes and control characters escaped.
std::string toml_quoted(std::string_view text);
// A scalar as TOML source text; strings always as basic (double-quoted) strings.
std::string value_text(const toml::node& node);
// "= 5 has type integer" for scalars (the value as TOML), "has type table" for tables and arrays.
std::string describe(const toml::node& node);

// Where a key is: the --set that produced it, else FILE:LINE from toml++'s source regions.
class Locator {
 public:
  explicit Locator(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }
  void record_override(const std::string& key_path, const std::string& origin) { overrides_[key_path] = origin; }
  std::string where(const std::string& key_path, const toml::source_region& region) const;
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
              std::vector<std::string_view> allowed);

  std::string key_path(std::string_view key) const {
    return path_.empty() ? std::string{key} : path_ + "." + std::string{key};
  }
  const toml::table& table() const { return table_; }
  const Locator& locator() const { return locator_; }

  // nullptr if absent and optional; a table of the given path otherwise.
  const toml::table* table(std::string_view key, bool required, std::string_view allowed) const;
  // nullptr if absent and optional; an array otherwise.
  const toml::array* array(std::string_view key, bool required, std::string_view allowed) const;
  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max) const;
  // Integers are accepted where a number is expected (TOML writes 1 and 1.0 differently).
  std::optional<double> number(std::string_view key, double min, double max, bool min_exclusive = false) const;
  std::optional<bool> boolean(std::string_view key) const;
  std::optional<std::string> non_empty_string(std::string_view key) const;
  std::vector<double> numbers(std::string_view key, double min, double max) const;         // absent: empty
  std::vector<std::int64_t> integers(std::string_view key, std::int64_t min, std::int64_t max) const;
  // One of `choices`; returns its index. Required unless a default index is given.
  std::size_t choice(std::string_view key, std::span<const std::string_view> choices,
                     std::optional<std::size_t> default_index = std::nullopt) const;
  // Fails at this table's key with `message` (e.g. a value that contradicts another one).
  [[noreturn]] void fail_at(std::string_view key, const std::string& message) const;

 private:
  const toml::node* find(std::string_view key, bool required, std::string_view allowed) const;
  [[noreturn]] void fail(std::string_view key, const toml::node& node, const std::string& message) const;
  [[noreturn]] void fail_type(std::string_view key, const toml::node& node, std::string_view allowed) const;

  const Locator& locator_;
  const toml::table& table_;
  std::string path_;
  std::vector<std::string_view> allowed_;
};

}  // namespace qsnn::experiments
