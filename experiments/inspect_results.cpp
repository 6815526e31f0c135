#include "experiments/inspect_results.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <ostream>
#include <vector>

#include "experiments/hdf5/file.hpp"
#include "experiments/results_file.hpp"

namespace qsnn::experiments {

namespace {

std::string optional_attribute(const h5::Object& object, const std::string& name) {
  return object.has_attribute(name) ? object.string_attribute(name) : std::string("-");
}

void print_number(std::ostream& out, double value) {
  if (std::isnan(value)) out << "-";
  else out << std::fixed << std::setprecision(4) << value << std::defaultfloat;
}

void print_counters(std::ostream& out, const h5::Group& group) {
  for (const auto& variable : group.member_names()) {
    const h5::Group g = group.open_group(variable);
    out << " " << variable << " " << g.numeric_attribute<std::uint64_t>("saturated_high") << "+"
        << g.numeric_attribute<std::uint64_t>("saturated_low") << " saturated, "
        << g.numeric_attribute<std::uint64_t>("wrapped") << " wrapped;";
  }
}

}  // namespace

int inspect_results(const std::string& path, std::ostream& out, std::ostream& err) {
  try {
    const h5::File file = h5::File::open_read_only(path);
    if (!file.has_attribute("format") || file.string_attribute("format") != "qsnn-results") {
      err << "qsnn inspect: " << path << " is not a qsnn results file (no format = \"qsnn-results\")\n";
      return 1;
    }
    out << path << ": status " << file.string_attribute("status") << ", format "
        << file.string_attribute("format_version") << ", created " << file.string_attribute("created_utc");
    if (file.has_attribute("wall_seconds")) out << ", " << file.numeric_attribute<double>("wall_seconds") << " s wall";
    out << '\n';
    if (file.contains("provenance")) {
      const h5::Group p = file.open_group("provenance");
      out << "  run: " << optional_attribute(p, "simulator_version") << ", seed "
          << p.numeric_attribute<std::uint64_t>("seed") << ", " << p.numeric_attribute<std::uint64_t>("threads")
          << " threads, host " << optional_attribute(p, "hostname") << '\n';
      out << "  config: " << optional_attribute(p, "config_path");
      const auto overrides = p.open_dataset("overrides");
      if (!overrides.shape().empty() && overrides.shape()[0] > 0)
        out << " with " << overrides.shape()[0] << " --set override(s)";
      out << '\n';
      for (const char* slurm : {"slurm_job_id", "slurm_array_job_id", "slurm_array_task_id"})
        if (p.has_attribute(slurm)) out << "  " << slurm << ": " << p.string_attribute(slurm) << '\n';
    }
    const h5::Group spikes = file.open_group("spikes");
    for (const auto& population : spikes.member_names()) {
      const h5::Group g = spikes.open_group(population);
      const auto times = g.open_dataset("timestamps").read<double>();
      out << "  spikes " << population << ": " << times.size() << " of " << g.numeric_attribute<std::uint64_t>("n_nodes")
          << " neurons";
      if (!times.empty())
        out << ", " << *std::min_element(times.begin(), times.end()) << ".."
            << *std::max_element(times.begin(), times.end()) << " ms";
      out << '\n';
    }
    const h5::Group metrics = file.open_group("metrics");
    const h5::Dataset epochs = metrics.open_dataset("epochs");
    std::vector<EpochMetrics> rows(epochs.shape().at(0));
    epochs.read_raw(epoch_metrics_type().id(), rows.data());
    if (!rows.empty()) {
      out << "  epochs: epoch  train_acc  test_acc  loss  spikes  wall_s  proposed  lost_to_rounding  saturations\n";
      for (const auto& row : rows) {
        out << "          " << row.epoch << "  ";
        print_number(out, row.train_accuracy);
        out << "  ";
        print_number(out, row.test_accuracy);
        out << "  ";
        print_number(out, row.loss);
        out << "  " << row.spikes << "  " << row.wall_seconds << "  " << row.updates_proposed << "  "
            << row.updates_lost_to_rounding << "  " << row.saturations << '\n';
      }
    }
    const h5::Group weights = file.open_group("weights");
    for (const auto& projection : weights.member_names()) {
      const h5::Group g = weights.open_group(projection);
      const auto shape = g.open_dataset(g.contains("q") ? "q" : "w").shape();
      out << "  weights " << projection << ": " << shape.at(0) << " snapshot(s) of " << shape.at(1) << " synapses, "
          << g.numeric_attribute<std::int32_t>("bits") << " bits";
      if (g.has_attribute("sign")) out << ", " << g.string_attribute("sign");
      if (g.has_attribute("rounding")) out << ", rounding " << g.string_attribute("rounding");
      out << ", " << g.string_attribute("scheme") << '\n';
    }
    const h5::Group quant = file.open_group("quant");
    const h5::Group populations = quant.open_group("populations");
    for (const auto& population : populations.member_names()) {
      out << "  overflow " << population << ":";
      print_counters(out, populations.open_group(population));
      out << '\n';
    }
    const h5::Group projections = quant.open_group("projections");
    for (const auto& projection : projections.member_names()) {
      out << "  saturation " << projection << ":";
      print_counters(out, projections.open_group(projection));
      out << '\n';
    }
    if (quant.contains("diagnostics")) {
      const h5::Group populations_diag = quant.open_group("diagnostics").open_group("populations");
      for (const auto& population : populations_diag.member_names()) {
        const h5::Group g = populations_diag.open_group(population);
        const auto first = g.numeric_attribute<std::int64_t>("first_divergence_step");
        out << "  vs float64 " << population << ": spikes " << g.numeric_attribute<std::int64_t>("spike_count_difference")
            << " vs reference, " << (first < 0 ? std::string("identical trains") : "first divergence at step " + std::to_string(first))
            << ", membrane RMSE " << g.numeric_attribute<double>("membrane_rmse") << ";";
        for (const auto& variable : g.member_names()) {
          const h5::Group v = g.open_group(variable);
          out << " " << variable << " " << v.numeric_attribute<std::int32_t>("bits_used") << "/"
              << v.numeric_attribute<std::int32_t>("format_bits") << " bits used, "
              << v.numeric_attribute<std::int32_t>("bits_needed") << " needed;";
        }
        out << '\n';
      }
    }
    return 0;
  } catch (const h5::Error& error) {
    err << "qsnn inspect: " << path << ": " << error.what() << '\n';
    return 1;
  }
}

}  // namespace qsnn::experiments
