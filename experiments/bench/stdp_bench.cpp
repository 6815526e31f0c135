// qsnn_bench_stdp: trains the Diehl & Cook network (experiments/networks/diehl_cook_network.hpp) on
// synthetic images and prints one JSON object with its timings, activity and plasticity work (the learning
// benchmark; experiments/bench/run_stdp_bench.sh drives it against Brian2).
//
//   qsnn_bench_stdp --path fixed --threads 1 --samples 100                # one benchmark configuration
//   qsnn_bench_stdp --write-images images.u8 --samples 100                # the inputs, for the Brian2 peer
//   qsnn_bench_stdp --epoch --threads 2 --samples 1000                    # D&C epoch timing (projection)
//
// Inputs: no dataset is used. Sample k is a deterministic image-like rate pattern (synthetic_image below):
// one to three soft-edged ellipses ("garments") with a striped texture on a black background, 28 x 28,
// pixel statistics close to Fashion-MNIST's (about half the pixels black, mean ~73 of 255), so a sample
// draws about 5,000 input spikes in 350 ms at rate = pixel / 4 Hz. Its shape parameters come from the
// counter RNG keyed by (image seed, sample), so the C++ program and the file it writes agree bit for bit.
//
// Timings (std::chrono::steady_clock): setup_s = network construction incl. synapses, the plastic projection
// and its transposed index; run_s = the training loop (per sample: normalization, 350 ms image, 150 ms rest;
// rate boosts only with --boost, which --epoch turns on).
// Counts: synaptic events = every synapse a spike is delivered through (input spikes x n_exc + exc spikes +
// inh spikes x (n_exc - 1)); plastic updates = rule hook calls on input -> exc (input spikes x n_exc on
// pre spikes + exc spikes x 784 on post spikes), the work an event-driven STDP must do.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <numbers>
#include <string>
#include <vector>

#include "experiments/networks/diehl_cook_network.hpp"
#include "quant/counter_rng.hpp"
#include "quant/overflow.hpp"
#include "quant/rounders.hpp"
#include "quant/saturate.hpp"

namespace {

using qsnn::experiments::DiehlCookConstants;
using qsnn::experiments::DiehlCookNetwork;
using qsnn::experiments::DiehlCookOptions;
using Clock = std::chrono::steady_clock;

constexpr int kSide = 28;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// The synthetic image of sample `index` (row-major, 0..255). Draws d = 0, 1, ... of the counter RNG keyed by
// (seed, stream 0x5717, step = index, draw d) fix: the number of ellipses (1-3), each one's centre (within
// +-3 px of the middle), half axes (4-11 px), orientation, grey level (110-240), stripe period (3-8 px)
// and phase. A pixel is the brightest ellipse covering it: level x edge x texture, where edge falls from
// 1 to 0 over the last 15 % of the radius and texture = 0.8 + 0.2 sin(2 pi y' / period + phase).
std::vector<std::uint8_t> synthetic_image(std::uint64_t seed, std::uint64_t index) {
  const qsnn::quant::CounterRng rng{seed, 0x5717};
  std::uint64_t draw = 0;
  auto uniform = [&](double lo, double hi) { return lo + (hi - lo) * rng.uniform01(index, draw++); };
  struct Ellipse {
    double cx, cy, a, b, cos_t, sin_t, level, period, phase;
  };
  std::vector<Ellipse> ellipses(1 + static_cast<std::size_t>(uniform(0.0, 2.999)));
  for (auto& e : ellipses) {
    e.cx = uniform(10.5, 16.5);
    e.cy = uniform(10.5, 16.5);
    e.a = uniform(6.5, 13.0);
    e.b = uniform(7.5, 13.5);
    const double theta = uniform(0.0, std::numbers::pi);
    e.cos_t = std::cos(theta);
    e.sin_t = std::sin(theta);
    e.level = uniform(150.0, 255.0);
    e.period = uniform(3.0, 8.0);
    e.phase = uniform(0.0, 2.0 * std::numbers::pi);
  }
  std::vector<std::uint8_t> pixels(kSide * kSide);
  qsnn::quant::OverflowCounts clipped;
  for (int y = 0; y < kSide; ++y) {
    for (int x = 0; x < kSide; ++x) {
      double value = 0.0;
      for (const auto& e : ellipses) {
        const double dx = x - e.cx, dy = y - e.cy;
        const double u = (dx * e.cos_t + dy * e.sin_t) / e.a, v = (-dx * e.sin_t + dy * e.cos_t) / e.b;
        const double r = std::sqrt(u * u + v * v);
        const double edge = std::min(1.0, std::max(0.0, (1.0 - r) / 0.15));
        const double texture = 0.8 + 0.2 * std::sin(2.0 * std::numbers::pi * (v * e.b) / e.period + e.phase);
        value = std::max(value, e.level * edge * texture);
      }
      const double rounded = qsnn::quant::NearestEvenRounder{}.real(value);
      pixels[y * kSide + x] =
          static_cast<std::uint8_t>(qsnn::quant::saturate_code(static_cast<std::int64_t>(rounded), 0, 255, clipped));
    }
  }
  return pixels;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"qsnn_bench_stdp: Diehl & Cook training on synthetic images, as one JSON line on stdout"};
  DiehlCookOptions options;
  options.rule = qsnn::experiments::DiehlCookRule::pair;
  std::string path = "fixed", rule = "pair", images_out;
  std::size_t samples = 100;
  std::uint64_t image_seed = 2015;
  bool boost = false, epoch = false;
  app.add_option("--path", path, "numeric path: fixed or float64")->check(CLI::IsMember({"fixed", "float64"}))->capture_default_str();
  app.add_option("--rule", rule, "STDP rule: pair (PairStdp, nearest) or diehl_cook (DiehlCookStdp)")
      ->check(CLI::IsMember({"pair", "diehl_cook"}))
      ->capture_default_str();
  app.add_option("--threads", options.threads, "worker threads (0: all cores)")->capture_default_str();
  app.add_option("--samples", samples, "training samples")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--n-exc", options.n_exc, "excitatory neurons")->capture_default_str();
  app.add_option("--weight-bits", options.weight_bits, "fixed path input weight bits")->capture_default_str();
  app.add_option("--seed", options.seed, "network seed")->capture_default_str();
  app.add_option("--image-seed", image_seed, "seed of the synthetic images")->capture_default_str();
  app.add_option("--min-parallel-neurons", options.min_parallel_neurons, "network steps serially below this size")
      ->capture_default_str();
  app.add_option("--min-parallel-synapses", options.min_parallel_synapses, "plasticity runs serially below this size")
      ->capture_default_str();
  app.add_flag("--boost", boost, "repeat samples with < 5 excitatory spikes at higher intensity (D&C)");
  app.add_flag("--epoch", epoch, "D&C epoch timing: the diehl_cook rule (when available) with boosts; reports the "
                                 "projection to 60,000 samples");
  app.add_option("--write-images", images_out, "write the synthetic images (samples x 784 bytes) and exit");
  CLI11_PARSE(app, argc, argv);

