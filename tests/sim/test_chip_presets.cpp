// Chip presets: loihi1 against hand-computed Lava integer trajectories and against a small independent
// reference of Lava's bit-accurate LIF + Dense equations; the other presets against chips.md.
//
// The Lava equations (lava-nc/lava src/lava/proc/lif/models.py AbstractPyLifModelFixed / PyLifModelBitAcc,
// src/lava/proc/dense/models.py PyDenseModelBitAcc, src/lava/utils/weightutils.py; chips.md §2):
//   D(x, d) = sgn(x) * floor(|x| * (4096 - d) / 2^12)
//   u' = D(u, du + 1) + a * 2^6;  u' > 2^23 -> u' - 2^24;  u' <= -2^23 -> u' + 2^24
//   v' = D(v, dv) + u' + bias_mant * 2^bias_exp, clipped to [-(2^23 - 1), 2^23 - 1]
//   spike if v' > vth * 2^6, then v' = 0
//   a(t) = (sum over spikes of step t - 1 of the truncated 8-bit weights) * 2^weight_exp
// Engine step 0 is Lava's time step 1; a spike emitted at engine step s reaches u at step s + 1.
#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/chip_preset.hpp"
#include "sim/lif_population.hpp"
#include "sim/network.hpp"

using namespace qsnn::sim;
using qsnn::quant::OverflowMode;
using qsnn::quant::RoundingMode;

namespace {

using Trace = std::vector<std::int64_t>;

// One source population per drive; source neuron j reaches LIF neuron 0 with Lava weight weights[j].
struct Drive {
  std::vector<std::int64_t> weights;
  LoihiSynapseParameters synapse;
  std::vector<TimedSpike> spikes;
};

struct Probe {
  Trace u, v;
  std::vector<Step> spikes;
  qsnn::kernels::LifOverflowCounts overflow;
};

Probe run_loihi(const LoihiLifParameters& lif, const std::vector<Drive>& drives, Step steps) {
  Network net({.dt_ms = 1.0, .threads = 1, .seed = 3});
  const PopulationId n = add_loihi_lif(net, "lif", 1, lif);
  for (std::size_t d = 0; d < drives.size(); ++d) {
    const Drive& drive = drives[d];
    const auto source = net.add_spike_times("in" + std::to_string(d), static_cast<NeuronIndex>(drive.weights.size()),
                                            drive.spikes);
    ExplicitSynapses synapses;
    for (std::size_t j = 0; j < drive.weights.size(); ++j) {
      synapses.pre.push_back(static_cast<NeuronIndex>(j));
      synapses.post.push_back(0);
      synapses.weight.push_back(loihi_weight_value(drive.weights[j], drive.synapse));
    }
    net.connect({.pre = source, .post = n, .connectivity = synapses,
                 .quantization = loihi_weights(drive.synapse).quantization});
  }
  auto& u = net.record_state({.population = n, .variable = {StateKind::current, 0}});
  auto& v = net.record_state({.population = n, .variable = {StateKind::voltage, 0}});
  auto& s = net.record_spikes({.population = n});
  net.run(steps);
  return {{u.codes().begin(), u.codes().end()},
          {v.codes().begin(), v.codes().end()},
          {s.steps().begin(), s.steps().end()},
          net.overflow(n)};
}

// A single input spike of Lava weight w at step `at` (8-bit mixed weights, weight_exp 0).
std::vector<Drive> impulse(std::int64_t w, Step at) { return {{{w}, {}, {{at, 0}}}}; }

// ---- an independent reference of the Lava equations -------------------------------------------------

std::int64_t lava_decay(std::int64_t x, std::int64_t d) {
  const std::int64_t product = x * (4096 - d);
  const std::int64_t magnitude = (product < 0 ? -product : product) >> 12;
  return product < 0 ? -magnitude : magnitude;
}

struct LavaLif {
  std::int64_t du = 0, dv = 0, vth = 0, bias = 0;
  std::int64_t u = 0, v = 0;
  std::uint64_t wraps = 0, clips = 0;

  bool step(std::int64_t a) {
    const std::int64_t max_uv = std::int64_t{1} << 23;
    const std::int64_t raw = lava_decay(u, du + 1) + a * 64;
    std::int64_t wrapped = raw > max_uv ? raw - 2 * max_uv : raw;
    if (wrapped <= -max_uv) wrapped = raw + 2 * max_uv;
    if (wrapped != raw) ++wraps;
    u = wrapped;
    const std::int64_t raw_v = lava_decay(v, dv) + u + bias;
    v = std::clamp(raw_v, -(max_uv - 1), max_uv - 1);
    if (v != raw_v) ++clips;
    const bool spike = v > vth * 64;
    if (spike) v = 0;
    return spike;
  }
};

// Lava's clip_weights(num_bits = 8) then truncate_weights, as stored by PyDenseModelBitAcc.
std::int64_t lava_stored_weight(std::int64_t w, const LoihiSynapseParameters& p) {
  const bool mixed = p.sign_mode == SignMode::mixed, inhibitory = p.sign_mode == SignMode::inhibitory;
  if (inhibitory) w = -w;
  w = std::clamp<std::int64_t>(w, mixed ? -256 : 0, 255);
  const int n = 8 - p.num_weight_bits + (mixed ? 1 : 0);
  w = (w >> n) << n;  // arithmetic shift (C++20)
  return inhibitory ? -w : w;
}

struct LavaDense {
  std::vector<std::int64_t> weights;  // post-major: weights[post * pre_count + pre], already stored form
  std::size_t pre_count = 0;
  int weight_exp = 0;
  std::vector<std::int64_t> a_buff;

