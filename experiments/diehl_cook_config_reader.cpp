#include "experiments/diehl_cook_config_reader.hpp"

#include <array>
#include <limits>
#include <string_view>

namespace qsnn::experiments {

namespace {
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::array<std::string_view, 3> kDatasets{"synthetic", "fashion-mnist", "mnist"};
constexpr std::array<std::string_view, 2> kPaths{"fixed-point", "float64"};
constexpr std::array<std::string_view, 2> kRules{"diehl-cook", "pair"};
}  // namespace

DiehlCookJobConfig read_diehl_cook_config(const toml::table& root, const Locator& locator) {
  const TableReader top{locator, root, "", {"job", "run", "dataset", "network", "training"}};
  DiehlCookJobConfig config;
  DiehlCookOptions& network = config.training.network;

  const toml::table* run = top.table("run", true, "table with output");
  const TableReader r{locator, *run, "run", {"seed", "threads", "dt_ms", "output"}};
  if (const auto v = r.integer("seed", 0, kMax)) network.seed = static_cast<std::uint64_t>(*v);
  if (const auto v = r.integer("threads", 0, 1024)) network.threads = static_cast<std::size_t>(*v);
  if (const auto v = r.number("dt_ms", 0.0, 1.0, true)) network.dt_ms = *v;
  const auto output = r.non_empty_string("output");
  if (!output || output->size() < 4 || output->substr(output->size() - 3) != ".h5")
    r.fail_at("output", "key 'run.output' must be a file name ending in .h5");
  config.output = *output;

  if (const toml::table* dataset = top.table("dataset", false, "table")) {
    const TableReader d{locator, *dataset, "dataset", {"name", "classes", "train_size", "test_size", "data_dir"}};
    config.dataset = kDatasets[d.choice("name", kDatasets, 0)];
    if (auto v = d.non_empty_string("data_dir")) config.data_dir = std::move(*v);
    if (config.dataset != "synthetic" && (dataset->contains("classes") || dataset->contains("train_size") ||
                                          dataset->contains("test_size")))
      d.fail_at("name", "keys classes, train_size and test_size are for name = \"synthetic\" (use training.train_samples "
                        "and training.test_samples to take part of a dataset)");
    if (const auto v = d.integer("classes", 2, 4)) config.synthetic_classes = static_cast<std::size_t>(*v);
    if (const auto v = d.integer("train_size", 1, 1000000)) config.train_size = static_cast<std::size_t>(*v);
    if (const auto v = d.integer("test_size", 1, 1000000)) config.test_size = static_cast<std::size_t>(*v);
  }
  if (const toml::table* net = top.table("network", false, "table")) {
    const TableReader n{locator, *net, "network", {"n_exc", "path", "weight_bits", "rule", "lateral_inhibition"}};
    if (const auto v = n.integer("n_exc", 2, 100000)) network.n_exc = static_cast<sim::NeuronIndex>(*v);
    network.path = n.choice("path", kPaths, 0) == 0 ? sim::NumericPath::fixed_point : sim::NumericPath::float64;
    if (const auto v = n.integer("weight_bits", 2, 15)) network.weight_bits = static_cast<int>(*v);
    network.rule = n.choice("rule", kRules, 0) == 0 ? DiehlCookRule::diehl_cook : DiehlCookRule::pair;
    if (const auto v = n.boolean("lateral_inhibition")) network.lateral_inhibition = *v;
  }
  if (const toml::table* training = top.table("training", false, "table")) {
    const TableReader t{locator, *training, "training",
                        {"epochs", "train_samples", "assign_samples", "test_samples", "image_ms", "rest_ms", "boost",
                         "max_boosts"}};
    if (const auto v = t.integer("epochs", 1, 1000)) config.training.epochs = static_cast<std::size_t>(*v);
    if (const auto v = t.integer("train_samples", 0, kMax)) config.training.train_samples = static_cast<std::size_t>(*v);
    if (const auto v = t.integer("assign_samples", 0, kMax)) config.training.assign_samples = static_cast<std::size_t>(*v);
    if (const auto v = t.integer("test_samples", 0, kMax)) config.training.test_samples = static_cast<std::size_t>(*v);
    if (const auto v = t.number("image_ms", 0.0, 1e6, true)) config.training.sample.image_ms = *v;
    if (const auto v = t.number("rest_ms", 0.0, 1e6)) config.training.sample.rest_ms = *v;
    if (const auto v = t.boolean("boost")) config.training.sample.boost = *v;
    if (const auto v = t.integer("max_boosts", 0, 100)) config.training.sample.max_boosts = static_cast<int>(*v);
  }
  return config;
}

}  // namespace qsnn::experiments
