// Plasticity runs in phase 4 of Network::step once attached: the same weights as stepping it by hand.
#include <doctest/doctest.h>

#include <memory>
#include <stdexcept>
#include <vector>

#include "learning/pair_stdp.hpp"
#include "learning_fixture.hpp"

using namespace qsnn;
using quant::RoundingMode;

namespace {

enum class Driver { attached, by_hand, run_with_plasticity };

std::vector<double> train(Driver driver) {
  sim::Network net({.dt_ms = 1.0, .threads = 1, .seed = 5});
  const auto input = net.add_poisson("input", 100, 30.0);
  const auto exc = net.add_lif("exc", 40, sim::LifParameters{}, sim::NumericPath::fixed_point);
  const auto projection = net.connect({.pre = input, .post = exc, .connectivity = sim::FixedProbability{0.3},
                                       .weights = sim::UniformWeight{0.5, 1.5},
                                       .quantization = {.bits = 5, .sign = sim::SignMode::excitatory}});
  learning::PlasticProjection stdp(net, projection, learning::PairStdp{.a_plus = 0.6, .a_minus = 0.63},
                                   {.write_back = {.rounding = {RoundingMode::stochastic}}});
  constexpr sim::Step steps = 400;
  switch (driver) {
    case Driver::attached:
      net.attach(stdp);
      net.run(steps / 2);
      net.run(steps / 2);
      break;
    case Driver::by_hand:
      for (sim::Step t = 0; t < steps; ++t) {
        net.run(1);
        stdp.after_step(net);
      }
      break;
    case Driver::run_with_plasticity:
      learning::run_with_plasticity(net, {&stdp}, steps);
      CHECK_FALSE(net.is_attached(stdp));
      break;
  }
  REQUIRE(net.spike_count(exc) > 100);
  REQUIRE(stdp.statistics().changed > 100);
  return stdp.weights_in_steps();
}

}  // namespace

TEST_CASE("attached plasticity gives the weights of stepping it by hand and of run_with_plasticity") {
  const auto by_hand = train(Driver::by_hand);
  CHECK(train(Driver::attached) == by_hand);
  CHECK(train(Driver::run_with_plasticity) == by_hand);
}

TEST_CASE("a plastic projection detaches itself when destroyed and refuses to be stepped twice") {
  sim::Network net({.dt_ms = 1.0, .threads = 1});
  const auto input = net.add_poisson("input", 10, 50.0);
  const auto exc = net.add_lif("exc", 5, sim::LifParameters{}, sim::NumericPath::float64);
  const auto projection = net.connect({.pre = input, .post = exc, .connectivity = sim::AllToAll{},
                                       .weights = sim::ConstantWeight{0.1}});
  auto stdp = std::make_unique<learning::PlasticProjection>(net, projection, learning::PairStdp{});
  net.attach(*stdp);
  net.run(3);
  CHECK(stdp->next_step() == 3);
  CHECK_THROWS_AS(stdp->after_step(net), std::logic_error);
  CHECK_THROWS_AS(learning::run_with_plasticity(net, {stdp.get()}, 1), std::invalid_argument);
  stdp.reset();
  net.run(2);  // would call into freed memory if the hook were still attached (ASan reports it)
  CHECK(net.now() == 5);
}
