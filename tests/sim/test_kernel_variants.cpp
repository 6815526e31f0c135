// The chunked, vectorized LIF kernels (kernels/lif_update.hpp) against the one-neuron-at-a-time loops they
// replaced (kept here as the reference), for every instruction-set variant this processor runs: same state,
// same spikes, same overflow counts, bit for bit, including saturation, wrap, refractory neurons, injection,
// adaptive thresholds, both reset modes and stochastic rounding. The AVX-512 variant of the fixed path is the
// fused loop (one pass per group of eight neurons, scalar fallback for groups that overflow): it is checked
// with values that overflow often (most groups fall back) and rarely (most groups stay in registers).
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "kernels/lif_update.hpp"
#include "quant/counter_rng.hpp"

using namespace qsnn::kernels;
using qsnn::quant::OverflowMode;
using qsnn::quant::QFormat;
using qsnn::quant::RoundingMode;

namespace {

// The loops of commit 8274e2e, verbatim but for names.
template <class CurrentRounder, class VoltageRounder>
void reference_fixed(const FixedLifConstants& c, const LifStateSpans<std::int32_t>& s,
                     const ReceptorInputs<std::int64_t>& input, std::uint32_t begin, std::uint32_t end,
                     const CurrentRounder& current_rounder, const VoltageRounder& voltage_rounder,
                     std::vector<std::uint32_t>& spikes, LifOverflowCounts& counts) {
  using qsnn::quant::fit_code;
  for (std::uint32_t i = begin; i < end; ++i) {
    std::int64_t total_current = 0;
    for (std::size_t r = 0; r < c.receptors; ++r) {
      const std::int64_t decayed = current_rounder.shift(static_cast<std::int64_t>(s.current[r][i]) * c.current_decay[r],
                                                         c.decay_shift, current_rounding_index(i, r));
      const std::int64_t current = fit_code(decayed + input[r][i], c.current_format, c.current_overflow, counts.current);
      input[r][i] = 0;
      s.current[r][i] = static_cast<std::int32_t>(current);
      total_current += current;
    }
    if (s.refractory[i] > 0) {
      --s.refractory[i];
      s.voltage[i] = static_cast<std::int32_t>(c.reset_value);
      continue;
    }
    const std::int64_t decayed = voltage_rounder.shift(static_cast<std::int64_t>(s.voltage[i]) * c.voltage_decay,
                                                       c.decay_shift, i);
    const std::int64_t injected = s.injection != nullptr ? s.injection[i] : 0;
    std::int64_t voltage =
        fit_code(decayed + total_current + c.bias + injected, c.voltage_format, c.voltage_overflow, counts.voltage);
    const std::int64_t threshold = c.adaptive_threshold ? c.threshold + s.theta[i] : c.threshold;
    if (voltage > threshold) {
      spikes.push_back(i);
      voltage = c.reset == ResetMode::to_value
                    ? c.reset_value
                    : fit_code(voltage - threshold, c.voltage_format, c.voltage_overflow, counts.voltage);
      s.refractory[i] = c.refractory_steps;
      if (c.adaptive_threshold)
        s.theta[i] = static_cast<std::int32_t>(
            fit_code(s.theta[i] + c.theta_plus, c.theta_format, c.theta_overflow, counts.theta));
    }
    s.voltage[i] = static_cast<std::int32_t>(voltage);
  }
}

void reference_float(const FloatLifConstants& c, const LifStateSpans<double>& s, const ReceptorInputs<double>& input,
                     std::uint32_t begin, std::uint32_t end, std::vector<std::uint32_t>& spikes) {
  for (std::uint32_t i = begin; i < end; ++i) {
    double total_current = 0.0;
    for (std::size_t r = 0; r < c.receptors; ++r) {
      const double current = c.current_decay[r] * s.current[r][i] + input[r][i];
      input[r][i] = 0.0;
      s.current[r][i] = current;
      total_current += current;
    }
    if (s.refractory[i] > 0) {
      --s.refractory[i];
      s.voltage[i] = c.reset_value;
    } else {
      const double injected = s.injection != nullptr ? s.injection[i] : 0.0;
      double voltage = c.voltage_decay * s.voltage[i] + total_current + c.bias + injected;
      const double threshold = c.adaptive_threshold ? c.threshold + s.theta[i] : c.threshold;
      if (voltage > threshold) {
        spikes.push_back(i);
        voltage = c.reset == ResetMode::to_value ? c.reset_value : voltage - threshold;
        s.refractory[i] = c.refractory_steps;
        if (c.adaptive_threshold) s.theta[i] += c.theta_plus;
      }
      s.voltage[i] = voltage;
    }
    if (c.adaptive_threshold) s.theta[i] *= c.theta_decay;
  }
}

template <class T, class Acc>
struct State {
  std::array<std::vector<T>, kMaxReceptors> current;
  std::vector<T> voltage, theta, injection;
  std::vector<std::uint16_t> refractory;
  std::array<std::vector<Acc>, kMaxReceptors> input;
  friend bool operator==(const State&, const State&) = default;

