#include "sim/projection.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "quant/qformat.hpp"

namespace qsnn::sim {
namespace {

void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}

// The code range of b-bit weights under a sign mode, and the largest magnitude on the side that matters.
struct CodeRange {
  quant::QFormat format;  // of the magnitude (unsigned) or of the signed code
  bool negate;            // inhibitory: codes are -(magnitude)
  std::int64_t max_magnitude;
};

CodeRange code_range(const WeightQuantization& q) {
  switch (q.sign) {
    case SignMode::mixed: return {quant::QFormat(q.bits, 0, true), false, (std::int64_t{1} << (q.bits - 1)) - 1};
    case SignMode::excitatory: return {quant::QFormat(q.bits, 0, false), false, (std::int64_t{1} << q.bits) - 1};
    case SignMode::inhibitory: return {quant::QFormat(q.bits, 0, false), true, (std::int64_t{1} << q.bits) - 1};
  }
  throw std::invalid_argument("invalid SignMode value");
}

template <class Weight>
void append_row_starts(std::vector<kernels::CsrBlock<Weight>>& blocks) {
  for (auto& block : blocks) block.row_start.push_back(static_cast<std::uint32_t>(block.target.size()));
}

template <class Weight>
std::vector<kernels::CsrBlock<Weight>> make_blocks(const PostLayout& layout) {
  std::vector<kernels::CsrBlock<Weight>> blocks(layout.block_begin.size() - 1);
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    blocks[b].post_begin = layout.block_begin[b];
    blocks[b].post_end = layout.block_begin[b + 1];
    blocks[b].row_start.reserve(static_cast<std::size_t>(layout.pre_size) + 1);
    blocks[b].row_start.push_back(0);
  }
  return blocks;
}

}  // namespace

std::string_view sign_mode_name(SignMode mode) {
  switch (mode) {
    case SignMode::mixed: return "mixed";
    case SignMode::excitatory: return "excitatory";
    case SignMode::inhibitory: return "inhibitory";
  }
  throw std::invalid_argument("invalid SignMode value");
}

SignMode parse_sign_mode(std::string_view name) {
  if (name == "mixed") return SignMode::mixed;
  if (name == "excitatory") return SignMode::excitatory;
  if (name == "inhibitory") return SignMode::inhibitory;
  throw std::invalid_argument("unknown sign mode '" + std::string(name) + "' (valid: mixed, excitatory, inhibitory)");
}

Projection::Projection(ProjectionSpec spec) : spec_(std::move(spec)) {
  const auto& q = spec_.quantization;
  const int max_bits = q.sign == SignMode::mixed ? 16 : 15;
  require(q.bits >= 1 && q.bits <= max_bits, "projection '" + spec_.name + "': weight bits " + std::to_string(q.bits) +
                                                 " (allowed: 1.." + std::to_string(max_bits) + " in " +
                                                 std::string(sign_mode_name(q.sign)) + " sign mode)");
  if (q.exponent)
    require(*q.exponent >= -24 && *q.exponent <= 24, "projection '" + spec_.name + "': weight exponent " +
                                                         std::to_string(*q.exponent) + " (allowed: -24..24)");
  require(spec_.receptor < kernels::kMaxReceptors,
          "projection '" + spec_.name + "': receptor " + std::to_string(spec_.receptor) + " (allowed: 0..3)");
}

