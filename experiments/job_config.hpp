#pragma once
// Job configs: a TOML file names one job and its parameters. Everything is validated before any job
// runs; a bad config raises ConfigError with a one-line, compiler-style message
//   FILE:LINE: key 'quant_demo.rowz' is unknown (allowed: rows, cols, seed, output)
#include <iosfwd>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "experiments/quant_demo.hpp"

namespace qsnn::experiments {

enum class JobKind {
  quant_demo  // the only kind until the simulator exists
};

std::string_view job_kind_name(JobKind kind);  // as configs name it: "quant-demo"

struct JobConfig {
  JobKind kind = JobKind::quant_demo;
  QuantDemoOptions quant_demo;
};

// A config or override that cannot be used. what() is one line that starts with where the problem
// is: "FILE:LINE", "FILE" or "--set KEY=VALUE".
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads and validates `file`, after applying `overrides` in order (later ones win). An override is
// "key.path=value" with the value parsed as a TOML value; text that is not a TOML value is taken as a
// string, so --set quant_demo.output=out.csv works unquoted. Throws ConfigError.
JobConfig load_job_config(const std::string& file, std::span<const std::string> overrides = {});

// Runs the configured job; returns the process exit code.
int run_job(const JobConfig& config, std::ostream& out);

}  // namespace qsnn::experiments
