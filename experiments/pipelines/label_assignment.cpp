#include "experiments/pipelines/label_assignment.hpp"

#include <stdexcept>
#include <string>

namespace qsnn::experiments {

LabelAssignment::LabelAssignment(std::size_t neurons, std::size_t classes)
    : neurons_(neurons), classes_(classes), sum_(neurons * classes, 0.0), class_count_(classes, 0) {
  if (classes == 0) throw std::invalid_argument("label assignment: at least one class");
}

void LabelAssignment::add(std::span<const std::uint32_t> counts, std::size_t label) {
  if (counts.size() != neurons_)
    throw std::invalid_argument("label assignment: " + std::to_string(counts.size()) + " counts for " +
                                std::to_string(neurons_) + " neurons");
  if (label >= classes_)
    throw std::invalid_argument("label assignment: label " + std::to_string(label) + " outside 0.." +
                                std::to_string(classes_ - 1));
  for (std::size_t j = 0; j < neurons_; ++j) sum_[j * classes_ + label] += counts[j];
  ++class_count_[label];
}

std::vector<int> LabelAssignment::assign() const {
  std::vector<int> assignment(neurons_, -1);
  for (std::size_t j = 0; j < neurons_; ++j) {
    double best = 0.0;
    for (std::size_t c = 0; c < classes_; ++c) {
      if (class_count_[c] == 0) continue;
      const double mean = sum_[j * classes_ + c] / static_cast<double>(class_count_[c]);
      if (mean > best) {
        best = mean;
        assignment[j] = static_cast<int>(c);
      }
    }
  }
  return assignment;
}

int LabelAssignment::predict(std::span<const std::uint32_t> counts, std::span<const int> assignment,
                             std::size_t classes) {
  if (counts.size() != assignment.size())
    throw std::invalid_argument("label assignment: counts and assignment differ in size");
  std::vector<double> sum(classes, 0.0);
  std::vector<std::uint64_t> members(classes, 0);
  for (std::size_t j = 0; j < counts.size(); ++j) {
    if (assignment[j] < 0) continue;
    const auto c = static_cast<std::size_t>(assignment[j]);
    sum[c] += counts[j];
    ++members[c];
  }
  int best_class = -1;
  double best = 0.0;
  for (std::size_t c = 0; c < classes; ++c) {
    if (members[c] == 0) continue;
    const double mean = sum[c] / static_cast<double>(members[c]);
    if (mean > best) {
      best = mean;
      best_class = static_cast<int>(c);
    }
  }
  return best_class;
}

}  // namespace qsnn::experiments
