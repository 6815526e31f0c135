#pragma once
// Reads the tables of a "simulate" job ([run], [chip], [[population]], [[projection]], [record]) from a parsed
// config into a SimulationConfig, or throws ConfigError naming file, line, key and the allowed values.
#include <toml++/toml.h>

#include <span>
#include <string_view>

#include "experiments/config_reader.hpp"
#include "experiments/simulation_config.hpp"

namespace qsnn::experiments {

// The top-level tables a simulate job may have (besides [job]).
std::span<const std::string_view> simulation_tables();

SimulationConfig read_simulation_config(const toml::table& root, const Locator& locator);

}  // namespace qsnn::experiments
