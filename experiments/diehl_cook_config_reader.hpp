#pragma once
// Reads a "diehl-cook" job ([run], [dataset], [network], [training]) into a DiehlCookJobConfig, or throws
// ConfigError naming file, line, key and the allowed values. Every key is in
// experiments/configs/diehl_cook_synthetic.toml with its default.
#include <toml++/toml.h>

#include "experiments/config_reader.hpp"
#include "experiments/diehl_cook_job.hpp"

namespace qsnn::experiments {

DiehlCookJobConfig read_diehl_cook_config(const toml::table& root, const Locator& locator);

}  // namespace qsnn::experiments
