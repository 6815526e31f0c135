#pragma once
// Job configs: a TOML file names one job and its parameters. Everything is validated before any job
// runs; a bad config raises ConfigError with a one-line, compiler-style message
//   FILE:LINE: key 'quant_demo.rowz' is unknown (allowed: rows, cols, seed, output)
#include <iosfwd>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "experiments/config_reader.hpp"
#include "experiments/decolle_job.hpp"
#include "experiments/diehl_cook_job.hpp"
#include "experiments/quant_demo.hpp"
#include "experiments/simulate_job.hpp"
#include "experiments/simulation_config.hpp"

namespace qsnn::experiments {

enum class JobKind {
  quant_demo,  // quantization error of every quantizer on synthetic weights (CSV)
  simulate,    // a network from the config, run for a duration, one HDF5 results file
  diehl_cook,  // Diehl & Cook 2015 training and evaluation on an image dataset
  decolle      // DECOLLE online training and evaluation on a spike dataset
};

std::string_view job_kind_name(JobKind kind);  // as configs name it: "quant-demo"

struct JobConfig {
  JobKind kind = JobKind::quant_demo;
  QuantDemoOptions quant_demo;
  SimulationConfig simulation;
  DiehlCookJobConfig diehl_cook;
  DecolleJobConfig decolle;
  // What was read, for the results file's provenance.
  std::string path;
  std::string source_text;    // the file, byte for byte
  std::string resolved_text;  // the config after the overrides, as TOML
  std::vector<std::string> overrides;
};

// Reads and validates `file`, after applying `overrides` in order (later ones win). An override is
// "key.path=value" with the value parsed as a TOML value; text that is not a TOML value is taken as a
// string, so --set quant_demo.output=out.csv works unquoted. Throws ConfigError.
JobConfig load_job_config(const std::string& file, std::span<const std::string> overrides = {});

// Runs the configured job; returns the process exit code. `context.provenance` gets the config texts here.
int run_job(const JobConfig& config, JobContext context);

}  // namespace qsnn::experiments
