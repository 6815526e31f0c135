#include "experiments/decolle_job.hpp"

#include <chrono>
#include <filesystem>
#include <limits>
#include <ostream>
#include <variant>

#include "experiments/results_file.hpp"
#include "quant/calibration.hpp"
#include "quant/granularity.hpp"
#include "quant/rounding_mode.hpp"

namespace qsnn::experiments {

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
  learning::DecolleNetwork network(spec);

  const std::filesystem::path output(config.output);
  if (output.has_parent_path()) std::filesystem::create_directories(output.parent_path());
  ResultsFile results(config.output);
  RunProvenance provenance = context.provenance;
  provenance.seed = spec.seed;
  provenance.threads = spec.threads;
  results.write_provenance(provenance);
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