  LifStateSpans<T> spans(bool inject) {
    LifStateSpans<T> s;
    for (std::size_t r = 0; r < kMaxReceptors; ++r) s.current[r] = current[r].data();
    s.voltage = voltage.data();
    s.theta = theta.data();
    s.refractory = refractory.data();
    s.injection = inject ? injection.data() : nullptr;
    return s;
  }
  ReceptorInputs<Acc> inputs() {
    ReceptorInputs<Acc> in{};
    for (std::size_t r = 0; r < kMaxReceptors; ++r) in[r] = input[r].data();
    return in;
  }
};

// Random state spanning the formats' edges: about 3 % of the values overflow after the update.
template <class T, class Acc>
State<T, Acc> random_state(std::uint32_t n, std::uint64_t seed, double scale) {
  const qsnn::quant::CounterRng rng{seed, 99};
  State<T, Acc> s;
  auto value = [&](std::uint64_t k, std::uint64_t lane, double range) {
    return static_cast<T>((rng.uniform01(k, lane) * 2.0 - 1.0) * range * scale);
  };
  for (std::size_t r = 0; r < kMaxReceptors; ++r) {
    s.current[r].resize(n);
    s.input[r].resize(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      s.current[r][i] = value(i, r, 30000);
      s.input[r][i] = static_cast<Acc>(value(i, 10 + r, rng.uniform01(i, 20 + r) < 0.05 ? 60000 : 2000));
    }
  }
  s.voltage.resize(n);
  s.theta.resize(n);
  s.injection.resize(n);
  s.refractory.resize(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    s.voltage[i] = value(i, 30, 32000);
    s.theta[i] = static_cast<T>(rng.uniform01(i, 31) * 500 * scale);
    s.injection[i] = value(i, 32, 3000);
    s.refractory[i] = static_cast<std::uint16_t>(rng.uniform01(i, 33) < 0.2 ? 1 + rng.bits64(i, 34) % 3 : 0);
  }
  return s;
}

std::vector<KernelIsa> variants() {
  std::vector<KernelIsa> out{KernelIsa::generic};
  const KernelIsa best = resolve_kernel_isa(KernelIsa::best);
  if (best == KernelIsa::avx2 || best == KernelIsa::avx512) out.push_back(KernelIsa::avx2);
  if (best == KernelIsa::avx512) out.push_back(KernelIsa::avx512);
  return out;
}

}  // namespace

