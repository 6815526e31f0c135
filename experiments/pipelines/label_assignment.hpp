#pragma once
// Unsupervised networks (Diehl & Cook 2015, sec. 2.5) become classifiers afterwards: every excitatory neuron
// is assigned the class for which it fired most on average over a labelled pass with learning off, and a
// sample is classified as the class whose assigned neurons fired most on average. Labels are used here only;
// the learning itself never sees them.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace qsnn::experiments {

class LabelAssignment {
 public:
  LabelAssignment(std::size_t neurons, std::size_t classes);

  // One sample of the labelled pass: spike counts per neuron.
  void add(std::span<const std::uint32_t> counts, std::size_t label);
  // Per neuron, the class with the highest mean count (lowest class on ties); -1 for a neuron that never fired.
  std::vector<int> assign() const;
  // The class whose assigned neurons have the highest mean count (lowest class on ties); classes without
  // neurons score 0. Returns -1 when no assigned neuron fired (the sample counts as an error).
  static int predict(std::span<const std::uint32_t> counts, std::span<const int> assignment, std::size_t classes);

  std::size_t neurons() const { return neurons_; }
  std::size_t classes() const { return classes_; }

 private:
  std::size_t neurons_, classes_;
  std::vector<double> sum_;                 // [neuron * classes + class]
  std::vector<std::uint64_t> class_count_;  // samples per class
};

}  // namespace qsnn::experiments
