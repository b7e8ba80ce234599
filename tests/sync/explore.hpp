// SPDX-License-Identifier: BSL-1.0
// Seeded schedule exploration on sim_runtime, shared by the *_explore_test.cpp suites: a small
// deterministic PRNG for the scenarios' choices, and the seed loop.
#pragma once
#include <cstdint>

#include <gtest/gtest.h>
#include <eddy/eddy.hpp>

namespace eddy_test {

/// A 64-bit LCG: the same seed gives the same choices on every platform.
struct rng {
  std::uint64_t s;
  std::uint64_t next() {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return s >> 33;
  }
  unsigned below(unsigned n) { return static_cast<unsigned>(next() % n); }
};

/// For each seed in [0, seeds): a fresh `sim_runtime{seed}` and `World`, runs
/// `scenario(&world, seed)` (a task) to the end — a deadlock fails the seed — then
/// `check(world, seed)` (gtest assertions). Stops at the first fatal failure. At the end,
/// expects more than half of the seeds to have run a schedule of a different length than the
/// seed before (the seeds really explored different orders).
template <class World, class Scenario, class Check>
void explore_seeds(std::uint64_t seeds, Scenario scenario, Check check) {
  std::uint64_t distinct_traces = 0, last_steps = 0;
  for (std::uint64_t seed = 0; seed < seeds; ++seed) {
    eddy::sim_runtime sim{seed};
    World w;
    auto r = sim.try_block_on(scenario(&w, seed));
    ASSERT_TRUE(r.has_value()) << "seed " << seed << ": " << r.error().message();
    check(w, seed);
    if (::testing::Test::HasFatalFailure()) return;
    if (sim.steps() != last_steps) ++distinct_traces;
    last_steps = sim.steps();
  }
  EXPECT_GT(distinct_traces, seeds / 2);
}

}  // namespace eddy_test
