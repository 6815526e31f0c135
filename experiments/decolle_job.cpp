#include "experiments/decolle_job.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <filesystem>
#include <limits>
#include <ostream>
#include <variant>

#include "experiments/hdf5/file.hpp"
#include "experiments/results_file.hpp"
#include "quant/calibration.hpp"
#include "quant/granularity.hpp"
#include "quant/rounding_mode.hpp"

namespace qsnn::experiments {

namespace {

// The last snapshot of each frozen layer from an earlier run's results file, dequantized.
void load_features(learning::DecolleNetwork& network, const learning::DecolleNetworkSpec& spec,
                   const DecolleTransfer& transfer) {
  const h5::File file = h5::File::open_read_only(transfer.features);
  const h5::Group weights = file.open_group("weights");
  for (std::size_t l = 0; l < std::min(transfer.freeze_layers, spec.layers.size()); ++l) {
    const std::string name = "decolle_layer_" + std::to_string(l);
    if (!weights.contains(name))
      throw std::invalid_argument(transfer.features + ": no /weights/" + name + " to take layer " + std::to_string(l) + " from");
    const h5::Group g = weights.open_group(name);
    const auto shape = std::get<learning::DenseShape>(spec.layers[l].shape);
    const bool codes = g.contains("q");
    const h5::Dataset values = g.open_dataset(codes ? "q" : "w");
    const auto dims = values.shape();
    if (dims.size() != 2 || dims[1] != std::uint64_t{shape.outputs} * shape.inputs || dims[0] == 0)
      throw std::invalid_argument(transfer.features + ": /weights/" + name + " does not hold " +
                                  std::to_string(shape.outputs) + "x" + std::to_string(shape.inputs) + " weights");
    const auto all = values.read<double>();
    const auto scales = g.open_dataset("scale").read<double>();
    std::vector<double> last(all.end() - static_cast<std::ptrdiff_t>(dims[1]), all.end());
    for (double& w : last) w *= scales.back();
    network.layer(l).set_weights(last);
  }
}

}  // namespace

int run_decolle_job(const DecolleJobConfig& config, const JobContext& context) {
  SpikePatternSet patterns = config.patterns;
  patterns.seed = config.network.seed;
  const auto train = patterns.samples(0, config.train_size);
  const auto test = patterns.samples(std::uint64_t{1} << 40, config.test_size);  // disjoint from training

  learning::DecolleNetworkSpec spec = config.network;
  spec.classes = patterns.classes;
  spec.layers.clear();
  std::uint32_t inputs = patterns.inputs;
  for (const std::uint32_t size : config.layer_sizes) {
    learning::DecolleLayerSpec layer = config.layer;
    layer.shape = learning::DenseShape{inputs, size};
    spec.layers.push_back(layer);
    inputs = size;
  }
  for (std::size_t l = 0; l < std::min(config.transfer.freeze_layers, spec.layers.size()); ++l)
    if (!config.transfer.features.empty()) spec.layers[l].write_back.rate = {.initial = 0.0};  // frozen
  learning::DecolleNetwork network(spec);
  if (!config.transfer.features.empty()) load_features(network, spec, config.transfer);

  const std::filesystem::path output(config.output);
  if (output.has_parent_path()) std::filesystem::create_directories(output.parent_path());
  ResultsFile results(config.output);
  RunProvenance provenance = context.provenance;
  provenance.seed = spec.seed;
  provenance.threads = spec.threads;
  results.write_provenance(provenance);
  const auto snapshot = [&](std::int32_t epoch) {
    for (std::size_t l = 0; l < network.layer_count(); ++l) {
      const learning::DecolleLayer& layer = network.layer(l);
      const auto shape = std::get<learning::DenseShape>(spec.layers[l].shape);
      const bool fixed = spec.path == sim::NumericPath::fixed_point;
      const auto weights = fixed ? std::vector<double>{} : layer.forward_weights();
      results.snapshot_weight_matrix("decolle_layer_" + std::to_string(l), shape.outputs, shape.inputs, weights,
                                     fixed ? layer.weight_codes() : std::span<const std::int16_t>{},
                                     fixed ? layer.weight_step() : 1.0, spec.layers[l].weight_bits, epoch);
    }
  };
  snapshot(-1);
  results.checkpoint();

  const auto stopping = [&] { return context.stop_requested != nullptr && *context.stop_requested != 0; };
  const std::size_t classes = patterns.classes;
  std::vector<std::uint64_t> confusion;
  learning::WeightStatistics previous;
  double last_test_accuracy = 0.0;
  std::size_t epochs_done = 0;
  for (std::size_t epoch = 0; epoch < config.epochs && !stopping(); ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    network.set_epoch(epoch);
    std::size_t correct = 0, trained = 0;
    double loss = 0.0;
    for (; trained < train.size() && !stopping(); ++trained) {
      correct += network.train(train[trained]) == train[trained].label;
      loss += network.last_losses().back();
    }
    if (stopping()) break;
    confusion.assign(classes * classes, 0);
    std::size_t test_correct = 0;
    for (const auto& sample : test) {
      const std::uint32_t predicted = network.classify(sample);
      ++confusion[sample.label * classes + predicted];
      test_correct += predicted == sample.label;
    }
    learning::WeightStatistics stats;
    for (std::size_t l = 0; l < network.layer_count(); ++l) stats += network.layer(l).weight_statistics();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    last_test_accuracy = static_cast<double>(test_correct) / static_cast<double>(test.size());
    results.append_epoch({.epoch = static_cast<std::int32_t>(epoch),
                          .train_accuracy = static_cast<double>(correct) / static_cast<double>(trained),
                          .test_accuracy = last_test_accuracy,
                          .loss = loss / static_cast<double>(trained),
                          .spikes = 0,
                          .wall_seconds = wall,
                          .updates_proposed = stats.proposed - previous.proposed,
                          .updates_lost_to_rounding = stats.lost_to_rounding - previous.lost_to_rounding,
                          .saturations = stats.saturated() - previous.saturated()});
    previous = stats;
    snapshot(static_cast<std::int32_t>(epoch));
    results.checkpoint();
    ++epochs_done;
    if (!context.quiet)
      context.log << "qsnn: epoch " << epoch << ": train accuracy " << static_cast<double>(correct) / static_cast<double>(trained)
                  << ", test accuracy " << last_test_accuracy << ", " << wall << " s\n";
  }
  if (!confusion.empty()) results.write_confusion(confusion, classes);
  double ptq_accuracy = -1.0;
  if (config.ptq.enabled && epochs_done == config.epochs) {
    const quant::UniformQuantizer quantizer(config.ptq.quantizer);
    std::uint64_t saturated = 0;
    for (std::size_t l = 0; l < network.layer_count(); ++l) {
      learning::DecolleLayer& layer = network.layer(l);
      const auto weights = layer.forward_weights();
      const auto shape = std::get<learning::DenseShape>(spec.layers[l].shape);
      const quant::WeightMatrixView view(weights, shape.outputs, shape.inputs);
      saturated += quantizer.quantize(view).saturated();
      layer.set_weights(quantizer.fake_quantize(view));
    }
    std::size_t ptq_correct = 0;
    for (const auto& sample : test) ptq_correct += network.classify(sample) == sample.label;
    ptq_accuracy = static_cast<double>(ptq_correct) / static_cast<double>(test.size());
    results.write_summary("ptq", {{"test_accuracy", ptq_accuracy},
                                  {"bits", static_cast<double>(config.ptq.quantizer.bits)},
                                  {"weights_saturated", static_cast<double>(saturated)}},
                          {{"quantizer", "uniform"},
                           {"granularity", std::string(quant::granularity_name(config.ptq.quantizer.granularity))},
                           {"calibration", std::string(quant::calibration_name(config.ptq.quantizer.calibration))},
                           {"rounding", std::string(quant::rounding_name(config.ptq.quantizer.rounding.mode))}});
  }
  if (epochs_done < config.epochs) {
    results.finish_interrupted();
    context.log << "qsnn: interrupted; partial results in " << results.partial_path() << '\n';
    return 1;
  }
  results.finish();
  context.out << "qsnn: DECOLLE, " << spec.layers.size() << " dense layer(s), " << epochs_done
              << " epoch(s): test accuracy " << last_test_accuracy << " on " << test.size() << " " << config.dataset
              << " samples";
  if (ptq_accuracy >= 0.0)
    context.out << ", after " << config.ptq.quantizer.bits << "-bit post-training quantization " << ptq_accuracy;
  context.out << "; results: " << results.final_path() << '\n';
  return 0;
}

}  // namespace qsnn::experiments
