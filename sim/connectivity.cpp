#include "sim/connectivity.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

namespace qsnn::sim {
namespace {

// Draw lanes of the counter RNG, so connectivity, weights and delays never reuse a draw.
constexpr std::uint64_t kConnectivityDraw = 0;
constexpr std::uint64_t kWeightDraw = 1;
constexpr std::uint64_t kDelayDraw = 2;

void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}

std::string size_text(std::uint64_t value) { return std::to_string(value); }

void validate_delays(const DelaySpec& delays) {
  if (const auto* constant = std::get_if<ConstantDelay>(&delays)) {
    require(constant->steps >= 1 && constant->steps <= kMaxDelaySteps,
            "delay of " + size_text(constant->steps) + " steps (allowed: 1..255)");
  } else {
    const auto& uniform = std::get<UniformDelay>(delays);
    require(uniform.min_steps >= 1 && uniform.max_steps <= kMaxDelaySteps && uniform.min_steps <= uniform.max_steps,
            "delays of " + size_text(uniform.min_steps) + ".." + size_text(uniform.max_steps) +
                " steps (allowed: 1 <= min <= max <= 255)");
  }
}

double draw_weight(const WeightSpec& weights, const quant::CounterRng& rng, NeuronIndex pre, NeuronIndex post) {
  return std::visit(
      [&](const auto& spec) -> double {
        using Spec = std::decay_t<decltype(spec)>;
        if constexpr (std::is_same_v<Spec, ConstantWeight>) {
          return spec.value;
        } else if constexpr (std::is_same_v<Spec, UniformWeight>) {
          return spec.low + (spec.high - spec.low) * rng.uniform01(pre, post, kWeightDraw);
        } else {
          return spec.mean + spec.sd * rng.normal(pre, post, kWeightDraw);
        }
      },
      weights);
}

std::uint16_t draw_delay(const DelaySpec& delays, const quant::CounterRng& rng, NeuronIndex pre, NeuronIndex post) {
  if (const auto* constant = std::get_if<ConstantDelay>(&delays)) return constant->steps;
  const auto& uniform = std::get<UniformDelay>(delays);
  const std::uint64_t span = static_cast<std::uint64_t>(uniform.max_steps - uniform.min_steps) + 1;
  return static_cast<std::uint16_t>(uniform.min_steps + rng.bits64(pre, post, kDelayDraw) % span);
}

// Rows of a synapse list given as (pre, post, weight, delay) tuples, ordered by (pre, post) stably.
struct SynapseTuples {
  std::vector<NeuronIndex> pre, post;
  std::vector<double> weight;
  std::vector<std::uint16_t> delay;
};

void emit_tuples(const SynapseTuples& tuples, NeuronIndex first_pre, NeuronIndex end_pre,
                 const std::function<void(const RowView&)>& visit) {
  std::vector<std::size_t> order(tuples.pre.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return tuples.pre[a] != tuples.pre[b] ? tuples.pre[a] < tuples.pre[b] : tuples.post[a] < tuples.post[b];
  });
  std::vector<NeuronIndex> post;
  std::vector<double> weight;
  std::vector<std::uint16_t> delay;
  std::size_t k = 0;
  while (k < order.size() && tuples.pre[order[k]] < first_pre) ++k;
  for (NeuronIndex i = first_pre; i < end_pre; ++i) {
    post.clear();
    weight.clear();
    delay.clear();
    for (; k < order.size() && tuples.pre[order[k]] == i; ++k) {
      post.push_back(tuples.post[order[k]]);
      weight.push_back(tuples.weight[order[k]]);
      delay.push_back(tuples.delay[order[k]]);
    }
    visit(RowView{i, post, weight, delay});
  }
}

}  // namespace

