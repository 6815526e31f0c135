// The HDF5 results file: every documented group, read back with h5py (Debian python3-h5py) and compared with
// the recorders in memory; .partial until finished, status for interrupted and abandoned runs.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "experiments/results_file.hpp"
#include "sim/lif_population.hpp"
#include "sim/network.hpp"

using namespace qsnn;
namespace fs = std::filesystem;

namespace {

fs::path fresh_directory(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("qsnn-results-test-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

int python(const std::string& arguments) {
  const std::string command = "/usr/bin/python3 " + arguments;
  return std::system(command.c_str());
}

std::string status_of(const fs::path& file) {
  const fs::path out = file.string() + ".status";
  const int rc = python("-c \"import h5py, sys; print(h5py.File(sys.argv[1], 'r').attrs['status'])\" '" +
                        file.string() + "' > '" + out.string() + "'");
  REQUIRE(rc == 0);
  std::ifstream in(out);
  std::string status;
  in >> status;
  return status;
}

struct SmallRun {
  sim::Network net{{.dt_ms = 0.5, .threads = 1, .seed = 7}};
  sim::PopulationId input = net.add_poisson("input", 50, 40.0);
  sim::PopulationId exc = net.add_lif("exc", 20, sim::LifParameters{}, sim::NumericPath::fixed_point);
  sim::ProjectionId projection = net.connect({.name = "input_exc", .pre = input, .post = exc,
                                              .connectivity = sim::FixedProbability{0.5},
                                              .weights = sim::UniformWeight{0.0, 0.4},
                                              .quantization = {.bits = 6, .sign = sim::SignMode::excitatory}});
  sim::SpikeRecorder& spikes = net.record_spikes({.population = exc});
  sim::StateRecorder& voltage =
      net.record_state({.population = exc, .variable = {sim::StateKind::voltage, 0}, .neurons = {0, 5, 19}, .every = 4});
};

}  // namespace

TEST_CASE("a finished results file holds every documented group and the recorded spikes, read back by h5py") {
  const fs::path dir = fresh_directory("complete");
  const fs::path final_path = dir / "run.h5";
  SmallRun run;
  std::ofstream expected(dir / "expected.txt");
  {
    experiments::ResultsFile results(final_path.string());
    CHECK(fs::exists(dir / "run.h5.partial"));
    results.write_provenance({.config_source = "# qsnn test config\n[run]\nseed = 1\n",
                              .config_resolved = "[run]\nseed = 7\n",
                              .overrides = {"run.seed=7"},
                              .config_path = "test.toml",
                              .command_line = "qsnn run test.toml --set run.seed=7",
                              .simulator_version = "qsnn test",
                              .seed = 7,
                              .threads = 1});
    results.add_spike_population("exc", 20);
    run.net.prepare();
    results.snapshot_weights(run.net.projection(run.projection), "input", "exc", -1);
    std::size_t written = 0;
    for (std::int32_t epoch = 0; epoch < 3; ++epoch) {
      run.net.run(200);
      const auto steps = run.spikes.steps().subspan(written);
      const auto neurons = run.spikes.neurons().subspan(written);
      results.append_spikes("exc", steps, neurons, run.net.dt_ms());
      written = run.spikes.count();
      results.append_epoch({.epoch = epoch, .train_accuracy = 0.5, .test_accuracy = 0.25, .spikes = steps.size()});
      results.checkpoint();
    }
    REQUIRE(written > 50);
    for (std::size_t k = 0; k < run.spikes.count(); ++k)
      expected << "spike exc " << static_cast<double>(run.spikes.steps()[k]) * 0.5 << " " << run.spikes.neurons()[k]
               << "\n";
    results.snapshot_weights(run.net.projection(run.projection), "input", "exc", 2);
    results.write_state("exc", "voltage", run.voltage, run.net.dt_ms());
    const std::vector<std::uint64_t> confusion{3, 1, 0, 4};
    results.write_confusion(confusion, 2);
    results.write_population_overflow("exc", run.net.overflow(run.exc));
    results.write_projection_saturations(run.net.projection(run.projection));
    const std::size_t synapses = run.net.projection(run.projection).synapse_count();
    expected << "epochs 3\nweights input_exc 2 " << synapses << " int8\nstate exc voltage " << run.voltage.steps().size()
             << " 3\n";
    expected.close();
    results.finish();
  }
  CHECK(fs::exists(final_path));
  CHECK_FALSE(fs::exists(dir / "run.h5.partial"));
  CHECK(python("'" QSNN_TEST_SOURCE_DIR "/experiments/check_results_file.py' '" + final_path.string() + "' '" +
               (dir / "expected.txt").string() + "'") == 0);
  fs::remove_all(dir);
}

TEST_CASE("an interrupted or abandoned results file keeps its .partial name and says so") {
  const fs::path dir = fresh_directory("partial");
  {
    experiments::ResultsFile interrupted((dir / "a.h5").string());
    interrupted.append_epoch({.epoch = 0});
    interrupted.finish_interrupted();
  }
  { experiments::ResultsFile abandoned((dir / "b.h5").string()); }  // e.g. an exception unwinding the run
  CHECK_FALSE(fs::exists(dir / "a.h5"));
  CHECK_FALSE(fs::exists(dir / "b.h5"));
  CHECK(status_of(dir / "a.h5.partial") == "interrupted");
  CHECK(status_of(dir / "b.h5.partial") == "incomplete");
  CHECK_THROWS_AS(experiments::ResultsFile((dir / "c.txt").string()), std::invalid_argument);
  fs::remove_all(dir);
}
