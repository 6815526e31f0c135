#include "learning/decolle_network.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace qsnn::learning {
namespace {

// Counter-RNG streams of DECOLLE, above those of the network (1..4 << 40) and of plastic projections
// (16 << 40): 256 per layer.
constexpr std::uint64_t kDecolleStreams = std::uint64_t{32} << 40;
constexpr std::uint64_t kReadoutStream = 3, kErrorStream = 22;

void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}

}  // namespace

DecolleNetwork::DecolleNetwork(DecolleNetworkSpec spec) : spec_(std::move(spec)) {
  require(!spec_.layers.empty(), "DECOLLE network: at least one layer");
  require(spec_.classes >= 1, "DECOLLE network: at least one class");
  require(spec_.threads >= 1, "DECOLLE network: threads must be >= 1");
  if (spec_.threads > 1) arena_ = std::make_unique<tbb::task_arena>(static_cast<int>(spec_.threads));
  layers_.reserve(spec_.layers.size());
  readouts_.reserve(spec_.layers.size());
  for (std::size_t l = 0; l < spec_.layers.size(); ++l) {
    const std::uint64_t base = kDecolleStreams + (std::uint64_t{l} << 8);
    DecolleLayerContext context{.path = spec_.path,
                                .signals = spec_.signals,
                                .dt_ms = spec_.dt_ms,
                                .surrogate_steepness = spec_.surrogate_steepness,
                                .seed = spec_.seed,
                                .stream_base = base,
                                .name = "DECOLLE layer " + std::to_string(l),
                                .arena = nullptr};
    layers_.emplace_back(spec_.layers[l], std::move(context));
    if (l > 0)
      require(layers_[l].input_size() == layers_[l - 1].output_size(),
              "DECOLLE network: layer " + std::to_string(l) + " has " + std::to_string(layers_[l].input_size()) +
                  " inputs, layer " + std::to_string(l - 1) + " " + std::to_string(layers_[l - 1].output_size()) +
                  " outputs");
    readouts_.emplace_back(spec_.classes, static_cast<std::uint32_t>(layers_[l].output_size()), spec_.readout_scale,
                           spec_.path, spec_.signals, spec_.seed, base + kReadoutStream, base + kErrorStream);
  }
  // Layers too small to gain from threads stay serial; the arena is handed over once the layers exist.
  for (DecolleLayer& layer : layers_) {
    if (arena_ && layer.synapse_count() >= spec_.min_parallel_synapses) layer.set_arena(arena_.get());
  }
  last_losses_.assign(layers_.size(), 0.0);
  input_.assign(layers_.front().input_size(), 0);
  reset_state();
}

void DecolleNetwork::reset_state() {
  for (DecolleLayer& layer : layers_) layer.reset_state();
  scores_.assign(spec_.classes, 0.0);
  score_codes_.assign(spec_.classes, 0);
}

DecolleSignalCounts DecolleNetwork::signal_counts(std::size_t l) const {
  DecolleSignalCounts counts = layers_.at(l).signal_counts();
  counts.error += readouts_.at(l).error_counts();
  return counts;
}

double DecolleNetwork::learning_rate(std::size_t l) const {
  const LearningRate& rate = layers_.at(l).write_back().rate;
  const std::uint64_t epoch = rate.epoch_steps > 0 ? t_ / rate.epoch_steps : epoch_;
  return rate.at_epoch(epoch);
}

void DecolleNetwork::step(std::span<const std::uint8_t> input, std::optional<std::uint32_t> label, bool score) {
  if (label) require(*label < spec_.classes, "DECOLLE network: label " + std::to_string(*label) + " out of range");
  std::span<const std::uint8_t> x = input;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    DecolleLayer& layer = layers_[l];
    DecolleReadout& readout = readouts_[l];
    layer.forward(x, t_);
    layer.read_out(readout, spec_.readout_source);
    if (label) {
      last_losses_[l] = readout.loss(*label);
      if (spec_.path == sim::NumericPath::float64) {
        back_.resize(layer.output_size());
        readout.project_error(*label, back_);
        layer.learn(back_, t_, learning_rate(l));
      } else {
        readout.project_error(*label, t_, back_block_);
        layer.learn(back_block_, t_, learning_rate(l));
      }
    }
    x = layer.spikes();
  }
  if (score) {
    if (spec_.path == sim::NumericPath::float64) {
      const std::vector<double> y = readouts_.back().output();
      for (std::uint32_t k = 0; k < spec_.classes; ++k) scores_[k] += y[k];
    } else {
      const auto y = readouts_.back().output_codes();
      for (std::uint32_t k = 0; k < spec_.classes; ++k) score_codes_[k] += y[k];
    }
  }
  ++t_;
}

std::uint32_t DecolleNetwork::run_sample(const DecolleSample& sample, bool learn) {
  reset_state();
  for (std::size_t s = 0; s < sample.spikes.size(); ++s) {
    std::fill(input_.begin(), input_.end(), std::uint8_t{0});
    for (const std::uint32_t i : sample.spikes[s]) {
      require(i < input_.size(), "DECOLLE network: input spike of neuron " + std::to_string(i) + " (" +
                                     std::to_string(input_.size()) + " inputs)");
      input_[i] = 1;
    }
    const bool scored = s >= spec_.burn_in_steps;
    step(input_, learn && scored ? std::optional<std::uint32_t>(sample.label) : std::nullopt, scored);
  }
  return predicted_class();
}

std::uint32_t DecolleNetwork::predicted_class() const {
  std::uint32_t best = 0;
  for (std::uint32_t k = 1; k < spec_.classes; ++k) {
    const bool better = spec_.path == sim::NumericPath::float64 ? scores_[k] > scores_[best]
                                                                 : score_codes_[k] > score_codes_[best];
    if (better) best = k;
  }
  return best;
}

double DecolleNetwork::accuracy(std::span<const DecolleSample> samples) {
  if (samples.empty()) return 0.0;
  std::size_t correct = 0;
  for (const DecolleSample& sample : samples) correct += classify(sample) == sample.label ? 1 : 0;
  return static_cast<double>(correct) / static_cast<double>(samples.size());
}

}  // namespace qsnn::learning
