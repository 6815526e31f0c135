// Saccade emulation (N-MNIST protocol) and its on-disk cache.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "experiments/datasets/event_cache.hpp"
#include "experiments/datasets/saccade_emulation.hpp"
#include "tests/experiments/test_dataset_files.hpp"

namespace ds = qsnn::experiments::datasets;
using qsnn::test::ScratchDir;

namespace {

// Left half black, right half white.
std::vector<std::uint8_t> step_image(std::uint32_t rows, std::uint32_t cols) {
  std::vector<std::uint8_t> image(std::size_t(rows) * cols, 0);
  for (std::uint32_t y = 0; y < rows; ++y)
    for (std::uint32_t x = cols / 2; x < cols; ++x) image[std::size_t(y) * cols + x] = 255;
  return image;
}

ds::ImageSet small_set() {
  ds::ImageSet set;
  set.rows = 12;
  set.cols = 12;
  for (int i = 0; i < 3; ++i) {
    for (std::uint32_t p = 0; p < 144; ++p) set.pixels.push_back(std::uint8_t(((p % 12) > std::uint32_t(3 + 2 * i)) ? 200 : 0));
    set.labels.push_back(std::uint8_t(i));
  }
  return set;
}

ds::SaccadeParams fast_params() {
  ds::SaccadeParams params;
  params.saccade_us = 20000;
  params.frame_us = 1000;
  return params;
}

}  // namespace

TEST_CASE("saccades over a blank image give no events") {
  const std::vector<std::uint8_t> blank(28 * 28, 0);
  const auto events = ds::emulate_saccades(blank, 28, 28, ds::SaccadeParams{});
  CHECK(events.size() == 0);
  CHECK(events.width == 34);  // 28 + 2 * 3, the N-MNIST sensor size
  CHECK(events.height == 34);
}

TEST_CASE("saccades over a step image give ON and OFF events only next to its edges") {
  constexpr std::uint32_t kRows = 40;
  constexpr std::uint32_t kCols = 40;
  const ds::SaccadeParams params;  // amplitude 3 px, margin 3 px
  const auto image = step_image(kRows, kCols);
  const auto events = ds::emulate_saccades(image, kRows, kCols, params);
  REQUIRE(events.size() > 0);

  // Edges of the scene as the sensor sees it at rest: the black/white step and the white half's border with
  // the black surround. A pixel can only change while an edge sweeps over it: within amplitude + 1 of one.
  const std::uint32_t width = events.width;
  const std::uint32_t height = events.height;
  auto scene = [&](std::int64_t x, std::int64_t y) -> int {
    const std::int64_t u = x - params.margin_px;
    const std::int64_t v = y - params.margin_px;
    if (u < 0 || v < 0 || u >= kCols || v >= kRows) return 0;
    return image[std::size_t(v) * kCols + std::size_t(u)];
  };
  std::vector<std::uint8_t> near_edge(std::size_t(width) * height, 0);
  const int reach = int(params.amplitude_px) + 1;
  for (std::int64_t y = 0; y < height; ++y)
    for (std::int64_t x = 0; x < width; ++x) {
      const bool edge = scene(x, y) != scene(x + 1, y) || scene(x, y) != scene(x, y + 1);
      if (!edge) continue;
      for (std::int64_t dy = -reach; dy <= reach; ++dy)
        for (std::int64_t dx = -reach; dx <= reach; ++dx)
          if (x + dx >= 0 && y + dy >= 0 && x + dx < width && y + dy < height)
            near_edge[std::size_t(y + dy) * width + std::size_t(x + dx)] = 1;
    }
  std::size_t on = 0;
  std::size_t off = 0;
  std::size_t far_from_edges = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (near_edge[std::size_t(events.y[i]) * width + events.x[i]] == 0) ++far_from_edges;
    (events.polarity[i] == 1 ? on : off) += 1;
  }
  CHECK(far_from_edges == 0);
  CHECK(on > 0);
  CHECK(off > 0);
  // The middle of the white half and of the black half stay silent.
  for (std::size_t i = 0; i < events.size(); ++i) {
    CHECK_FALSE((events.x[i] == 3 + 30 && events.y[i] == 3 + 20));
    CHECK_FALSE((events.x[i] == 3 + 8 && events.y[i] == 3 + 20));
  }
  // Time covers the three saccades and never goes backwards.
  CHECK(std::is_sorted(events.t_us.begin(), events.t_us.end()));
  CHECK(events.t_us.back() <= 3U * params.saccade_us);
  CHECK(events.t_us.back() > 2U * params.saccade_us);  // the third saccade moves the edge too
  // Deterministic.
  CHECK(ds::emulate_saccades(image, kRows, kCols, params) == events);
}

