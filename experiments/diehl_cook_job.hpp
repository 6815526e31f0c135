#pragma once
// The "diehl-cook" job: trains the Diehl & Cook 2015 network (experiments/networks/diehl_cook_network.hpp) on an
// image dataset with the pipeline of experiments/pipelines/diehl_cook_training.hpp and writes one results
// file: one /metrics/epochs row per epoch (train and test accuracy, spikes per sample, weight-update
// statistics), the test confusion matrix, and weight snapshots of input -> exc before and after each epoch.
#include <cstdint>
#include <string>

#include "experiments/networks/diehl_cook_network.hpp"
#include "experiments/pipelines/diehl_cook_training.hpp"
#include "experiments/simulate_job.hpp"

namespace qsnn::experiments {

struct DiehlCookJobConfig {
  std::string dataset = "synthetic";  // "synthetic" (experiments/pipelines/synthetic_images.hpp), "fashion-mnist",
                                      // "mnist" (experiments/datasets/image_dataset.hpp)
  std::string data_dir = "data/mnist";  // mnist: where scripts/fetch_mnist.sh put the IDX files
  std::size_t synthetic_classes = 3;
  std::size_t train_size = 300;       // synthetic: images generated per split
  std::size_t test_size = 100;
  DiehlCookTrainingOptions training;  // network, sample timing, epochs, sample limits
  std::string output;                 // NAME.h5
};

int run_diehl_cook_job(const DiehlCookJobConfig& config, const JobContext& context);

}  // namespace qsnn::experiments
