#pragma once
// Event-camera emulation of a static image by simulated saccades, following the N-MNIST protocol (Orchard et
// al. 2015, Front. Neurosci. 9:437, section 2: the sensor makes three saccades along the sides of a triangle,
// about 100 ms each, and every pixel emits an ON or OFF event when its log intensity has changed by more than a
// threshold since its last event). Pixel model: the DVS of Lichtsteiner, Posch & Delbruck 2008 (IEEE JSSC 43(2)),
// which stores the log intensity at its last event and fires when |log I - log I_ref| reaches the contrast
// threshold; each event moves the reference by one threshold.
// Fully deterministic: the motion is a fixed path and the pixel model has no noise, so no random draws.
#include <cstdint>
#include <span>

#include "experiments/datasets/event_stream.hpp"
#include "experiments/datasets/image_dataset.hpp"

namespace qsnn::experiments::datasets {

struct SaccadeParams {
  double contrast_threshold = 0.15;   // in natural-log units of intensity (DVS typical 10-20 %)
  std::uint32_t saccade_us = 100000;  // duration of each of the three saccades
  std::uint32_t frame_us = 1000;      // the image is resampled every frame_us along the path
  double amplitude_px = 3.0;          // the triangle's side, in pixels
  std::uint16_t margin_px = 3;        // sensor = image + 2 * margin (28 x 28 -> 34 x 34, as in N-MNIST)
  double dark_level = 1.0;            // added to 0..255 intensities before the log so black is finite

  friend bool operator==(const SaccadeParams&, const SaccadeParams&) = default;
};

// Throws std::invalid_argument for a non-positive threshold, zero durations, frame_us not dividing saccade_us,
// a negative amplitude or dark level, a margin smaller than the amplitude, or pixels.size() != rows * cols.
EventStream emulate_saccades(std::span<const std::uint8_t> pixels, std::uint32_t rows, std::uint32_t cols,
                             const SaccadeParams& params);

}  // namespace qsnn::experiments::datasets
