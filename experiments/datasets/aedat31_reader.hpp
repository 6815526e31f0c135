#pragma once
// AEDAT 3.1 files as written by cAER/jAER for DVS128 Gesture (Amir et al. 2017). Format (inivation docs,
// "AEDAT 3.1", and libcaer include/libcaer/events/common.h and polarity.h): ASCII header lines starting with
// '#' (first "#!AER-DAT3.1", last "#!END-HEADER"), then packets, all little-endian. A packet is a 28-byte header
//   int16 eventType, int16 eventSource, int32 eventSize, int32 eventTSOffset, int32 eventTSOverflow,
//   int32 eventCapacity, int32 eventNumber, int32 eventValid
// followed by eventCapacity * eventSize bytes of events. A polarity event (type 1) is 8 bytes: uint32 data
// (bit 0 valid, bit 1 polarity, bits 2-16 y, bits 17-31 x) and int32 timestamp in us; the full time is
// (eventTSOverflow << 31) | timestamp. Other event types are skipped; invalid polarity events are dropped.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "experiments/datasets/event_stream.hpp"

namespace qsnn::experiments::datasets {

inline constexpr std::uint16_t kDvs128SensorSize = 128;

// Throws std::runtime_error naming the file for a missing or wrong header, a truncated packet, a polarity
// packet whose event size is not 8, or an address outside width x height.
EventStream read_aedat31(const std::filesystem::path& path, std::uint16_t width = kDvs128SensorSize,
                         std::uint16_t height = kDvs128SensorSize);
EventStream parse_aedat31(std::span<const std::uint8_t> bytes, const std::string& source, std::uint16_t width,
                          std::uint16_t height);

}  // namespace qsnn::experiments::datasets
