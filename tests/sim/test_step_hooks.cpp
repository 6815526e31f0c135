// Phase 4 of Network::step: attached hooks see the spikes of step t, in attachment order, before recording.
#include <doctest/doctest.h>

#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

#include "sim/network.hpp"
#include "sim/spike_counter.hpp"
#include "sim/spike_time_source.hpp"
#include "sim/step_hook.hpp"

using namespace qsnn::sim;

namespace {

// Logs (hook id, step, now(), spikes of the source) at every call.
struct LoggingHook final : StepHook {
  struct Call {
    int id;
    Step t;
    Step now;
    std::vector<NeuronIndex> spikes;
    friend bool operator==(const Call&, const Call&) = default;
  };
  LoggingHook(int id, PopulationId source, std::vector<Call>& log) : id(id), source(source), log(log) {}
  void after_spikes(Network& net, Step t) override {
    const auto spikes = net.population(source).last_spikes();
    log.push_back({id, t, net.now(), std::vector<NeuronIndex>(spikes.begin(), spikes.end())});
  }
  int id;
  PopulationId source;
  std::vector<Call>& log;
};

struct SourceNet {
  Network net{{.dt_ms = 1.0, .threads = 1}};
  PopulationId source = net.add_spike_times("source", 4, {{0, 1}, {1, 3}, {2, 0}, {2, 2}});
};

}  // namespace

TEST_CASE("attached step hooks see the spikes of each step in attachment order") {
  SourceNet s;
  std::vector<LoggingHook::Call> log;
  LoggingHook first(1, s.source, log), second(2, s.source, log);
  s.net.attach(first);
  s.net.attach(second);
  s.net.run(3);
  const std::vector<LoggingHook::Call> expected = {
      {1, 0, 0, {1}}, {2, 0, 0, {1}}, {1, 1, 1, {3}}, {2, 1, 1, {3}}, {1, 2, 2, {0, 2}}, {2, 2, 2, {0, 2}}};
  CHECK(log == expected);
}

TEST_CASE("a detached step hook is no longer called and attaching twice is refused") {
  SourceNet s;
  std::vector<LoggingHook::Call> log;
  LoggingHook hook(1, s.source, log);
  s.net.attach(hook);
  CHECK(s.net.is_attached(hook));
  CHECK_THROWS_AS(s.net.attach(hook), std::invalid_argument);
  s.net.run(1);
  s.net.detach(hook);
  CHECK_FALSE(s.net.is_attached(hook));
  s.net.detach(hook);  // no-op
  s.net.run(2);
  REQUIRE(log.size() == 1);
  CHECK(log[0].t == 0);
}

TEST_CASE("step hooks cannot attach or detach hooks while they run") {
  struct Meddler final : StepHook {
    StepHook* other = nullptr;
    bool detach = false;
    void after_spikes(Network& net, Step) override {
      if (detach) net.detach(*other);
      else net.attach(*other);
    }
  };
  SourceNet s;
  std::vector<LoggingHook::Call> log;
  LoggingHook victim(1, s.source, log);
  Meddler meddler;
  meddler.other = &victim;
  s.net.attach(meddler);
  CHECK_THROWS_AS(s.net.run(1), std::logic_error);
  meddler.detach = true;
  s.net.attach(victim);  // allowed again once the step has unwound
  CHECK_THROWS_AS(s.net.run(1), std::logic_error);
  CHECK(s.net.is_attached(victim));
}

TEST_CASE("a weight changed by a step hook at step t carries the spikes of step t onward") {
  // One source neuron spiking at every step onto one float64 LIF neuron: the hook doubles the weight after
  // the spikes of step 2, whose delivery runs in phase 2 of step 3 (delay 1), so they already use it.
  Network net({.dt_ms = 1.0, .threads = 1});
  std::vector<TimedSpike> spikes;
  for (Step t = 0; t < 6; ++t) spikes.push_back({t, 0});
  const auto source = net.add_spike_times("source", 1, spikes);
  LifParameters p;
  p.v_threshold = 1e9;  // never fires
  p.tau_syn_ms = {1e9};
  const auto target = net.add_lif("target", 1, p, NumericPath::float64);
  const auto projection = net.connect({.pre = source, .post = target, .connectivity = OneToOne{},
                                       .weights = ConstantWeight{1.0}});
  auto& current = net.record_state({.population = target, .variable = {StateKind::current, 0}});

  struct Doubler final : StepHook {
    ProjectionId projection;
    void after_spikes(Network& net, Step t) override {
      if (t != 2) return;
      auto& blocks = std::get<RealBlocks>(net.projection(projection).mutable_blocks());
      for (auto& block : blocks)
        for (double& w : block.weight) w *= 2.0;
    }
  } doubler;
  doubler.projection = projection;
  net.attach(doubler);
  net.run(6);
  std::vector<double> steps_of_current;
  for (std::size_t k = 0; k < current.steps().size(); ++k) steps_of_current.push_back(current.value(k, 0));
  // Spike of step t arrives at step t + 1; the current integrates without decay (tau_syn huge).
  REQUIRE(steps_of_current.size() == 6);
  CHECK(steps_of_current[1] - steps_of_current[0] == doctest::Approx(1.0));
  CHECK(steps_of_current[2] - steps_of_current[1] == doctest::Approx(1.0));
  CHECK(steps_of_current[3] - steps_of_current[2] == doctest::Approx(2.0));  // spike of step 2, new weight
  CHECK(steps_of_current[4] - steps_of_current[3] == doctest::Approx(2.0));
}

TEST_CASE("a spike counter counts each neuron's spikes while attached and resets") {
  SourceNet s;
  {
    SpikeCounter counter(s.net, s.source);
    CHECK(s.net.is_attached(counter));
    s.net.run(2);
    CHECK(std::vector<std::uint32_t>(counter.counts().begin(), counter.counts().end()) ==
          std::vector<std::uint32_t>{0, 1, 0, 1});
    CHECK(counter.total() == 2);
    CHECK(counter.most_active() == 1);  // lowest index among the ties
    counter.reset();
    s.net.run(1);
    CHECK(std::vector<std::uint32_t>(counter.counts().begin(), counter.counts().end()) ==
          std::vector<std::uint32_t>{1, 0, 1, 0});
    CHECK(counter.total() == 2);
  }
  s.net.run(1);  // the destroyed counter detached itself (ASan would report a call into it)
}
