#include "quant/qformat.hpp"

#include <stdexcept>

namespace qsnn::quant {

QFormat::QFormat(int total_bits, int frac_bits, bool is_signed)
    : total_bits_(total_bits), frac_bits_(frac_bits), is_signed_(is_signed) {
  if (total_bits < 1 || total_bits > kMaxTotalBits)
    throw std::invalid_argument("fixed-point format with " + std::to_string(total_bits) +
                                " total bits (allowed 1..32)");
  if (frac_bits < kMinFracBits || frac_bits > kMaxFracBits)
    throw std::invalid_argument("fixed-point format with " + std::to_string(frac_bits) +
                                " fractional bits (allowed -32..62)");
  if (is_signed) {
    min_code_ = -(std::int64_t{1} << (total_bits - 1));
    max_code_ = (std::int64_t{1} << (total_bits - 1)) - 1;
  } else {
    min_code_ = 0;
    max_code_ = (std::int64_t{1} << total_bits) - 1;
  }
}

std::string QFormat::to_string() const {
  std::string name(is_signed_ ? "s" : "u");
  name.append(std::to_string(total_bits_)).append(".").append(std::to_string(frac_bits_));
  return name;
}

}  // namespace qsnn::quant