  // Sends the buffer of the previous step, then accumulates this step's spikes.
  std::vector<std::int64_t> step(const std::vector<bool>& spikes) {
    std::vector<std::int64_t> out = a_buff;
    for (std::size_t post = 0; post < a_buff.size(); ++post) {
      std::int64_t sum = 0;
      for (std::size_t pre = 0; pre < pre_count; ++pre)
        if (spikes[pre]) sum += weights[post * pre_count + pre];
      a_buff[post] = weight_exp > 0 ? sum * (std::int64_t{1} << weight_exp) : sum >> -weight_exp;
    }
    return out;
  }
};

struct LongRun {
  LoihiLifParameters lif;
  LoihiSynapseParameters synapse;
  std::int64_t weight_low = -256, weight_high = 255;
  double spike_probability = 0.3;
  std::uint64_t seed = 1;
  std::size_t threads = 1;
  bool drop_partial_sum_rounding = false;
};

struct LongRunResult {
  std::size_t mismatched_steps = 0;  // steps where u, v or a spike of any neuron differ
  std::uint64_t reference_spikes = 0, reference_wraps = 0, reference_clips = 0;
  qsnn::kernels::LifOverflowCounts overflow;
  std::uint64_t engine_spikes = 0;
};

// 40 random Poisson-like sources, 8 neurons with per-neuron biases (set_loihi_biases), dense weights.
LongRunResult compare_long_run(const LongRun& run, Step steps) {
  constexpr std::size_t kPre = 40, kPost = 8;
  std::mt19937_64 rng(run.seed);
  std::uniform_int_distribution<std::int64_t> weight(run.weight_low, run.weight_high);
  std::uniform_int_distribution<int> bias_mant(-300, 300);
  std::uniform_int_distribution<int> bias_exp(0, 4);
  std::bernoulli_distribution fires(run.spike_probability);

  std::vector<std::int64_t> w(kPost * kPre);
  for (auto& x : w) x = weight(rng);
  std::vector<int> mant(kPost), exponent(kPost);
  for (std::size_t i = 0; i < kPost; ++i) {
    mant[i] = bias_mant(rng);
    exponent[i] = bias_exp(rng);
  }
  std::vector<std::vector<bool>> source(steps, std::vector<bool>(kPre));
  std::vector<TimedSpike> timed;
  for (Step t = 0; t < steps; ++t)
    for (std::size_t j = 0; j < kPre; ++j)
      if (fires(rng)) {
        source[t][j] = true;
        timed.push_back({t, static_cast<NeuronIndex>(j)});
      }

  // Engine.
  Network net({.dt_ms = 1.0, .threads = run.threads, .seed = 9, .min_parallel_neurons = 0});
  const auto input = net.add_spike_times("input", kPre, timed);
  const auto lif = add_loihi_lif(net, "lif", kPost, run.lif);
  set_loihi_biases(net.population_as<FixedLifPopulation>(lif), mant, exponent);
  ExplicitSynapses synapses;
  for (std::size_t post = 0; post < kPost; ++post)
    for (std::size_t pre = 0; pre < kPre; ++pre) {
      synapses.pre.push_back(static_cast<NeuronIndex>(pre));
      synapses.post.push_back(static_cast<NeuronIndex>(post));
      synapses.weight.push_back(loihi_weight_value(w[post * kPre + pre], run.synapse));
    }
  WeightQuantization quantization = loihi_weights(run.synapse).quantization;
  if (run.drop_partial_sum_rounding) quantization.partial_sum.reset();
  net.connect({.pre = input, .post = lif, .connectivity = synapses, .quantization = quantization});
  auto& u_rec = net.record_state({.population = lif, .variable = {StateKind::current, 0}});
  auto& v_rec = net.record_state({.population = lif, .variable = {StateKind::voltage, 0}});
  auto& s_rec = net.record_spikes({.population = lif});
  net.run(steps);

  // Reference.
  LavaDense dense;
  dense.pre_count = kPre;
  dense.weight_exp = run.synapse.weight_exp;
  dense.a_buff.assign(kPost, 0);
  for (std::int64_t x : w) dense.weights.push_back(lava_stored_weight(x, run.synapse));
  std::vector<LavaLif> neurons(kPost);
  for (std::size_t i = 0; i < kPost; ++i) {
    neurons[i].du = run.lif.du;
    neurons[i].dv = run.lif.dv;
    neurons[i].vth = run.lif.vth;
    // The population's shared bias plus the neuron's own (Lava has only the per-neuron array: their sum).
    neurons[i].bias =
        loihi_bias(run.lif.bias_mant, run.lif.bias_exp) + std::int64_t{mant[i]} * (std::int64_t{1} << exponent[i]);
  }

  LongRunResult result;
  result.overflow = net.overflow(lif);
  result.engine_spikes = s_rec.count();
  std::size_t spike_cursor = 0;
  for (Step t = 0; t < steps; ++t) {
    const std::vector<std::int64_t> a = dense.step(source[t]);
    bool same = true;
    for (std::size_t i = 0; i < kPost; ++i) {
      const bool spike = neurons[i].step(a[i]);
      result.reference_spikes += spike ? 1 : 0;
      bool engine_spike = false;
      if (spike_cursor < s_rec.count() && s_rec.steps()[spike_cursor] == t && s_rec.neurons()[spike_cursor] == i) {
        engine_spike = true;
        ++spike_cursor;
      }
      same = same && spike == engine_spike && u_rec.codes()[t * kPost + i] == neurons[i].u &&
             v_rec.codes()[t * kPost + i] == neurons[i].v;
    }
    if (!same) ++result.mismatched_steps;
  }
  for (const LavaLif& n : neurons) {
    result.reference_wraps += n.wraps;
    result.reference_clips += n.clips;
  }
  return result;
}

}  // namespace

