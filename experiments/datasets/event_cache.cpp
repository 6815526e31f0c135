#include "experiments/datasets/event_cache.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <type_traits>

namespace qsnn::experiments::datasets {
namespace {

constexpr std::string_view kMagic = "QSNNEVC1";
constexpr std::uint32_t kFormatVersion = 1;

// FNV-1a, 64 bit: offset basis 14695981039346656037, prime 1099511628211 (draft-eastlake-fnv, section 2).
struct Fnv1a {
  std::uint64_t state = 14695981039346656037ULL;
  void add(std::span<const std::uint8_t> bytes) {
    for (const auto b : bytes) {
      state ^= b;
      state *= 1099511628211ULL;  // unsigned: wraps modulo 2^64 by definition
    }
  }
};

class Writer {
 public:
  template <class T>
  void put(T value) {
    static_assert(std::is_unsigned_v<T>);
    for (std::size_t k = 0; k < sizeof(T); ++k) bytes.push_back(static_cast<std::uint8_t>((value >> (8 * k)) & 0xFFU));
  }
  void put_double(double value) { put(std::bit_cast<std::uint64_t>(value)); }
  std::vector<std::uint8_t> bytes;
};

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  template <class T>
  std::optional<T> get() {
    if (bytes_.size() - at_ < sizeof(T)) return std::nullopt;
    T value = 0;
    for (std::size_t k = 0; k < sizeof(T); ++k) value = T(value | (T(bytes_[at_ + k]) << (8 * k)));
    at_ += sizeof(T);
    return value;
  }
  std::size_t remaining() const { return bytes_.size() - at_; }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t at_ = 0;
};

std::vector<std::uint8_t> header_bytes(const SaccadeParams& params, std::uint64_t fingerprint, std::uint64_t count) {
  Writer w;
  for (const char c : kMagic) w.put(static_cast<std::uint8_t>(c));
  w.put(kFormatVersion);
  w.put_double(params.contrast_threshold);
  w.put(params.saccade_us);
  w.put(params.frame_us);
  w.put_double(params.amplitude_px);
  w.put(params.margin_px);
  w.put_double(params.dark_level);
  w.put(fingerprint);
  w.put(count);
  return w.bytes;
}

void write_cache(const std::filesystem::path& file, const std::vector<std::uint8_t>& header,
                 const std::vector<EventStream>& streams) {
  Writer w;
  w.bytes = header;
  for (const auto& s : streams) {
    w.put(s.width);
    w.put(s.height);
    w.put(static_cast<std::uint64_t>(s.size()));
    for (std::size_t i = 0; i < s.size(); ++i) {
      w.put(s.t_us[i]);
      w.put(s.x[i]);
      w.put(s.y[i]);
      w.put(s.polarity[i]);
    }
  }
  Fnv1a hash;
  hash.add(w.bytes);
  w.put(hash.state);
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
  auto temporary = file;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(w.bytes.data()), static_cast<std::streamsize>(w.bytes.size()));
    if (!out) throw std::runtime_error(temporary.string() + ": cannot write the event cache");
  }
  std::filesystem::rename(temporary, file);
}

enum class ReadStatus { ok, other_key, damaged };

ReadStatus read_cache(const std::vector<std::uint8_t>& bytes, const std::vector<std::uint8_t>& header,
                      std::vector<EventStream>& streams) {
  // Not even our magic and version: a damaged (or foreign) file. Our magic with another key: other parameters.
  constexpr std::size_t kIdentityBytes = kMagic.size() + sizeof(kFormatVersion);
  if (bytes.size() < kIdentityBytes || std::memcmp(bytes.data(), header.data(), kIdentityBytes) != 0)
    return ReadStatus::damaged;
  const auto comparable = std::min(bytes.size(), header.size());
  if (std::memcmp(bytes.data(), header.data(), comparable) != 0) return ReadStatus::other_key;
  if (bytes.size() < header.size() + 8) return ReadStatus::damaged;
  const std::span<const std::uint8_t> all(bytes);
  Fnv1a hash;
  hash.add(all.first(bytes.size() - 8));
  Reader trailer(all.last(8));
  if (trailer.get<std::uint64_t>() != hash.state) return ReadStatus::damaged;
  Reader r(all.subspan(header.size(), bytes.size() - 8 - header.size()));
  Reader count_reader(all.subspan(header.size() - 8, 8));
  const auto count = *count_reader.get<std::uint64_t>();
  streams.assign(count, EventStream{});
  constexpr std::size_t kEventBytes = 8 + 2 + 2 + 1;
  for (auto& s : streams) {
    const auto width = r.get<std::uint16_t>();
    const auto height = r.get<std::uint16_t>();
    const auto n = r.get<std::uint64_t>();
    if (!width || !height || !n || *n > r.remaining() / kEventBytes) return ReadStatus::damaged;
    s.width = *width;
    s.height = *height;
    for (std::uint64_t i = 0; i < *n; ++i) {
      // Separate statements: the fields must be read in file order (argument order is unspecified).
      const auto t = *r.get<std::uint64_t>();
      const auto x = *r.get<std::uint16_t>();
      const auto y = *r.get<std::uint16_t>();
      const auto polarity = *r.get<std::uint8_t>();
      if (polarity > 1) return ReadStatus::damaged;
      s.push_back(t, x, y, polarity == 1 ? Polarity::on : Polarity::off);
    }
  }
  return r.remaining() == 0 ? ReadStatus::ok : ReadStatus::damaged;
}

}  // namespace

std::uint64_t image_set_fingerprint(const ImageSet& images) {
  Writer shape;
  shape.put(images.rows);
  shape.put(images.cols);
  shape.put(static_cast<std::uint64_t>(images.size()));
  Fnv1a hash;
  hash.add(shape.bytes);
  hash.add(images.pixels);
  hash.add(images.labels);
  return hash.state;
}

CachedEvents saccade_events_cached(const std::filesystem::path& cache_file, const ImageSet& images,
                                   const SaccadeParams& params) {
  if (images.pixels.size() != images.size() * images.pixels_per_image())
    throw std::invalid_argument("saccade cache: image set's pixel count does not match its labels");
  const auto header = header_bytes(params, image_set_fingerprint(images), images.size());
  CachedEvents result;
  result.outcome = CacheOutcome::created;
  std::error_code ec;
  if (std::filesystem::is_regular_file(cache_file, ec)) {
    std::ifstream in(cache_file, std::ios::binary);
    const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    switch (read_cache(bytes, header, result.streams)) {
      case ReadStatus::ok: result.outcome = CacheOutcome::hit; return result;
      case ReadStatus::other_key: result.outcome = CacheOutcome::parameters_changed; break;
      case ReadStatus::damaged: result.outcome = CacheOutcome::rebuilt_damaged; break;
    }
  }
  result.streams.assign(images.size(), EventStream{});
  tbb::parallel_for(std::size_t{0}, images.size(), [&](std::size_t i) {
    result.streams[i] = emulate_saccades(images.image(i), images.rows, images.cols, params);
  });
  write_cache(cache_file, header, result.streams);
  return result;
}

}  // namespace qsnn::experiments::datasets
