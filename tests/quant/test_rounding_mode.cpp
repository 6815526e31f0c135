#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "quant/rounding_mode.hpp"

using namespace qsnn::quant;

TEST_CASE("every rounding mode round-trips through its config name") {
  for (RoundingMode mode : all_rounding_modes()) CHECK(parse_rounding(rounding_name(mode)) == mode);
  CHECK(all_rounding_modes().size() == 7);
}

TEST_CASE("an unknown rounding name is an error that lists the valid ones") {
  try {
    parse_rounding("nearest");
    FAIL("parse_rounding accepted 'nearest'");
  } catch (const std::invalid_argument& error) {
    CHECK(std::string(error.what()) ==
          "unknown rounding 'nearest' (valid: nearest-even, nearest-away, floor, ceil, truncate, stochastic, "
          "stochastic-shared)");
  }
}
