#include "experiments/datasets/saccade_emulation.hpp"

#include <array>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace qsnn::experiments::datasets {
namespace {

struct Offset {
  double dx;
  double dy;
};

// Corners of the triangle the sensor's gaze traces (N-MNIST: three saccades, back to the start).
std::array<Offset, 4> triangle_corners(double side) {
  return {Offset{0.0, 0.0}, Offset{side, 0.0}, Offset{0.5 * side, side}, Offset{0.0, 0.0}};
}

// Bilinear sample of the image at real coordinates; outside the image the scene is black (intensity 0).
double sample(std::span<const std::uint8_t> pixels, std::uint32_t rows, std::uint32_t cols, double u, double v) {
  const double u0 = std::floor(u);
  const double v0 = std::floor(v);
  const double fu = u - u0;
  const double fv = v - v0;
  auto at = [&](double uu, double vv) -> double {
    if (uu < 0.0 || vv < 0.0 || uu >= double(cols) || vv >= double(rows)) return 0.0;
    return pixels[std::size_t(vv) * cols + std::size_t(uu)];
  };
  return (1.0 - fv) * ((1.0 - fu) * at(u0, v0) + fu * at(u0 + 1.0, v0)) +
         fv * ((1.0 - fu) * at(u0, v0 + 1.0) + fu * at(u0 + 1.0, v0 + 1.0));
}

}  // namespace

EventStream emulate_saccades(std::span<const std::uint8_t> pixels, std::uint32_t rows, std::uint32_t cols,
                             const SaccadeParams& params) {
  if (!(params.contrast_threshold > 0.0)) throw std::invalid_argument("saccades: contrast_threshold must be > 0");
  if (params.saccade_us == 0 || params.frame_us == 0 || params.saccade_us % params.frame_us != 0)
    throw std::invalid_argument("saccades: saccade_us and frame_us must be > 0 and frame_us must divide saccade_us");
  if (!(params.amplitude_px >= 0.0) || !(params.dark_level > 0.0))
    throw std::invalid_argument("saccades: amplitude_px must be >= 0 and dark_level > 0");
  if (double(params.margin_px) < params.amplitude_px)
    throw std::invalid_argument("saccades: margin_px must be at least amplitude_px so the image stays in view");
  if (pixels.size() != std::size_t(rows) * cols)
    throw std::invalid_argument("saccades: pixel count does not match rows x cols");
  const std::uint32_t width = cols + 2U * params.margin_px;
  const std::uint32_t height = rows + 2U * params.margin_px;
  if (width > 0xFFFFU || height > 0xFFFFU) throw std::invalid_argument("saccades: image too large");

  EventStream events;
  events.width = static_cast<std::uint16_t>(width);
  events.height = static_cast<std::uint16_t>(height);

  const auto corners = triangle_corners(params.amplitude_px);
  const std::uint32_t frames_per_saccade = params.saccade_us / params.frame_us;
  auto log_frame = [&](const Offset& gaze, std::vector<double>& out) {
    // The gaze moves right/down, so the image moves left/up on the sensor.
    for (std::uint32_t y = 0; y < height; ++y)
      for (std::uint32_t x = 0; x < width; ++x) {
        const double u = double(x) - double(params.margin_px) + gaze.dx;
        const double v = double(y) - double(params.margin_px) + gaze.dy;
        out[std::size_t(y) * width + x] = std::log(sample(pixels, rows, cols, u, v) + params.dark_level);
      }
  };

  std::vector<double> reference(std::size_t(width) * height);
  std::vector<double> current(reference.size());
  log_frame(corners[0], reference);  // the pixels adapt to the first view before motion starts
  const double threshold = params.contrast_threshold;
  for (std::size_t s = 0; s < 3; ++s) {
    for (std::uint32_t f = 1; f <= frames_per_saccade; ++f) {
      const double a = double(f) / double(frames_per_saccade);
      const Offset gaze{corners[s].dx + a * (corners[s + 1].dx - corners[s].dx),
                        corners[s].dy + a * (corners[s + 1].dy - corners[s].dy)};
      log_frame(gaze, current);
      const std::uint64_t t = (std::uint64_t(s) * frames_per_saccade + f) * params.frame_us;
      for (std::uint32_t y = 0; y < height; ++y)
        for (std::uint32_t x = 0; x < width; ++x) {
          const std::size_t i = std::size_t(y) * width + x;
          // One event per threshold crossed; a large change gives several events in the same frame.
          while (current[i] - reference[i] >= threshold) {
            reference[i] += threshold;
            events.push_back(t, std::uint16_t(x), std::uint16_t(y), Polarity::on);
          }
          while (reference[i] - current[i] >= threshold) {
            reference[i] -= threshold;
            events.push_back(t, std::uint16_t(x), std::uint16_t(y), Polarity::off);
          }
        }
    }
  }
  return events;
}

}  // namespace qsnn::experiments::datasets
