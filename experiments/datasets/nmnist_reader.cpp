#include "experiments/datasets/nmnist_reader.hpp"

#include <stdexcept>

#include "experiments/datasets/idx_reader.hpp"

namespace qsnn::experiments::datasets {

EventStream parse_nmnist(std::span<const std::uint8_t> bytes, const std::string& source, std::uint16_t width,
                         std::uint16_t height) {
  constexpr std::size_t kEventBytes = 5;
  if (bytes.size() % kEventBytes != 0)
    throw std::runtime_error(source + ": truncated N-MNIST file: " + std::to_string(bytes.size()) +
                             " bytes is not a whole number of 5-byte events");
  EventStream events;
  events.width = width;
  events.height = height;
  const std::size_t count = bytes.size() / kEventBytes;
  events.t_us.reserve(count);
  events.x.reserve(count);
  events.y.reserve(count);
  events.polarity.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const auto* e = bytes.data() + i * kEventBytes;
    const std::uint16_t x = e[0];
    const std::uint16_t y = e[1];
    const auto polarity = (e[2] & 0x80U) != 0 ? Polarity::on : Polarity::off;
    const std::uint64_t t = (std::uint64_t{e[2] & 0x7FU} << 16U) | (std::uint64_t{e[3]} << 8U) | e[4];
    if (x >= width || y >= height)
      throw std::runtime_error(source + ": event " + std::to_string(i) + " at (" + std::to_string(x) + ", " +
                               std::to_string(y) + ") lies outside the " + std::to_string(width) + " x " +
                               std::to_string(height) + " sensor");
    if (!events.t_us.empty() && t < events.t_us.back())
      throw std::runtime_error(source + ": event " + std::to_string(i) + " has timestamp " + std::to_string(t) +
                               " us, earlier than the event before it");
    events.push_back(t, x, y, polarity);
  }
  return events;
}

EventStream read_nmnist(const std::filesystem::path& path, std::uint16_t width, std::uint16_t height) {
  const auto bytes = read_maybe_gzip_file(path);
  return parse_nmnist(bytes, path.string(), width, height);
}

}  // namespace qsnn::experiments::datasets
