#pragma once
// The "simulate" job: builds the configured network, runs it for the configured duration, and writes one
// results file (experiments/results_file.hpp) flushed at every checkpoint. A stop request (SIGINT/SIGTERM in
// the CLI) ends the run at the next checkpoint-sized slice, leaving a .partial file with status "interrupted".
#include <csignal>
#include <iosfwd>

#include "experiments/results_file.hpp"
#include "experiments/simulation_config.hpp"

namespace qsnn::experiments {

struct JobContext {
  std::ostream& out;  // the final summary line
  std::ostream& log;  // progress (plain lines; a progress bar belongs to a terminal-aware caller)
  bool quiet = false;
  bool terminal = false;  // log is a terminal: a progress bar redrawn in place instead of a line per checkpoint
  // Set asynchronously (a signal handler); read between slices of the run. nullptr: never stops early.
  const volatile std::sig_atomic_t* stop_requested = nullptr;
  RunProvenance provenance;
};

// Builds the network and, with a chip preset and fit_check, maps it onto the chip: the violations, one line
// each (empty when it fits or no chip is configured). Used by `qsnn check` and before `qsnn run`.
std::vector<std::string> chip_fit_violations(const SimulationConfig& config, std::ostream* report);

// Exit code: 0 complete, 1 interrupted or failed, 2 the network does not fit the configured chip.
int run_simulation(const SimulationConfig& config, const JobContext& context);

}  // namespace qsnn::experiments
