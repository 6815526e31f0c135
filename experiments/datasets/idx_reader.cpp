#include "experiments/datasets/idx_reader.hpp"

#include <zlib.h>

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

namespace qsnn::experiments::datasets {
namespace {

constexpr std::uint8_t kIdxUnsignedByteType = 0x08;

[[noreturn]] void fail(const std::string& source, const std::string& what) {
  throw std::runtime_error(source + ": " + what);
}

std::vector<std::uint8_t> read_raw(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) fail(path.string(), "no such file");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path.string(), "cannot open for reading");
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) fail(path.string(), "read error");
  return bytes;
}

bool is_gzip(std::span<const std::uint8_t> bytes) { return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b; }

// RFC 1952 streams, possibly several members back to back (gzip allows concatenation).
std::vector<std::uint8_t> inflate_gzip(std::span<const std::uint8_t> compressed, const std::string& source) {
  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) fail(source, "zlib could not start inflating");
  std::vector<std::uint8_t> out;
  std::vector<std::uint8_t> chunk(1 << 16);
  stream.next_in = const_cast<Bytef*>(compressed.data());  // zlib's API is not const-correct; it never writes input
  stream.avail_in = static_cast<uInt>(compressed.size());
  int status = Z_OK;
  while (true) {
    stream.next_out = chunk.data();
    stream.avail_out = static_cast<uInt>(chunk.size());
    status = inflate(&stream, Z_NO_FLUSH);
    out.insert(out.end(), chunk.data(), chunk.data() + (chunk.size() - stream.avail_out));
    if (status == Z_STREAM_END) {
      if (stream.avail_in == 0) break;
      if (inflateReset(&stream) != Z_OK) break;
      continue;
    }
    if (status == Z_OK) continue;
    if (status == Z_BUF_ERROR && stream.avail_in == 0) {
      inflateEnd(&stream);
      fail(source, "gzip stream is truncated (ends before its end marker)");
    }
    const std::string message = stream.msg != nullptr ? stream.msg : "error " + std::to_string(status);
    inflateEnd(&stream);
    fail(source, "gzip stream is damaged: " + message);
  }
  inflateEnd(&stream);
  return out;
}

std::uint32_t big_endian_u32(std::span<const std::uint8_t> bytes, std::size_t at) {
  return (std::uint32_t{bytes[at]} << 24U) | (std::uint32_t{bytes[at + 1]} << 16U) |
         (std::uint32_t{bytes[at + 2]} << 8U) | std::uint32_t{bytes[at + 3]};
}

void put_big_endian_u32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>((value >> shift) & 0xFFU));
}

}  // namespace

std::vector<std::uint8_t> read_maybe_gzip_file(const std::filesystem::path& path) {
  auto raw = read_raw(path);
  if (!is_gzip(raw)) return raw;
  return inflate_gzip(raw, path.string());
}

IdxArray parse_idx_ubyte(std::span<const std::uint8_t> bytes, const std::string& source) {
  if (bytes.size() < 4) fail(source, "too short for an IDX header (" + std::to_string(bytes.size()) + " bytes)");
  if (bytes[0] != 0 || bytes[1] != 0) fail(source, "not an IDX file (magic does not start with two zero bytes)");
  if (bytes[2] != kIdxUnsignedByteType)
    fail(source, "IDX element type " + std::to_string(bytes[2]) + " is not unsigned byte (8)");
  const std::size_t rank = bytes[3];
  if (rank == 0) fail(source, "IDX header declares zero dimensions");
  const std::size_t header = 4 + 4 * rank;
  if (bytes.size() < header) fail(source, "truncated in the IDX header (" + std::to_string(rank) + " dimensions)");
  IdxArray array;
  std::uint64_t expected = 1;
  for (std::size_t d = 0; d < rank; ++d) {
    const std::uint32_t size = big_endian_u32(bytes, 4 + 4 * d);
    array.dims.push_back(size);
    constexpr std::uint64_t kLargestPlausible = std::uint64_t{1} << 40;  // 1 TiB: checked before multiplying
    if (size != 0 && expected > kLargestPlausible / size) fail(source, "IDX dimensions are implausibly large");
    expected *= size;
  }
  const std::uint64_t available = bytes.size() - header;
  if (available < expected)
    fail(source, "truncated: header announces " + std::to_string(expected) + " data bytes, file holds " +
                     std::to_string(available));
  if (available > expected)
    fail(source, "has " + std::to_string(available - expected) + " bytes after the " + std::to_string(expected) +
                     " data bytes the header announces");
  array.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  return array;
}

IdxArray read_idx_ubyte(const std::filesystem::path& path) {
  const auto bytes = read_maybe_gzip_file(path);
  return parse_idx_ubyte(bytes, path.string());
}

void write_idx_ubyte(const std::filesystem::path& path, const std::vector<std::uint32_t>& dims,
                     std::span<const std::uint8_t> data, bool gzip) {
  if (dims.empty() || dims.size() > 255) fail(path.string(), "IDX needs 1..255 dimensions");
  std::uint64_t product = 1;
  for (const auto d : dims) product *= d;
  if (product != data.size()) fail(path.string(), "dimensions do not match the data size");
  std::vector<std::uint8_t> bytes{0, 0, kIdxUnsignedByteType, static_cast<std::uint8_t>(dims.size())};
  for (const auto d : dims) put_big_endian_u32(bytes, d);
  bytes.insert(bytes.end(), data.begin(), data.end());
  if (gzip) {
    gzFile file = gzopen(path.string().c_str(), "wb");
    if (file == nullptr) fail(path.string(), "cannot open for writing");
    const int written = gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
    if (gzclose(file) != Z_OK || written != static_cast<int>(bytes.size())) fail(path.string(), "write failed");
    return;
  }
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) fail(path.string(), "write failed");
}

}  // namespace qsnn::experiments::datasets
