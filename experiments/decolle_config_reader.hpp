#pragma once
// Reads a "decolle" job ([run], [dataset], [network], [training]) into a DecolleJobConfig, or throws ConfigError
// naming file, line, key and the allowed values. Every key is in experiments/configs/decolle_patterns.toml.
#include <toml++/toml.h>

#include "experiments/config_reader.hpp"
#include "experiments/decolle_job.hpp"

namespace qsnn::experiments {

DecolleJobConfig read_decolle_config(const toml::table& root, const Locator& locator);

}  // namespace qsnn::experiments
