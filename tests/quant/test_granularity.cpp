#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "quant/granularity.hpp"

using namespace qsnn::quant;

TEST_CASE("every granularity round-trips through its config name") {
  for (Granularity granularity : all_granularities())
    CHECK(parse_granularity(granularity_name(granularity)) == granularity);
  CHECK(all_granularities().size() == 3);
  CHECK(granularity_name(Granularity::per_group) == "per-group");
}

TEST_CASE("an unknown granularity name is an error that lists the valid ones") {
  try {
    parse_granularity("per-row");
    FAIL("parse_granularity accepted 'per-row'");
  } catch (const std::invalid_argument& error) {
    CHECK(std::string(error.what()) == "unknown granularity 'per-row' (valid: per-tensor, per-channel, per-group)");
  }
}

TEST_CASE("per-tensor layout is one group over every element") {
  const GroupLayout layout(Granularity::per_tensor, 3, 5);
  CHECK(layout.group_count() == 1);
  CHECK(layout.group(0) == ElementRange{0, 15});
  CHECK(layout.max_group_size() == 15);
  for (std::size_t i = 0; i < 15; ++i) CHECK(layout.group_of(i) == 0);
}

TEST_CASE("per-channel layout is one group per row") {
  const GroupLayout layout(Granularity::per_channel, 3, 5, 2);  // group_size is ignored
  CHECK(layout.group_count() == 3);
  CHECK(layout.groups_per_row() == 1);
  CHECK(layout.group(0) == ElementRange{0, 5});
  CHECK(layout.group(2) == ElementRange{10, 15});
  CHECK(layout.group_of(9) == 1);
  CHECK(layout.group_of(10) == 2);
}

TEST_CASE("per-group layout splits each row into runs of k, the last one shorter") {
  const GroupLayout layout(Granularity::per_group, 2, 7, 3);
  CHECK(layout.groups_per_row() == 3);
  CHECK(layout.group_count() == 6);
  const std::vector<ElementRange> expected{{0, 3}, {3, 6}, {6, 7}, {7, 10}, {10, 13}, {13, 14}};
  std::vector<ElementRange> seen;
  layout.for_each_group([&](std::size_t g, ElementRange range) {
    CHECK(g == seen.size());
    seen.push_back(range);
  });
  CHECK(seen == expected);
  // group_of inverts group(): every element belongs to exactly the group whose range holds it.
  for (std::size_t g = 0; g < layout.group_count(); ++g) {
    for (std::size_t i = layout.group(g).begin; i < layout.group(g).end; ++i) CHECK(layout.group_of(i) == g);
  }
}

TEST_CASE("per-group edge sizes: k = 1 is one element per group, k >= cols is per-channel") {
  const GroupLayout singles(Granularity::per_group, 2, 4, 1);
  CHECK(singles.group_count() == 8);
  for (std::size_t g = 0; g < 8; ++g) CHECK(singles.group(g) == ElementRange{g, g + 1});

  const GroupLayout wide(Granularity::per_group, 3, 4, 10);
  const GroupLayout rows(Granularity::per_channel, 3, 4);
  REQUIRE(wide.group_count() == rows.group_count());
  for (std::size_t g = 0; g < 3; ++g) CHECK(wide.group(g) == rows.group(g));

  const GroupLayout exact(Granularity::per_group, 1, 6, 3);
  CHECK(exact.group_count() == 2);
  CHECK(exact.group(1) == ElementRange{3, 6});
}

TEST_CASE("a per-group layout with k = 0 is an error naming group_size") {
  try {
    GroupLayout(Granularity::per_group, 2, 4, 0);
    FAIL("group_size 0 accepted");
  } catch (const std::invalid_argument& error) {
    CHECK(std::string(error.what()) == "group_size = 0 for per-group granularity (allowed: >= 1)");
  }
}

TEST_CASE("a layout built from a weight view takes its shape") {
  const std::vector<double> values(12, 0.0);
  const WeightMatrixView view(values, 3, 4);
  const GroupLayout layout(Granularity::per_group, view, 3);
  CHECK(layout.rows() == 3);
  CHECK(layout.cols() == 4);
  CHECK(layout.element_count() == 12);
  CHECK(layout.group_count() == 6);
  CHECK(layout.group(5) == ElementRange{11, 12});
}
