// The convolutional DECOLLE layer's membrane against a naive convolution written here (float64 and fixed
// point, several strides and paddings, with the refractory term of later steps).
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "decolle_fixture.hpp"
#include "learning/decolle_network.hpp"
#include "quant/rounders.hpp"

using namespace qsnn;
using namespace qsnn::test;

namespace {

const std::vector<kernels::ConvGeometry> kGeometries = {
    {.in_channels = 2, .in_height = 5, .in_width = 6, .out_channels = 3, .kernel_height = 3, .kernel_width = 2,
     .stride = 1, .padding = 1},
    {.in_channels = 1, .in_height = 7, .in_width = 7, .out_channels = 2, .kernel_height = 3, .kernel_width = 3,
     .stride = 2, .padding = 0},
    {.in_channels = 2, .in_height = 6, .in_width = 5, .out_channels = 2, .kernel_height = 2, .kernel_width = 3,
     .stride = 2, .padding = 2},
};

// sum_{ic, ky, kx} w[oc][ic][ky][kx] x[ic][oy * s - p + ky][ox * s - p + kx], zero outside the map.
template <class T, class W, class X>
std::vector<T> naive_conv(const kernels::ConvGeometry& g, const std::vector<W>& w, const std::vector<X>& x) {
  std::vector<T> out;
  for (std::uint32_t oc = 0; oc < g.out_channels; ++oc)
    for (std::uint32_t oy = 0; oy < g.out_height(); ++oy)
      for (std::uint32_t ox = 0; ox < g.out_width(); ++ox) {
        T sum = 0;
        for (std::uint32_t ic = 0; ic < g.in_channels; ++ic)
          for (std::uint32_t ky = 0; ky < g.kernel_height; ++ky)
            for (std::uint32_t kx = 0; kx < g.kernel_width; ++kx) {
              const long iy = static_cast<long>(oy * g.stride + ky) - static_cast<long>(g.padding);
              const long ix = static_cast<long>(ox * g.stride + kx) - static_cast<long>(g.padding);
              if (iy < 0 || ix < 0 || iy >= static_cast<long>(g.in_height) || ix >= static_cast<long>(g.in_width)) continue;
              sum += static_cast<T>(w[((oc * g.in_channels + ic) * g.kernel_height + ky) * g.kernel_width + kx]) *
                     static_cast<T>(x[(ic * g.in_height + static_cast<std::size_t>(iy)) * g.in_width +
                                      static_cast<std::size_t>(ix)]);
            }
        out.push_back(sum);
      }
  return out;
}

}  // namespace

TEST_CASE("DECOLLE conv forward equals a naive convolution in float64") {
  for (const auto& g : kGeometries) {
    INFO("stride ", g.stride, ", padding ", g.padding);
    learning::DecolleNetwork net(
        {.layers = {{.shape = g, .refractory_weight = 0.7, .bias = 0.03, .init_scale = 2.0}}, .classes = 2});
    auto& layer = net.layer(0);
    REQUIRE(layer.output_size() == g.output_size());
    std::size_t spikes = 0;
    for (std::uint64_t t = 0; t < 6; ++t) {
      const std::vector<double> r = layer.refractory_trace();
      net.step(random_spikes(g.input_size(), 0.5, 3, t), std::nullopt);
      const auto expected = naive_conv<double>(g, layer.forward_weights(), layer.membrane_trace());
      const auto u = layer.membrane();
      for (std::size_t i = 0; i < u.size(); ++i) CHECK(u[i] == doctest::Approx(expected[i] + (0.03 - 0.7 * r[i])).epsilon(1e-13));
      for (const auto s : layer.spikes()) spikes += s;
    }
    CHECK(spikes > 0);  // so later steps do test the refractory term
  }
}

TEST_CASE("DECOLLE conv forward equals a naive integer convolution on the fixed-point path") {
  for (const auto& g : kGeometries) {
    INFO("stride ", g.stride, ", padding ", g.padding);
    learning::DecolleNetwork net({.layers = {{.shape = g, .init_scale = 2.0}},
                                  .classes = 2,
                                  .path = sim::NumericPath::fixed_point});
    auto& layer = net.layer(0);
    const learning::DecolleSignals signals;
    const int fw = layer.spec().weight_frac_bits, fp = signals.membrane_trace.bits, fr = signals.refractory.bits;
    const auto shift = static_cast<unsigned>(fw + fp - signals.membrane.frac_bits);
    const quant::QFormat membrane(signals.membrane.bits, signals.membrane.frac_bits, true);
    std::size_t non_zero = 0;
    for (std::uint64_t t = 0; t < 6; ++t) {
      const std::vector<std::int32_t> r(layer.refractory_codes().begin(), layer.refractory_codes().end());
      net.step(random_spikes(g.input_size(), 0.5, 3, t), std::nullopt);
      const std::vector<std::int16_t> w(layer.weight_codes().begin(), layer.weight_codes().end());
      const std::vector<std::int32_t> p(layer.membrane_trace_codes().begin(), layer.membrane_trace_codes().end());
      const auto sums = naive_conv<std::int64_t>(g, w, p);
      const auto u = layer.membrane_codes();
      for (std::size_t i = 0; i < u.size(); ++i) {
        // rho = 1: R codes scaled from 2^-fr to 2^-(fw + fp).
        const std::int64_t wide = sums[i] - (std::int64_t{r[i]} << (fw + fp - fr));
        quant::OverflowCounts counts;
        const std::int64_t expected =
            quant::fit_code(quant::NearestEvenRounder{}.shift(wide, shift), membrane, quant::OverflowMode::saturate, counts);
        CHECK(u[i] == expected);
        non_zero += u[i] != 0 ? 1 : 0;
      }
    }
    CHECK(non_zero > 0);
  }
}
