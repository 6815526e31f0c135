#pragma once
// `qsnn inspect FILE.h5`: a plain-text summary of a results file (status, provenance, spikes per population,
// the epoch table, overflow counters, weight snapshots), for a terminal or a Slurm log.
#include <iosfwd>
#include <string>

namespace qsnn::experiments {

// Returns the exit code: 0, or 1 when the file cannot be read as a qsnn results file (message on `err`).
int inspect_results(const std::string& path, std::ostream& out, std::ostream& err);

}  // namespace qsnn::experiments
