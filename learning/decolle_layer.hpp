#pragma once
// One DECOLLE layer (Kaiser, Mostafa & Neftci 2020, Front. Neurosci. 14:424, eqs. 4-7 and 12-14;
// ../shared/reference/papers.md §1.3): dense or convolutional weights W onto spiking neurons whose membrane is
// computed from traces of the input, in discrete time with alpha = exp(-dt / tau_mem), beta = exp(-dt /
// tau_syn), gamma = exp(-dt / tau_ref). Per step t, for input spikes S_in:
//   Q <- beta Q + (1 - beta) S_in                 synaptic trace, per input
//   P <- alpha P + (1 - alpha) Q                  membrane (PSP) trace, per input: the eligibility trace
//   U  = W P - rho R + b                          R holds the spikes of steps < t
//   S  = Theta(U)                                 (U > 0)
//   R <- gamma R + (1 - gamma) S                  refractory trace, for the next step
// Learning (local, no BPTT): the layer's readout gives back = G^T (Y - yhat) per neuron, and
//   dL/dW_ij = back_i sigma'(U_i) P_j              (dense; conv layers sum this over output positions)
// with sigma'(U) = k s (1 - s), s = 1 / (1 + exp(-k U)) (sigmoid-derivative surrogate of Theta, steepness k).
// The gradient is stopped between layers (layer l + 1 reads S_l as data) and in time (P is the only path from
// W to U: R and the input are treated as constants), so each synapse needs O(1) state. The proposal
// -dL/dW / weight_step goes to the shared write-back (learning/weight_writeback.hpp), which applies the
// learning rate and the mode (quantized, shadow, exact), bounds and statistics.
//
// Two numeric paths of the same equations. float64 is the reference. fixed_point keeps every signal as an
// integer code of its DecolleSignals format, with decays as multiply-and-shift by a rounder, U from an exact
// 64-bit sum of weight codes times P codes, sigma' and sigma from tables indexed by the U code (computed once
// when the layer is built, like an activation ROM), and the error, learning signal back_i sigma'(U_i) and
// gradient cut to their block formats. Weights of the fixed path are signed `weight_bits` codes of step
// 2^-weight_frac_bits; the float path holds real weights (on that grid unless the write-back is exact).
//
// Threads: matrix-vector products and gradients run one task per block of output rows (dense: 16 rows, conv:
// one output channel), a partition that does not depend on the thread count; each block owns its weights,
// shadow and statistics. Stochastic draws are keyed by (seed, stream of layer and signal, step, index), so
// results are bit-identical for any thread count.
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include <tbb/task_arena.h>

#include "kernels/conv_ops.hpp"
#include "learning/decolle_readout.hpp"
#include "learning/decolle_signals.hpp"
#include "learning/weight_writeback.hpp"
#include "sim/types.hpp"

namespace qsnn::learning {

struct DenseShape {
  std::uint32_t inputs = 1, outputs = 1;
};
using DecolleShape = std::variant<DenseShape, kernels::ConvGeometry>;

struct DecolleLayerSpec {
  DecolleShape shape = DenseShape{};
  double tau_mem_ms = 10.0;   // alpha (P)
  double tau_syn_ms = 5.0;    // beta (Q)
  double tau_ref_ms = 2.857;  // gamma (R); Schaefer & Joshi's default
  double refractory_weight = 1.0;  // rho
  double bias = 0.0;               // b; a negative bias acts as a firing threshold
  int weight_bits = 8;             // 2..16
  int weight_frac_bits = 6;        // weight step 2^-weight_frac_bits
  double init_scale = 1.0;         // initial W uniform in +-init_scale / sqrt(fan-in)
  WriteBackSpec write_back;        // the rate is the learning rate on dL/dW in real units
};

// What a layer takes from its network.
struct DecolleLayerContext {
  sim::NumericPath path = sim::NumericPath::float64;
  DecolleSignals signals;
  double dt_ms = 1.0;
  double surrogate_steepness = 1.0;
  std::uint64_t seed = 1;
  std::uint64_t stream_base = 0;  // 256 streams from here: +0/+1 write-back, +2 initial weights, +16.. signals
  std::string name = "decolle layer";
  tbb::task_arena* arena = nullptr;  // null: serial
};

// Which quantity of a layer its readout reads (and the error is projected onto). DECOLLE reads the spikes
// S through the surrogate (straight-through: the error gradient flows as if dS/dU = sigma'(U)); reading
// sigma(U) instead makes the local loss differentiable, and the update its exact gradient.
enum class DecolleReadoutSource : std::uint8_t { spikes, sigmoid };

class DecolleLayer {
 public:
  DecolleLayer(const DecolleLayerSpec& spec, DecolleLayerContext context);
  DecolleLayer(const DecolleLayer&) = delete;
  DecolleLayer& operator=(const DecolleLayer&) = delete;
  DecolleLayer(DecolleLayer&&) = default;

  std::size_t input_size() const { return inputs_; }
  std::size_t output_size() const { return outputs_; }
  std::size_t synapse_count() const { return weight_count_; }
  sim::NumericPath path() const { return context_.path; }
  const DecolleLayerSpec& spec() const { return spec_; }
  const ResolvedWriteBack& write_back() const { return wb_; }
  double weight_step() const { return wb_.unit; }