  try {
    if (!images_out.empty()) {
      std::ofstream out(images_out, std::ios::binary);
      for (std::size_t k = 0; k < samples; ++k) {
        const auto image = synthetic_image(image_seed, k);
        out.write(reinterpret_cast<const char*>(image.data()), static_cast<std::streamsize>(image.size()));
      }
      if (!out) throw std::runtime_error("cannot write " + images_out);
      return 0;
    }
    options.path = path == "fixed" ? qsnn::sim::NumericPath::fixed_point : qsnn::sim::NumericPath::float64;
    options.rule = rule == "pair" ? qsnn::experiments::DiehlCookRule::pair : qsnn::experiments::DiehlCookRule::diehl_cook;
    if (epoch) boost = true;

    std::vector<std::vector<std::uint8_t>> images(samples);
    for (std::size_t k = 0; k < samples; ++k) images[k] = synthetic_image(image_seed, k);

    const auto setup_start = Clock::now();
    DiehlCookNetwork dc(options);
    const double setup_s = seconds_since(setup_start);

    qsnn::experiments::DiehlCookSampleOptions sample{.boost = boost};
    std::uint64_t boosts = 0, input_spikes = 0, exc_spikes = 0, inh_spikes = 0;
    const auto run_start = Clock::now();
    for (std::size_t k = 0; k < samples; ++k) {
      const auto result = dc.present(images[k], sample);
      boosts += static_cast<std::uint64_t>(result.boosts);
      input_spikes += result.input_spikes;
      exc_spikes += result.exc_spikes;
      inh_spikes += result.inh_spikes;
    }
    const double run_s = seconds_since(run_start);

    const std::uint64_t n_exc = options.n_exc;
    const std::uint64_t events = input_spikes * n_exc + exc_spikes + inh_spikes * (n_exc - 1);
    const std::uint64_t updates = input_spikes * n_exc + exc_spikes * DiehlCookConstants::inputs;
    const double presented_s = static_cast<double>(samples + boosts) *
                               (DiehlCookConstants::image_ms + DiehlCookConstants::rest_ms) * 1e-3;
    const auto weights = dc.input_weights();
    double weight_sum = 0.0;
    for (const double w : weights) weight_sum += w;
    const auto theta = dc.theta_mv();
    double theta_sum = 0.0;
    for (const double t : theta) theta_sum += t;
    const double per_sample = run_s / static_cast<double>(samples);
    std::printf(
        "{\"impl\": \"qsnn\", \"mode\": \"%s\", \"rule\": \"%s\", \"threads\": %zu, \"samples\": %zu, \"boosts\": %llu, "
        "\"n_exc\": %llu, \"setup_s\": %.6f, \"run_s\": %.6f, \"s_per_sample\": %.6g, \"input_spikes\": %llu, "
        "\"exc_spikes\": %llu, \"inh_spikes\": %llu, \"events\": %llu, \"plastic_updates\": %llu, "
        "\"updates_per_s\": %.6g, \"events_per_s\": %.6g, \"rate_exc_hz\": %.6f, \"input_spikes_per_sample\": %.6g, "
        "\"mean_weight\": %.6g, \"mean_theta_mv\": %.6g, \"epoch_projection_s\": %.6g, \"epoch_mode\": %s}\n",
        path == "fixed" ? ("fixed" + std::to_string(options.weight_bits)).c_str() : "float64", rule.c_str(),
        dc.network().threads(), samples, static_cast<unsigned long long>(boosts), static_cast<unsigned long long>(n_exc),
        setup_s, run_s, per_sample, static_cast<unsigned long long>(input_spikes),
        static_cast<unsigned long long>(exc_spikes), static_cast<unsigned long long>(inh_spikes),
        static_cast<unsigned long long>(events), static_cast<unsigned long long>(updates),
        static_cast<double>(updates) / run_s, static_cast<double>(events) / run_s,
        static_cast<double>(exc_spikes) / (static_cast<double>(n_exc) * presented_s),
        static_cast<double>(input_spikes) / static_cast<double>(samples + boosts),
        weight_sum / static_cast<double>(weights.size()), theta_sum / static_cast<double>(theta.size()),
        per_sample * 60000.0, epoch ? "true" : "false");
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "qsnn_bench_stdp: " << error.what() << "\n";
    return 1;
  }
}
