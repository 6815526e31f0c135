// N-MNIST and AEDAT 3.1 readers on small files written here byte by byte from the format descriptions
// (Orchard et al. 2015 for N-MNIST; libcaer's event packet and polarity event layout for AEDAT 3.1).
#include <doctest/doctest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "experiments/datasets/aedat31_reader.hpp"
#include "experiments/datasets/nmnist_reader.hpp"
#include "tests/experiments/test_dataset_files.hpp"

namespace ds = qsnn::experiments::datasets;
using qsnn::test::ScratchDir;

namespace {

ds::EventStream sample_stream(std::uint16_t width, std::uint16_t height, std::uint64_t max_t) {
  ds::EventStream s;
  s.width = width;
  s.height = height;
  s.push_back(0, 0, 0, ds::Polarity::off);
  s.push_back(17, std::uint16_t(width - 1), 2, ds::Polarity::on);
  s.push_back(17, 5, std::uint16_t(height - 1), ds::Polarity::off);
  s.push_back(max_t / 2, 3, 4, ds::Polarity::on);
  s.push_back(max_t, 1, 1, ds::Polarity::on);
  return s;
}

// 40 bits per event: x, y, then polarity in the top bit of a 24-bit big-endian timestamp.
std::vector<std::uint8_t> nmnist_bytes(const ds::EventStream& s) {
  std::vector<std::uint8_t> bytes;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const std::uint32_t low = std::uint32_t(s.t_us[i]) | (std::uint32_t(s.polarity[i]) << 23U);
    bytes.insert(bytes.end(), {std::uint8_t(s.x[i]), std::uint8_t(s.y[i]), std::uint8_t(low >> 16U),
                               std::uint8_t(low >> 8U), std::uint8_t(low)});
  }
  return bytes;
}

void put_le(std::vector<std::uint8_t>& out, std::uint32_t value, int bytes) {
  for (int k = 0; k < bytes; ++k) out.push_back(std::uint8_t(value >> (8 * k)));
}

void put_packet_header(std::vector<std::uint8_t>& out, std::uint16_t type, std::uint32_t event_size,
                       std::uint32_t ts_overflow, std::uint32_t capacity, std::uint32_t number) {
  put_le(out, type, 2);
  put_le(out, 1, 2);  // event source
  put_le(out, event_size, 4);
  put_le(out, 4, 4);  // offset of the timestamp inside an event
  put_le(out, ts_overflow, 4);
  put_le(out, capacity, 4);
  put_le(out, number, 4);
  put_le(out, number, 4);  // valid count
}

std::vector<std::uint8_t> aedat_header() {
  const std::string text = "#!AER-DAT3.1\r\n#Format: RAW\r\n#Source 1: DVS128\r\n#!END-HEADER\r\n";
  return {text.begin(), text.end()};
}

void put_polarity(std::vector<std::uint8_t>& out, std::uint16_t x, std::uint16_t y, bool on, std::uint32_t t,
                  bool valid = true) {
  put_le(out, (std::uint32_t(x) << 17U) | (std::uint32_t(y) << 2U) | (on ? 2U : 0U) | (valid ? 1U : 0U), 4);
  put_le(out, t, 4);
}

}  // namespace

TEST_CASE("n-mnist reader round-trips a written file") {
  ScratchDir dir("nmnist_roundtrip");
  const auto expected = sample_stream(34, 34, (1U << 23U) - 1);  // the largest 23-bit timestamp
  qsnn::test::write_bytes(dir / "00001.bin", nmnist_bytes(expected));
  CHECK(ds::read_nmnist(dir / "00001.bin") == expected);
  // An empty file is a valid recording with no events.
  qsnn::test::write_bytes(dir / "empty.bin", {});
  CHECK(ds::read_nmnist(dir / "empty.bin").size() == 0);
}

TEST_CASE("n-mnist reader rejects truncated files, addresses off the sensor and time going backwards") {
  ScratchDir dir("nmnist_damaged");
  const auto bytes = nmnist_bytes(sample_stream(34, 34, 1000));
  qsnn::test::write_bytes(dir / "cut.bin", {bytes.begin(), bytes.end() - 2});
  CHECK_THROWS_WITH_AS(ds::read_nmnist(dir / "cut.bin"), doctest::Contains("not a whole number of 5-byte events"),
                       std::runtime_error);
  auto off_sensor = bytes;
  off_sensor[5] = 34;  // second event's x
  qsnn::test::write_bytes(dir / "off.bin", off_sensor);
  CHECK_THROWS_WITH_AS(ds::read_nmnist(dir / "off.bin"), doctest::Contains("outside the 34 x 34 sensor"),
                       std::runtime_error);
  auto backwards = bytes;
  backwards[18] = 0xFF;  // fourth event's time (500 us) becomes 65524 us, later than the fifth's
  qsnn::test::write_bytes(dir / "back.bin", backwards);
  CHECK_THROWS_WITH_AS(ds::read_nmnist(dir / "back.bin"), doctest::Contains("earlier than the event before"),
                       std::runtime_error);
  CHECK_THROWS_WITH_AS(ds::read_nmnist(dir / "absent.bin"), doctest::Contains("absent.bin"), std::runtime_error);
}

