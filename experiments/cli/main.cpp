// qsnn command line. The only translation unit that includes CLI11; everything it runs lives in the
// qsnn_experiments library. Exit codes: 0 success, 1 the job failed, 2 usage or config error.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <cstdint>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "experiments/cli/version.hpp"
#include "experiments/inspect_results.hpp"
#include "experiments/job_config.hpp"
#include "experiments/quant_demo.hpp"

namespace {

constexpr int kUsageError = 2;
constexpr std::array<std::string_view, 4> kSubcommands{"run", "check", "inspect", "quant-demo"};
constexpr std::string_view kSubcommandList = "run, check, inspect, quant-demo";

// A signal handler can only set a flag of static storage; the run polls it between slices and ends at a safe
// point with an "interrupted" results file. The one piece of process-wide state, and it lives here, in main.
volatile std::sig_atomic_t stop_signal = 0;
extern "C" void request_stop(int signal) { stop_signal = signal; }

int usage_error(const std::string& message, std::string_view command = "qsnn") {
  std::cerr << command << ": " << message << "; see '" << command << " --help'\n";
  return kUsageError;
}

}  // namespace

int main(int argc, char** argv) {
  namespace ex = qsnn::experiments;

  CLI::App app{"qsnn: event-driven simulator of spiking neural networks with low-bit fixed-point synapses",
               "qsnn"};
  app.set_version_flag("--version", std::string{qsnn::cli::version_string()}, "Print the version and git commit");
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  qsnn run experiments/configs/default.toml\n"
      "  qsnn run experiments/configs/default.toml --set quant_demo.seed=5 --set quant_demo.rows=64\n"
      "  qsnn check experiments/configs/cuba.toml\n"
      "  qsnn inspect results/cuba.h5\n"
      "  qsnn quant-demo --rows 64 --cols 64 --out /tmp/quant_sqnr.csv\n"
      "Exit codes: 0 success, 1 the job failed, 2 usage or config error.");

  std::string config_path;
  std::vector<std::string> overrides;
  CLI::App* run = app.add_subcommand("run", "Run the job a TOML config describes");
  run->add_option("config", config_path, "Config file, e.g. experiments/configs/default.toml")->required();
  run->add_option("--set", overrides, "Override a config value; VALUE is TOML (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  bool quiet = false;
  run->add_flag("--quiet,-q", quiet, "No progress lines, only errors and the final summary");

  CLI::App* check = app.add_subcommand("check", "Validate a config (and fit its network to the chip preset), run nothing");
  check->add_option("config", config_path, "Config file")->required();
  check->add_option("--set", overrides, "Override a config value; VALUE is TOML (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);

  std::string results_path;
  CLI::App* inspect = app.add_subcommand("inspect", "Summarize a results file: status, provenance, spikes, epochs, counters");
  inspect->add_option("file", results_path, "Results file (NAME.h5, or NAME.h5.partial of an unfinished run)")->required();

  ex::QuantDemoOptions demo_options;
  CLI::App* demo = app.add_subcommand("quant-demo", "Quantize a Gaussian weight tensor at 1..8 bits, write SQNR/MSE");
  demo->add_option("--out", demo_options.output, "CSV file to write (relative to the current directory)")
      ->capture_default_str();
  demo->add_option("--rows", demo_options.rows, "Output channels of the weight tensor")
      ->check(CLI::Range(std::size_t{1}, ex::kQuantDemoMaxDim))
      ->capture_default_str();
  demo->add_option("--cols", demo_options.cols, "Inputs per channel")
      ->check(CLI::Range(std::size_t{1}, ex::kQuantDemoMaxDim))
      ->capture_default_str();
  demo->add_option("--seed", demo_options.seed, "Seed of the counter-based RNG")->capture_default_str();

  // Before the subcommand only --help and --version are valid; the first other word names the subcommand.
  for (int i = 1; i < argc; ++i) {
    const std::string_view word{argv[i]};
    if (word == "-h" || word == "--help" || word == "--version") continue;
    if (word.starts_with("-")) return usage_error("unknown option '" + std::string{word} + "'");
    if (std::find(kSubcommands.begin(), kSubcommands.end(), word) == kSubcommands.end())
      return usage_error("unknown subcommand '" + std::string{word} + "' (available: " +
                         std::string{kSubcommandList} + ")");
    break;
  }
  if (argc < 2) return usage_error("a subcommand is required (available: " + std::string{kSubcommandList} + ")");

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& success) {  // --help, --version
    return app.exit(success);
  } catch (const CLI::ParseError& error) {
    return usage_error(error.what(), *run ? "qsnn run" : *check ? "qsnn check" : *inspect ? "qsnn inspect" : *demo ? "qsnn quant-demo" : "qsnn");
  }

  try {
    if (*run) {
      const ex::JobConfig config = ex::load_job_config(config_path, overrides);
      std::signal(SIGINT, request_stop);
      std::signal(SIGTERM, request_stop);
      std::string command_line;
      for (int i = 0; i < argc; ++i) command_line += (i > 0 ? " " : "") + std::string(argv[i]);
      ex::RunProvenance provenance{.command_line = command_line,
                                   .simulator_version = std::string{qsnn::cli::version_string()}};
      return ex::run_job(config, {.out = std::cout, .log = std::cerr, .quiet = quiet,
                                  .terminal = ::isatty(STDERR_FILENO) == 1, .stop_requested = &stop_signal,
                                  .provenance = std::move(provenance)});
    }
    if (*check) {
      const ex::JobConfig config = ex::load_job_config(config_path, overrides);
      if (config.kind == ex::JobKind::simulate) {
        const auto violations = ex::chip_fit_violations(config.simulation, &std::cout);
        for (const auto& violation : violations)
          std::cerr << config_path << ": the network does not fit chip preset '"
                    << qsnn::sim::chip_name(*config.simulation.chip) << "': " << violation << '\n';
        if (!violations.empty()) return kUsageError;
      }
      std::cout << config_path << ": ok (" << ex::job_kind_name(config.kind) << ")\n";
      return 0;
    }
    if (*inspect) return ex::inspect_results(results_path, std::cout, std::cerr);
    if (*demo) return ex::run_quant_demo(demo_options, std::cout);
  } catch (const ex::ConfigError& error) {
    std::cerr << error.what() << '\n';
    return kUsageError;
  } catch (const std::exception& error) {
    std::cerr << "qsnn: " << error.what() << '\n';
    return 1;
  }
  return usage_error("a subcommand is required");
}
