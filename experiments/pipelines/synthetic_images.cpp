#include "experiments/pipelines/synthetic_images.hpp"

#include <stdexcept>

#include "quant/counter_rng.hpp"

namespace qsnn::experiments {

SyntheticImages::SyntheticImages(std::size_t count, std::size_t classes_, std::uint64_t seed, std::uint64_t stream)
    : classes(classes_) {
  if (classes < 2 || classes > 4) throw std::invalid_argument("synthetic images: 2..4 classes (bands must not overlap)");
  const quant::CounterRng rng{seed, stream};
  pixels.reserve(count * 784);
  for (std::size_t i = 0; i < count; ++i) {
    const auto label = static_cast<std::uint8_t>((i * 7 + i / classes) % classes);
    labels.push_back(label);
    const std::size_t first = 2 + 26 * std::size_t{label} / classes;
    for (std::size_t p = 0; p < 784; ++p) {
      const std::size_t row = p / 28;
      const double u = rng.uniform01(i, p);
      const bool band = row >= first && row < first + 7;
      pixels.push_back(band ? (u < 0.7 ? 255 : 0) : (u < 0.05 ? 60 : 0));
    }
  }
}

}  // namespace qsnn::experiments