// ---- loihi1: hand-computed trajectories ----------------------------------------------------------

TEST_CASE("loihi1: current decay truncates toward zero with the effective decay du + 1") {
  // du = 1023: u is multiplied by (4096 - 1024) / 4096 = 3/4 and truncated. Weight 100 (8-bit mixed,
  // exponent 0) gives a = 100, u = 100 * 2^6 = 6400 one step after the spike. vth is out of reach.
  const Probe p = run_loihi({.du = 1023, .dv = 0, .vth = 131071}, impulse(100, 0), 11);
  // 2025 * 3/4 = 1518.75 -> 1518; 1518 * 3/4 = 1138.5 -> 1138; 1138 * 3/4 = 853.5 -> 853; ...
  CHECK(p.u == Trace{0, 6400, 4800, 3600, 2700, 2025, 1518, 1138, 853, 639, 479});
  // dv = 0 keeps v (multiplier 4096): v integrates u.
  CHECK(p.v == Trace{0, 6400, 11200, 14800, 17500, 19525, 21043, 22181, 23034, 23673, 24152});
  CHECK(p.spikes.empty());
}

TEST_CASE("loihi1: voltage decay with dv, and du = 4095 clears u every step") {
  // du = 4095 -> effective 4096: u holds only this step's input. dv = 1024 -> v * 3/4, truncated.
  const Probe p = run_loihi({.du = 4095, .dv = 1024, .vth = 131071}, impulse(100, 0), 10);
  CHECK(p.u == Trace{0, 6400, 0, 0, 0, 0, 0, 0, 0, 0});
  CHECK(p.v == Trace{0, 6400, 4800, 3600, 2700, 2025, 1518, 1138, 853, 639});
}

TEST_CASE("loihi1: reproduces Lava's own impulse test (du = 0 still decays u by 1/4096)") {
  // lava-nc/lava tests/lava/proc/lif/test_models.py, test_bitacc_pm_impulse_dv: du = 0, dv = 2048, an
  // activation of 128 at the first step; expected v = [8192, 12286, 14331, 15351, 15859, 16111, 16235,
  // 16295]. Here the activation comes through a synapse, so the sequence starts one step later.
  const Probe p = run_loihi({.du = 0, .dv = 2048, .vth = 256}, impulse(128, 0), 9);
  CHECK(p.u == Trace{0, 8192, 8190, 8188, 8186, 8184, 8182, 8180, 8178});  // 8192 * 4095 / 4096 = 8190
  CHECK(p.v == Trace{0, 8192, 12286, 14331, 15351, 15859, 16111, 16235, 16295});
}

TEST_CASE("loihi1: bias mantissa << exponent, strict threshold vth << 6, reset to 0 (Lava's no-decay test)") {
  // lava-nc/lava test_bitacc_pm_no_decay: bias 2 << 6 = 128 per step, vth 8 -> 512, du = dv = 0:
  // spikes at the 5th and 10th steps. v = 512 equals the threshold and does not spike (strict >).
  const Probe p = run_loihi({.du = 0, .dv = 0, .vth = 8, .bias_mant = 2, .bias_exp = 6}, {}, 11);
  CHECK(p.v == Trace{128, 256, 384, 512, 0, 128, 256, 384, 512, 0, 128});
  CHECK(p.spikes == std::vector<Step>{4, 9});
  CHECK(p.u == Trace(11, 0));
}

