// Stochastic rounding keyed by (seed, stream, step, index) gives the same results for any thread count
// and any evaluation order.
#include <doctest/doctest.h>
#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include <cstdint>
#include <thread>
#include <vector>

#include "quant/rounders.hpp"

using namespace qsnn::quant;

namespace {

constexpr std::size_t kCount = 100'000;

std::vector<std::int64_t> make_inputs() {
  const CounterRng rng{99, 1};
  std::vector<std::int64_t> inputs(kCount);
  for (std::size_t i = 0; i < kCount; ++i) inputs[i] = static_cast<std::int64_t>(rng.uniform_bits(0, i, 20)) - (1 << 19);
  return inputs;
}

template <class Rounder>
void round_range(const Rounder& rounder, const std::vector<std::int64_t>& in, std::vector<std::int64_t>& out,
                 std::size_t begin, std::size_t end, bool backwards) {
  if (backwards) {
    for (std::size_t i = end; i-- > begin;) out[i] = rounder.shift(in[i], 7, i);
  } else {
    for (std::size_t i = begin; i < end; ++i) out[i] = rounder.shift(in[i], 7, i);
  }
}

}  // namespace

TEST_CASE("stochastic roundings are identical in one thread, in TBB chunks of any size, and in reverse order") {
  const auto inputs = make_inputs();
  for (RoundingMode mode : {RoundingMode::stochastic, RoundingMode::stochastic_shared}) {
    const RoundingSpec spec{mode, 1234, 17, 16};
    INFO("mode ", rounding_name(mode));
    std::vector<std::int64_t> serial(kCount);
    visit_rounder(spec, 5, [&](const auto& rounder) { round_range(rounder, inputs, serial, 0, kCount, false); });

    for (std::size_t threads : {std::size_t{1}, std::size_t{2}, std::size_t{4}}) {
      tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
      for (std::size_t grain : {std::size_t{1}, std::size_t{7}, std::size_t{1000}, kCount}) {
        std::vector<std::int64_t> parallel(kCount, -1);
        visit_rounder(spec, 5, [&](const auto& rounder) {
          tbb::parallel_for(tbb::blocked_range<std::size_t>(0, kCount, grain),
                            [&](const tbb::blocked_range<std::size_t>& range) {
                              round_range(rounder, inputs, parallel, range.begin(), range.end(), true);
                            },
                            tbb::simple_partitioner{});
        });
        CHECK(parallel == serial);
      }
    }

    // Plain threads that start from the end of the array.
    std::vector<std::int64_t> threaded(kCount, -1);
    visit_rounder(spec, 5, [&](const auto& rounder) {
      std::vector<std::thread> workers;
      constexpr std::size_t kWorkers = 3;
      for (std::size_t w = kWorkers; w-- > 0;) {
        workers.emplace_back([&, w] {
          round_range(rounder, inputs, threaded, w * kCount / kWorkers, (w + 1) * kCount / kWorkers, w % 2 == 0);
        });
      }
      for (auto& worker : workers) worker.join();
    });
    CHECK(threaded == serial);

    // A different seed changes the roundings: the test above compares something random.
    std::vector<std::int64_t> other_seed(kCount);
    visit_rounder(RoundingSpec{mode, 1235, 17, 16}, 5,
                  [&](const auto& rounder) { round_range(rounder, inputs, other_seed, 0, kCount, false); });
    CHECK(other_seed != serial);
  }
}