TEST_CASE("fixed-point LIF kernels: every ISA variant equals the one-neuron loop, bit for bit") {
  const std::uint32_t n = 1000;  // several chunks and a partial one
  int cases = 0;
  for (const RoundingMode current_mode : {RoundingMode::nearest_even, RoundingMode::nearest_away, RoundingMode::floor,
                                          RoundingMode::ceil, RoundingMode::truncate, RoundingMode::stochastic}) {
    for (const RoundingMode voltage_mode : {RoundingMode::nearest_even, RoundingMode::truncate, RoundingMode::ceil}) {
      for (const OverflowMode overflow : {OverflowMode::saturate, OverflowMode::wrap}) {
        for (const bool inject : {false, true}) {
          for (const bool adaptive : {false, true}) {
            FixedLifConstants c;
            c.receptors = adaptive ? 3 : 2;
            c.decay_shift = 12;
            c.current_decay = {3900, 3500, 4000, 0};
            c.voltage_decay = 4000;
            c.theta_decay = 4090;
            c.bias = 7;
            c.threshold = 12000;
            c.reset_value = -2000;
            c.theta_plus = 300;
            c.reset = adaptive ? ResetMode::subtract : ResetMode::to_value;
            c.refractory_steps = 2;
            c.adaptive_threshold = adaptive;
            c.current_format = QFormat(16, 0, true);
            c.voltage_format = QFormat(16, 0, true);
            c.theta_format = QFormat(12, 0, true);
            c.current_overflow = c.voltage_overflow = c.theta_overflow = overflow;
            c.current_decay_rounding = {current_mode, 5, 6};
            c.voltage_decay_rounding = {voltage_mode, 5, 7};
            auto initial = random_state<std::int32_t, std::int64_t>(n, static_cast<std::uint64_t>(++cases), 1.0);
            auto expected = initial;
            std::vector<std::uint32_t> expected_spikes;
            LifOverflowCounts expected_counts;
            for (std::uint64_t step = 0; step < 4; ++step) {
              qsnn::quant::visit_rounder(c.current_decay_rounding, step, [&](const auto& cr) {
                qsnn::quant::visit_rounder(c.voltage_decay_rounding, step, [&](const auto& vr) {
                  reference_fixed(c, expected.spans(inject), expected.inputs(), 0, n, cr, vr, expected_spikes,
                                  expected_counts);
                });
              });
            }
            REQUIRE(expected_counts.current.total() + expected_counts.voltage.total() > 0);  // overflow exercised
            REQUIRE(!expected_spikes.empty());
            for (const KernelIsa isa : variants()) {
              INFO("isa ", static_cast<int>(isa), " case ", cases);
              auto state = initial;
              std::vector<std::uint32_t> spikes;
              LifOverflowCounts counts;
              for (std::uint64_t step = 0; step < 4; ++step) {
                qsnn::quant::visit_rounder(c.current_decay_rounding, step, [&](const auto& cr) {
                  qsnn::quant::visit_rounder(c.voltage_decay_rounding, step, [&](const auto& vr) {
                    update_fixed_lif(c, state.spans(inject), state.inputs(), 0, n, cr, vr, spikes, counts, isa);
                  });
                });
              }
              CHECK(state == expected);
              CHECK(spikes == expected_spikes);
              CHECK(counts == expected_counts);
            }
          }
        }
      }
    }
  }
}

TEST_CASE("float64 LIF kernels: every ISA variant equals the one-neuron loop, bit for bit") {
  const std::uint32_t n = 777;
  for (const bool inject : {false, true}) {
    for (const bool adaptive : {false, true}) {
      FloatLifConstants c;
      c.receptors = 2;
      c.current_decay = {0.951229424500714, 0.9048374180359595, 0, 0};
      c.voltage_decay = 0.9512294245007140;
      c.theta_decay = 0.999;
      c.bias = 0.0123;
      c.threshold = 10000.0 / 3.0;
      c.reset_value = -1000.0 / 7.0;
      c.theta_plus = 0.3;
      c.reset = adaptive ? ResetMode::subtract : ResetMode::to_value;
      c.refractory_steps = 2;
      c.adaptive_threshold = adaptive;
      auto initial = random_state<double, double>(n, 77, 0.3);
      auto expected = initial;
      std::vector<std::uint32_t> expected_spikes;
      for (int step = 0; step < 5; ++step)
        reference_float(c, expected.spans(inject), expected.inputs(), 0, n, expected_spikes);
      REQUIRE(!expected_spikes.empty());
      for (const KernelIsa isa : variants()) {
        auto state = initial;
        std::vector<std::uint32_t> spikes;
        for (int step = 0; step < 5; ++step) update_float_lif(c, state.spans(inject), state.inputs(), 0, n, spikes, isa);
        CHECK(state == expected);  // doubles compared with ==: bit-identical up to the sign of zero
        CHECK(spikes == expected_spikes);
      }
    }
  }
}

