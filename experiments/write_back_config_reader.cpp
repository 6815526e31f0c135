#include "experiments/write_back_config_reader.hpp"

#include <array>
#include <cmath>
#include <limits>
#include <string_view>

#include "quant/rounding_mode.hpp"

namespace qsnn::experiments {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::array<std::string_view, 3> kWriteBackModes{"quantized", "shadow", "exact"};
constexpr std::array<std::string_view, 2> kRoundOf{"sum", "update"};

std::optional<quant::RoundingMode> rounding(const TableReader& reader, std::string_view key) {
  const auto text = reader.non_empty_string(key);
  if (!text) return std::nullopt;
  try {
    return quant::parse_rounding(*text);
  } catch (const std::invalid_argument& error) {
    reader.fail_at(key, "key '" + reader.key_path(key) + "': " + error.what());
  }
}

}  // namespace

learning::WriteBackSpec read_write_back(const TableReader& r) {
  learning::WriteBackSpec spec;
  const toml::table* t = r.table("write_back", false, "table");
  if (t == nullptr) return spec;
  const TableReader w{r.locator(), *t, r.key_path("write_back"),
                      {"mode", "rounding", "round_of", "lower_bound", "upper_bound", "learning_rate", "rate_decay",
                       "epoch_steps", "shadow_extra_frac_bits", "shadow_rounding", "forward_rounding",
                       "requantize_every"}};
  if (t->contains("mode")) spec.mode = static_cast<learning::WriteBackMode>(w.choice("mode", kWriteBackModes));
  if (const auto v = rounding(w, "rounding")) spec.rounding.mode = *v;
  spec.round_of = w.choice("round_of", kRoundOf, 0) == 0 ? learning::RoundOf::sum : learning::RoundOf::update;
  spec.lower_bound = w.number("lower_bound", -kInf, kInf);
  spec.upper_bound = w.number("upper_bound", -kInf, kInf);
  if (spec.lower_bound && spec.upper_bound && *spec.upper_bound < *spec.lower_bound)
    w.fail_at("upper_bound", "key '" + w.key_path("upper_bound") + "' is below lower_bound (allowed: upper_bound >= lower_bound)");
  if (const auto v = w.number("learning_rate", 0.0, kInf)) spec.rate.initial = *v;
  if (const auto v = w.number("rate_decay", 0.0, kInf)) spec.rate.decay = *v;
  if (const auto v = w.integer("epoch_steps", 0, std::numeric_limits<std::int64_t>::max())) spec.rate.epoch_steps = static_cast<sim::Step>(*v);
  if (const auto v = w.integer("shadow_extra_frac_bits", 0, 36)) spec.shadow.extra_frac_bits = static_cast<int>(*v);
  if (const auto v = rounding(w, "shadow_rounding")) spec.shadow.rounding.mode = *v;
  if (const auto v = rounding(w, "forward_rounding")) spec.shadow.forward_rounding.mode = *v;
  if (const auto v = w.integer("requantize_every", 1, std::numeric_limits<std::int64_t>::max())) spec.shadow.requantize_every = static_cast<sim::Step>(*v);
  return spec;
}

}  // namespace qsnn::experiments
