#pragma once
// A synthetic image dataset for quick runs and tests that must not depend on downloaded data: `classes`
// classes of 28 x 28 images, class c a bright horizontal band of 7 rows (starting at row 2 + 26 c / classes),
// 30 % of its pixels dropped, with faint background noise. Deterministic: pixel p of image i comes from
// quant::CounterRng (seed, stream, i, p). Labels cycle so that every class is equally frequent.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "experiments/pipelines/diehl_cook_training.hpp"

namespace qsnn::experiments {

struct SyntheticImages {
  std::vector<std::uint8_t> pixels;
  std::vector<std::uint8_t> labels;
  std::size_t classes = 3;

  SyntheticImages(std::size_t count, std::size_t classes, std::uint64_t seed, std::uint64_t stream);
  ImageSplit split() const { return {pixels, labels, 784, classes}; }
};

}  // namespace qsnn::experiments
