// Label assignment of unsupervised networks on constructed response matrices.
#include <doctest/doctest.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "experiments/pipelines/label_assignment.hpp"

using qsnn::experiments::LabelAssignment;

TEST_CASE("label assignment gives each neuron the class of its highest mean response") {
  // 4 neurons, 3 classes. Class 1 has two samples, so sums and means differ: neuron 2 fires 6 in total for
  // class 1 (mean 3) and 4 for class 2 (mean 4): assigned to 2. Neuron 3 never fires.
  LabelAssignment a(4, 3);
  a.add(std::vector<std::uint32_t>{5, 0, 0, 0}, 0);
  a.add(std::vector<std::uint32_t>{1, 3, 3, 0}, 1);
  a.add(std::vector<std::uint32_t>{1, 5, 3, 0}, 1);
  a.add(std::vector<std::uint32_t>{0, 1, 4, 0}, 2);
  CHECK(a.assign() == std::vector<int>{0, 1, 2, -1});
}

TEST_CASE("label assignment predicts the class whose assigned neurons fire most on average") {
  const std::vector<int> assignment{0, 0, 1, 2, -1};
  // Class 0 mean (2 + 0) / 2 = 1, class 1 mean 3, class 2 mean 2; the unassigned neuron does not vote.
  CHECK(LabelAssignment::predict(std::vector<std::uint32_t>{2, 0, 3, 2, 9}, assignment, 3) == 1);
  // Ties go to the lowest class; silence is no prediction.
  CHECK(LabelAssignment::predict(std::vector<std::uint32_t>{3, 3, 3, 0, 0}, assignment, 3) == 0);
  CHECK(LabelAssignment::predict(std::vector<std::uint32_t>{0, 0, 0, 0, 7}, assignment, 3) == -1);
  CHECK_THROWS_AS(LabelAssignment::predict(std::vector<std::uint32_t>{1}, assignment, 3), std::invalid_argument);
}

TEST_CASE("label assignment rejects counts of another size and labels out of range") {
  LabelAssignment a(2, 2);
  CHECK_THROWS_AS(a.add(std::vector<std::uint32_t>{1, 2, 3}, 0), std::invalid_argument);
  CHECK_THROWS_AS(a.add(std::vector<std::uint32_t>{1, 2}, 2), std::invalid_argument);
}
