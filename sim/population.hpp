#pragma once
// A population is a block of neurons or spike sources of one kind. Virtual calls happen per population and
// per block of neurons, never per neuron.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "kernels/lif_constants.hpp"
#include "sim/state_variable.hpp"
#include "sim/types.hpp"

namespace qsnn::sim {

// What one block update produces; each block has its own, so blocks never share writes.
struct BlockOutput {
  std::vector<NeuronIndex> spikes;  // ascending neuron indices
  kernels::LifOverflowCounts overflow;
};

class Population {
 public:
  Population(std::string name, NeuronIndex size);
  virtual ~Population() = default;
  Population(const Population&) = delete;
  Population& operator=(const Population&) = delete;

  const std::string& name() const { return name_; }
  NeuronIndex size() const { return size_; }

  // Called once per step, serially, before the parallel block updates.
  virtual void begin_step(Step) {}
  // Emits the spikes of `step` for neurons [begin, end); called concurrently for disjoint blocks.
  virtual void update_block(Step step, NeuronIndex begin, NeuronIndex end, BlockOutput& out) = 0;

  // Recorded state in the model's units; nullopt when the population has no such variable.
  virtual std::optional<double> state_value(const StateVariable& variable, NeuronIndex neuron) const;
  // The integer code behind state_value, for fixed-point populations.
  virtual std::optional<std::int64_t> state_code(const StateVariable& variable, NeuronIndex neuron) const;

  // The spikes of the last completed step, ascending.
  std::span<const NeuronIndex> last_spikes() const { return last_spikes_; }
  std::vector<NeuronIndex>& last_spikes_buffer() { return last_spikes_; }

 private:
  std::string name_;
  NeuronIndex size_;
  std::vector<NeuronIndex> last_spikes_;
};

}  // namespace qsnn::sim
