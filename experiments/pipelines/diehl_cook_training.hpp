#pragma once
// The Diehl & Cook 2015 pipeline: unsupervised STDP training of the network of
// experiments/networks/diehl_cook_network.hpp on images, then classification by label assignment
// (experiments/pipelines/label_assignment.hpp). Per epoch:
//   1. training: every training sample is shown with learning on (normalization before each, boosts);
//   2. assignment: the first `assign_samples` training samples are shown again with learning off, and each
//      excitatory neuron is assigned the class it answered most (D&C ran the training set again the same way);
//      the train accuracy is the accuracy of that assignment on those samples;
//   3. test: every test sample is shown with learning off and classified; confusion matrix.
// Labels are read in steps 2 and 3 only.
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "experiments/networks/diehl_cook_network.hpp"
#include "learning/weight_writeback.hpp"

namespace qsnn::experiments {

// Images of one split: `size()` images of pixels_per_image bytes each (row-major, 0..255), labels 0..classes-1.
struct ImageSplit {
  std::span<const std::uint8_t> pixels;
  std::span<const std::uint8_t> labels;
  std::size_t pixels_per_image = 784;
  std::size_t classes = 10;

  std::size_t size() const { return labels.size(); }
  std::span<const std::uint8_t> image(std::size_t i) const { return pixels.subspan(i * pixels_per_image, pixels_per_image); }
};

struct DiehlCookTrainingOptions {
  DiehlCookOptions network;
  DiehlCookSampleOptions sample;  // presentation and rest times, boosts
  std::size_t epochs = 1;
  std::size_t train_samples = 0;   // 0: the whole split
  std::size_t assign_samples = 0;  // 0: every training sample
  std::size_t test_samples = 0;    // 0: the whole split
};

struct DiehlCookEpoch {
  std::size_t epoch = 0;
  double train_accuracy = 0.0;  // of the assignment on the assignment samples
  double test_accuracy = 0.0;
  std::vector<std::uint64_t> confusion;  // [true * classes + predicted]; unclassified samples are not counted
  std::uint64_t unclassified = 0;        // test samples no assigned neuron answered
  double exc_spikes_per_sample = 0.0;    // training samples, last presentation
  std::uint64_t boosts = 0;
  learning::WeightStatistics weight_statistics;  // of the training pass
  double wall_seconds = 0.0;
  bool interrupted = false;  // stopped early: the accuracies cover the samples shown so far
};

// Runs the epochs; `on_epoch` sees each epoch as it ends (e.g. to write it to a results file). Stops at the
// next sample when *stop becomes non-zero (the last epoch is then marked interrupted).
std::vector<DiehlCookEpoch> train_diehl_cook(DiehlCookNetwork& network, const DiehlCookTrainingOptions& options,
                                             const ImageSplit& train, const ImageSplit& test,
                                             const std::function<void(const DiehlCookEpoch&)>& on_epoch = {},
                                             const volatile std::sig_atomic_t* stop = nullptr);

}  // namespace qsnn::experiments