TEST_CASE("loihi1: negative input decays sign-symmetrically (truncation, not floor)") {
  const Probe p = run_loihi({.du = 1023, .dv = 0, .vth = 131071}, impulse(-100, 0), 11);
  // Floor would give -1519 after -2025 (-1518.75); Lava truncates toward zero.
  CHECK(p.u == Trace{0, -6400, -4800, -3600, -2700, -2025, -1518, -1138, -853, -639, -479});
  CHECK(p.v == Trace{0, -6400, -11200, -14800, -17500, -19525, -21043, -22181, -23034, -23673, -24152});
  // Negative bias too: -3 << 2 = -12 per step; dv = 2048 halves: -12, -18, -21, -22 (-22.5 -> -22), -23, ...
  const Probe b = run_loihi({.du = 0, .dv = 2048, .vth = 1, .bias_mant = -3, .bias_exp = 2}, {}, 7);
  CHECK(b.v == Trace{-12, -18, -21, -22, -23, -23, -23});
}

TEST_CASE("loihi1: input arrives one step after the spike") {
  // Spike at step 3 -> u changes at step 4, not before. dv = 4095 keeps 1/4096 of v: 6400 / 4096 -> 1.
  const Probe p = run_loihi({.du = 1023, .dv = 4095, .vth = 131071}, impulse(100, 3), 7);
  CHECK(p.u == Trace{0, 0, 0, 0, 6400, 4800, 3600});
  CHECK(p.v == Trace{0, 0, 0, 0, 6400, 4801, 3601});
}

TEST_CASE("loihi1: u wraps at 24 bits as Lava does, including both edges") {
  SUBCASE("overflow past 2^23 wraps to negative") {
    // Five synapses of Lava weight 254 (8-bit mixed: stored 254, code 127), weight_exp 7, fire at once:
    // a = 5 * 254 * 2^7 = 162560, a * 2^6 = 10403840 > 2^23 -> 10403840 - 2^24 = -6373376.
    const Drive drive{{254, 254, 254, 254, 254}, {.num_weight_bits = 8, .weight_exp = 7},
                      {{0, 0}, {0, 1}, {0, 2}, {0, 3}, {0, 4}}};
    const Probe p = run_loihi({.du = 4095, .dv = 4095, .vth = 131071}, {drive}, 3);
    CHECK(p.u == Trace{0, -6373376, 0});
    CHECK(p.v == Trace{0, -6373376, -1556});  // 6373376 / 4096 = 1556 exactly
    CHECK(p.overflow.current.wrapped == 1);
  }
  SUBCASE("+2^23 is kept and -2^23 becomes +2^23") {
    // Excitatory 8-bit weights 255 x 4 + 4 = 1024 with weight_exp 7: a * 2^6 = 1024 * 2^13 = 2^23 exactly;
    // the inhibitory twin gives -2^23 two steps later. Plain two's complement would give -2^23 both times.
    const Drive up{{255, 255, 255, 255, 4}, {.num_weight_bits = 8, .weight_exp = 7, .sign_mode = SignMode::excitatory},
                   {{0, 0}, {0, 1}, {0, 2}, {0, 3}, {0, 4}}};
    const Drive down{{-255, -255, -255, -255, -4},
                     {.num_weight_bits = 8, .weight_exp = 7, .sign_mode = SignMode::inhibitory},
                     {{2, 0}, {2, 1}, {2, 2}, {2, 3}, {2, 4}}};
    const Probe p = run_loihi({.du = 4095, .dv = 4095, .vth = 131071}, {up, down}, 4);
    CHECK(p.u == Trace{0, 8388608, 0, 8388608});
    // v = 2^23 is clipped to 2^23 - 1 = 8388607 > vth << 6 = 8388544: a spike, v reset to 0.
    CHECK(p.v == Trace{0, 0, 0, 0});
    CHECK(p.spikes == std::vector<Step>{1, 3});
    CHECK(p.overflow.current.wrapped == 1);  // only -2^23 changed
    CHECK(p.overflow.voltage.saturated_high == 2);
  }
}

