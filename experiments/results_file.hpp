#pragma once
// The one HDF5 file a run writes (layout: ../shared/reference/results-sweeps-notebooks.md §1.2, SONATA spike
// groups). It is written as NAME.h5.partial, flushed at every checkpoint, and renamed to NAME.h5 only by
// finish(): a file under its final name is always complete, and a crash or kill leaves only a .partial file,
// readable up to its last checkpoint (flushed files survive SIGKILL; §1.3 of the same reference).
//
//   /                       format="qsnn-results", format_version, status, created_utc, finished_utc
//   /provenance             attrs (version, commit, seed, threads, host, command line, times, Slurm ids)
//                           + config_source, config_resolved, overrides (string datasets)
//   /spikes/<population>    timestamps (float64 ms), node_ids (uint64), sorting = by_time, n_nodes
//   /state/<population>/<variable>   times (ms), node_ids, values [samples, neurons] (+ codes when fixed point)
//   /metrics/epochs         compound table, one row per epoch (EpochMetrics)
//   /metrics/confusion      uint64 [classes, classes], rows = true label
//   /weights/<projection>   pre, post, delay per synapse; snapshots q [S, synapses] (integer codes) or w
//                           (float64 targets), scale [S], zero_point [S], epoch [S]; w = scale * (q - zero_point)
//   /quant/populations/<population>   overflow counters per state variable
//   /quant/projections/<projection>   weight saturations at build time
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "experiments/hdf5/file.hpp"
#include "kernels/lif_constants.hpp"
#include "sim/projection.hpp"
#include "sim/quantization_diagnostics.hpp"
#include "sim/state_recorder.hpp"
#include "sim/types.hpp"

namespace qsnn::experiments {

struct RunProvenance {
  std::string config_source;    // the config file's text, byte for byte
  std::string config_resolved;  // after --set overrides
  std::vector<std::string> overrides;
  std::string config_path;
  std::string command_line;
  std::string simulator_version;  // "qsnn 0.1.0 (commit)"
  std::uint64_t seed = 0;
  std::uint64_t threads = 0;
};

// One row of /metrics/epochs. NaN where a value does not apply (e.g. no test set).
struct EpochMetrics {
  std::int32_t epoch = 0;
  double train_accuracy = 0.0;
  double test_accuracy = 0.0;
  double loss = 0.0;
  std::uint64_t spikes = 0;
  double wall_seconds = 0.0;
  std::uint64_t updates_proposed = 0;
  std::uint64_t updates_lost_to_rounding = 0;
  std::uint64_t saturations = 0;
};

// The HDF5 compound type of EpochMetrics rows (field names as in /metrics/epochs).
h5::Handle epoch_metrics_type();

class ResultsFile {
 public:
  // Creates `final_path` + ".partial" (truncating it); final_path must end in ".h5".
  explicit ResultsFile(std::string final_path);
  ~ResultsFile();  // a file neither finished nor interrupted is closed as "incomplete" and stays .partial
  ResultsFile(const ResultsFile&) = delete;
  ResultsFile& operator=(const ResultsFile&) = delete;

  const std::string& final_path() const { return final_path_; }
  std::string partial_path() const { return final_path_ + ".partial"; }

  void write_provenance(const RunProvenance& provenance);

  // Spikes are appended as they are recorded (in step order, so the group's sorting is by_time).
  void add_spike_population(const std::string& population, std::uint64_t nodes);
  void append_spikes(const std::string& population, std::span<const sim::Step> steps,
                     std::span<const sim::NeuronIndex> neurons, double dt_ms);

  void write_state(const std::string& population, const std::string& variable, const sim::StateRecorder& recorder,
                   double dt_ms);
  void append_epoch(const EpochMetrics& metrics);
  void write_confusion(std::span<const std::uint64_t> counts, std::size_t classes);
  // /metrics/<name>: one group of named numbers and texts as attributes (e.g. a post-training evaluation).
  void write_summary(const std::string& name, const std::vector<std::pair<std::string, double>>& numbers,
                     const std::vector<std::pair<std::string, std::string>>& texts = {});
  // One snapshot of the projection's weights, taken after `epoch` (-1: before training).
  void snapshot_weights(const sim::Projection& projection, const std::string& pre, const std::string& post,
                        std::int32_t epoch);
  // One snapshot of a weight matrix that is not a sim::Projection (a DECOLLE layer): rows = output neurons.
  // Integer codes with their step when `codes` is not empty (w = scale * q), else the real weights.
  void snapshot_weight_matrix(const std::string& name, std::size_t rows, std::size_t cols,
                              std::span<const double> weights, std::span<const std::int16_t> codes, double scale,
                              int bits, std::int32_t epoch);
  void write_population_overflow(const std::string& population, const kernels::LifOverflowCounts& counts);
  void write_projection_saturations(const sim::Projection& projection);
  // /quant/diagnostics: the fixed network against its float64 twin (sim/quantization_diagnostics.hpp).
  void write_quantization_report(const sim::QuantizationReport& report);

  // Writes every buffer to disk: the .partial file is readable up to here if the process dies.
  void checkpoint();
  // status = "complete", closes, fsyncs and renames NAME.h5.partial to NAME.h5.
  void finish();
  // status = "interrupted" (Ctrl-C, SIGTERM): closes and keeps the .partial name.
  void finish_interrupted();

 private:
  struct SpikeDatasets;
  struct WeightDatasets;
  void close_with_status(const std::string& status);

  std::string final_path_;
  std::unique_ptr<h5::File> file_;
  std::chrono::system_clock::time_point started_;
  std::chrono::steady_clock::time_point started_steady_;
  std::map<std::string, std::unique_ptr<SpikeDatasets>> spikes_;
  std::map<std::string, std::unique_ptr<WeightDatasets>> weights_;
  std::unique_ptr<h5::AppendableDataset> epochs_;
  struct MatrixDatasets;
  std::map<std::string, std::unique_ptr<MatrixDatasets>> matrices_;
};

}  // namespace qsnn::experiments
