#include "experiments/decolle_config_reader.hpp"

#include <array>
#include <filesystem>
#include <limits>
#include <string_view>

#include "experiments/write_back_config_reader.hpp"
#include "quant/calibration.hpp"
#include "quant/granularity.hpp"
#include "quant/rounding_mode.hpp"

namespace qsnn::experiments {

namespace {
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::array<std::string_view, 1> kDatasets{"patterns"};
constexpr std::array<std::string_view, 2> kPaths{"fixed-point", "float64"};
constexpr std::array<std::string_view, 2> kReadouts{"spikes", "sigmoid"};
}  // namespace

DecolleJobConfig read_decolle_config(const toml::table& root, const Locator& locator) {
  const TableReader top{locator, root, "", {"job", "run", "dataset", "network", "training", "ptq", "transfer"}};
  DecolleJobConfig config;

  const toml::table* run = top.table("run", true, "table with output");
  const TableReader r{locator, *run, "run", {"seed", "threads", "output"}};
  if (const auto v = r.integer("seed", 0, kMax)) config.network.seed = static_cast<std::uint64_t>(*v);
  if (const auto v = r.integer("threads", 0, 1024)) config.network.threads = static_cast<std::size_t>(*v);
  const auto output = r.non_empty_string("output");
  if (!output || output->size() < 4 || output->substr(output->size() - 3) != ".h5")
    r.fail_at("output", "key 'run.output' must be a file name ending in .h5");
  config.output = *output;

  if (const toml::table* dataset = top.table("dataset", false, "table")) {
    const TableReader d{locator, *dataset, "dataset",
                        {"name", "classes", "inputs", "steps", "active", "p_high", "p_low", "train_size", "test_size",
                         "family"}};
    config.dataset = kDatasets[d.choice("name", kDatasets, 0)];
    SpikePatternSet& p = config.patterns;
    if (const auto v = d.integer("classes", 2, 1000)) p.classes = static_cast<std::uint32_t>(*v);
    if (const auto v = d.integer("inputs", 1, 1000000)) p.inputs = static_cast<std::uint32_t>(*v);
    if (const auto v = d.integer("steps", 1, 100000)) p.steps = static_cast<std::uint32_t>(*v);
    if (const auto v = d.number("active", 0.0, 1.0)) p.active = *v;
    if (const auto v = d.number("p_high", 0.0, 1.0)) p.p_high = *v;
    if (const auto v = d.number("p_low", 0.0, 1.0)) p.p_low = *v;
    if (const auto v = d.integer("train_size", 1, 10000000)) config.train_size = static_cast<std::size_t>(*v);
    if (const auto v = d.integer("test_size", 1, 10000000)) config.test_size = static_cast<std::size_t>(*v);
    // Another family draws other class patterns: "another dataset" for transfer learning.
    if (const auto v = d.integer("family", 0, 1000000)) p.stream = SpikePatternSet{}.stream + 2 * static_cast<std::uint64_t>(*v);
  }
  if (const toml::table* net = top.table("network", false, "table")) {
    const TableReader n{locator, *net, "network",
                        {"layers", "path", "weight_bits", "weight_frac_bits", "tau_mem_ms", "tau_syn_ms", "tau_ref_ms",
                         "refractory_weight", "bias", "init_scale", "readout", "readout_scale", "surrogate_steepness",
                         "burn_in_steps"}};
    const auto sizes = n.integers("layers", 1, 1000000);
    if (n.table().contains("layers")) {
      if (sizes.empty()) n.fail_at("layers", "key 'network.layers' is empty (allowed: the size of each dense layer)");
      config.layer_sizes.assign(sizes.begin(), sizes.end());
    }
    config.network.path = n.choice("path", kPaths, 1) == 0 ? sim::NumericPath::fixed_point : sim::NumericPath::float64;
    learning::DecolleLayerSpec& l = config.layer;
    if (const auto v = n.integer("weight_bits", 2, 16)) l.weight_bits = static_cast<int>(*v);
    if (const auto v = n.integer("weight_frac_bits", 0, 24)) l.weight_frac_bits = static_cast<int>(*v);
    if (const auto v = n.number("tau_mem_ms", 0.0, 1e6, true)) l.tau_mem_ms = *v;
    if (const auto v = n.number("tau_syn_ms", 0.0, 1e6, true)) l.tau_syn_ms = *v;
    if (const auto v = n.number("tau_ref_ms", 0.0, 1e6, true)) l.tau_ref_ms = *v;
    if (const auto v = n.number("refractory_weight", 0.0, kInf)) l.refractory_weight = *v;
    if (const auto v = n.number("bias", -kInf, kInf)) l.bias = *v;
    if (const auto v = n.number("init_scale", 0.0, kInf)) l.init_scale = *v;
    config.network.readout_source = n.choice("readout", kReadouts, 0) == 0 ? learning::DecolleReadoutSource::spikes
                                                                            : learning::DecolleReadoutSource::sigmoid;
    if (const auto v = n.number("readout_scale", 0.0, kInf, true)) config.network.readout_scale = *v;
    if (const auto v = n.number("surrogate_steepness", 0.0, kInf, true)) config.network.surrogate_steepness = *v;
    if (const auto v = n.integer("burn_in_steps", 0, 1000000)) config.network.burn_in_steps = static_cast<std::uint32_t>(*v);
  }
  if (const toml::table* training = top.table("training", false, "table")) {
    const TableReader t{locator, *training, "training", {"epochs", "write_back"}};
    if (const auto v = t.integer("epochs", 1, 100000)) config.epochs = static_cast<std::size_t>(*v);
    config.layer.write_back = read_write_back(t);
  }
  if (const toml::table* ptq = top.table("ptq", false, "table")) {
    const TableReader q{locator, *ptq, "ptq", {"bits", "granularity", "calibration", "percentile", "rounding"}};
    config.ptq.enabled = true;
    quant::UniformQuantizerConfig& u = config.ptq.quantizer;
    u.granularity = quant::Granularity::per_channel;
    if (const auto v = q.integer("bits", 2, 16)) u.bits = static_cast<int>(*v);
    const auto parse = [&](std::string_view key, auto parser, auto& target) {
      if (const auto text = q.non_empty_string(key)) {
        try {
          target = parser(*text);
        } catch (const std::invalid_argument& error) {
          q.fail_at(key, "key '" + q.key_path(key) + "': " + error.what());
        }
      }
    };
    parse("granularity", quant::parse_granularity, u.granularity);
    parse("calibration", quant::parse_calibration, u.calibration);
    parse("rounding", quant::parse_rounding, u.rounding.mode);
    if (const auto v = q.number("percentile", 50.0, 100.0, true)) u.percentile = *v;
    if (u.granularity == quant::Granularity::per_group)
      q.fail_at("granularity", "key 'ptq.granularity' = \"per-group\" is not supported here (allowed: per-tensor, per-channel)");
    if (config.network.path != sim::NumericPath::float64)
      q.fail_at("bits", "[ptq] quantizes a float64-trained network (allowed with network.path = \"float64\")");
  }
  if (const toml::table* transfer = top.table("transfer", false, "table")) {
    const TableReader t{locator, *transfer, "transfer", {"features", "freeze_layers"}};
    const auto features = t.non_empty_string("features");
    if (!features) t.fail_at("features", "key 'transfer.features' is missing (allowed: the results file of a decolle job)");
    if (!std::filesystem::exists(*features))
      t.fail_at("features", "key 'transfer.features' = " + toml_quoted(*features) + ": no such results file");
    config.transfer.features = *features;
    if (const auto v = t.integer("freeze_layers", 1, 1000)) config.transfer.freeze_layers = static_cast<std::size_t>(*v);
    if (config.transfer.freeze_layers >= config.layer_sizes.size())
      t.fail_at("freeze_layers", "key 'transfer.freeze_layers' leaves no layer to train (allowed: 1.." +
                                     std::to_string(config.layer_sizes.size() - 1) + ")");
  }
  return config;
}

}  // namespace qsnn::experiments
