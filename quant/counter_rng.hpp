#pragma once
// Counter-based random numbers (Random123 Philox4x64, Salmon et al., SC'11): a draw is a pure function of
// (seed, stream, step, index, draw), so results never depend on thread count or evaluation order and no
// generator state is shared between threads.
#include <Random123/philox.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>

namespace qsnn::quant {

class CounterRng {
 public:
  CounterRng(std::uint64_t seed, std::uint64_t stream) : key_{{seed, stream}} {}

  std::uint64_t seed() const { return key_.v[0]; }
  std::uint64_t stream() const { return key_.v[1]; }

  // Four independent 64-bit words for one (step, index, draw) counter.
  std::array<std::uint64_t, 4> block(std::uint64_t step, std::uint64_t index, std::uint64_t draw = 0) const {
    r123::Philox4x64::ctr_type counter{{step, index, draw, 0}};
    const auto out = r123::Philox4x64{}(counter, key_);
    return {out.v[0], out.v[1], out.v[2], out.v[3]};
  }

  std::uint64_t bits64(std::uint64_t step, std::uint64_t index, std::uint64_t draw = 0) const {
    return block(step, index, draw)[0];
  }

  // A uniform integer in [0, 2^nbits), nbits in 1..64, from the top bits of one word.
  std::uint64_t uniform_bits(std::uint64_t step, std::uint64_t index, unsigned nbits, std::uint64_t draw = 0) const {
    return bits64(step, index, draw) >> (64U - nbits);
  }

  // Uniform in [0, 1) with 53 random bits.
  double uniform01(std::uint64_t step, std::uint64_t index, std::uint64_t draw = 0) const {
    return static_cast<double>(uniform_bits(step, index, 53, draw)) * 0x1.0p-53;
  }

  // Standard normal by Box-Muller on two words of one block.
  double normal(std::uint64_t step, std::uint64_t index, std::uint64_t draw = 0) const {
    const auto words = block(step, index, draw);
    const double u1 = (static_cast<double>(words[0] >> 11) + 0.5) * 0x1.0p-53;  // (0, 1): log is finite
    const double u2 = static_cast<double>(words[1] >> 11) * 0x1.0p-53;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

 private:
  r123::Philox4x64::key_type key_;
};

}  // namespace qsnn::quant
