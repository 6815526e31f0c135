#pragma once
// The one path by which every learning rule changes a weight. A rule proposes dw in weight steps (units of
// Projection::weight_step(), the voltage of one code); the write-back scales it by the learning rate and
// stores it in one of three ways (../shared/reference/papers.md §5):
//
//   quantized  only the b-bit code exists: code <- clip(R(code + dw)). Updates below the rounding
//              threshold vanish under nearest/truncate, floor drifts toward depression, stochastic
//              rounding is unbiased (E[R(x)] = x). R(n + x) differs from n + R(x) for ties-to-even and for
//              the sign-dependent modes (truncate, nearest-away), so RoundOf picks which one is rounded:
//              `sum` (default) is what an accumulator register holding code + dw does; `update` rounds dw
//              alone, as sign-magnitude update units do (brian2-loihi rounds dw before adding it,
//              ../shared/reference/chips.md §1) - with it, truncate drops every |dw| < 1 instead of
//              pulling positive weights toward zero on depression.
//   shadow     quantization-aware training: a high-precision shadow weight accumulates the updates (float64,
//              or fixed point with extra fractional bits below one step and its own rounding); the forward
//              weight is its b-bit quantization (straight-through: rules read the shadow), recomputed
//              after every step or every k steps.
//   exact      float64 targets only: w <- clip(w + dw * step), no grid.
//
// Bounds are hard: the code range of the projection's bits and sign mode, optionally narrowed by the user
// (exact mode: the sign mode only - excitatory [0, inf), inhibitory (-inf, 0] - unless bounds are given).
//
// Stochastic draws are keyed by (seed, stream, 4t + phase, synapse index), where the synapse index is the
// synapse's position in Projection::synapses() order (independent of the block layout, so of the thread
// count) and the phase separates the pre, post, per-step and requantization roundings of one step.
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "quant/overflow.hpp"
#include "quant/rounders.hpp"
#include "quant/saturate.hpp"
#include "sim/projection.hpp"
#include "sim/types.hpp"

namespace qsnn::learning {

enum class WriteBackMode : std::uint8_t { quantized, shadow, exact };

enum class RoundOf : std::uint8_t {
  sum,    // R(w + dw)
  update  // w + R(dw)
};

struct ShadowSpec {
  // Fractional bits of the shadow below one weight step, 0..36 (the shadow stays exact in a double);
  // nullopt: a float64 shadow.
  std::optional<int> extra_frac_bits;
  quant::RoundingSpec rounding{quant::RoundingMode::nearest_even};          // fixed-point shadow updates
  quant::RoundingSpec forward_rounding{quant::RoundingMode::nearest_even};  // shadow -> b-bit forward code
  sim::Step requantize_every = 1;  // steps; 1: after every step with updates
};

// rate(epoch) = initial * decay^epoch. With epoch_steps > 0 the epoch is (steps since attaching) /
// epoch_steps; otherwise it is whatever PlasticProjection::set_epoch last said (0 at first).
struct LearningRate {
  double initial = 1.0;
  double decay = 1.0;
  sim::Step epoch_steps = 0;
  double at_epoch(std::uint64_t epoch) const { return initial * std::pow(decay, static_cast<double>(epoch)); }
};

struct WriteBackSpec {
  // nullopt: quantized when the weights are on the b-bit grid (fixed-point targets, and float64 targets
  // with float_uses_quantized_weights, which thereby stay the twin of a fixed-point projection), exact for
  // other float64 targets.
  std::optional<WriteBackMode> mode;
  quant::RoundingSpec rounding{quant::RoundingMode::nearest_even};  // quantized mode (seed/stream set by the owner)
  RoundOf round_of = RoundOf::sum;
  ShadowSpec shadow;
  std::optional<double> lower_bound;  // weight steps; must lie inside the code range
  std::optional<double> upper_bound;
  LearningRate rate;
};

struct WeightStatistics {
  std::uint64_t proposed = 0;          // non-zero proposals (after the learning rate)
  std::uint64_t changed = 0;           // the stored weight (code, shadow or real weight) changed
  std::uint64_t lost_to_rounding = 0;  // no bound hit, yet rounding gave back the old weight
  quant::OverflowCounts saturations;   // R(w + dw) beyond a bound, clipped to it
  std::uint64_t forward_changes = 0;   // shadow mode: requantizations that changed a forward code
  quant::OverflowCounts forward_saturations;  // shadow mode: forward codes clipped (fractional user bounds)
  double sum_abs_dw = 0.0;             // weight steps, after the learning rate

