// DECOLLE's local update against the gradient of the local loss (float64 path): with a readout of sigma(U)
// the loss of a step is differentiable in W, and the update must equal its finite-difference gradient, for
// dense layers (both layers of a two-layer stack) and a convolutional layer. With the spike readout the update
// is the straight-through surrogate gradient, recomputed here from the layer's state.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

#include "decolle_fixture.hpp"
#include "learning/decolle_network.hpp"

using namespace qsnn;
using namespace qsnn::test;
using learning::DecolleNetwork;
using learning::DecolleNetworkSpec;

namespace {

constexpr std::uint64_t kSteps = 12;
constexpr std::uint32_t kLabel = 1;

std::vector<std::vector<std::uint8_t>> inputs(std::size_t n) {
  std::vector<std::vector<std::uint8_t>> out;
  for (std::uint64_t t = 0; t < kSteps; ++t) out.push_back(random_spikes(n, 0.4, 17, t));
  return out;
}

// Runs the steps (label on the last one only, so the rule computes exactly one update) with weight k of
// layer l moved by delta; returns the last step's local losses.
std::vector<double> last_losses(const DecolleNetworkSpec& spec, std::size_t l, std::size_t k, double delta,
                                DecolleNetwork* keep = nullptr) {
  DecolleNetwork fresh(spec);
  DecolleNetwork& net = keep != nullptr ? *keep : fresh;
  if (delta != 0.0) {
    auto w = net.layer(l).forward_weights();
    w[k] += delta;
    net.layer(l).set_weights(w);
  }
  const auto x = inputs(net.layer(0).input_size());
  for (std::uint64_t t = 0; t < kSteps; ++t)
    net.step(x[t], t + 1 == kSteps ? std::optional<std::uint32_t>(kLabel) : std::nullopt);
  return net.last_losses();
}

// Compares every layer's update with central differences of its own local loss.
void check_against_finite_differences(const DecolleNetworkSpec& spec) {
  DecolleNetwork net(spec);
  last_losses(spec, 0, 0, 0.0, &net);
  const double eps = 1e-6;
  for (std::size_t l = 0; l < net.layer_count(); ++l) {
    const auto gradient = net.layer(l).last_gradient();
    REQUIRE(gradient.size() == net.layer(l).synapse_count());
    double largest = 0.0;
    std::size_t non_zero = 0;
    for (std::size_t k = 0; k < gradient.size(); ++k) {
      const double plus = last_losses(spec, l, k, eps)[l];
      const double minus = last_losses(spec, l, k, -eps)[l];
      const double fd = (plus - minus) / (2.0 * eps);
      INFO("layer ", l, " weight ", k, ": update gradient ", gradient[k], ", finite difference ", fd);
      CHECK(std::abs(fd - gradient[k]) <= 1e-7 + 1e-6 * std::abs(fd));
      largest = std::max(largest, std::abs(gradient[k]));
      non_zero += gradient[k] != 0.0 ? 1 : 0;
    }
    INFO("layer ", l);
    CHECK(largest > 1e-3);  // a real gradient, not all zeros
    CHECK(non_zero > gradient.size() / 4);
  }
}

DecolleNetworkSpec sigmoid_readout(std::vector<learning::DecolleLayerSpec> layers) {
  for (auto& layer : layers) layer.write_back.rate.initial = 0.0;  // the gradient is computed, nothing written
  return {.layers = std::move(layers),
          .classes = 3,
          .readout_source = learning::DecolleReadoutSource::sigmoid,
          .surrogate_steepness = 2.0,
          .seed = 9};
}

double surrogate_derivative(double u, double k) {
  const double s = 1.0 / (1.0 + std::exp(-k * u));
  return k * s * (1.0 - s);
}

}  // namespace

TEST_CASE("DECOLLE dense updates equal finite-difference gradients of each layer's local loss") {
  check_against_finite_differences(sigmoid_readout({{.shape = learning::DenseShape{8, 6}, .init_scale = 2.0},
                                                    {.shape = learning::DenseShape{6, 5}, .init_scale = 2.0}}));
}

TEST_CASE("DECOLLE conv updates equal finite-difference gradients of the local loss") {
  for (const std::uint32_t stride : {1U, 2U}) {
    INFO("stride ", stride);
    check_against_finite_differences(sigmoid_readout({{.shape = kernels::ConvGeometry{.in_channels = 2,
                                                                                       .in_height = 5,
                                                                                       .in_width = 6,
                                                                                       .out_channels = 3,
                                                                                       .kernel_height = 3,
                                                                                       .kernel_width = 2,
                                                                                       .stride = stride,
                                                                                       .padding = 1},
                                                       .init_scale = 2.0}}));
  }
}

TEST_CASE("DECOLLE update with a spike readout is the surrogate gradient and the write-back applies it") {
  const double rate = 0.25;
  const double k = 2.0;
  learning::DecolleLayerSpec layer{.shape = learning::DenseShape{10, 7}, .bias = 0.05, .init_scale = 2.0};
  layer.write_back.rate.initial = rate;
  DecolleNetwork net({.layers = {layer}, .classes = 3, .surrogate_steepness = k, .seed = 4});
  const auto x = inputs(10);
  for (std::uint64_t t = 0; t + 1 < kSteps; ++t) net.step(x[t], std::nullopt);
  const auto before = net.layer(0).forward_weights();
  net.step(x[kSteps - 1], kLabel);

  // dL/dW_ij = sum_k G_ki (Y_k - yhat_k) sigma'(U_i) P_j with Y = G S.
  const auto g = net.readout(0).matrix();
  const auto s = net.layer(0).spikes();
  const auto u = net.layer(0).membrane();
  const auto p = net.layer(0).membrane_trace();
  REQUIRE(std::count(s.begin(), s.end(), 1) > 0);
  std::vector<double> error(3);
  for (std::size_t c = 0; c < 3; ++c) {
    double y = 0.0;
    for (std::size_t i = 0; i < 7; ++i) y += g[c * 7 + i] * s[i];
    error[c] = y - (c == kLabel ? 1.0 : 0.0);
  }
  const auto gradient = net.layer(0).last_gradient();
  const auto after = net.layer(0).forward_weights();
  for (std::size_t i = 0; i < 7; ++i) {
    double back = 0.0;
    for (std::size_t c = 0; c < 3; ++c) back += g[c * 7 + i] * error[c];
    for (std::size_t j = 0; j < 10; ++j) {
      const double expected = back * surrogate_derivative(u[i], k) * p[j];
      CHECK(gradient[i * 10 + j] == doctest::Approx(expected).epsilon(1e-12));
      CHECK(after[i * 10 + j] - before[i * 10 + j] == doctest::Approx(-rate * expected).epsilon(1e-9));
    }
  }
  CHECK(std::count_if(gradient.begin(), gradient.end(), [](double v) { return v != 0.0; }) > 10);
  CHECK(net.layer(0).weight_statistics().proposed > 0);
}