void validate_connectivity(const Connectivity& connectivity, const ConnectivityContext& c) {
  std::visit(
      [&](const auto& spec) {
        using Spec = std::decay_t<decltype(spec)>;
        if constexpr (std::is_same_v<Spec, OneToOne>) {
          require(c.pre_size == c.post_size, "one-to-one needs equal sizes (pre " + size_text(c.pre_size) +
                                                 ", post " + size_text(c.post_size) + ")");
        } else if constexpr (std::is_same_v<Spec, FixedProbability>) {
          require(spec.probability >= 0.0 && spec.probability <= 1.0,
                  "connection probability " + std::to_string(spec.probability) + " (allowed: 0..1)");
        } else if constexpr (std::is_same_v<Spec, FixedFanIn>) {
          const std::uint64_t available = c.pre_size - ((c.same_population && !spec.allow_self) ? 1U : 0U);
          require(spec.fan_in <= available, "fan-in " + size_text(spec.fan_in) + " exceeds the " +
                                                size_text(available) + " available presynaptic neurons");
        } else if constexpr (std::is_same_v<Spec, ExplicitSynapses>) {
          const std::size_t n = spec.pre.size();
          require(spec.post.size() == n, "explicit synapses: " + size_text(n) + " pre but " +
                                             size_text(spec.post.size()) + " post indices");
          require(spec.weight.empty() || spec.weight.size() == n,
                  "explicit synapses: " + size_text(spec.weight.size()) + " weights for " + size_text(n) + " synapses");
          require(spec.delay_steps.empty() || spec.delay_steps.size() == n,
                  "explicit synapses: " + size_text(spec.delay_steps.size()) + " delays for " + size_text(n) +
                      " synapses");
          for (std::size_t k = 0; k < n; ++k) {
            require(spec.pre[k] < c.pre_size && spec.post[k] < c.post_size,
                    "explicit synapse " + size_text(k) + " (" + size_text(spec.pre[k]) + " -> " +
                        size_text(spec.post[k]) + ") outside " + size_text(c.pre_size) + " x " + size_text(c.post_size));
            if (!spec.delay_steps.empty())
              require(spec.delay_steps[k] >= 1 && spec.delay_steps[k] <= kMaxDelaySteps,
                      "explicit synapse " + size_text(k) + " delay " + size_text(spec.delay_steps[k]) +
                          " steps (allowed: 1..255)");
          }
        } else if constexpr (std::is_same_v<Spec, Conv2d>) {
          require(spec.stride >= 1 && spec.kernel_height >= 1 && spec.kernel_width >= 1,
                  "convolution needs stride and kernel sizes >= 1");
          require(spec.kernel_height <= spec.in_height + 2 * spec.padding &&
                      spec.kernel_width <= spec.in_width + 2 * spec.padding,
                  "convolution kernel larger than the padded input");
          require(static_cast<std::uint64_t>(spec.in_channels) * spec.in_height * spec.in_width == c.pre_size,
                  "convolution input " + size_text(spec.in_channels) + "x" + size_text(spec.in_height) + "x" +
                      size_text(spec.in_width) + " does not match the presynaptic size " + size_text(c.pre_size));
          require(static_cast<std::uint64_t>(spec.out_channels) * spec.out_height() * spec.out_width() == c.post_size,
                  "convolution output " + size_text(spec.out_channels) + "x" + size_text(spec.out_height()) + "x" +
                      size_text(spec.out_width()) + " does not match the postsynaptic size " + size_text(c.post_size));
          require(spec.kernel.size() == static_cast<std::size_t>(spec.out_channels) * spec.in_channels *
                                            spec.kernel_height * spec.kernel_width,
                  "convolution kernel has " + size_text(spec.kernel.size()) + " values (need out x in x kh x kw)");
        } else if constexpr (std::is_same_v<Spec, Pool2d>) {
          require(spec.window >= 1 && spec.stride >= 1 && spec.window <= spec.in_height && spec.window <= spec.in_width,
                  "pooling window must be >= 1 and fit the input");
          require(static_cast<std::uint64_t>(spec.channels) * spec.in_height * spec.in_width == c.pre_size,
                  "pooling input does not match the presynaptic size " + size_text(c.pre_size));
          require(static_cast<std::uint64_t>(spec.channels) * spec.out_height() * spec.out_width() == c.post_size,
                  "pooling output does not match the postsynaptic size " + size_text(c.post_size));
        }
      },
      connectivity);
}

bool uniform_delay(const Connectivity& connectivity, const DelaySpec& delays, std::uint16_t& steps) {
  if (const auto* list = std::get_if<ExplicitSynapses>(&connectivity); list && !list->delay_steps.empty()) {
    const auto [lo, hi] = std::minmax_element(list->delay_steps.begin(), list->delay_steps.end());
    steps = *lo;
    return *lo == *hi;
  }
  if (const auto* constant = std::get_if<ConstantDelay>(&delays)) {
    steps = constant->steps;
    return true;
  }
  const auto& uniform = std::get<UniformDelay>(delays);
  steps = uniform.min_steps;
  return uniform.min_steps == uniform.max_steps;
}

