#pragma once
// A stack of DECOLLE layers (learning/decolle_layer.hpp), each with its own fixed random readout and local
// loss (learning/decolle_readout.hpp), trained online (batch size 1) as in Kaiser, Mostafa & Neftci 2020:
// at every step of a sample, after `burn_in_steps`, every layer compares its readout with the sample's label
// and updates its own weights; layer l + 1 reads layer l's spikes as data (no gradient crosses layers or
// steps). The prediction is the class with the largest readout of the last layer summed over the scored
// steps (ties: the lowest class).
//
//   learning::DecolleNetwork net({.layers = {{.shape = learning::DenseShape{100, 64}},
//                                            {.shape = learning::DenseShape{64, 32}}},
//                                 .classes = 4});
//   for (const auto& sample : training) net.train(sample);
//   const double accuracy = net.accuracy(test);
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include <tbb/task_arena.h>

#include "learning/decolle_layer.hpp"
#include "learning/decolle_readout.hpp"
#include "learning/decolle_signals.hpp"

namespace qsnn::learning {

struct DecolleNetworkSpec {
  std::vector<DecolleLayerSpec> layers;  // layer l + 1's input size must equal layer l's output size
  std::uint32_t classes = 2;
  sim::NumericPath path = sim::NumericPath::float64;
  DecolleSignals signals;  // fixed path only
  DecolleReadoutSource readout_source = DecolleReadoutSource::spikes;
  double readout_scale = 1.0;  // G uniform in +-readout_scale / sqrt(layer size)
  double surrogate_steepness = 1.0;
  double dt_ms = 1.0;
  std::uint32_t burn_in_steps = 0;  // first steps of a sample: no learning, not scored
  std::uint64_t seed = 1;
  std::size_t threads = 1;
  // Layers with fewer synapses run serially whatever the thread count (results are identical either way).
  std::size_t min_parallel_synapses = 4096;
};

// T steps of input spikes and a label.
struct DecolleSample {
  std::vector<std::vector<std::uint32_t>> spikes;  // per step, the input neurons that spike
  std::uint32_t label = 0;
};

class DecolleNetwork {
 public:
  // Throws std::invalid_argument for mismatched layer sizes, bad formats or write-back specs.
  explicit DecolleNetwork(DecolleNetworkSpec spec);

  std::size_t layer_count() const { return layers_.size(); }
  DecolleLayer& layer(std::size_t l) { return layers_.at(l); }
  const DecolleLayer& layer(std::size_t l) const { return layers_.at(l); }
  const DecolleReadout& readout(std::size_t l) const { return readouts_.at(l); }
  const DecolleNetworkSpec& spec() const { return spec_; }
  std::uint64_t now() const { return t_; }  // steps run so far: the key of this step's stochastic draws

  // Zeroes every layer's state and the class scores (the start of a sample).
  void reset_state();
  // One step on dense input spikes (0/1 per input): every layer forward, read out; with a label, each
  // layer's local update. Adds the last layer's readout to the class scores when `score`.
  void step(std::span<const std::uint8_t> input, std::optional<std::uint32_t> label, bool score = true);
  // A whole sample from a fresh state, learning after the burn-in when `learn`; returns the predicted class.
  std::uint32_t run_sample(const DecolleSample& sample, bool learn);
  std::uint32_t train(const DecolleSample& sample) { return run_sample(sample, true); }
  std::uint32_t classify(const DecolleSample& sample) { return run_sample(sample, false); }
  double accuracy(std::span<const DecolleSample> samples);
  std::uint32_t predicted_class() const;

  // Saturations of layer l's signals, its readout's error included (fixed path).
  DecolleSignalCounts signal_counts(std::size_t l) const;
  // Per layer: the local loss of the last step run (after the readout), in real units.
  const std::vector<double>& last_losses() const { return last_losses_; }

  // Learning-rate schedule (WriteBackSpec::rate): epochs count steps run / epoch_steps when epoch_steps > 0,
  // otherwise whatever set_epoch said last.
  void set_epoch(std::uint64_t epoch) { epoch_ = epoch; }
  double learning_rate(std::size_t l) const;

 private:
  DecolleNetworkSpec spec_;
  std::unique_ptr<tbb::task_arena> arena_;  // before the layers, which point to it
  std::vector<DecolleLayer> layers_;
  std::vector<DecolleReadout> readouts_;
  std::vector<double> last_losses_;
  std::vector<double> scores_;              // float path
  std::vector<std::int64_t> score_codes_;   // fixed path: exact sums of readout codes
  std::vector<std::uint8_t> input_;
  std::vector<double> back_;
  BlockVector back_block_;
  std::uint64_t t_ = 0;
  std::uint64_t epoch_ = 0;
};

}  // namespace qsnn::learning
