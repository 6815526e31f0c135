#include "experiments/pipelines/diehl_cook_training.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>

#include "experiments/pipelines/label_assignment.hpp"

namespace qsnn::experiments {

namespace {

bool stopping(const volatile std::sig_atomic_t* stop) { return stop != nullptr && *stop != 0; }

std::size_t limit(std::size_t wanted, std::size_t available) {
  return wanted == 0 ? available : std::min(wanted, available);
}

void require_split(const ImageSplit& split, const char* name) {
  if (split.pixels.size() != split.size() * split.pixels_per_image)
    throw std::invalid_argument(std::string(name) + " split: " + std::to_string(split.pixels.size()) +
                                " pixels for " + std::to_string(split.size()) + " images");
  if (split.pixels_per_image != DiehlCookConstants::inputs)
    throw std::invalid_argument(std::string(name) + " split: images of " + std::to_string(split.pixels_per_image) +
                                " pixels, the network has " + std::to_string(DiehlCookConstants::inputs) + " inputs");
  for (const auto label : split.labels)
    if (label >= split.classes)
      throw std::invalid_argument(std::string(name) + " split: label " + std::to_string(label) + " outside 0.." +
                                  std::to_string(split.classes - 1));
}

}  // namespace

std::vector<DiehlCookEpoch> train_diehl_cook(DiehlCookNetwork& network, const DiehlCookTrainingOptions& options,
                                             const ImageSplit& train, const ImageSplit& test,
                                             const std::function<void(const DiehlCookEpoch&)>& on_epoch,
                                             const volatile std::sig_atomic_t* stop) {
  require_split(train, "training");
  require_split(test, "test");
  if (train.classes != test.classes) throw std::invalid_argument("training and test splits have different classes");
  const std::size_t classes = train.classes;
  const std::size_t n_train = limit(options.train_samples, train.size());
  const std::size_t n_assign = limit(options.assign_samples, n_train);
  const std::size_t n_test = limit(options.test_samples, test.size());
  const std::size_t n_exc = network.options().n_exc;
  DiehlCookSampleOptions learn = options.sample;
  learn.learn = true;
  DiehlCookSampleOptions frozen = options.sample;
  frozen.learn = false;

  std::vector<DiehlCookEpoch> epochs;
  for (std::size_t e = 0; e < options.epochs && !stopping(stop); ++e) {
    const auto start = std::chrono::steady_clock::now();
    DiehlCookEpoch epoch;
    epoch.epoch = e;
    if (auto* plastic = network.plasticity()) plastic->reset_statistics();
    std::uint64_t exc_spikes = 0;
    std::size_t shown = 0;
    for (; shown < n_train && !stopping(stop); ++shown) {
      const auto result = network.present(train.image(shown), learn);
      exc_spikes += result.exc_spikes;
      epoch.boosts += static_cast<std::uint64_t>(result.boosts);
    }
    epoch.exc_spikes_per_sample = shown > 0 ? static_cast<double>(exc_spikes) / static_cast<double>(shown) : 0.0;
    if (auto* plastic = network.plasticity()) epoch.weight_statistics = plastic->statistics();

    LabelAssignment assignment(n_exc, classes);
    std::vector<std::vector<std::uint32_t>> responses;
    for (std::size_t i = 0; i < n_assign && !stopping(stop); ++i) {
      responses.push_back(network.present(train.image(i), frozen).exc_spike_counts);
      assignment.add(responses.back(), train.labels[i]);
    }
    const std::vector<int> assigned = assignment.assign();
    std::size_t correct = 0;
    for (std::size_t i = 0; i < responses.size(); ++i)
      correct += LabelAssignment::predict(responses[i], assigned, classes) == static_cast<int>(train.labels[i]);
    epoch.train_accuracy = responses.empty() ? 0.0 : static_cast<double>(correct) / static_cast<double>(responses.size());

    epoch.confusion.assign(classes * classes, 0);
    std::size_t tested = 0;
    correct = 0;
    for (; tested < n_test && !stopping(stop); ++tested) {
      const auto counts = network.present(test.image(tested), frozen).exc_spike_counts;
      const int predicted = LabelAssignment::predict(counts, assigned, classes);
      if (predicted < 0) {
        ++epoch.unclassified;
        continue;
      }
      ++epoch.confusion[test.labels[tested] * classes + static_cast<std::size_t>(predicted)];
      correct += predicted == static_cast<int>(test.labels[tested]);
    }
    epoch.test_accuracy = tested == 0 ? 0.0 : static_cast<double>(correct) / static_cast<double>(tested);
    epoch.interrupted = stopping(stop);
    epoch.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (on_epoch) on_epoch(epoch);
    epochs.push_back(std::move(epoch));
  }
  return epochs;
}

}  // namespace qsnn::experiments