bool rows_are_independent(const Connectivity& connectivity) {
  return !std::holds_alternative<FixedFanIn>(connectivity) && !std::holds_alternative<ExplicitSynapses>(connectivity);
}

void generate_rows(const Connectivity& connectivity, const WeightSpec& weights, const DelaySpec& delays,
                   const ConnectivityContext& c, const std::function<void(const RowView&)>& visit) {
  generate_rows(connectivity, weights, delays, c, 0, c.pre_size, visit);
}

void generate_rows(const Connectivity& connectivity, const WeightSpec& weights, const DelaySpec& delays,
                   const ConnectivityContext& c, NeuronIndex first_pre, NeuronIndex end_pre,
                   const std::function<void(const RowView&)>& visit) {
  end_pre = std::min(end_pre, c.pre_size);
  validate_connectivity(connectivity, c);
  validate_delays(delays);
  std::vector<NeuronIndex> targets;
  std::vector<double> row_weights;
  std::vector<std::uint16_t> row_delays;
  auto emit_with_specs = [&](NeuronIndex pre) {
    row_weights.resize(targets.size());
    row_delays.resize(targets.size());
    for (std::size_t k = 0; k < targets.size(); ++k) {
      row_weights[k] = draw_weight(weights, c.rng, pre, targets[k]);
      row_delays[k] = draw_delay(delays, c.rng, pre, targets[k]);
    }
    visit(RowView{pre, targets, row_weights, row_delays});
  };

  std::visit(
      [&](const auto& spec) {
        using Spec = std::decay_t<decltype(spec)>;
        if constexpr (std::is_same_v<Spec, AllToAll>) {
          for (NeuronIndex i = first_pre; i < end_pre; ++i) {
            targets.clear();
            for (NeuronIndex j = 0; j < c.post_size; ++j)
              if (spec.allow_self || !c.same_population || i != j) targets.push_back(j);
            emit_with_specs(i);
          }
        } else if constexpr (std::is_same_v<Spec, OneToOne>) {
          for (NeuronIndex i = first_pre; i < end_pre; ++i) {
            targets.assign(1, i);
            emit_with_specs(i);
          }
        } else if constexpr (std::is_same_v<Spec, FixedProbability>) {
          // Geometric skipping: the gap to the next target is floor(log(u) / log(1 - p)), so the cost grows
          // with the synapses made, not with pre x post pairs.
          const double p = spec.probability;
          const double log_miss = std::log1p(-p);
          for (NeuronIndex i = first_pre; i < end_pre; ++i) {
            targets.clear();
            if (p >= 1.0) {
              for (NeuronIndex j = 0; j < c.post_size; ++j) targets.push_back(j);
            } else if (p > 0.0) {
              std::uint64_t draw = 0;
              double position = -1.0;
              while (true) {
                const double u = 1.0 - c.rng.uniform01(i, draw++, kConnectivityDraw);  // (0, 1]
                position += 1.0 + std::floor(std::log(u) / log_miss);
                if (position >= static_cast<double>(c.post_size)) break;
                targets.push_back(static_cast<NeuronIndex>(position));
              }
            }
            if (!spec.allow_self && c.same_population) std::erase(targets, i);
            emit_with_specs(i);
          }
        } else if constexpr (std::is_same_v<Spec, FixedFanIn>) {
          // Floyd's sampling of `fan_in` distinct presynaptic neurons per postsynaptic neuron.
          SynapseTuples tuples;
          const bool exclude_self = c.same_population && !spec.allow_self;
          const std::uint64_t candidates = c.pre_size - (exclude_self ? 1U : 0U);
          std::vector<NeuronIndex> chosen;
          for (NeuronIndex j = 0; j < c.post_size; ++j) {
            chosen.clear();
            std::uint64_t draw = 0;
            for (std::uint64_t m = candidates - spec.fan_in; m < candidates; ++m) {
              const auto t = static_cast<NeuronIndex>(c.rng.bits64(j, draw++, kConnectivityDraw) % (m + 1));
              const NeuronIndex pick = std::find(chosen.begin(), chosen.end(), t) == chosen.end()
                                           ? t
                                           : static_cast<NeuronIndex>(m);
              chosen.push_back(pick);
            }
            for (NeuronIndex candidate : chosen) {
              const NeuronIndex pre = (exclude_self && candidate >= j) ? candidate + 1 : candidate;
              tuples.pre.push_back(pre);
              tuples.post.push_back(j);
              tuples.weight.push_back(draw_weight(weights, c.rng, pre, j));
              tuples.delay.push_back(draw_delay(delays, c.rng, pre, j));
            }
          }
          emit_tuples(tuples, first_pre, end_pre, visit);
        } else if constexpr (std::is_same_v<Spec, ExplicitSynapses>) {
          SynapseTuples tuples{spec.pre, spec.post, spec.weight, spec.delay_steps};
          if (tuples.weight.empty()) {
            tuples.weight.resize(spec.pre.size());
            for (std::size_t k = 0; k < spec.pre.size(); ++k)
              tuples.weight[k] = draw_weight(weights, c.rng, spec.pre[k], spec.post[k]);
          }
          if (tuples.delay.empty()) {
            tuples.delay.resize(spec.pre.size());
            for (std::size_t k = 0; k < spec.pre.size(); ++k)
              tuples.delay[k] = draw_delay(delays, c.rng, spec.pre[k], spec.post[k]);
          }
          emit_tuples(tuples, first_pre, end_pre, visit);
        } else if constexpr (std::is_same_v<Spec, Conv2d>) {
          const std::uint32_t oh = spec.out_height(), ow = spec.out_width();
          std::vector<std::pair<NeuronIndex, double>> row;
          for (NeuronIndex i = first_pre; i < end_pre; ++i) {
            const std::uint32_t ch = i / (spec.in_height * spec.in_width);
            const std::uint32_t y = (i / spec.in_width) % spec.in_height;
            const std::uint32_t x = i % spec.in_width;
            row.clear();
            for (std::uint32_t ky = 0; ky < spec.kernel_height; ++ky) {
              const std::int64_t ny = static_cast<std::int64_t>(y) + spec.padding - ky;  // = oy * stride
              if (ny < 0 || ny % spec.stride != 0 || ny / spec.stride >= oh) continue;
              for (std::uint32_t kx = 0; kx < spec.kernel_width; ++kx) {
                const std::int64_t nx = static_cast<std::int64_t>(x) + spec.padding - kx;
                if (nx < 0 || nx % spec.stride != 0 || nx / spec.stride >= ow) continue;
                for (std::uint32_t o = 0; o < spec.out_channels; ++o) {
                  const auto post = static_cast<NeuronIndex>((o * oh + ny / spec.stride) * ow + nx / spec.stride);
                  const std::size_t k = ((static_cast<std::size_t>(o) * spec.in_channels + ch) * spec.kernel_height + ky) *
                                            spec.kernel_width + kx;
                  row.emplace_back(post, spec.kernel[k]);
                }
              }
            }
            std::sort(row.begin(), row.end());
            targets.clear();
            row_weights.clear();
            for (const auto& [post, weight] : row) {
              targets.push_back(post);
              row_weights.push_back(weight);
            }
            row_delays.resize(targets.size());
            for (std::size_t k = 0; k < targets.size(); ++k) row_delays[k] = draw_delay(delays, c.rng, i, targets[k]);
            visit(RowView{i, targets, row_weights, row_delays});
          }
        } else if constexpr (std::is_same_v<Spec, Pool2d>) {
          const std::uint32_t oh = spec.out_height(), ow = spec.out_width();
          for (NeuronIndex i = first_pre; i < end_pre; ++i) {
            const std::uint32_t ch = i / (spec.in_height * spec.in_width);
            const std::uint32_t y = (i / spec.in_width) % spec.in_height;
            const std::uint32_t x = i % spec.in_width;
            targets.clear();
            for (std::uint32_t oy = 0; oy < oh; ++oy) {
              if (y < oy * spec.stride || y >= oy * spec.stride + spec.window) continue;
              for (std::uint32_t ox = 0; ox < ow; ++ox) {
                if (x < ox * spec.stride || x >= ox * spec.stride + spec.window) continue;
                targets.push_back(static_cast<NeuronIndex>((ch * oh + oy) * ow + ox));
              }
            }
            row_weights.assign(targets.size(), spec.weight);
            row_delays.resize(targets.size());
            for (std::size_t k = 0; k < targets.size(); ++k) row_delays[k] = draw_delay(delays, c.rng, i, targets[k]);
            visit(RowView{i, targets, row_weights, row_delays});
          }
        }
      },
      connectivity);
}

}  // namespace qsnn::sim
