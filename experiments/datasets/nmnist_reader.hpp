#pragma once
// The N-MNIST / N-Caltech101 binary event format (Orchard, Jayawant, Cohen & Thakor 2015, "Converting static
// image datasets to spiking neuromorphic datasets using saccades", Front. Neurosci. 9:437; format described at
// garrickorchard.com/datasets/n-mnist): 5 bytes (40 bits) per event, big-endian bit numbering:
//   bits 39-32 x address, bits 31-24 y address, bit 23 polarity (1 ON, 0 OFF), bits 22-0 timestamp in us.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "experiments/datasets/event_stream.hpp"

namespace qsnn::experiments::datasets {

inline constexpr std::uint16_t kNmnistSensorSize = 34;  // ATIS crop used for N-MNIST: 34 x 34 pixels

// The file may also be gzip-compressed. Throws std::runtime_error naming the file when it is missing, is not a
// whole number of 5-byte events, holds an address outside width x height, or its timestamps go backwards.
EventStream read_nmnist(const std::filesystem::path& path, std::uint16_t width = kNmnistSensorSize,
                        std::uint16_t height = kNmnistSensorSize);
EventStream parse_nmnist(std::span<const std::uint8_t> bytes, const std::string& source, std::uint16_t width,
                         std::uint16_t height);

}  // namespace qsnn::experiments::datasets
