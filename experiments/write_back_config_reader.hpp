#pragma once
// The [...write_back] table of a learning rule in a config (every rule uses learning/weight_writeback.hpp):
// mode, rounding, bounds, learning rate schedule and shadow-weight options.
#include "experiments/config_reader.hpp"
#include "learning/weight_writeback.hpp"

namespace qsnn::experiments {

// Reads the optional table "write_back" of `r`'s table; absent: the defaults of learning::WriteBackSpec.
learning::WriteBackSpec read_write_back(const TableReader& r);

}  // namespace qsnn::experiments
