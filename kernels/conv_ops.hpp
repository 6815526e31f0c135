#pragma once
// Convolution loops of the local-learning layers (learning/decolle_layer.hpp). Feature maps are C x H x W,
// channel-major (index (c * H + y) * W + x); kernels are kernel[out][in][ky][kx] flattened; stride and zero
// padding as in sim::Conv2d (sim/connectivity.hpp), whose geometry this mirrors (kernels/ cannot include
// sim/). Output (oy, ox) reads input (oy * stride - padding + ky, ox * stride - padding + kx).
//
// Work is partitioned by output channel: one task owns a channel's outputs (forward) or its kernel
// (gradient), so results are bit-identical for any thread count. Integer instantiations accumulate in 64
// bits (exact); double ones sum in a fixed order.
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>

#include <tbb/task_arena.h>

#include "kernels/plasticity.hpp"

namespace qsnn::kernels {

struct ConvGeometry {
  std::uint32_t in_channels = 1, in_height = 1, in_width = 1;
  std::uint32_t out_channels = 1, kernel_height = 1, kernel_width = 1;
  std::uint32_t stride = 1, padding = 0;

  std::uint32_t out_height() const { return (in_height + 2 * padding - kernel_height) / stride + 1; }
  std::uint32_t out_width() const { return (in_width + 2 * padding - kernel_width) / stride + 1; }
  std::size_t input_size() const { return std::size_t{in_channels} * in_height * in_width; }
  std::size_t output_size() const { return std::size_t{out_channels} * out_height() * out_width(); }
  std::size_t kernel_per_output_channel() const { return std::size_t{in_channels} * kernel_height * kernel_width; }
  std::size_t kernel_size() const { return out_channels * kernel_per_output_channel(); }

  // Throws std::invalid_argument for empty maps, a zero stride or a kernel larger than the padded input.
  void validate() const {
    if (in_channels == 0 || in_height == 0 || in_width == 0 || out_channels == 0 || kernel_height == 0 ||
        kernel_width == 0 || stride == 0)
      throw std::invalid_argument("convolution: channels, sizes, kernel and stride must be >= 1");
    if (kernel_height > in_height + 2 * padding || kernel_width > in_width + 2 * padding)
      throw std::invalid_argument("convolution: kernel " + std::to_string(kernel_height) + "x" +
                                  std::to_string(kernel_width) + " exceeds the padded input");
  }
};

namespace detail {
// The output columns [first, last) whose input column ox * stride - padding + k lies inside [0, size).
struct ValidRange {
  std::uint32_t first, last;
};
inline ValidRange valid_outputs(std::uint32_t k, std::uint32_t stride, std::uint32_t padding, std::uint32_t size,
                                std::uint32_t outputs) {
  // o * stride + k >= padding  and  o * stride + k < size + padding
  const std::int64_t lo_num = static_cast<std::int64_t>(padding) - k;
  const std::uint32_t first = lo_num <= 0 ? 0 : static_cast<std::uint32_t>((lo_num + stride - 1) / stride);
  const std::int64_t hi_num = static_cast<std::int64_t>(size) + padding - k;  // o * stride < hi_num
  std::uint32_t last = hi_num <= 0 ? 0 : static_cast<std::uint32_t>((hi_num + stride - 1) / stride);
  if (last > outputs) last = outputs;
  return {first, last < first ? first : last};
}
}  // namespace detail

// The outputs of channel oc: out[oc][oy][ox] = sum_{ic, ky, kx} kernel[oc][ic][ky][kx] x[ic][iy][ix].
template <class Weight, class Value, class Acc>
void conv_forward_channel(const ConvGeometry& g, std::uint32_t oc, std::span<const Weight> kernel,
                          std::span<const Value> x, std::span<Acc> out) {
  const std::uint32_t oh = g.out_height(), ow = g.out_width();
  Acc* __restrict o = out.data() + std::size_t{oc} * oh * ow;
  for (std::size_t k = 0; k < std::size_t{oh} * ow; ++k) o[k] = 0;
  for (std::uint32_t ic = 0; ic < g.in_channels; ++ic) {
    for (std::uint32_t ky = 0; ky < g.kernel_height; ++ky) {
      const detail::ValidRange rows = detail::valid_outputs(ky, g.stride, g.padding, g.in_height, oh);
      for (std::uint32_t kx = 0; kx < g.kernel_width; ++kx) {
        const detail::ValidRange cols = detail::valid_outputs(kx, g.stride, g.padding, g.in_width, ow);
        const Acc w = static_cast<Acc>(
            kernel[((std::size_t{oc} * g.in_channels + ic) * g.kernel_height + ky) * g.kernel_width + kx]);
        for (std::uint32_t oy = rows.first; oy < rows.last; ++oy) {
          const std::uint32_t iy = oy * g.stride + ky - g.padding;
          const Value* __restrict xrow = x.data() + (std::size_t{ic} * g.in_height + iy) * g.in_width;
          Acc* __restrict orow = o + std::size_t{oy} * ow;
          for (std::uint32_t ox = cols.first; ox < cols.last; ++ox)
            orow[ox] += w * static_cast<Acc>(xrow[ox * g.stride + kx - g.padding]);
        }
      }
    }
  }
}

// out = conv(kernel, x) for every output channel, one task per channel.
template <class Weight, class Value, class Acc>
void conv_forward(tbb::task_arena* arena, const ConvGeometry& g, std::span<const Weight> kernel,
                  std::span<const Value> x, std::span<Acc> out) {
  for_each_block(arena, g.out_channels, [&](std::size_t oc) {
    conv_forward_channel(g, static_cast<std::uint32_t>(oc), kernel, x, out);
  });
}

// The weight gradient of channel oc, summed over output positions:
//   grad[ic][ky][kx] = sum_{oy, ox} a[oc][oy][ox] x[ic][oy * stride - padding + ky][ox * stride - padding + kx]
// (grad holds kernel_per_output_channel() entries). Positions where a is zero are skipped (they add 0).
template <class Signal, class Value, class Acc>
void conv_kernel_gradient(const ConvGeometry& g, std::uint32_t oc, std::span<const Signal> a, std::span<const Value> x,
                          std::span<Acc> grad) {
  const std::uint32_t oh = g.out_height(), ow = g.out_width();
  const Signal* __restrict as = a.data() + std::size_t{oc} * oh * ow;
  for (std::size_t k = 0; k < grad.size(); ++k) grad[k] = 0;
  for (std::uint32_t oy = 0; oy < oh; ++oy) {
    for (std::uint32_t ox = 0; ox < ow; ++ox) {
      const Acc ai = static_cast<Acc>(as[std::size_t{oy} * ow + ox]);
      if (ai == 0) continue;
      for (std::uint32_t ic = 0; ic < g.in_channels; ++ic) {
        for (std::uint32_t ky = 0; ky < g.kernel_height; ++ky) {
          const std::int64_t iy = static_cast<std::int64_t>(oy) * g.stride + ky - g.padding;
          if (iy < 0 || iy >= g.in_height) continue;
          for (std::uint32_t kx = 0; kx < g.kernel_width; ++kx) {
            const std::int64_t ix = static_cast<std::int64_t>(ox) * g.stride + kx - g.padding;
            if (ix < 0 || ix >= g.in_width) continue;
            grad[(std::size_t{ic} * g.kernel_height + ky) * g.kernel_width + kx] +=
                ai * static_cast<Acc>(x[(std::size_t{ic} * g.in_height + static_cast<std::size_t>(iy)) * g.in_width +
                                        static_cast<std::size_t>(ix)]);
          }
        }
      }
    }
  }
}

}  // namespace qsnn::kernels
