#include "experiments/datasets/aedat31_reader.hpp"

#include <stdexcept>
#include <string_view>

#include "experiments/datasets/idx_reader.hpp"

namespace qsnn::experiments::datasets {
namespace {

constexpr std::size_t kPacketHeaderBytes = 28;
constexpr std::int16_t kPolarityEventType = 1;
constexpr std::int32_t kPolarityEventBytes = 8;

std::uint32_t little_u32(std::span<const std::uint8_t> b, std::size_t at) {
  return std::uint32_t{b[at]} | (std::uint32_t{b[at + 1]} << 8U) | (std::uint32_t{b[at + 2]} << 16U) |
         (std::uint32_t{b[at + 3]} << 24U);
}
std::int32_t little_i32(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::int32_t>(little_u32(b, at));  // two's complement, defined since C++20
}
std::int16_t little_i16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::int16_t>(static_cast<std::uint16_t>(b[at] | (b[at + 1] << 8U)));
}

// Returns the offset of the first packet byte.
std::size_t skip_header(std::span<const std::uint8_t> bytes, const std::string& source) {
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  constexpr std::string_view kVersionLine = "#!AER-DAT3.1";
  if (!text.starts_with(kVersionLine))
    throw std::runtime_error(source + ": not an AEDAT 3.1 file (first line is not #!AER-DAT3.1)");
  std::size_t at = 0;
  while (at < text.size()) {
    if (text[at] != '#') break;
    const auto newline = text.find('\n', at);
    if (newline == std::string_view::npos) break;
    const auto line = text.substr(at, newline - at);
    at = newline + 1;
    if (line.starts_with("#!END-HEADER")) return at;
  }
  throw std::runtime_error(source + ": AEDAT 3.1 header has no #!END-HEADER line");
}

}  // namespace

EventStream parse_aedat31(std::span<const std::uint8_t> bytes, const std::string& source, std::uint16_t width,
                          std::uint16_t height) {
  EventStream events;
  events.width = width;
  events.height = height;
  std::size_t at = skip_header(bytes, source);
  std::size_t packet = 0;
  while (at < bytes.size()) {
    const auto where = source + ": packet " + std::to_string(packet) + " at byte " + std::to_string(at);
    if (bytes.size() - at < kPacketHeaderBytes) throw std::runtime_error(where + ": truncated packet header");
    const auto type = little_i16(bytes, at);
    const auto event_size = little_i32(bytes, at + 4);
    const auto ts_overflow = little_i32(bytes, at + 12);
    const auto capacity = little_i32(bytes, at + 16);
    const auto number = little_i32(bytes, at + 20);
    if (event_size <= 0 || capacity < 0 || number < 0 || number > capacity || ts_overflow < 0)
      throw std::runtime_error(where + ": malformed packet header (event size " + std::to_string(event_size) +
                               ", capacity " + std::to_string(capacity) + ", number " + std::to_string(number) +
                               ")");
    const std::uint64_t payload = std::uint64_t(event_size) * std::uint64_t(capacity);
    at += kPacketHeaderBytes;
    if (bytes.size() - at < payload)
      throw std::runtime_error(where + ": truncated: packet announces " + std::to_string(payload) +
                               " bytes of events, file holds " + std::to_string(bytes.size() - at));
    if (type == kPolarityEventType) {
      if (event_size != kPolarityEventBytes)
        throw std::runtime_error(where + ": polarity events must be 8 bytes, packet says " +
                                 std::to_string(event_size));
      for (std::int32_t i = 0; i < number; ++i) {
        const std::size_t e = at + std::size_t(i) * kPolarityEventBytes;
        const std::uint32_t data = little_u32(bytes, e);
        if ((data & 1U) == 0) continue;  // invalidated event (libcaer's valid mark)
        const std::uint32_t timestamp = little_u32(bytes, e + 4);
        if ((timestamp & 0x80000000U) != 0) throw std::runtime_error(where + ": negative event timestamp");
        const auto x = static_cast<std::uint16_t>((data >> 17U) & 0x7FFFU);
        const auto y = static_cast<std::uint16_t>((data >> 2U) & 0x7FFFU);
        if (x >= width || y >= height)
          throw std::runtime_error(where + ": event at (" + std::to_string(x) + ", " + std::to_string(y) +
                                   ") lies outside the " + std::to_string(width) + " x " + std::to_string(height) +
                                   " sensor");
        const std::uint64_t t = (std::uint64_t(ts_overflow) << 31U) | timestamp;
        events.push_back(t, x, y, (data & 2U) != 0 ? Polarity::on : Polarity::off);
      }
    }
    at += payload;
    ++packet;
  }
  return events;
}

EventStream read_aedat31(const std::filesystem::path& path, std::uint16_t width, std::uint16_t height) {
  const auto bytes = read_maybe_gzip_file(path);
  return parse_aedat31(bytes, path.string(), width, height);
}

}  // namespace qsnn::experiments::datasets