  std::uint64_t saturated() const { return saturations.saturated(); }
  // Summed per block, so the last bits can differ between thread counts; every count is exact.
  double mean_abs_dw() const { return proposed == 0 ? 0.0 : sum_abs_dw / static_cast<double>(proposed); }
  WeightStatistics& operator+=(const WeightStatistics& other);
};

// A write-back spec checked against its projection, with bounds and keys filled in.
struct ResolvedWriteBack {
  WriteBackMode mode = WriteBackMode::quantized;
  RoundOf round_of = RoundOf::sum;
  bool float_target = false;
  double unit = 1.0;                 // voltage units per weight step
  double lower = 0.0, upper = 0.0;   // bounds in steps (integral in quantized mode)
  double code_lower = 0.0, code_upper = 0.0;  // integral bounds of forward codes (shadow mode)
  quant::RoundingSpec update_rounding;  // quantized: R; fixed shadow: the shadow's rounding
  bool fixed_shadow = false;
  int extra_frac_bits = 0;
  quant::RoundingSpec forward_rounding;
  sim::Step requantize_every = 1;
  LearningRate rate;
};

// What a write-back needs to know about the weights it changes, wherever they are stored (a sim::Projection,
// or a plain array such as a DECOLLE layer's, learning/decolle_layer.hpp).
struct WeightGrid {
  std::string where;          // message prefix naming the owner, e.g. "plastic projection 'x': "
  bool float_target = false;  // real weights (double) rather than integer codes
  bool on_grid = true;        // float targets: the real weights are multiples of `unit` inside the code range
  std::string off_grid_hint;  // appended to the message when a float target off the grid asks for a grid mode
  double unit = 1.0;          // real units per weight step
  std::int64_t min_code = 0, max_code = 0;
  // Exact mode: the range of real weights, in steps, when the spec gives no bounds.
  double exact_lower = -std::numeric_limits<double>::infinity();
  double exact_upper = std::numeric_limits<double>::infinity();
};

// Throws std::invalid_argument naming the problem (exact mode on a fixed-point target, bounds outside the
// code range or crossed, quantized mode on a float64 target whose weights are not on the grid, ...).
// `seed` and `stream_base` key the stochastic roundings (streams stream_base + 0 and + 1).
ResolvedWriteBack resolve_write_back(const WriteBackSpec& spec, const WeightGrid& grid, std::uint64_t seed,
                                     std::uint64_t stream_base);
// The grid of a built projection: its codes, weight step and sign mode.
WeightGrid weight_grid(const sim::Projection& projection);
ResolvedWriteBack resolve_write_back(const WriteBackSpec& spec, const sim::Projection& projection, std::uint64_t seed,
                                     std::uint64_t stream_base);

// A synapse whose shadow changed since the last requantization.
struct DirtySynapse {
  std::uint32_t k;       // position in its block
  std::uint64_t index;   // Projection::synapses() order: the key of its stochastic draws
};

// What the write-back keeps per block of a projection (one task owns it: no atomics).
struct WriteBackState {
  std::vector<double> shadow;  // shadow mode: per synapse, in steps
  std::vector<std::uint8_t> is_dirty;
  std::vector<DirtySynapse> dirty;
  WeightStatistics stats;
};

// Applies proposals to the synapses of one block with one rounder (entered once per loop through
// quant::visit_rounder). Weight is the block's storage type: int8/int16 codes or double real weights.
//
// propose runs once per synapse event (millions per simulated second), so the writer keeps by value what
// it reads per proposal, and counts into its own copy of the block's statistics, stored back when it goes
// out of scope: an int8 weight store may alias anything, and would otherwise force every field and
// counter to be reloaded from memory after each store. The counts and the order of the additions are the
// same as adding into the block's statistics directly. One writer per block state at a time.
template <class Weight, class Rounder>
class WeightWriter {
 public:
  WeightWriter(const ResolvedWriteBack& wb, double rate, std::span<Weight> weights, WriteBackState& state,
               const Rounder& rounder)
      : mode_(wb.mode),
        round_of_(wb.round_of),
        fixed_shadow_(wb.fixed_shadow),
        extra_frac_bits_(wb.extra_frac_bits),
        unit_(wb.unit),
        lower_(wb.lower),
        upper_(wb.upper),
        rate_(rate),
        weights_(weights),
        state_(state),
        stats_(state.stats),
        rounder_(rounder) {}
  WeightWriter(const WeightWriter&) = delete;
  WeightWriter& operator=(const WeightWriter&) = delete;
  ~WeightWriter() { state_.stats = stats_; }

  // The weight rules see, in steps: the shadow (straight-through), the code, or w / step.
  double weight(std::uint32_t k) const {
    if (mode_ == WriteBackMode::shadow) return state_.shadow[k];
    return stored(k);
  }