void Projection::build(const PostLayout& layout) {
  const ConnectivityContext context{layout.pre_size, layout.post_size, layout.same_population, layout.rng};
  uniform_delay_ = uniform_delay(spec_.connectivity, spec_.delays, uniform_delay_steps_);
  const bool fixed_target = layout.post_path == NumericPath::fixed_point;
  const bool needs_codes = fixed_target || spec_.float_uses_quantized_weights;
  const CodeRange range = code_range(spec_.quantization);
  weight_saturations_ = {};

  if (needs_codes) {
    if (spec_.quantization.exponent) {
      weight_exponent_ = *spec_.quantization.exponent;
    } else {
      double max_abs = 0.0;
      generate_rows(spec_.connectivity, spec_.weights, spec_.delays, context, [&](const RowView& row) {
        for (double w : row.weight) max_abs = std::max(max_abs, std::abs(w));
      });
      weight_exponent_ = -24;
      while (weight_exponent_ < 24 &&
             max_abs / std::ldexp(layout.state_step, weight_exponent_) > static_cast<double>(range.max_magnitude))
        ++weight_exponent_;
      if (max_abs == 0.0) weight_exponent_ = 0;
    }
    weight_step_ = std::ldexp(layout.state_step, weight_exponent_);
  }

  std::size_t synapse_index = 0;
  max_delay_ = 1;
  auto fill = [&](auto& blocks, auto&& weight_value) {
    generate_rows(spec_.connectivity, spec_.weights, spec_.delays, context, [&](const RowView& row) {
      std::size_t b = 0;
      for (std::size_t k = 0; k < row.post.size(); ++k, ++synapse_index) {
        const NeuronIndex post = row.post[k];
        while (post >= blocks[b].post_end) ++b;
        auto& block = blocks[b];
        block.target.push_back(static_cast<std::uint16_t>(post - block.post_begin));
        block.weight.push_back(weight_value(row.weight[k], synapse_index));
        if (!uniform_delay_) block.delay.push_back(static_cast<std::uint8_t>(row.delay[k]));
        max_delay_ = std::max(max_delay_, row.delay[k]);
      }
      append_row_starts(blocks);
    });
  };
  auto code_of = [&](const auto& rounder, double w, std::size_t index) {
    const double magnitude_or_signed = range.negate ? -w : w;
    const std::int64_t code = quant::to_fixed(magnitude_or_signed / weight_step_, range.format, rounder,
                                              quant::OverflowMode::saturate, weight_saturations_, index);
    return range.negate ? -code : code;
  };

  quant::visit_rounder(spec_.quantization.rounding, 0, [&](const auto& rounder) {
    if (!fixed_target) {
      auto blocks = make_blocks<double>(layout);
      if (spec_.float_uses_quantized_weights)
        fill(blocks, [&](double w, std::size_t index) { return static_cast<double>(code_of(rounder, w, index)) * weight_step_; });
      else
        fill(blocks, [](double w, std::size_t) { return w; });
      blocks_ = std::move(blocks);
    } else if (range.max_magnitude <= 127) {
      auto blocks = make_blocks<std::int8_t>(layout);
      fill(blocks, [&](double w, std::size_t index) { return static_cast<std::int8_t>(code_of(rounder, w, index)); });
      blocks_ = std::move(blocks);
    } else {
      auto blocks = make_blocks<std::int16_t>(layout);
      fill(blocks, [&](double w, std::size_t index) { return static_cast<std::int16_t>(code_of(rounder, w, index)); });
      blocks_ = std::move(blocks);
    }
  });
  if (uniform_delay_) max_delay_ = uniform_delay_steps_;
  synapse_count_ = synapse_index;
  transposed_.clear();
  built_ = true;
}

std::size_t Projection::bytes() const {
  return std::visit(
      [](const auto& blocks) {
        std::size_t total = 0;
        for (const auto& block : blocks) total += block.bytes();
        return total;
      },
      blocks_);
}

std::vector<Projection::Synapse> Projection::synapses() const {
  std::vector<Synapse> out;
  out.reserve(synapse_count_);
  std::visit(
      [&](const auto& blocks) {
        for (const auto& block : blocks) {
          for (std::size_t pre = 0; pre + 1 < block.row_start.size(); ++pre) {
            for (std::uint32_t k = block.row_start[pre]; k < block.row_start[pre + 1]; ++k) {
              Synapse s{};
              s.pre = static_cast<NeuronIndex>(pre);
              s.post = block.post_begin + block.target[k];
              if constexpr (std::is_same_v<std::decay_t<decltype(block.weight[k])>, double>) {
                s.weight = block.weight[k];
                s.code = 0;
              } else {
                s.code = block.weight[k];
                s.weight = static_cast<double>(block.weight[k]) * weight_step_;
              }
              s.delay = block.delay.empty() ? uniform_delay_steps_ : block.delay[k];
              out.push_back(s);
            }
          }
        }
      },
      blocks_);
  std::stable_sort(out.begin(), out.end(),
                   [](const Synapse& a, const Synapse& b) { return a.pre != b.pre ? a.pre < b.pre : a.post < b.post; });
  return out;
}

}  // namespace qsnn::sim
