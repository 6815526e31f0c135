#pragma once
// The "decolle" job: trains a dense DECOLLE network (learning/decolle_network.hpp) online on a spike dataset
// and writes one results file: per epoch the train accuracy (predictions made while training), the test
// accuracy, the mean local loss of the last layer, weight-update statistics of all layers; the test confusion
// matrix; every layer's weights before and after each epoch (/weights/decolle_layer_L); with [ptq], the test
// accuracy after post-training quantization (/metrics/ptq).
#include <cstdint>
#include <string>
#include <vector>

#include "experiments/pipelines/spike_patterns.hpp"
#include "experiments/simulate_job.hpp"
#include "learning/decolle_network.hpp"
#include "quant/uniform_quantizer.hpp"

namespace qsnn::experiments {

// Post-training quantization: after training, every layer's forward weights are fake-quantized by a uniform
// quantizer (quant/uniform_quantizer.hpp; rows = output neurons) and the test set is evaluated again, without
// retraining: the baseline that QAT (shadow mode) and fully quantized learning are compared against.
struct DecollePtq {
  bool enabled = false;
  quant::UniformQuantizerConfig quantizer;
};

// Transfer learning: the first `freeze_layers` layers take the last weight snapshot of a results file written by
// an earlier decolle job (their features) and do not learn; the layers after them train on this job's data.
struct DecolleTransfer {
  std::string features;  // results file; empty: no transfer
  std::size_t freeze_layers = 1;
};

struct DecolleJobConfig {
  std::string dataset = "patterns";
  SpikePatternSet patterns;
  std::size_t train_size = 240, test_size = 100;
  std::vector<std::uint32_t> layer_sizes{32, 16};  // dense layers after the input
  learning::DecolleLayerSpec layer;                // template of every layer (shape set per layer)
  learning::DecolleNetworkSpec network;            // layers and classes filled from the above
  std::size_t epochs = 1;
  DecollePtq ptq;
  DecolleTransfer transfer;
  std::string output;
};

int run_decolle_job(const DecolleJobConfig& config, const JobContext& context);

}  // namespace qsnn::experiments