TEST_CASE("aedat 3.1 reader round-trips polarity events and skips other event types") {
  ScratchDir dir("aedat_roundtrip");
  auto bytes = aedat_header();
  // Packet 1: three polarity events, one of them invalidated; capacity 4 > number 3 leaves one unused slot.
  put_packet_header(bytes, 1, 8, 0, 4, 3);
  put_polarity(bytes, 127, 0, true, 10);
  put_polarity(bytes, 5, 6, false, 11, false);
  put_polarity(bytes, 0, 127, false, 12);
  put_polarity(bytes, 0, 0, true, 0);  // beyond eventNumber: ignored
  // Packet 2: a frame-like event type with 12-byte events, skipped whole.
  put_packet_header(bytes, 2, 12, 0, 2, 2);
  for (int k = 0; k < 24; ++k) bytes.push_back(0xAB);
  // Packet 3: polarity events after one timestamp overflow: time = 2^31 + t.
  put_packet_header(bytes, 1, 8, 1, 1, 1);
  put_polarity(bytes, 64, 65, true, 7);
  qsnn::test::write_bytes(dir / "user01_fluorescent.aedat", bytes);

  ds::EventStream expected;
  expected.width = 128;
  expected.height = 128;
  expected.push_back(10, 127, 0, ds::Polarity::on);
  expected.push_back(12, 0, 127, ds::Polarity::off);
  expected.push_back((std::uint64_t{1} << 31U) + 7, 64, 65, ds::Polarity::on);
  CHECK(ds::read_aedat31(dir / "user01_fluorescent.aedat") == expected);
}

TEST_CASE("aedat 3.1 reader rejects a wrong header and truncated or malformed packets") {
  ScratchDir dir("aedat_damaged");
  auto good = aedat_header();
  put_packet_header(good, 1, 8, 0, 2, 2);
  put_polarity(good, 1, 2, true, 10);
  put_polarity(good, 3, 4, false, 20);
  auto rejected = [&](const std::string& name, const std::vector<std::uint8_t>& bytes) {
    qsnn::test::write_bytes(dir / name, bytes);
    try {
      ds::read_aedat31(dir / name);
    } catch (const std::runtime_error& e) {
      const std::string message = e.what();
      CHECK_MESSAGE(message.find(name) != std::string::npos, message);
      return message;
    }
    return std::string("no error");
  };
  qsnn::test::write_bytes(dir / "good.aedat", good);
  REQUIRE(ds::read_aedat31(dir / "good.aedat").size() == 2);

  CHECK(rejected("cut_events.aedat", {good.begin(), good.end() - 3}).find("truncated") != std::string::npos);
  const auto header_end = aedat_header().size();
  CHECK(rejected("cut_header.aedat", {good.begin(), good.begin() + std::ptrdiff_t(header_end + 20)})
            .find("truncated packet header") != std::string::npos);
  auto wrong_size = good;
  wrong_size[header_end + 4] = 6;  // polarity events declared 6 bytes long
  CHECK(rejected("size6.aedat", wrong_size).find("must be 8 bytes") != std::string::npos);
  auto more_than_capacity = good;
  more_than_capacity[header_end + 20] = 3;  // eventNumber 3 > eventCapacity 2
  CHECK(rejected("number.aedat", more_than_capacity).find("malformed packet header") != std::string::npos);
  auto no_version = good;
  no_version[9] = '2';  // "#!AER-DAT2.1"
  CHECK(rejected("v2.aedat", no_version).find("not an AEDAT 3.1 file") != std::string::npos);
  const std::string unterminated = "#!AER-DAT3.1\r\n#Format: RAW\r\n";
  CHECK(rejected("no_end.aedat", {unterminated.begin(), unterminated.end()}).find("#!END-HEADER") !=
        std::string::npos);
  auto off_sensor = aedat_header();
  put_packet_header(off_sensor, 1, 8, 0, 1, 1);
  put_polarity(off_sensor, 128, 0, true, 1);
  CHECK(rejected("off.aedat", off_sensor).find("outside the 128 x 128 sensor") != std::string::npos);
}
