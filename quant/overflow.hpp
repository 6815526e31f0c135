#pragma once
// What happens when a value leaves its format, and how often it did.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace qsnn::quant {

enum class OverflowMode : std::uint8_t {
  saturate,  // clamp to the nearest representable code
  wrap,      // keep the low bits (two's complement for signed formats)
  // Signed formats of b bits: clamp to the symmetric range [-(2^(b-1) - 1), 2^(b-1) - 1], so the most
  // negative code -2^(b-1) is never produced (it saturates up by one). Lava's bit-accurate Loihi LIF clips
  // the voltage this way: np.clip(v, -(2^23 - 1), 2^23 - 1) (lava-nc/lava src/lava/proc/lif/models.py,
  // AbstractPyLifModelFixed.subthr_dynamics; ../shared/reference/chips.md §2 step 4). Unsigned formats:
  // as saturate.
  saturate_symmetric,
  // Signed formats of b bits: the value congruent modulo 2^b that lies in (-2^(b-1), 2^(b-1)], i.e. the
  // format's range shifted up by one code. Lava wraps the Loihi current this way: u > 2^23 becomes
  // u - 2^24 and u <= -2^23 becomes u + 2^24 (same file and function; chips.md §2 step 2), so +2^23 is
  // kept (plain two's complement would give -2^23) and -2^23 becomes +2^23 (two's complement keeps it).
  // Lava subtracts 2^24 once; this mode reduces fully, which is the same for |x| < 3 * 2^(b-1).
  // The result can be max_code() + 1, one beyond the format: a 32-bit signed format needs 64-bit storage
  // for it. Unsigned formats: as wrap.
  wrap_lava
};

// "saturate", "wrap", "saturate-symmetric", "wrap-lava".
std::string_view overflow_name(OverflowMode mode);
// Every mode, in declaration order.
std::span<const OverflowMode> all_overflow_modes();
// The valid names joined by ", " (for error messages).
std::string valid_overflow_names();
// Throws std::invalid_argument "unknown overflow mode 'x' (valid: saturate, wrap, ...)".
OverflowMode parse_overflow(std::string_view name);

// Plain (non-atomic) counters: each thread keeps its own and they are summed afterwards, so counts
// are identical for any thread count.
struct OverflowCounts {
  std::uint64_t saturated_high = 0;  // clamped down to the maximum code
  std::uint64_t saturated_low = 0;   // clamped up to the minimum code (saturate_symmetric: to -max)
  std::uint64_t wrapped = 0;         // changed by wrapping (wrap_lava: also the code -2^(b-1) itself)

  std::uint64_t saturated() const { return saturated_high + saturated_low; }
  std::uint64_t total() const { return saturated() + wrapped; }
  OverflowCounts& operator+=(const OverflowCounts& other) {
    saturated_high += other.saturated_high;
    saturated_low += other.saturated_low;
    wrapped += other.wrapped;
    return *this;
  }
  friend bool operator==(const OverflowCounts&, const OverflowCounts&) = default;
};

}  // namespace qsnn::quant