TEST_CASE("fixed-point LIF kernels: guard bits of the input are rounded as by the separate pass") {
  const std::uint32_t n = 600;
  for (const RoundingMode input_mode : {RoundingMode::nearest_even, RoundingMode::floor, RoundingMode::stochastic}) {
    FixedLifConstants c;
    c.receptors = 2;
    c.decay_shift = 12;
    c.current_decay = {3900, 3500, 0, 0};
    c.voltage_decay = 4000;
    c.bias = 7;
    c.threshold = 12000;
    c.refractory_steps = 1;
    c.current_format = QFormat(18, 0, true);
    c.voltage_format = QFormat(18, 0, true);
    c.input_guard_bits = 3;
    c.input_rounding = {input_mode, 3, 4};
    auto initial = random_state<std::int32_t, std::int64_t>(n, 4242, 1.0);
    auto expected = initial;
    std::vector<std::uint32_t> expected_spikes;
    LifOverflowCounts expected_counts;
    for (std::uint64_t step = 0; step < 3; ++step) {
      qsnn::quant::visit_rounder(c.input_rounding, step, [&](const auto& rounder) {
        for (std::size_t r = 0; r < c.receptors; ++r)
          for (std::uint32_t i = 0; i < n; ++i)
            expected.input[r][i] = rounder.shift(expected.input[r][i], c.input_guard_bits, i);
      });
      reference_fixed(c, expected.spans(false), expected.inputs(), 0, n, qsnn::quant::NearestEvenRounder{},
                      qsnn::quant::NearestEvenRounder{}, expected_spikes, expected_counts);
      for (std::size_t r = 0; r < c.receptors; ++r)  // fresh input for the next step
        for (std::uint32_t i = 0; i < n; ++i) expected.input[r][i] = initial.input[r][(i * 7 + step) % n];
    }
    for (const KernelIsa isa : variants()) {
      INFO("isa ", static_cast<int>(isa), " input rounding ", static_cast<int>(input_mode));
      auto state = initial;
      std::vector<std::uint32_t> spikes;
      LifOverflowCounts counts;
      for (std::uint64_t step = 0; step < 3; ++step) {
        dispatch_fixed_lif_update(c, state.spans(false), state.inputs(), 0, n, step, spikes, counts, isa);
        for (std::size_t r = 0; r < c.receptors; ++r)
          for (std::uint32_t i = 0; i < n; ++i) state.input[r][i] = initial.input[r][(i * 7 + step) % n];
      }
      CHECK(state == expected);
      CHECK(spikes == expected_spikes);
      CHECK(counts == expected_counts);
    }
  }
}

