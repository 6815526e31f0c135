#pragma once
// Divisive normalization of each postsynaptic neuron's incoming weights to a fixed sum, as Diehl & Cook 2015
// (Front. Comput. Neurosci. 9:99; code github.com/peter-u-diehl/stdp-mnist, normalize_weights(): every
// column of the input -> excitatory matrix is multiplied by target / column sum before each example;
// target 78 for weights in [0, 1], ../shared/reference/papers.md §3.1). It keeps the competition between
// the excitatory neurons fair: STDP changes which inputs a neuron prefers, not how much input it gets.
//
// w_i <- w_i * T / S for the inputs i of one neuron, S their current sum and T the target, in weight steps
// (the units of PlasticProjection::weights_in_steps()). How depends on the projection's write-back:
//
//   exact (float64)   w_i *= T / S, in double; the new sum equals T up to double rounding.
//   quantized         integers only: code_i <- R(code_i * T / S) by quant/rounded_division.hpp with the
//                     write-back's rounding mode (fixed-point codes, and the codes of float64 targets on the
//                     b-bit grid), then clipped to the write-back's bounds.
//   shadow            the shadow is normalized - in integers, in units of 2^-extra_frac_bits steps with the
//                     shadow's rounding, when it is fixed point; in double when it is float64 - and clipped
//                     to the bounds; then every normalized synapse's forward code is requantized at once
//                     with the forward rounding.
//
// Integer modes take T on their grid (nearest-even to a whole number of units). Guarantee: when no weight
// of a neuron is clipped, its new sum is within one unit per non-zero input of T: each rounded term errs
// by less than one unit (by at most half a unit for the nearest modes) and the exact terms sum to the
// gridded T, so |sum - T| < n_nonzero <= fan_in units (one unit is one step in quantized mode). Zero
// weights stay zero, and neurons whose inputs sum to 0 are left unchanged. Clipped weights (a target
// beyond what the bounds allow) are counted in the statistics and break the guarantee.
//
// Each neuron's inputs are walked through the transposed index, one task per postsynaptic block in
// parallel exactly as the plasticity step runs, so results are bit-identical for any thread count.
// Stochastic roundings draw from the counter RNG keyed by (seed, the projection's normalization streams,
// draw_key, synapse index in Projection::synapses() order); draw_key defaults to
// PlasticProjection::next_step(), so normalizations at different steps draw independently.
#include <cstdint>

#include "learning/plastic_projection.hpp"
#include "quant/overflow.hpp"

namespace qsnn::learning {

struct WeightNormalizationStats {
  std::uint64_t neurons_normalized = 0;   // postsynaptic neurons whose inputs were rescaled
  std::uint64_t zero_sum_neurons = 0;     // left unchanged: no inputs, or inputs summing to 0
  std::uint64_t changed = 0;              // synapses whose stored weight (code, shadow or real) changed
  quant::OverflowCounts saturations;      // rescaled weights clipped to the write-back bounds
  std::uint64_t forward_changes = 0;      // shadow mode: forward codes changed by the requantization
  quant::OverflowCounts forward_saturations;  // shadow mode: forward codes clipped (fractional user bounds)
  double max_abs_deviation = 0.0;         // max over normalized neurons of |new sum - target|, in steps

  std::uint64_t saturated() const { return saturations.saturated(); }
  WeightNormalizationStats& operator+=(const WeightNormalizationStats& other);
};

// Rescales every postsynaptic neuron's incoming weights of `projection` to sum to `target_sum` steps.
// Throws std::invalid_argument for a non-finite target, or one (or a weight sum) too large for 64-bit
// integer arithmetic in the integer modes.
WeightNormalizationStats normalize_incoming_weights(PlasticProjection& projection, double target_sum);
WeightNormalizationStats normalize_incoming_weights(PlasticProjection& projection, double target_sum,
                                                    std::uint64_t draw_key);

}  // namespace qsnn::learning
