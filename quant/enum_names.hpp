#pragma once
// The config names of an enum in one table: its name, its parser and the list of valid names, so every
// enum a config can name reports an unknown name the same way: "unknown <what> 'x' (valid: a, b)".
#include <array>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace qsnn::quant {

template <class Enum, std::size_t N>
class EnumNames {
 public:
  constexpr EnumNames(std::string_view what, std::array<Enum, N> values, std::array<std::string_view, N> names)
      : what_(what), values_(values), names_(names) {}

  std::span<const Enum> values() const { return values_; }

  std::string_view name(Enum value) const {
    for (std::size_t i = 0; i < N; ++i)
      if (values_[i] == value) return names_[i];
    throw std::invalid_argument("invalid " + std::string(what_) + " value");
  }

  std::string valid_names() const {
    std::string joined;
    for (std::string_view name : names_) {
      if (!joined.empty()) joined += ", ";
      joined += name;
    }
    return joined;
  }

  Enum parse(std::string_view name) const {
    for (std::size_t i = 0; i < N; ++i)
      if (names_[i] == name) return values_[i];
    throw std::invalid_argument("unknown " + std::string(what_) + " '" + std::string(name) + "' (valid: " +
                                valid_names() + ")");
  }

 private:
  std::string_view what_;
  std::array<Enum, N> values_;
  std::array<std::string_view, N> names_;
};

}  // namespace qsnn::quant
