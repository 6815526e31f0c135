#include "sim/projection.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <utility>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

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
std::vector<kernels::CsrBlock<Weight>> make_blocks(const PostLayout& layout) {
  std::vector<kernels::CsrBlock<Weight>> blocks(layout.block_begin.size() - 1);
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    blocks[b].post_begin = layout.block_begin[b];
    blocks[b].post_end = layout.block_begin[b + 1];
    blocks[b].row_start.assign(static_cast<std::size_t>(layout.pre_size) + 1, 0);
  }
  return blocks;
}

// Rows are built in chunks of presynaptic neurons, in parallel where rows are independent. Every array is
// sized exactly (counted in a first pass), and each synapse is written at the position and with the global
// index (for stochastic weight rounding) the serial build gives it, so the result never depends on the
// chunking or the thread count.
struct RowChunk {
  NeuronIndex first = 0, end = 0;
};

std::vector<RowChunk> row_chunks(NeuronIndex pre_size, bool independent) {
  if (!independent || pre_size == 0) return {RowChunk{0, pre_size}};
  constexpr NeuronIndex kRowsPerChunk = 512;
  std::vector<RowChunk> chunks;
  for (NeuronIndex first = 0; first < pre_size; first += std::min(kRowsPerChunk, pre_size - first))
    chunks.push_back({first, first + std::min(kRowsPerChunk, pre_size - first)});
  return chunks;
}