  [[gnu::always_inline]] void propose(std::uint32_t k, std::uint64_t index, double dw) {
    dw *= rate_;
    if (dw == 0.0) return;  // not an update: R(w + 0) = w in every mode, as w is on its grid
    WeightStatistics& s = stats_;
    ++s.proposed;
    s.sum_abs_dw += std::abs(dw);
    double before = 0.0, unclipped = 0.0, after = 0.0;
    switch (mode_) {
      case WriteBackMode::quantized:
        before = stored(k);
        unclipped = round_of_ == RoundOf::sum ? rounder_.real(before + dw, index)
                                                 : before + rounder_.real(dw, index);
        after = quant::saturate_real(unclipped, lower_, upper_, s.saturations);
        store(k, after);
        break;
      case WriteBackMode::shadow:
        before = state_.shadow[k];
        if (fixed_shadow_) {
          // The shadow is a fixed-point value with extra_frac_bits below one step, held exactly in a double
          // (at most 16 + 36 bits); scaling by powers of two is exact, so the rounder does the rounding
          // (the double sum before + dw errs by 2^-53 relative, far below the shadow's resolution).
          const int e = extra_frac_bits_;
          unclipped = round_of_ == RoundOf::sum
                          ? std::ldexp(rounder_.real(std::ldexp(before + dw, e), index), -e)
                          : before + std::ldexp(rounder_.real(std::ldexp(dw, e), index), -e);
        } else {
          unclipped = before + dw;
        }
        after = quant::saturate_real(unclipped, lower_, upper_, s.saturations);
        state_.shadow[k] = after;
        if (after != before && state_.is_dirty[k] == 0) {
          state_.is_dirty[k] = 1;
          state_.dirty.push_back({k, index});
        }
        break;
      case WriteBackMode::exact:
        before = stored(k);
        unclipped = before + dw;
        after = quant::saturate_real(unclipped, lower_, upper_, s.saturations);
        store(k, after);
        break;
    }
    if (after != before) {
      ++s.changed;
    } else if (after == unclipped) {
      ++s.lost_to_rounding;
    }
  }

 private:
  // Codes are integral doubles after rounding and clipping, so converting them to Weight is exact.
  double stored(std::uint32_t k) const {
    if constexpr (std::is_same_v<Weight, double>) return weights_[k] / unit_;
    else return static_cast<double>(weights_[k]);
  }
  void store(std::uint32_t k, double steps) {
    if constexpr (std::is_same_v<Weight, double>) weights_[k] = steps * unit_;
    else weights_[k] = static_cast<Weight>(steps);
  }

  WriteBackMode mode_;
  RoundOf round_of_;
  bool fixed_shadow_;
  int extra_frac_bits_;
  double unit_;
  double lower_, upper_;
  double rate_;
  std::span<Weight> weights_;
  WriteBackState& state_;
  WeightStatistics stats_;
  Rounder rounder_;
};

// Shadow mode: forward code <- clip(R_forward(shadow)) for every dirty synapse of a block, at rounding
// step 4t + 3.
template <class Weight>
void requantize_block(const ResolvedWriteBack& wb, sim::Step t, std::span<Weight> weights, WriteBackState& state) {
  if (state.dirty.empty()) return;
  quant::visit_rounder(wb.forward_rounding, 4 * t + 3, [&](const auto& rounder) {
    for (const DirtySynapse& d : state.dirty) {
      const double code = quant::saturate_real(rounder.real(state.shadow[d.k], d.index), wb.code_lower, wb.code_upper,
                                               state.stats.forward_saturations);
      if constexpr (std::is_same_v<Weight, double>) {
        const double w = code * wb.unit;
        if (w != weights[d.k]) ++state.stats.forward_changes;
        weights[d.k] = w;
      } else {
        const auto w = static_cast<Weight>(code);  // integral and inside the code range: exact
        if (w != weights[d.k]) ++state.stats.forward_changes;
        weights[d.k] = w;
      }
      state.is_dirty[d.k] = 0;
    }
  });
  state.dirty.clear();
}

// How many synapses hold each weight code, codes min_code .. min_code + counts.size() - 1. Float64
// targets count round-to-nearest-even(w / weight_step), saturated into the code range.
struct CodeHistogram {
  std::int64_t min_code = 0;
  std::vector<std::uint64_t> counts;
  std::uint64_t count(std::int64_t code) const {
    return code < min_code || code >= min_code + static_cast<std::int64_t>(counts.size())
               ? 0
               : counts[static_cast<std::size_t>(code - min_code)];
  }
};
CodeHistogram weight_code_histogram(const sim::Projection& projection);

}  // namespace qsnn::learning