  // Zero traces, membrane and spikes (the start of a sample).
  void reset_state();
  // One step on input spikes (0/1 per input, C x H x W for conv layers); `t` keys stochastic roundings.
  void forward(std::span<const std::uint8_t> input, std::uint64_t t);
  std::span<const std::uint8_t> spikes() const { return spikes_; }

  // The readout's input: S, or sigma(U) (fixed path: table codes of sigmoid_frac_bits()).
  void read_out(DecolleReadout& readout, DecolleReadoutSource source) const;

  // The local update of step t: float path with back = G^T (Y - yhat) per output neuron; fixed path with it as
  // a block vector. `rate` is the write-back's learning rate for this step.
  void learn(std::span<const double> back, std::uint64_t t, double rate);
  void learn(const BlockVector& back, std::uint64_t t, double rate);
  // Shadow mode: every pending forward weight is requantized now.
  void requantize(std::uint64_t t);

  // Float path: the last dL/dW (before the learning rate), per synapse in weight order, in real units; the
  // test hook for comparing with finite differences. Filled by learn().
  std::span<const double> last_gradient() const { return last_gradient_; }
  // Per synapse (dense: [out][in]; conv: [out][in][ky][kx]): the weight learning sees, in steps (the shadow in
  // shadow mode), and the forward weight in real units.
  std::vector<double> weights_in_steps() const;
  std::vector<double> forward_weights() const;
  // Replaces every forward weight (real units; fixed path and grid modes: rounded to nearest, saturated);
  // the shadow restarts from them.
  void set_weights(std::span<const double> weights);

  // Per-neuron state in real units (fixed path: codes times their step), for inspection and tests.
  std::vector<double> membrane() const;             // U
  std::vector<double> membrane_trace() const;       // P, per input
  std::vector<double> synaptic_trace() const;       // Q, per input
  std::vector<double> refractory_trace() const;     // R
  // Fixed path: the codes themselves (tests check that they stay inside their formats).
  std::span<const std::int32_t> membrane_codes() const { return u_code_; }
  std::span<const std::int32_t> membrane_trace_codes() const { return p_code_; }
  std::span<const std::int32_t> synaptic_trace_codes() const { return q_code_; }
  std::span<const std::int32_t> refractory_codes() const { return r_code_; }
  std::span<const std::int16_t> weight_codes() const { return w_code_; }

  WeightStatistics weight_statistics() const;
  void reset_weight_statistics();
  // Saturations of the layer's own signals (its readout counts the error's).
  const DecolleSignalCounts& signal_counts() const { return counts_; }
  // Runs the layer's loops in `arena` (null: serially); results are the same either way.
  void set_arena(tbb::task_arena* arena) { context_.arena = arena; }

 private:
  struct WeightBlock {
    std::size_t begin = 0, end = 0;  // weights [begin, end)
    WriteBackState state;
    std::vector<std::int64_t> gradient;  // fixed path: quantized gradient mantissas of this block
  };

  bool is_conv() const { return std::holds_alternative<kernels::ConvGeometry>(spec_.shape); }
  const kernels::ConvGeometry& conv() const { return std::get<kernels::ConvGeometry>(spec_.shape); }
  std::size_t positions() const;  // output positions per channel (1 for dense)
  std::uint32_t output_channels() const;
  void init_weights();
  void reset_shadow();
  void forward_float(std::span<const std::uint8_t> input);
  void forward_fixed(std::span<const std::uint8_t> input, std::uint64_t t);
  void write_gradient(std::uint64_t t, double rate);
  void maybe_requantize(std::uint64_t t);

  DecolleLayerSpec spec_;
  DecolleLayerContext context_;
  std::size_t inputs_ = 0, outputs_ = 0, weight_count_ = 0;
  ResolvedWriteBack wb_;
  std::vector<WeightBlock> blocks_;
  DecolleSignalCounts counts_;
  std::uint64_t learn_steps_ = 0;

  // Float path.
  double alpha_ = 0.0, beta_ = 0.0, gamma_ = 0.0;
  std::vector<double> w_real_;
  std::vector<double> q_, p_, r_, u_;
  std::vector<double> signal_;         // learning signal back_i sigma'(U_i)
  std::vector<double> last_gradient_;  // dL/dW

  // Fixed path.
  std::int64_t alpha_code_ = 0, beta_code_ = 0, gamma_code_ = 0;  // of 2^decay_shift
  int fq_ = 0, fp_ = 0, fr_ = 0, fu_ = 0, fs_ = 0, fsig_ = 0, fw_ = 0;
  quant::QFormat q_format_{1, 0, false}, p_format_{1, 0, false}, r_format_{1, 0, false}, u_format_{1, 0, true};
  quant::RoundingSpec q_rounding_, p_rounding_, r_rounding_, u_rounding_;
  BlockFormat signal_format_, gradient_format_;
  std::int64_t rho_wide_ = 0, bias_wide_ = 0;  // at the scale of sum W P: 2^-(fw + fp)
  std::vector<std::uint16_t> surrogate_table_, sigmoid_table_;  // indexed by U code - min code
  std::vector<std::int16_t> w_code_;
  std::vector<std::int32_t> q_code_, p_code_, r_code_, u_code_;
  std::vector<std::int64_t> wide_;        // per output: sum W P
  std::vector<std::int64_t> signal_code_;  // learning signal mantissas
  int signal_exponent_ = 0;

  std::vector<std::uint8_t> spikes_;
};

}  // namespace qsnn::learning
