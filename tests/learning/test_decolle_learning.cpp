// A two-layer dense DECOLLE network learns a small separable spike-pattern task (4 classes of fixed random
// Poisson patterns) online, in float64 and on the fixed-point path with 4-bit shadow weights.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "decolle_fixture.hpp"
#include "learning/decolle_network.hpp"

using namespace qsnn;
using namespace qsnn::test;
using learning::WriteBackMode;

namespace {

constexpr std::uint64_t kTrainSamples = 240;
constexpr std::uint64_t kTestSamples = 100;

learning::DecolleNetworkSpec two_layer_spec(sim::NumericPath path, learning::WriteBackSpec write_back, int weight_bits) {
  learning::DecolleLayerSpec hidden{.shape = learning::DenseShape{40, 32},
                                    .weight_bits = weight_bits,
                                    .weight_frac_bits = weight_bits - 2,
                                    .write_back = write_back};
  learning::DecolleLayerSpec output = hidden;
  output.shape = learning::DenseShape{32, 16};
  return {.layers = {hidden, output}, .classes = 4, .path = path, .burn_in_steps = 5, .seed = 3};
}

double train_and_test(learning::DecolleNetwork& net) {
  const PatternTask task;
  const auto training = task.samples(0, kTrainSamples);
  const auto test = task.samples(1000000, kTestSamples);
  const double before = net.accuracy(test);
  for (const auto& sample : training) net.train(sample);
  const double after = net.accuracy(test);
  MESSAGE("test accuracy ", before, " before training, ", after, " after");
  CHECK(before < 0.6);  // the task is not solved by the random initial weights
  return after;
}

}  // namespace

TEST_CASE("two-layer float64 DECOLLE learns four spike patterns above 95 percent") {
  learning::DecolleNetwork net(two_layer_spec(sim::NumericPath::float64, {.rate = {.initial = 0.05}}, 8));
  CHECK(net.layer(0).write_back().mode == WriteBackMode::exact);
  CHECK(train_and_test(net) > 0.95);
  CHECK(net.layer(0).weight_statistics().changed > 0);
  CHECK(net.layer(1).weight_statistics().changed > 0);
}

TEST_CASE("two-layer fixed-point DECOLLE with 4-bit shadow weights learns four spike patterns above 95 percent") {
  const learning::WriteBackSpec shadow{.mode = WriteBackMode::shadow, .rate = {.initial = 0.05}};
  learning::DecolleNetwork net(two_layer_spec(sim::NumericPath::fixed_point, shadow, 4));
  CHECK(train_and_test(net) > 0.95);
  for (std::size_t l = 0; l < 2; ++l) {
    for (const std::int16_t code : net.layer(l).weight_codes()) {
      CHECK(code >= -8);
      CHECK(code <= 7);
    }
    CHECK(net.layer(l).weight_statistics().forward_changes > 0);
  }
}
