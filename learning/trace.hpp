#pragma once
// Per-neuron exponential spike traces, the state pair-based and triplet STDP read (Morrison, Diesmann &
// Gerstner 2008, Biol. Cybern. 98:459, sec. 4.1): between spikes dx/dt = -x / tau, at a spike x jumps.
//
// Each step: decay(t) multiplies by exp(-dt / tau) (then rounds, in fixed point), the rule's hooks read
// the traces, add_spikes(t) adds this step's spikes. Every neuron is decayed every step: that is work per
// neuron, not per synapse, and Auryn measured it to be faster than lazy, timestamped traces
// (auryn LinearTrace.h). Fixed-point traces could not be lazy anyway: one rounding after n steps is not n
// roundings.
//
// Fixed-point traces follow Loihi's learning engine as Lava emulates it (../shared/reference/chips.md §1;
// lava-nc/lava magma/core/model/py/connection.py, _decay_trace / _add_impulse): decay in real arithmetic,
// then round (stochastically on Loihi), add the rounded impulse, saturate at the top code. Deterministic
// rounders stall a decaying trace once one step of decay is below half a code (x (1 - e^{-dt/tau}) < 1/2
// codes for nearest), which is why Loihi rounds traces stochastically.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "quant/overflow.hpp"
#include "quant/qformat.hpp"
#include "quant/rounders.hpp"
#include "sim/types.hpp"

namespace qsnn::learning {

// How a spike changes the trace.
enum class Pairing : std::uint8_t {
  all_to_all,  // x += impulse: every earlier spike of the partner pairs with this one
  nearest      // x = impulse: only the most recent partner spike counts (nearest-spike pairing, Morrison 2008)
};

// A trace stored as an unsigned fixed-point code: value = code * 2^-frac_bits, code in 0 .. 2^bits - 1.
// Loihi: 7-bit traces (0..127) with stochastic rounding; an impulse of 1.0 is 2^frac_bits codes.
struct TraceFixedPoint {
  int bits = 7;       // 1..31
  int frac_bits = 5;  // 0..30; the impulse must fit: impulse * 2^frac_bits <= 2^bits - 1
  quant::RoundingSpec rounding{quant::RoundingMode::stochastic};  // seed/stream are set by the owner
};

struct TraceSpec {
  double tau_ms = 20.0;
  double impulse = 1.0;  // > 0
  Pairing pairing = Pairing::all_to_all;
  std::optional<TraceFixedPoint> fixed;  // nullopt: float64
};

class TraceArray {
 public:
  // `rng_seed` and `rng_stream` key the stochastic roundings of a fixed-point trace (by step and neuron).
  TraceArray(const TraceSpec& spec, sim::NeuronIndex size, double dt_ms, std::uint64_t rng_seed,
             std::uint64_t rng_stream);

  const TraceSpec& spec() const { return spec_; }
  sim::NeuronIndex size() const { return static_cast<sim::NeuronIndex>(values_.size()); }
  // The trace of every neuron in its real value (fixed point: code * 2^-frac_bits, exact in a double).
  std::span<const double> values() const { return values_; }
  double operator[](sim::NeuronIndex neuron) const { return values_[neuron]; }
  double decay_factor() const { return factor_; }  // exp(-dt / tau)

  // x <- R(x * exp(-dt / tau)) for every neuron: the decay from step t-1 to step t.
  void decay(sim::Step t);
  // The spikes of step t (ascending): x <- sat(x + R(impulse)) (all-to-all) or x <- R(impulse) (nearest).
  void add_spikes(sim::Step t, std::span<const sim::NeuronIndex> spikes);
  void reset();

  // Impulses clipped at the top code (fixed point only).
  const quant::OverflowCounts& saturations() const { return saturations_; }

 private:
  TraceSpec spec_;
  double factor_;
  std::vector<double> values_;
  std::optional<quant::QFormat> format_;
  quant::RoundingSpec rounding_;
  quant::OverflowCounts saturations_;
};

}  // namespace qsnn::learning