TEST_CASE("fixed-point LIF kernels: at CUBA's formats, rare overflow, every variant equals the one-neuron loop") {
  // 24-bit state, 16-bit decay fractions (the fixed8 benchmark); small values, so most groups of eight take
  // the fused path and a few overflow into the fallback.
  const std::uint32_t n = 2003;  // a tail shorter than a group
  const std::array<RoundingMode, 5> modes{RoundingMode::nearest_even, RoundingMode::nearest_away,
                                          RoundingMode::floor, RoundingMode::ceil, RoundingMode::truncate};
  int cases = 0, cases_with_overflow = 0;
  for (const RoundingMode current_mode : modes) {
    for (const RoundingMode voltage_mode : modes) {
      for (const std::size_t receptors : {std::size_t{1}, std::size_t{2}, std::size_t{4}}) {
        ++cases;
        const bool adaptive = cases % 3 == 0, inject = cases % 2 == 0;
        const unsigned guard = cases % 4 == 1 ? 2 : 0;  // rounded inside the loop: nearest-even input
        FixedLifConstants c;
        c.receptors = receptors;
        c.decay_shift = 16;
        c.current_decay = {62339, 59299, 65000, 1000};
        c.voltage_decay = 65000;
        c.theta_decay = 65500;
        c.bias = 3;
        c.threshold = 6000;
        c.reset_value = -700;
        c.theta_plus = 40;
        c.reset = cases % 5 == 0 ? ResetMode::subtract : ResetMode::to_value;
        c.refractory_steps = 3;
        c.adaptive_threshold = adaptive;
        c.current_format = QFormat(14, 0, true);
        c.voltage_format = QFormat(16, 0, true);
        c.theta_format = QFormat(12, 0, true);
        c.current_overflow = c.voltage_overflow = cases % 2 == 0 ? OverflowMode::wrap : OverflowMode::saturate;
        c.input_guard_bits = guard;
        c.current_decay_rounding = {current_mode};
        c.voltage_decay_rounding = {voltage_mode};
        auto initial = random_state<std::int32_t, std::int64_t>(n, 500 + static_cast<std::uint64_t>(cases), 0.1);
        auto expected = initial;
        std::vector<std::uint32_t> expected_spikes;
        LifOverflowCounts expected_counts;
        for (std::uint64_t step = 0; step < 3; ++step) {
          for (std::size_t r = 0; r < receptors; ++r)
            for (std::uint32_t i = 0; i < n; ++i)
              expected.input[r][i] = qsnn::quant::NearestEvenRounder{}.shift(expected.input[r][i], guard);
          qsnn::quant::visit_rounder(c.current_decay_rounding, step, [&](const auto& cr) {
            qsnn::quant::visit_rounder(c.voltage_decay_rounding, step, [&](const auto& vr) {
              reference_fixed(c, expected.spans(inject), expected.inputs(), 0, n, cr, vr, expected_spikes,
                              expected_counts);
            });
          });
          if (adaptive)  // dispatch_fixed_lif_update's theta pass
            for (std::uint32_t i = 0; i < n; ++i)
              expected.theta[i] = static_cast<std::int32_t>(qsnn::quant::NearestEvenRounder{}.shift(
                  static_cast<std::int64_t>(expected.theta[i]) * c.theta_decay, c.decay_shift));
          for (std::size_t r = 0; r < receptors; ++r)  // fresh input for the next step
            for (std::uint32_t i = 0; i < n; ++i) expected.input[r][i] = initial.input[r][(i * 5 + step) % n];
        }
        const auto overflows = expected_counts.current.total() + expected_counts.voltage.total();
        cases_with_overflow += overflows > 0 ? 1 : 0;
        REQUIRE(overflows < n * 3 / 8 / 2);  // so most groups of eight stay in the fused path
        REQUIRE(!expected_spikes.empty());
        for (const KernelIsa isa : variants()) {
          INFO("isa ", static_cast<int>(isa), " case ", cases);
          auto state = initial;
          std::vector<std::uint32_t> spikes;
          LifOverflowCounts counts;
          for (std::uint64_t step = 0; step < 3; ++step) {
            dispatch_fixed_lif_update(c, state.spans(inject), state.inputs(), 0, n, step, spikes, counts, isa);
            for (std::size_t r = 0; r < receptors; ++r)
              for (std::uint32_t i = 0; i < n; ++i) state.input[r][i] = initial.input[r][(i * 5 + step) % n];
          }
          CHECK(state == expected);
          CHECK(spikes == expected_spikes);
          CHECK(counts == expected_counts);
        }
      }
    }
  }
  CHECK(cases_with_overflow > cases / 2);  // and the fallback is exercised
}
