#pragma once
// The "simulate" job of a config: a network (populations and projections, as sim::NetworkDescription), how
// long and how to run it, what to record, and where the results file goes. Parsed and validated completely
// before anything runs (experiments/job_config.hpp); every key is documented in
// experiments/configs/REFERENCE.md, which a test compares with the keys this parser accepts.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "learning/diehl_cook_stdp.hpp"
#include "learning/pair_stdp.hpp"
#include "learning/triplet_stdp.hpp"
#include "learning/weight_writeback.hpp"
#include "sim/chip_preset.hpp"
#include "sim/network_description.hpp"
#include "sim/state_variable.hpp"
#include "sim/types.hpp"

namespace qsnn::experiments {

struct RunSettings {
  std::uint64_t seed = 1;
  std::size_t threads = 0;  // 0: all cores
  double dt_ms = 1.0;
  double duration_ms = 0.0;
  double checkpoint_every_ms = 1000.0;  // results flushed to disk this often (simulated time)
  std::string output;                   // NAME.h5; written as NAME.h5.partial until the run completes
};

struct SpikeRecording {
  std::string population;
  std::vector<sim::NeuronIndex> neurons;  // empty: all
  double from_ms = 0.0;
  std::optional<double> to_ms;
};

struct StateRecording {
  std::string population;
  sim::StateVariable variable;
  std::string variable_name;
  std::vector<sim::NeuronIndex> neurons;  // empty: all
  sim::Step every_steps = 1;
};

// A learning rule on one projection ([[plasticity]]), run in phase 4 of every step.
struct PlasticityConfig {
  std::string projection;
  std::variant<learning::PairStdp, learning::TripletStdp, learning::DiehlCookStdp> rule;
  learning::WriteBackSpec write_back;
  // Divisive normalization of every postsynaptic neuron's inputs to normalize_target (weight steps) every
  // normalize_every_steps steps, after the rule (Diehl & Cook 2015); 0: never.
  sim::Step normalize_every_steps = 0;
  double normalize_target = 0.0;
  std::string where;  // FILE:LINE of its table, for errors found when the network is built
};

struct SimulationConfig {
  RunSettings run;
  std::optional<sim::Chip> chip;  // [chip] preset: formats of every fixed-point population and projection
  bool fit_check = true;          // with a chip: violations are config errors
  sim::NetworkDescription network;
  std::vector<SpikeRecording> spikes;
  std::vector<StateRecording> states;
  std::vector<PlasticityConfig> plasticity;
  bool record_weights = false;    // snapshot every projection at the start and the end
  bool record_diagnostics = false;  // run the float64 twin in lockstep; /quant/diagnostics (no plasticity)
};

}  // namespace qsnn::experiments
