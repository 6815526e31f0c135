// Triplet STDP: Pfister & Gerstner's pairing-frequency protocol against the model's closed form.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "learning/triplet_stdp.hpp"
#include "learning_fixture.hpp"

using namespace qsnn;
using namespace qsnn::test;
using learning::TripletStdp;

namespace {

constexpr int kPairs = 60;     // Pfister & Gerstner 2006: 60 pairings per frequency
constexpr int kLag = 10;       // post 10 ms after pre
constexpr Step kStart = 10;

// The total weight change of the protocol, summed from the trace equations (all-to-all: each trace is a sum
// of exponentials over earlier spikes of its neuron). Pair k: pre at kT, post at kT + lag. At post spike k,
// r1 holds pre spikes 0..k and o2 the post spikes 0..k-1 (t - eps); at pre spike k, o1 holds post spikes
// 0..k-1 and r2 pre spikes 0..k-1.
double closed_form(const TripletStdp& r, double period) {
  double dw = 0.0;
  for (int k = 0; k < kPairs; ++k) {
    double r1 = 0.0, o2 = 0.0, o1 = 0.0, r2 = 0.0;
    for (int m = 0; m <= k; ++m) r1 += std::exp(-(kLag + (k - m) * period) / r.tau_plus_ms);
    for (int m = 0; m < k; ++m) {
      o2 += std::exp(-((k - m) * period) / r.tau_y_ms);
      o1 += std::exp(-((k - m) * period - kLag) / r.tau_minus_ms);
      r2 += std::exp(-((k - m) * period) / r.tau_x_ms);
    }
    dw += r1 * (r.a2_plus + r.a3_plus * o2) - o1 * (r.a2_minus + r.a3_minus * r2);
  }
  return dw;
}

}  // namespace

TEST_CASE("triplet STDP: potentiation of +10 ms pairs versus pairing frequency matches the trace equations") {
  // Frequencies whose period is a whole number of 1 ms steps.
  const std::vector<int> rates_hz = {1, 2, 4, 5, 8, 10, 20, 25, 40, 50};
  const auto n = static_cast<NeuronIndex>(rates_hz.size());
  Step steps = 0;
  for (int rho : rates_hz) steps = std::max<Step>(steps, kStart + static_cast<Step>(kPairs * (1000 / rho) + kLag + 2));
  SpikeTrains trains(steps);
  for (NeuronIndex i = 0; i < n; ++i) {
    const Step period = static_cast<Step>(1000 / rates_hz[i]);
    for (int k = 0; k < kPairs; ++k) {
      trains.add_pre(kStart + static_cast<Step>(k) * period, i);
      trains.add_post(kStart + static_cast<Step>(k) * period + kLag, i);
    }
  }
  for (auto& s : trains.pre) std::sort(s.begin(), s.end());
  for (auto& s : trains.post) std::sort(s.begin(), s.end());

  // The minimal model (A3- = 0), the full one (A3- > 0, Pfister & Gerstner's Table 4 full fit) and the pair
  // model (A3+ = A3- = 0) as the contrast.
  struct Variant {
    double a3_plus, a3_minus;
  };
  for (const Variant v : {Variant{6.2e-3, 0.0}, Variant{6.2e-3, 2.3e-4}, Variant{0.0, 0.0}}) {
    INFO("A3+ = ", v.a3_plus, ", A3- = ", v.a3_minus);
    LearningNet net(sim::NumericPath::float64, n, n, sim::OneToOne{}, 0.0);
    const TripletStdp rule{.a3_plus = v.a3_plus, .a3_minus = v.a3_minus};
    learning::PlasticProjection plastic(net.net, net.projection, rule);
    feed(plastic, trains);
    const auto w = plastic.weights_in_steps();
    for (NeuronIndex i = 0; i < n; ++i) {
      INFO("rho = ", rates_hz[i], " Hz");
      const double expected = closed_form(rule, 1000.0 / rates_hz[i]);
      CHECK(w[i] == doctest::Approx(expected).epsilon(1e-10));
    }
    if (v.a3_plus > 0.0) {
      // The point of the triplet term: potentiation grows with the pairing frequency.
      for (NeuronIndex i = 0; i + 1 < n; ++i) CHECK(w[i + 1] > w[i]);
      CHECK(w[n - 1] > 1000.0 * w[0]);
    } else {
      // Pairs alone: at 50 Hz each pre spike follows the previous post spike by 10 ms and depresses.
      CHECK(w[n - 1] < 0.0);
    }
  }
}