TEST_CASE("loihi1: v saturates at -(2^23 - 1), not at -2^23") {
  // Inhibitory 8-bit weights -255 x 4, weight_exp 7: a * 2^6 = -1020 * 2^13 = -8355840 per step (no wrap).
  // No voltage decay (dv = 0): -8355840, then -16711680 -> clipped to -8388607.
  const Drive drive{{-255, -255, -255, -255},
                    {.num_weight_bits = 8, .weight_exp = 7, .sign_mode = SignMode::inhibitory},
                    {{0, 0}, {0, 1}, {0, 2}, {0, 3}, {1, 0}, {1, 1}, {1, 2}, {1, 3}}};
  const Probe p = run_loihi({.du = 4095, .dv = 0, .vth = 131071}, {drive}, 4);
  CHECK(p.u == Trace{0, -8355840, -8355840, 0});
  CHECK(p.v == Trace{0, -8355840, -8388607, -8388607});
  CHECK(p.overflow.voltage.saturated_low == 1);  // step 2 only: at step 3 v stays at the limit
  CHECK(p.overflow.voltage.saturated_high == 0);
  CHECK(p.overflow.current.total() == 0);
}

TEST_CASE("loihi1: stored weight codes are Lava's clipped and truncated weights") {
  struct Case {
    LoihiSynapseParameters p;
    std::vector<std::int64_t> w;
  };
  const std::vector<Case> cases{
      {{.num_weight_bits = 6, .sign_mode = SignMode::mixed}, {255, 256, -256, -257, -1, 7, -9, 100, -100, 0}},
      {{.num_weight_bits = 8, .sign_mode = SignMode::mixed}, {255, -256, -1, 1, 3, -3, 300, -300}},
      {{.num_weight_bits = 6, .sign_mode = SignMode::inhibitory}, {-1, -7, 5, -300, -255, -128, 0}},
      {{.num_weight_bits = 4, .sign_mode = SignMode::excitatory}, {255, 300, -5, 31, 15, 16, 0}},
      {{.num_weight_bits = 1, .weight_exp = -8, .sign_mode = SignMode::mixed}, {-256, -1, 0, 255}},
  };
  for (const Case& c : cases) {
    Network net({.threads = 1});
    const auto in = net.add_spike_times("in", static_cast<NeuronIndex>(c.w.size()));
    const auto n = add_loihi_lif(net, "n", 1, {});
    ExplicitSynapses synapses;
    for (std::size_t j = 0; j < c.w.size(); ++j) {
      synapses.pre.push_back(static_cast<NeuronIndex>(j));
      synapses.post.push_back(0);
      synapses.weight.push_back(loihi_weight_value(c.w[j], c.p));
    }
    const LoihiWeights lw = loihi_weights(c.p);
    const auto q = net.connect({.pre = in, .post = n, .connectivity = synapses, .quantization = lw.quantization});
    net.prepare();
    const auto stored = net.projection(q).synapses();
    REQUIRE(stored.size() == c.w.size());
    for (std::size_t j = 0; j < c.w.size(); ++j) {
      INFO("sign mode ", sign_mode_name(c.p.sign_mode), ", ", c.p.num_weight_bits, " bits, weight ", c.w[j]);
      CHECK(static_cast<std::int64_t>(stored[j].code) * (std::int64_t{1} << lw.truncated_bits) ==
            lava_stored_weight(c.w[j], c.p));
    }
  }
}