template <class F>
void for_each_chunk(const std::vector<RowChunk>& chunks, F&& f) {
  if (chunks.size() == 1) {
    f(std::size_t{0});
    return;
  }
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, chunks.size(), 1), [&](const tbb::blocked_range<std::size_t>& r) {
    for (std::size_t k = r.begin(); k != r.end(); ++k) f(k);
  });
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
  validate_connectivity(spec_.connectivity, context);
  uniform_delay_ = uniform_delay(spec_.connectivity, spec_.delays, uniform_delay_steps_);
  const bool fixed_target = layout.post_path == NumericPath::fixed_point;
  fixed_target_ = fixed_target;
  const bool needs_codes = fixed_target || spec_.float_uses_quantized_weights;
  const CodeRange range = code_range(spec_.quantization);
  const std::vector<RowChunk> chunks = row_chunks(layout.pre_size, rows_are_independent(spec_.connectivity));
  const std::size_t n_blocks = layout.block_begin.size() - 1;
  auto rows_of = [&](const RowChunk& chunk, const std::function<void(const RowView&)>& visit) {
    generate_rows(spec_.connectivity, spec_.weights, spec_.delays, context, chunk.first, chunk.end, visit);
  };

  // Pass 1: synapses per (block, row) into the row starts, the largest |w| and the largest delay.
  std::vector<std::uint32_t> counts(n_blocks * (static_cast<std::size_t>(layout.pre_size) + 1), 0);
  std::vector<double> chunk_max_abs(chunks.size(), 0.0);
  std::vector<std::uint16_t> chunk_max_delay(chunks.size(), 1);
  const std::size_t stride = static_cast<std::size_t>(layout.pre_size) + 1;
  for_each_chunk(chunks, [&](std::size_t k) {
    double max_abs = 0.0;
    std::uint16_t max_delay = 1;
    rows_of(chunks[k], [&](const RowView& row) {
      std::size_t b = 0;
      for (std::size_t i = 0; i < row.post.size(); ++i) {
        while (row.post[i] >= layout.block_begin[b + 1]) ++b;
        ++counts[b * stride + row.pre + 1];
        max_abs = std::max(max_abs, std::abs(row.weight[i]));
        max_delay = std::max(max_delay, row.delay[i]);
      }
    });
    chunk_max_abs[k] = max_abs;
    chunk_max_delay[k] = max_delay;
  });
  const double max_abs = *std::max_element(chunk_max_abs.begin(), chunk_max_abs.end());
  max_delay_ = uniform_delay_ ? uniform_delay_steps_ : *std::max_element(chunk_max_delay.begin(), chunk_max_delay.end());
  for (std::size_t b = 0; b < n_blocks; ++b)
    for (std::size_t pre = 0; pre < layout.pre_size; ++pre) counts[b * stride + pre + 1] += counts[b * stride + pre];
  synapse_count_ = 0;
  for (std::size_t b = 0; b < n_blocks; ++b) synapse_count_ += counts[b * stride + layout.pre_size];

  if (needs_codes) {
    if (spec_.quantization.exponent) {
      weight_exponent_ = *spec_.quantization.exponent;
    } else {
      weight_exponent_ = -24;
      while (weight_exponent_ < 24 &&
             max_abs / std::ldexp(layout.state_step, weight_exponent_) > static_cast<double>(range.max_magnitude))
        ++weight_exponent_;
      if (max_abs == 0.0) weight_exponent_ = 0;
    }
    weight_step_ = std::ldexp(layout.state_step, weight_exponent_);
  }

  // Pass 2: every synapse at its place. The global index of a chunk's first synapse is the number of
  // synapses of all earlier rows, summed over blocks.
  std::vector<quant::OverflowCounts> chunk_saturations(chunks.size());
  auto fill = [&](auto& blocks, auto&& weight_value) {
    for (std::size_t b = 0; b < n_blocks; ++b) {
      auto& block = blocks[b];
      std::copy(counts.begin() + static_cast<std::ptrdiff_t>(b * stride),
                counts.begin() + static_cast<std::ptrdiff_t>((b + 1) * stride), block.row_start.begin());
      const std::size_t n = block.row_start.back();
      block.target.resize(n);
      block.weight.resize(n);
      if (!uniform_delay_) block.delay.resize(n);
    }
    for_each_chunk(chunks, [&](std::size_t k) {
      std::size_t index = 0;
      for (std::size_t b = 0; b < n_blocks; ++b) index += blocks[b].row_start[chunks[k].first];
      std::vector<std::uint32_t> cursor(n_blocks);
      quant::OverflowCounts& saturations = chunk_saturations[k];
      rows_of(chunks[k], [&](const RowView& row) {
        for (std::size_t b = 0; b < n_blocks; ++b) cursor[b] = blocks[b].row_start[row.pre];
        std::size_t b = 0;
        for (std::size_t i = 0; i < row.post.size(); ++i, ++index) {
          const NeuronIndex post = row.post[i];
          while (post >= blocks[b].post_end) ++b;
          auto& block = blocks[b];
          const std::uint32_t at = cursor[b]++;
          block.target[at] = static_cast<std::uint16_t>(post - block.post_begin);
          block.weight[at] = weight_value(row.weight[i], index, saturations);
          if (!uniform_delay_) block.delay[at] = static_cast<std::uint8_t>(row.delay[i]);
        }
      });
    });
  };
  auto code_of = [&](const auto& rounder, double w, std::size_t index, quant::OverflowCounts& saturations) {
    const double magnitude_or_signed = range.negate ? -w : w;
    const std::int64_t code = quant::to_fixed(magnitude_or_signed / weight_step_, range.format, rounder,
                                              quant::OverflowMode::saturate, saturations, index);
    return range.negate ? -code : code;
  };

  quant::visit_rounder(layout.weight_rounding, 0, [&](const auto& rounder) {
    if (!fixed_target) {
      auto blocks = make_blocks<double>(layout);
      if (spec_.float_uses_quantized_weights)
        fill(blocks, [&](double w, std::size_t index, quant::OverflowCounts& saturations) {
          return static_cast<double>(code_of(rounder, w, index, saturations)) * weight_step_;
        });
      else
        fill(blocks, [](double w, std::size_t, quant::OverflowCounts&) { return w; });
      blocks_ = std::move(blocks);
    } else if (range.max_magnitude <= 127) {
      auto blocks = make_blocks<std::int8_t>(layout);
      fill(blocks, [&](double w, std::size_t index, quant::OverflowCounts& saturations) {
        return static_cast<std::int8_t>(code_of(rounder, w, index, saturations));
      });
      blocks_ = std::move(blocks);
    } else {
      auto blocks = make_blocks<std::int16_t>(layout);
      fill(blocks, [&](double w, std::size_t index, quant::OverflowCounts& saturations) {
        return static_cast<std::int16_t>(code_of(rounder, w, index, saturations));
      });
      blocks_ = std::move(blocks);
    }
  });
  weight_saturations_ = {};
  for (const auto& saturations : chunk_saturations) weight_saturations_ += saturations;
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
