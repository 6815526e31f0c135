#include "experiments/results_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <variant>

#include "quant/overflow.hpp"
#include "quant/rounding_mode.hpp"
#include "sim/state_variable.hpp"

namespace qsnn::experiments {

namespace {

constexpr std::string_view kFormat = "qsnn-results";
constexpr std::string_view kFormatVersion = "1.0";
// SONATA spike groups: sorting is an int8 enum {none, by_id, by_time}, as libsonata reads it.
constexpr std::array<std::string_view, 3> kSonataSorting{"none", "by_id", "by_time"};
constexpr std::int8_t kSortedByTime = 2;

std::string utc_iso8601(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::array<char, 32> text{};
  std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text.data();
}

std::string host_name() {
  std::array<char, 256> name{};
  if (gethostname(name.data(), name.size() - 1) != 0) return "unknown";
  return name.data();
}

}  // namespace

h5::Handle epoch_metrics_type() {
  h5::Handle type = h5::datatype_handle(H5Tcreate(H5T_COMPOUND, sizeof(EpochMetrics)), "create the epoch row type");
  const auto insert = [&](const char* name, std::size_t offset, hid_t member) {
    h5::check(H5Tinsert(type.id(), name, offset, member), std::string("add field ") + name + " to the epoch rows");
  };
  insert("epoch", offsetof(EpochMetrics, epoch), H5T_NATIVE_INT32);
  insert("train_accuracy", offsetof(EpochMetrics, train_accuracy), H5T_NATIVE_DOUBLE);
  insert("test_accuracy", offsetof(EpochMetrics, test_accuracy), H5T_NATIVE_DOUBLE);
  insert("loss", offsetof(EpochMetrics, loss), H5T_NATIVE_DOUBLE);
  insert("n_spikes", offsetof(EpochMetrics, spikes), H5T_NATIVE_UINT64);
  insert("wall_seconds", offsetof(EpochMetrics, wall_seconds), H5T_NATIVE_DOUBLE);
  insert("updates_proposed", offsetof(EpochMetrics, updates_proposed), H5T_NATIVE_UINT64);
  insert("updates_lost_to_rounding", offsetof(EpochMetrics, updates_lost_to_rounding), H5T_NATIVE_UINT64);
  insert("saturations", offsetof(EpochMetrics, saturations), H5T_NATIVE_UINT64);
  return type;
}

namespace {

void fsync_path(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw std::runtime_error("cannot open " + path + " to sync it to disk");
  const int status = ::fsync(fd);
  ::close(fd);
  if (status != 0) throw std::runtime_error("cannot sync " + path + " to disk");
}

// The smallest signed integer type holding [low, high], as the width of stored weight codes.
enum class CodeWidth { int8, int16, int32 };
CodeWidth code_width(std::int64_t low, std::int64_t high) {
  if (low >= -128 && high <= 127) return CodeWidth::int8;
  if (low >= -32768 && high <= 32767) return CodeWidth::int16;
  return CodeWidth::int32;
}

void write_overflow(h5::Group& group, const std::string& variable, const quant::OverflowCounts& counts) {
  h5::Group g = group.create_group(variable);
  g.set_attribute("saturated_high", counts.saturated_high);
  g.set_attribute("saturated_low", counts.saturated_low);
  g.set_attribute("wrapped", counts.wrapped);
}

// Written again at a later checkpoint: the old member goes, so the file never holds two versions.
void remove_if_present(h5::Group& parent, const std::string& name) {
  if (parent.contains(name))
    h5::check(H5Ldelete(parent.id(), name.c_str(), H5P_DEFAULT), "replace " + parent.path() + "/" + name);
}

h5::Group require_group(h5::Group& parent, const std::string& name) {
  return parent.contains(name) ? parent.open_group(name) : parent.create_group(name);
}

}  // namespace

struct ResultsFile::SpikeDatasets {
  h5::AppendableDataset timestamps;
  h5::AppendableDataset node_ids;
};

struct ResultsFile::WeightDatasets {
  bool float_weights;
  CodeWidth width;
  std::uint64_t synapses;
  h5::AppendableDataset values;  // q or w
  h5::AppendableDataset scale;
  h5::AppendableDataset zero_point;
  h5::AppendableDataset epoch;
};

struct ResultsFile::MatrixDatasets {
  bool codes;
  std::uint64_t elements;
  h5::AppendableDataset values;
  h5::AppendableDataset scale;
  h5::AppendableDataset epoch;
};

ResultsFile::ResultsFile(std::string final_path)
    : final_path_(std::move(final_path)),
      started_(std::chrono::system_clock::now()),
      started_steady_(std::chrono::steady_clock::now()) {
  if (final_path_.size() < 4 || final_path_.substr(final_path_.size() - 3) != ".h5")
    throw std::invalid_argument("result file '" + final_path_ + "': the name must end in .h5");
  file_ = std::make_unique<h5::File>(h5::File::create(partial_path()));
  file_->set_attribute("format", kFormat);
  file_->set_attribute("format_version", kFormatVersion);
  file_->set_attribute("status", "running");
  file_->set_attribute("created_utc", utc_iso8601(started_));
  file_->create_group("spikes");
  file_->create_group("state");
  h5::Group metrics = file_->create_group("metrics");
  epochs_ = std::make_unique<h5::AppendableDataset>(
      metrics.create_appendable_raw("epochs", epoch_metrics_type(), sizeof(EpochMetrics), 0, {}));
  file_->create_group("weights");
  h5::Group quant = file_->create_group("quant");
  quant.create_group("populations");
  quant.create_group("projections");
  file_->flush();
}

ResultsFile::~ResultsFile() {
  if (!file_) return;
  try {
    close_with_status("incomplete");
  } catch (...) {  // a destructor must not throw; the file keeps its .partial name either way
  }
}

void ResultsFile::write_provenance(const RunProvenance& p) {
  h5::Group g = file_->create_group("provenance");
  g.write_string("config_source", p.config_source);
  g.write_string("config_resolved", p.config_resolved);
  g.write_strings("overrides", p.overrides);
  g.set_attribute("config_path", p.config_path);
  g.set_attribute("command_line", p.command_line);
  g.set_attribute("simulator_version", p.simulator_version);
  g.set_attribute("hdf5_version", std::to_string(H5_VERS_MAJOR) + "." + std::to_string(H5_VERS_MINOR) + "." +
                                      std::to_string(H5_VERS_RELEASE));
  g.set_attribute("seed", p.seed);
  g.set_attribute("threads", p.threads);
  g.set_attribute("hostname", host_name());
  g.set_attribute("started_utc", utc_iso8601(started_));
  for (const char* variable : {"SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID"}) {
    if (const char* value = std::getenv(variable)) {
      std::string name(variable);
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      g.set_attribute(name, value);
    }
  }
}

void ResultsFile::add_spike_population(const std::string& population, std::uint64_t nodes) {
  h5::Group spikes = file_->open_group("spikes");
  h5::Group g = spikes.create_group(population);
  g.set_enum_attribute("sorting", kSortedByTime, kSonataSorting);
  g.set_attribute("n_nodes", nodes);
  auto timestamps = g.create_appendable<double>("timestamps");
  timestamps.set_attribute("units", "ms");
  auto node_ids = g.create_appendable<std::uint64_t>("node_ids");
  spikes_[population] = std::make_unique<SpikeDatasets>(SpikeDatasets{std::move(timestamps), std::move(node_ids)});
}

void ResultsFile::append_spikes(const std::string& population, std::span<const sim::Step> steps,
                                std::span<const sim::NeuronIndex> neurons, double dt_ms) {
  const auto it = spikes_.find(population);
  if (it == spikes_.end()) throw std::logic_error("results: spikes of '" + population + "' were not declared");
  if (steps.size() != neurons.size()) throw std::invalid_argument("results: spike steps and neurons differ in size");
  std::vector<double> times(steps.size());
  for (std::size_t k = 0; k < steps.size(); ++k) times[k] = static_cast<double>(steps[k]) * dt_ms;
  const std::vector<std::uint64_t> ids(neurons.begin(), neurons.end());
  it->second->timestamps.append(std::span<const double>(times));
  it->second->node_ids.append(std::span<const std::uint64_t>(ids));
}

void ResultsFile::write_state(const std::string& population, const std::string& variable,
                              const sim::StateRecorder& recorder, double dt_ms) {
  h5::Group state = file_->open_group("state");
  h5::Group pop = require_group(state, population);
  h5::Group g = pop.create_group(variable);
  std::vector<double> times;
  for (const auto step : recorder.steps()) times.push_back(static_cast<double>(step) * dt_ms);
  g.write_array(std::string("times"), std::span<const double>(times)).set_attribute("units", "ms");
  const std::vector<std::uint64_t> ids(recorder.neurons().begin(), recorder.neurons().end());
  g.write_array(std::string("node_ids"), std::span<const std::uint64_t>(ids));
  const std::vector<std::uint64_t> dims{recorder.steps().size(), recorder.neurons().size()};
  g.write_array(std::string("values"), recorder.values(), dims);
  if (!recorder.codes().empty()) g.write_array(std::string("codes"), recorder.codes(), dims);
}

void ResultsFile::append_epoch(const EpochMetrics& metrics) { epochs_->append(std::span<const EpochMetrics>(&metrics, 1)); }

void ResultsFile::write_confusion(std::span<const std::uint64_t> counts, std::size_t classes) {
  h5::Group metrics = file_->open_group("metrics");
  remove_if_present(metrics, "confusion");
  metrics.write_array(std::string("confusion"), counts, {classes, classes})
      .set_attribute("rows", "true label, columns: predicted label");
}

void ResultsFile::write_summary(const std::string& name, const std::vector<std::pair<std::string, double>>& numbers,
                                const std::vector<std::pair<std::string, std::string>>& texts) {
  h5::Group metrics = file_->open_group("metrics");
  h5::Group g = metrics.create_group(name);
  for (const auto& [key, value] : numbers) g.set_attribute(key, value);
  for (const auto& [key, value] : texts) g.set_attribute(key, value);
}

void ResultsFile::snapshot_weights(const sim::Projection& projection, const std::string& pre, const std::string& post,
                                   std::int32_t epoch) {
  const auto synapses = projection.synapses();
  auto it = weights_.find(projection.name());
  if (it == weights_.end()) {
    h5::Group weights = file_->open_group("weights");
    h5::Group g = weights.create_group(projection.name());
    const bool float_weights = std::holds_alternative<sim::RealBlocks>(projection.blocks());
    std::vector<std::uint32_t> pres, posts;
    std::vector<std::uint16_t> delays;
    for (const auto& s : synapses) {
      pres.push_back(s.pre);
      posts.push_back(s.post);
      delays.push_back(s.delay);
    }
    g.write_array(std::string("pre"), std::span<const std::uint32_t>(pres));
    g.write_array(std::string("post"), std::span<const std::uint32_t>(posts));
    g.write_array(std::string("delay"), std::span<const std::uint16_t>(delays)).set_attribute("units", "steps");
    g.set_attribute("pre_population", pre);
    g.set_attribute("post_population", post);
    g.set_attribute("bits", static_cast<std::int32_t>(projection.weight_bits()));
    g.set_attribute("sign", sim::sign_mode_name(projection.spec().quantization.sign));
    g.set_attribute("rounding", quant::rounding_name(projection.spec().quantization.rounding.mode));
    g.set_attribute("scheme", float_weights ? "float" : "fixed-point");
    g.set_attribute("formula", float_weights ? "w (float64, voltage units)" : "w = scale * (q - zero_point)");
    const CodeWidth width = code_width(projection.min_weight_code(), projection.max_weight_code());
    const std::uint64_t n = synapses.size();
    auto values = float_weights ? g.create_appendable<double>("w", n)
                  : width == CodeWidth::int8 ? g.create_appendable<std::int8_t>("q", n)
                  : width == CodeWidth::int16 ? g.create_appendable<std::int16_t>("q", n)
                                              : g.create_appendable<std::int32_t>("q", n);
    auto scale = g.create_appendable<double>("scale");
    auto zero_point = g.create_appendable<std::int32_t>("zero_point");
    auto epochs = g.create_appendable<std::int32_t>("epoch");
    it = weights_
             .emplace(projection.name(),
                      std::make_unique<WeightDatasets>(WeightDatasets{float_weights, width, n, std::move(values),
                                                                      std::move(scale), std::move(zero_point),
                                                                      std::move(epochs)}))
             .first;
  }
  WeightDatasets& d = *it->second;
  if (synapses.size() != d.synapses) throw std::logic_error("results: projection '" + projection.name() + "' changed size");
  if (d.float_weights) {
    std::vector<double> w;
    for (const auto& s : synapses) w.push_back(s.weight);
    d.values.append(std::span<const double>(w));
  } else {
    const auto append_codes = [&]<class T>(T) {
      std::vector<T> q;
      for (const auto& s : synapses) q.push_back(static_cast<T>(s.code));  // fits: width chosen from the code range
      d.values.append(std::span<const T>(q));
    };
    if (d.width == CodeWidth::int8) append_codes(std::int8_t{});
    else if (d.width == CodeWidth::int16) append_codes(std::int16_t{});
    else append_codes(std::int32_t{});
  }
  const double scale = d.float_weights ? 1.0 : projection.weight_step();
  const std::int32_t zero = 0;
  d.scale.append(std::span<const double>(&scale, 1));
  d.zero_point.append(std::span<const std::int32_t>(&zero, 1));
  d.epoch.append(std::span<const std::int32_t>(&epoch, 1));
}

void ResultsFile::snapshot_weight_matrix(const std::string& name, std::size_t rows, std::size_t cols,
                                         std::span<const double> weights, std::span<const std::int16_t> codes,
                                         double scale, int bits, std::int32_t epoch) {
  const bool use_codes = !codes.empty();
  const std::uint64_t elements = std::uint64_t{rows} * cols;
  if ((use_codes ? codes.size() : weights.size()) != elements)
    throw std::invalid_argument("results: weight matrix '" + name + "' is not " + std::to_string(rows) + "x" +
                                std::to_string(cols));
  auto it = matrices_.find(name);
  if (it == matrices_.end()) {
    h5::Group g = file_->open_group("weights").create_group(name);
    const std::vector<std::uint64_t> shape{rows, cols};
    g.set_attribute("shape", std::span<const std::uint64_t>(shape));
    g.set_attribute("bits", static_cast<std::int32_t>(bits));
    g.set_attribute("scheme", use_codes ? "fixed-point" : "float");
    g.set_attribute("formula", use_codes ? "w = scale * q, rows = output neurons" : "w, rows = output neurons");
    auto values = use_codes ? g.create_appendable<std::int16_t>("q", elements) : g.create_appendable<double>("w", elements);
    it = matrices_.emplace(name, std::make_unique<MatrixDatasets>(MatrixDatasets{
                                     use_codes, elements, std::move(values), g.create_appendable<double>("scale"),
                                     g.create_appendable<std::int32_t>("epoch")}))
             .first;
  }
  MatrixDatasets& d = *it->second;
  if (d.codes != use_codes || d.elements != elements)
    throw std::logic_error("results: weight matrix '" + name + "' changed its kind or size");
  if (use_codes) d.values.append(codes);
  else d.values.append(weights);
  d.scale.append(std::span<const double>(&scale, 1));
  d.epoch.append(std::span<const std::int32_t>(&epoch, 1));
}

void ResultsFile::write_population_overflow(const std::string& population, const kernels::LifOverflowCounts& counts) {
  h5::Group populations = file_->open_group("quant").open_group("populations");
  remove_if_present(populations, population);
  h5::Group g = populations.create_group(population);
  write_overflow(g, "current", counts.current);
  write_overflow(g, "voltage", counts.voltage);
  write_overflow(g, "theta", counts.theta);
}

void ResultsFile::write_projection_saturations(const sim::Projection& projection) {
  h5::Group projections = file_->open_group("quant").open_group("projections");
  remove_if_present(projections, projection.name());
  h5::Group g = projections.create_group(projection.name());
  write_overflow(g, "weights_at_build", projection.weight_saturations());
}

void ResultsFile::write_quantization_report(const sim::QuantizationReport& report) {
  h5::Group quant = file_->open_group("quant");
  h5::Group g = quant.create_group("diagnostics");
  g.set_attribute("steps", static_cast<std::uint64_t>(report.steps));
  g.set_attribute("dt_ms", report.dt_ms);
  g.set_attribute("reference", "the same network with every LIF population on the float64 path, same inputs and synapses");
  h5::Group populations = g.create_group("populations");
  for (const auto& p : report.populations) {
    h5::Group pg = populations.create_group(p.name);
    pg.set_attribute("fixed_point", static_cast<std::uint8_t>(p.fixed_point));
    pg.set_attribute("fixed_spikes", p.fixed_spikes);
    pg.set_attribute("reference_spikes", p.reference_spikes);
    pg.set_attribute("spike_count_difference", p.spike_count_difference);
    pg.set_attribute("spike_mismatches", p.spike_mismatches);
    pg.set_attribute("diverged_neurons", p.diverged_neurons);
    pg.set_attribute("first_divergence_step",
                     p.first_divergence_step ? static_cast<std::int64_t>(*p.first_divergence_step) : std::int64_t{-1});
    pg.set_attribute("membrane_rmse", p.membrane_rmse);
    pg.set_attribute("membrane_max_abs_error", p.membrane_max_abs_error);
    for (const auto& v : p.variables) {
      h5::Group vg = pg.create_group(sim::state_variable_name(v.variable));
      vg.set_attribute("format_bits", static_cast<std::int32_t>(v.format.total_bits()));
      vg.set_attribute("format_frac_bits", static_cast<std::int32_t>(v.format.frac_bits()));
      vg.set_attribute("overflow_mode", quant::overflow_name(v.overflow_mode));
      vg.set_attribute("min_code", v.min_code);
      vg.set_attribute("max_code", v.max_code);
      vg.set_attribute("bits_used", static_cast<std::int32_t>(v.bits_used));
      vg.set_attribute("reference_min", v.reference_min);
      vg.set_attribute("reference_max", v.reference_max);
      vg.set_attribute("bits_needed", static_cast<std::int32_t>(v.bits_needed));
      vg.set_attribute("suggested_bits", static_cast<std::int32_t>(v.suggested_bits));
      vg.set_attribute("updates", v.updates);
      vg.set_attribute("updates_at_limit", v.updates_at_limit);
      vg.set_attribute("zeroed_below_resolution", v.zeroed_below_resolution);
      vg.set_attribute("zeroed_representable", v.zeroed_representable);
      vg.set_attribute("rmse", v.rmse);
      vg.set_attribute("max_abs_error", v.max_abs_error);
    }
  }
  h5::Group projections = g.create_group("projections");
  for (const auto& p : report.projections) {
    h5::Group pg = projections.create_group(p.name);
    pg.set_attribute("fixed_point", static_cast<std::uint8_t>(p.fixed_point));
    pg.set_attribute("synapses", static_cast<std::uint64_t>(p.synapses));
    pg.set_attribute("weight_bits", static_cast<std::int32_t>(p.weight_bits));
    pg.set_attribute("bits_used", static_cast<std::int32_t>(p.bits_used));
    pg.set_attribute("zeroed_weights", p.zeroed_weights);
    pg.set_attribute("saturated", p.saturations.saturated());
    pg.set_attribute("weight_rmse", p.rmse);
    pg.set_attribute("weight_max_abs_error", p.max_abs_error);
  }
}

void ResultsFile::checkpoint() { file_->flush(); }

void ResultsFile::close_with_status(const std::string& status) {
  const auto now = std::chrono::system_clock::now();
  file_->set_attribute("status", status);
  file_->set_attribute("finished_utc", utc_iso8601(now));
  file_->set_attribute(
      "wall_seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - started_steady_).count());
  spikes_.clear();
  weights_.clear();
  matrices_.clear();
  epochs_.reset();
  file_->flush();
  file_->close();
  file_.reset();
}

void ResultsFile::finish() {
  close_with_status("complete");
  fsync_path(partial_path());
  if (std::rename(partial_path().c_str(), final_path_.c_str()) != 0)
    throw std::runtime_error("cannot rename " + partial_path() + " to " + final_path_);
}

void ResultsFile::finish_interrupted() {
  close_with_status("interrupted");
  fsync_path(partial_path());
}

}  // namespace qsnn::experiments
