// SPDX-License-Identifier: BSL-1.0
// Stress (run it under TSan): the thread pool's batched queues. A worker gathers its posts and
// publishes them when its item returns (or 64 at a time), and takes up to 16 of its own items
// at once; none of that may lose an item, run one twice, or hold back more than 63 posts of a
// task that keeps running; thieves that wait for a stuck queue (the steal delay) must still take
// all of it. And the runner's lock-free completion: a join racing it wakes.
#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "conformance/runtimes.hpp"

namespace eddy_test::stress_thread_pool_stress_test {

using namespace eddy;

#if EDDY_HAS_THREADS

namespace {

task<void> bump(std::shared_ptr<std::atomic<int>> n) {
  n->fetch_add(1, std::memory_order_relaxed);
  co_return;
}

// Spawns `children` that each bump `done`, then keeps running (never suspends) until `enough`
// have run or `rounds` checks have passed. Returns how many had run by then.
task<int> spawn_and_keep_running(int children, std::uint64_t rounds, int enough) {
  auto done = std::make_shared<std::atomic<int>>(0);  // the rest run after the spawner ends
  for (int i = 0; i < children; ++i) spawn(bump(done)).detach();
  for (std::uint64_t r = 0; r < rounds && done->load() < enough; ++r) std::this_thread::yield();
  co_return done->load();
}

task<std::uint64_t> child(std::uint64_t i, std::atomic<int>* runs) {
  runs->fetch_add(1, std::memory_order_relaxed);
  co_return i;
}

// Spawns `n` children in bursts of `burst` between suspensions and joins them all.
task<std::uint64_t> spawn_bursts(std::uint64_t n, std::uint64_t burst, std::atomic<int>* runs) {
  std::vector<join_handle<std::uint64_t>> hs;
  hs.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    hs.push_back(spawn(child(i, runs)));
    if (i % burst == burst - 1) co_await yield_now();
  }
  std::uint64_t s = 0;
  for (auto& h : hs) {
    auto r = co_await h;
    s += r.value();
  }
  co_return s;
}

task<std::uint64_t> value_of(std::uint64_t i) {
  co_return i;
}

task<std::uint64_t> join_one(join_handle<std::uint64_t> h) {
  auto r = co_await h;
  co_return r.value();
}

// Each child is joined by a task of its own, spawned right after it: on two workers the join
// races the child's completion (the joiner announces itself as the child completes).
task<std::uint64_t> joins_racing_completions(std::uint64_t n) {
  std::vector<join_handle<std::uint64_t>> joins;
  joins.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) joins.push_back(spawn(join_one(spawn(value_of(i)))));
  std::uint64_t s = 0;
  for (auto& j : joins) {
    auto r = co_await j;
    s += r.value();
  }
  co_return s;
}

}  // namespace

// The runner completes a task without the join lock unless a joiner has announced itself: a
// join that races the completion must still get its wake and the value.
TEST(thread_pool_stress, joins_racing_completions_all_wake) {
  thread_pool pool{2};
  constexpr std::uint64_t n = 20'000;
  for (int round = 0; round < 5; ++round)
    ASSERT_EQ(pool.block_on(joins_racing_completions(n)), n * (n - 1) / 2) << "round " << round;
}

// The spawner never returns to the loop while it waits: its posts must reach the other worker
// in batches of at most 64 (the publish batch), so all but the last partial batch run.
TEST(thread_pool_stress, a_task_that_keeps_running_holds_back_at_most_63_posts) {
  thread_pool pool{2};
  constexpr int children = 2 * 64 + 5;
  for (int round = 0; round < 10; ++round) {
    const int ran = pool.block_on(spawn_and_keep_running(children, 5'000'000, children - 63));
    ASSERT_GE(ran, children - 63) << "round " << round;
  }
}

// A thief steals only from a queue whose owner is stuck behind it for the steal delay, then
// keeps taking (64 at a time) while the owner is still behind: every child but the last
// partial publish batch runs while the spawner keeps its worker, whichever worker and however
// many thieves.
TEST(thread_pool_stress, a_long_poll_has_its_backlog_taken_on_every_pool_size) {
  for (std::size_t threads : {2u, 3u, 4u}) {
    thread_pool pool{threads};
    constexpr int children = 1000;
    for (int round = 0; round < 3; ++round) {
      const int ran = pool.block_on(spawn_and_keep_running(children, 20'000'000, children - 63));
      ASSERT_GE(ran, children - 63) << threads << " threads, round " << round;
    }
  }
}

// Bursts around the publish batch (64) and the take batch (16): every child runs exactly once
// and every join sees its value, on one worker and on several.
TEST(thread_pool_stress, bursts_of_spawns_run_every_child_once) {
  for (std::size_t threads : {1u, 2u, 4u}) {
    thread_pool pool{threads};
    for (std::uint64_t burst : {1u, 15u, 16u, 17u, 63u, 64u, 65u, 1000u}) {
      constexpr std::uint64_t n = 3000;
      std::atomic<int> runs{0};
      const std::uint64_t s = pool.block_on(spawn_bursts(n, burst, &runs));
      EXPECT_EQ(s, n * (n - 1) / 2) << threads << " threads, bursts of " << burst;
      EXPECT_EQ(runs.load(), static_cast<int>(n));
    }
  }
}

#endif  // EDDY_HAS_THREADS

}  // namespace eddy_test::stress_thread_pool_stress_test
