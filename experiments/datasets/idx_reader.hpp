#pragma once
// IDX files of unsigned bytes (LeCun et al., "THE MNIST DATABASE", yann.lecun.com/exdb/mnist: magic 0x00 0x00
// 0x08 NDIMS, then NDIMS big-endian uint32 sizes, then the bytes in row-major order), plain or gzip-compressed.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace qsnn::experiments::datasets {

struct IdxArray {
  std::vector<std::uint32_t> dims;  // outermost first: {count, rows, cols} for images, {count} for labels
  std::vector<std::uint8_t> data;   // product(dims) bytes, row-major
};

// Reads a whole file, inflating it when it starts with the gzip magic. Throws std::runtime_error naming the
// file when it is missing, unreadable or a damaged/truncated gzip stream.
std::vector<std::uint8_t> read_maybe_gzip_file(const std::filesystem::path& path);

// Strict: the magic must announce unsigned bytes, and the file must hold exactly product(dims) data bytes
// (no fewer: truncated; no more: trailing garbage). Errors (std::runtime_error) name the file and the fault.
IdxArray read_idx_ubyte(const std::filesystem::path& path);

// Parses IDX bytes already in memory; `source` names them in error messages.
IdxArray parse_idx_ubyte(std::span<const std::uint8_t> bytes, const std::string& source);

// Writes an IDX ubyte file (gzip-compressed when `gzip`); dims' product must equal data.size().
void write_idx_ubyte(const std::filesystem::path& path, const std::vector<std::uint32_t>& dims,
                     std::span<const std::uint8_t> data, bool gzip);

}  // namespace qsnn::experiments::datasets