TEST_CASE("saccade emulation rejects inconsistent parameters") {
  const auto image = step_image(8, 8);
  auto params = ds::SaccadeParams{};
  params.contrast_threshold = 0.0;
  CHECK_THROWS_AS(ds::emulate_saccades(image, 8, 8, params), std::invalid_argument);
  params = ds::SaccadeParams{};
  params.frame_us = 3000;  // does not divide 100000
  CHECK_THROWS_AS(ds::emulate_saccades(image, 8, 8, params), std::invalid_argument);
  params = ds::SaccadeParams{};
  params.margin_px = 2;  // smaller than the 3 px amplitude
  CHECK_THROWS_AS(ds::emulate_saccades(image, 8, 8, params), std::invalid_argument);
  CHECK_THROWS_AS(ds::emulate_saccades(image, 8, 7, ds::SaccadeParams{}), std::invalid_argument);
}

TEST_CASE("saccade event cache hits, converts on a miss and rebuilds on new parameters or damage") {
  ScratchDir dir("saccade_cache");
  const auto file = dir / "cache" / "train.events";
  auto images = small_set();
  auto params = fast_params();
  std::vector<ds::EventStream> direct;
  for (std::size_t i = 0; i < images.size(); ++i)
    direct.push_back(ds::emulate_saccades(images.image(i), images.rows, images.cols, params));
  REQUIRE(direct[0].size() > 0);

  auto first = ds::saccade_events_cached(file, images, params);
  CHECK(first.outcome == ds::CacheOutcome::created);
  CHECK(first.streams == direct);
  CHECK(std::filesystem::exists(file));
  auto tmp = file;
  tmp += ".tmp";
  CHECK_FALSE(std::filesystem::exists(tmp));

  auto second = ds::saccade_events_cached(file, images, params);
  CHECK(second.outcome == ds::CacheOutcome::hit);
  CHECK(second.streams == direct);

  params.contrast_threshold = 0.3;
  auto changed = ds::saccade_events_cached(file, images, params);
  CHECK(changed.outcome == ds::CacheOutcome::parameters_changed);
  CHECK(changed.streams.size() == 3);
  CHECK(changed.streams[0].size() < direct[0].size());  // a higher threshold gives fewer events
  CHECK(ds::saccade_events_cached(file, images, params).outcome == ds::CacheOutcome::hit);

  images.pixels[5] = 255;  // other images, same parameters
  CHECK(ds::saccade_events_cached(file, images, params).outcome == ds::CacheOutcome::parameters_changed);
  const auto good = ds::saccade_events_cached(file, images, params);
  REQUIRE(good.outcome == ds::CacheOutcome::hit);

  auto bytes = qsnn::test::read_bytes(file);
  auto flipped = bytes;
  flipped[flipped.size() / 2] ^= 0x01;
  qsnn::test::write_bytes(file, flipped);
  auto repaired = ds::saccade_events_cached(file, images, params);
  CHECK(repaired.outcome == ds::CacheOutcome::rebuilt_damaged);
  CHECK(repaired.streams == good.streams);
  qsnn::test::write_bytes(file, {bytes.begin(), bytes.begin() + std::ptrdiff_t(bytes.size() - 20)});
  CHECK(ds::saccade_events_cached(file, images, params).outcome == ds::CacheOutcome::rebuilt_damaged);
  qsnn::test::write_bytes(file, {'j', 'u', 'n', 'k'});
  CHECK(ds::saccade_events_cached(file, images, params).outcome == ds::CacheOutcome::rebuilt_damaged);
  const auto final_read = ds::saccade_events_cached(file, images, params);
  CHECK(final_read.outcome == ds::CacheOutcome::hit);
  CHECK(final_read.streams == good.streams);
}
