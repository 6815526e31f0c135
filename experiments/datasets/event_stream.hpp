#pragma once
// Address events of a vision sensor as structure-of-arrays: event i is (t_us[i], x[i], y[i], polarity[i]).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace qsnn::experiments::datasets {

enum class Polarity : std::uint8_t { off = 0, on = 1 };

struct EventStream {
  std::uint16_t width = 0;   // sensor size: every x < width, every y < height
  std::uint16_t height = 0;
  std::vector<std::uint64_t> t_us;  // microseconds from the start of the recording, non-decreasing
  std::vector<std::uint16_t> x;
  std::vector<std::uint16_t> y;
  std::vector<std::uint8_t> polarity;  // Polarity as 0 (OFF) or 1 (ON)

  std::size_t size() const { return t_us.size(); }

  void push_back(std::uint64_t time_us, std::uint16_t column, std::uint16_t row, Polarity sign) {
    t_us.push_back(time_us);
    x.push_back(column);
    y.push_back(row);
    polarity.push_back(static_cast<std::uint8_t>(sign));
  }

  friend bool operator==(const EventStream&, const EventStream&) = default;
};

}  // namespace qsnn::experiments::datasets