TEST_CASE("loihi1: engine exponent and exactness of the weight mapping") {
  const LoihiWeights a = loihi_weights({.num_weight_bits = 8, .weight_exp = 0});
  CHECK(a.truncated_bits == 1);
  CHECK(a.quantization.exponent == 7);
  CHECK(a.quantization.bits == 8);
  CHECK(a.quantization.sign == SignMode::mixed);
  CHECK(a.quantization.rounding.mode == RoundingMode::floor);
  REQUIRE(a.quantization.partial_sum.has_value());
  CHECK(a.quantization.partial_sum->grid_exponent == 6);
  CHECK(a.quantization.partial_sum->rounding.mode == RoundingMode::floor);
  const LoihiWeights b = loihi_weights({.num_weight_bits = 6, .weight_exp = -2, .sign_mode = SignMode::excitatory});
  CHECK(b.truncated_bits == 2);
  CHECK(b.quantization.exponent == 6);
  const LoihiWeights c = loihi_weights({.num_weight_bits = 8, .weight_exp = -3});
  CHECK(c.quantization.exponent == 4);
  CHECK(loihi_weight_value(100, {.weight_exp = -3}) == 800.0);
  CHECK_THROWS_WITH_AS(loihi_weights({.num_weight_bits = 9}), "Loihi num_weight_bits = 9 (allowed: 1..8)",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(loihi_weights({.weight_exp = 8}), "Loihi weight_exp = 8 (allowed: -8..7)",
                       std::invalid_argument);
}

TEST_CASE("loihi1: the constants are Lava's") {
  const LoihiLif l = loihi_lif({.du = 100, .dv = 200, .vth = 1000, .bias_mant = -5, .bias_exp = 3});
  const auto& c = l.constants;
  CHECK(c.receptors == 1);
  CHECK(c.decay_shift == 12);
  CHECK(c.current_decay[0] == 4096 - 101);
  CHECK(c.voltage_decay == 4096 - 200);
  CHECK(c.threshold == 64000);
  CHECK(c.bias == -40);
  CHECK(c.reset_value == 0);
  CHECK(c.reset == qsnn::kernels::ResetMode::to_value);
  CHECK(c.refractory_steps == 0);
  CHECK_FALSE(c.adaptive_threshold);
  CHECK(c.current_format == qsnn::quant::QFormat(24, 0, true));
  CHECK(c.voltage_format == qsnn::quant::QFormat(24, 0, true));
  CHECK(c.current_overflow == OverflowMode::wrap_lava);
  CHECK(c.voltage_overflow == OverflowMode::saturate_symmetric);
  CHECK(c.current_decay_rounding.mode == RoundingMode::truncate);
  CHECK(c.voltage_decay_rounding.mode == RoundingMode::truncate);
  CHECK(l.state_step == 1.0);
  CHECK(l.v_rest == 0.0);
  CHECK(loihi_bias(4095, 7) == 524160);
  CHECK(loihi_bias(-4096, 0) == -4096);
  CHECK_THROWS_WITH_AS(loihi_lif({.du = 4096}), "Loihi du = 4096 (allowed: 0..4095)", std::invalid_argument);
  CHECK_THROWS_WITH_AS(loihi_lif({.dv = -1}), "Loihi dv = -1 (allowed: 0..4095)", std::invalid_argument);
  CHECK_THROWS_WITH_AS(loihi_lif({.vth = 131072}), "Loihi vth = 131072 (allowed: 0..131071)", std::invalid_argument);
  CHECK_THROWS_WITH_AS(loihi_bias(4096, 0), "Loihi bias_mant = 4096 (allowed: -4096..4095)", std::invalid_argument);
  CHECK_THROWS_WITH_AS(loihi_bias(1, 8), "Loihi bias_exp = 8 (allowed: 0..7)", std::invalid_argument);
  Network net({.threads = 1});
  auto& pop = net.population_as<FixedLifPopulation>(add_loihi_lif(net, "n", 2, {}));
  const std::vector<int> one{1};
  CHECK_THROWS_WITH_AS(set_loihi_biases(pop, one, one), "population 'n': 1 bias mantissas and 1 exponents for 2 neurons",
                       std::invalid_argument);
}

// ---- loihi1: long runs against the independent reference ------------------------------------------

TEST_CASE("loihi1: 1500 steps match the Lava reference bit for bit (spiking regime)") {
  for (std::size_t threads : {1, 2}) {
    LongRun run;
    run.lif = {.du = 410, .dv = 205, .vth = 400, .bias_mant = 20, .bias_exp = 3};
    run.synapse = {.num_weight_bits = 6, .weight_exp = 1};
    run.weight_low = -120;
    run.weight_high = 200;
    run.threads = threads;
    const LongRunResult r = compare_long_run(run, 1500);
    INFO("threads ", threads);
    CHECK(r.mismatched_steps == 0);
    CHECK(r.engine_spikes == r.reference_spikes);
    CHECK(r.reference_spikes > 100);  // the run really spikes and resets
  }
}

TEST_CASE("loihi1: 1500 steps match the Lava reference with frequent wraps and clips") {
  LongRun run;
  run.lif = {.du = 100, .dv = 50, .vth = 131071};
  run.synapse = {.num_weight_bits = 8, .weight_exp = 7};
  run.spike_probability = 0.5;
  run.seed = 2;
  const LongRunResult r = compare_long_run(run, 1500);
  CHECK(r.mismatched_steps == 0);
  CHECK(r.reference_wraps > 10);
  CHECK(r.reference_clips > 10);
  CHECK(r.overflow.current.wrapped == r.reference_wraps);
  CHECK(r.overflow.voltage.saturated() == r.reference_clips);
}

TEST_CASE("loihi1: excitatory and inhibitory projections with negative weight_exp match where bit-exact") {
  LongRun exc;
  exc.lif = {.du = 1000, .dv = 300, .vth = 50, .bias_mant = -10, .bias_exp = 2};
  exc.synapse = {.num_weight_bits = 4, .weight_exp = -3, .sign_mode = SignMode::excitatory};  // 4 - 3 >= 0
  exc.weight_low = -20;  // negative weights saturate to 0 in both
  exc.weight_high = 255;
  exc.seed = 3;
  const LongRunResult e = compare_long_run(exc, 1000);
  CHECK(e.mismatched_steps == 0);
  CHECK(e.reference_spikes > 20);

  LongRun inh = exc;
  inh.lif.bias_mant = 2000;
  inh.synapse = {.num_weight_bits = 5, .weight_exp = -2, .sign_mode = SignMode::inhibitory};
  inh.weight_low = -60;
  inh.weight_high = 10;
  inh.spike_probability = 0.1;
  inh.seed = 4;
  const LongRunResult i = compare_long_run(inh, 1000);
  CHECK(i.mismatched_steps == 0);
  CHECK(i.reference_spikes > 20);
}

TEST_CASE("loihi1: Lava's per-projection floor of a * 2^weight_exp is reproduced, and it matters") {
  // 8-bit mixed weights are stored as even numbers (1 bit truncated); weight_exp = -3 floors each Dense sum
  // at multiples of 8 before the 2^6 alignment: the projection's partial-sum rounding does the same.
  LongRun run;
  run.lif = {.du = 410, .dv = 205, .vth = 400, .bias_mant = 20, .bias_exp = 3};
  run.synapse = {.num_weight_bits = 8, .weight_exp = -3};
  for (std::size_t threads : {1, 2}) {
    run.threads = threads;
    const LongRunResult exact = compare_long_run(run, 1000);
    INFO("threads ", threads);
    CHECK(exact.mismatched_steps == 0);
    CHECK(exact.reference_spikes > 20);
  }
  run.threads = 1;
  run.drop_partial_sum_rounding = true;  // summing every projection exactly instead differs from Lava
  CHECK(compare_long_run(run, 300).mismatched_steps > 0);
}

// ---- the other presets: chips.md values ------------------------------------------------------------

TEST_CASE("chip presets parse by name, and an unknown name lists the valid ones") {
  CHECK(all_chips().size() == 5);
  for (Chip chip : all_chips()) {
    CHECK(parse_chip(chip_name(chip)) == chip);
    CHECK(chip_preset(chip).name == chip_name(chip));
    CHECK(chip_preset(chip_name(chip)).chip == chip);
  }
  CHECK_THROWS_WITH_AS(parse_chip("loihi3"),
                       "unknown chip preset 'loihi3' (valid: loihi1, loihi2, spinnaker, truenorth, brainscales2)",
                       std::invalid_argument);
  CHECK_THROWS_AS(chip_preset("Loihi1"), std::invalid_argument);
}

TEST_CASE("loihi1 preset: chips.md sections 1, 2 and 6") {
  const ChipPreset p = chip_preset(Chip::loihi1);
  CHECK(p.lava_bit_accurate);
  CHECK(p.limits.max_state_bits == 24);
  CHECK(p.state_frac_bits == 0);
  CHECK(p.current_overflow == OverflowMode::wrap_lava);
  CHECK(p.voltage_overflow == OverflowMode::saturate_symmetric);
  CHECK(p.decay_shift == 12);
  CHECK(p.rounding.decay.mode == RoundingMode::truncate);
  CHECK(p.rounding.weight.mode == RoundingMode::floor);
  REQUIRE(p.rounding.learning.has_value());
  CHECK(p.rounding.learning->mode == RoundingMode::stochastic_shared);
  CHECK(p.rounding.learning_accumulator_bits == 16);
  CHECK(p.rounding.learning_fraction_bits == 7);
  CHECK(p.weights.max_bits == std::array<int, 3>{8, 8, 8});
  CHECK(p.weights.allowed_bits_text() == "1, 2, 3, 4, 5, 6, 8");
  CHECK(p.weights.max_magnitude == 255);
  CHECK(p.weights.has_exponent);
  CHECK(p.weights.exponent_min == -8);
  CHECK(p.weights.exponent_max == 7);
  CHECK(p.weights.exponent_alignment == 6);
  CHECK(p.limits.neurons_per_core == 1024);
  CHECK(p.limits.input_axons_per_core == 4096);
  CHECK(p.limits.synapse_memory_bits_per_core == 16384u * 64u);
  CHECK(p.limits.synapse_memory_bits_per_chip == 16ull * 1024 * 1024 * 8);
  CHECK(p.limits.cores_per_chip == 128);
  CHECK(p.limits.max_delay_steps == 63);
  // nengo-loihi's synapse accounting: 64 synapses of 8-bit weights on a 1024-neuron core:
  // 64 * (8 + 10) + 10 = 1162 bits -> 19 words of 64 = 1216 bits; 65 synapses take a second chunk.
  CHECK(p.synapse_memory.row_bits(64, 8, 1024, false) == 1216);
  CHECK(p.synapse_memory.row_bits(65, 8, 1024, false) == 1216 + 64);
  CHECK(p.synapse_memory.row_bits(1, 8, 10, false) == 64);  // 8 + 6 index bits (minimum) + 10 header
  CHECK(p.synapse_memory.row_bits(0, 8, 10, false) == 0);
}

TEST_CASE("loihi2 preset: chips.md section 1 (Loihi 2 rows) and section 6") {
  const ChipPreset p = chip_preset(Chip::loihi2);
  CHECK_FALSE(p.lava_bit_accurate);
  CHECK(p.limits.max_state_bits == 24);  // assumed as Loihi 1
  CHECK(p.current_overflow == OverflowMode::wrap_lava);
  CHECK(p.rounding.decay.mode == RoundingMode::truncate);
  CHECK(p.rounding.learning->mode == RoundingMode::stochastic_shared);
  CHECK(p.weights.max_bits == std::array<int, 3>{8, 8, 8});
  CHECK(p.weights.allowed_bits_text() == "1, 2, 3, 4, 5, 6, 7, 8");
  CHECK_FALSE(p.weights.has_exponent);
  CHECK(p.limits.neurons_per_core == 8192);
  CHECK_FALSE(p.limits.input_axons_per_core.has_value());
  CHECK(p.limits.synapse_memory_bits_per_core == 128ull * 1024 * 8);
  CHECK(p.limits.cores_per_chip == 128);
  CHECK(p.limits.max_delay_steps == 63);
}

TEST_CASE("spinnaker preset: chips.md section 3 (SpiNNaker 1)") {
  const ChipPreset p = chip_preset(Chip::spinnaker);
  CHECK(p.limits.max_state_bits == 32);  // s16.15 accum
  CHECK(p.state_frac_bits == 15);
  CHECK(p.rounding.decay.mode == RoundingMode::floor);  // >> truncation floors
  CHECK(p.rounding.weight.mode == RoundingMode::floor);
  CHECK(p.rounding.learning->mode == RoundingMode::floor);
  CHECK(p.weights.max_bits == std::array<int, 3>{0, 16, 16});  // unsigned, sign from the receptor type
  CHECK(p.weights.max_magnitude == 65535);
  CHECK(p.limits.neurons_per_core == 255);
  CHECK(p.limits.cores_per_chip == 18);
  CHECK_FALSE(p.limits.input_axons_per_core.has_value());
  CHECK_FALSE(p.limits.synapse_memory_bits_per_core.has_value());
  CHECK(p.limits.synapse_memory_bits_per_chip == 128ull * 1024 * 1024 * 8);
  const FixedPointSpec spec = fixed_point_spec(p);
  CHECK(spec.voltage_bits == 32);
  CHECK(spec.state_frac_bits == 15);
  CHECK(spec.voltage_decay_rounding.mode == RoundingMode::floor);
}

TEST_CASE("truenorth preset: chips.md section 3") {
  const ChipPreset p = chip_preset(Chip::truenorth);
  CHECK(p.limits.neurons_per_core == 256);
  CHECK(p.limits.input_axons_per_core == 256);
  CHECK(p.limits.cores_per_chip == 4096);
  CHECK(p.limits.distinct_weights_per_neuron == 4);
  CHECK(p.limits.max_state_bits == 20);
  CHECK(p.weights.max_bits == std::array<int, 3>{9, 8, 8});
  CHECK(p.weights.max_magnitude == 256);
  CHECK_FALSE(p.rounding.learning.has_value());
  CHECK(p.synapse_memory.row_bits(256, 9, 256, false) == 256);  // one crossbar bit per synapse
}

TEST_CASE("brainscales2 preset: chips.md section 3 and section 6") {
  const ChipPreset p = chip_preset(Chip::brainscales2);
  CHECK(p.weights.max_bits == std::array<int, 3>{7, 6, 6});
  CHECK(p.weights.max_magnitude == 63);
  CHECK(p.weights.sign_per_axon);
  CHECK(p.limits.neurons_per_core == 256);
  CHECK(p.limits.input_axons_per_core == 256);
  CHECK(p.limits.cores_per_chip == 2);  // 512 neurons per chip
  CHECK(p.limits.max_state_bits == 16);
  CHECK(p.synapse_memory.row_bits(10, 6, 256, false) == 120);  // 6-bit weight + 6-bit address
  CHECK(fixed_point_spec(p).voltage_bits == 16);
}

TEST_CASE("weight_quantization checks a preset's widths and sign modes") {
  const ChipPreset loihi = chip_preset(Chip::loihi1);
  const WeightQuantization q = weight_quantization(loihi, 6, SignMode::excitatory, 3);
  CHECK(q.bits == 6);
  CHECK(q.sign == SignMode::excitatory);
  CHECK(q.exponent == 3);
  CHECK(q.rounding.mode == RoundingMode::floor);
  CHECK_THROWS_WITH_AS(weight_quantization(loihi, 7, SignMode::mixed),
                       "7-bit mixed weights do not fit loihi1 (allowed: 1, 2, 3, 4, 5, 6, 8, at most 8)",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(weight_quantization(chip_preset(Chip::spinnaker), 8, SignMode::mixed),
                       "spinnaker has no mixed weights", std::invalid_argument);
  CHECK(chip_weight_exponent(loihi, 7, 8, SignMode::mixed) == 0);
  CHECK(chip_weight_exponent(loihi, 13, 8, SignMode::excitatory) == 7);
  CHECK_FALSE(chip_weight_exponent(chip_preset(Chip::truenorth), 0, 8, SignMode::mixed).has_value());
}
