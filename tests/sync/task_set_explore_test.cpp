// SPDX-License-Identifier: BSL-1.0
// Seeded schedule exploration of eddy::task_set on sim_runtime: over 1500 seeds, children that
// sleep and yield are spawned (also while joining), joined through join_next with random
// time-outs, aborted with abort_all, or dropped with the set. Checks that every child's result
// is given exactly once and in completion order, that an aborted child gives errc::aborted,
// that a timed-out join_next loses nothing, that size() counts what is left, and that every
// child's frame is destroyed (no leak) in every schedule.
#include <cstdint>
#include <cstdio>
#include <vector>

#include <gtest/gtest.h>
#include <eddy/eddy.hpp>

#include "sync/explore.hpp"

namespace eddy_test::sync_task_set_explore_test {

using namespace eddy;
using namespace std::chrono_literals;

namespace {

using eddy_test::rng;

struct world {
  int alive = 0;               // child frames not destroyed yet
  long finished_seq = 0;       // completion counter (a child takes one as it returns)
  std::vector<int> delivered;  // how many times each child's result was given
  bool order_broken = false;   // a value given out of completion order
  bool bad_result = false;     // an error other than aborted, or a wrong id
  int timeouts_hit = 0;        // join_next calls that timed out (for coverage)
  int values = 0, aborts = 0;  // results given (for coverage)
};

struct alive_guard {
  world* w;
  explicit alive_guard(world* x) : w(x) { ++w->alive; }
  alive_guard(alive_guard&& o) noexcept : w(o.w) { ++w->alive; }
  ~alive_guard() { --w->alive; }
};

// Returns id * 1'000'000 + its completion sequence number.
task<long> child(alive_guard g, int id, std::uint64_t seed) {
  rng r{seed};
  for (unsigned i = r.below(4); i > 0; --i) {
    if (r.below(2))
      co_await yield_now();
    else
      co_await sleep(std::chrono::microseconds(1 + r.below(30)));
  }
  co_return static_cast<long>(id) * 1'000'000 + ++g.w->finished_seq;
}

task<void> scenario(world* w, std::uint64_t seed) {
  rng r{seed ^ 0x9e3779b97f4a7c15ull};
  const unsigned mode = r.below(3);  // 0: join all, 1: abort_all midway, 2: drop the set midway
  const int n = 4 + static_cast<int>(r.below(6));
  const int late = static_cast<int>(r.below(4));  // spawned while joining
  w->delivered.assign(static_cast<std::size_t>(n + late), 0);
  int spawned = 0;
  {
    task_set<long> set;
    for (; spawned < n; ++spawned) set.spawn(child(alive_guard{w}, spawned, r.next()));
    long last_seq = 0;
    std::size_t expect_left = static_cast<std::size_t>(n);
    int rounds = 0;
    for (;;) {
      if (set.size() != expect_left) w->bad_result = true;
      if (spawned < n + late && r.below(3) == 0) {
        set.spawn(child(alive_guard{w}, spawned++, r.next()));
        ++expect_left;
      }
      ++rounds;
      if (mode == 1 && rounds == 3) set.abort_all();
      if (mode == 2 && rounds == 3) break;  // drop the set with children still running
      std::optional<std::optional<result<long>>> got;
      if (r.below(2))
        got = co_await timeout(std::chrono::microseconds(r.below(20)), set.join_next());
      else
        got.emplace(co_await set.join_next());
      if (!got) {  // timed out: nothing taken
        ++w->timeouts_hit;
        continue;
      }
      if (!*got) break;  // none left
      --expect_left;
      const result<long>& res = **got;
      if (!res.has_value()) {
        if (res.error() != errc::aborted) w->bad_result = true;
        ++w->aborts;
        continue;  // an aborted child has no id to count: counted below by elimination
      }
      const long id = res.value() / 1'000'000, seq = res.value() % 1'000'000;
      if (id < 0 || id >= n + late) {
        w->bad_result = true;
        continue;
      }
      ++w->delivered[static_cast<std::size_t>(id)];
      ++w->values;
      if (seq <= last_seq) w->order_broken = true;
      last_seq = seq;
    }
    if (mode != 2 && !set.empty()) w->bad_result = true;
  }
  // Dropped or joined: every child frame goes away (aborted ones on the runtime, promptly).
  while (w->alive != 0) co_await yield_now();
}

}  // namespace

TEST(task_set_explore, over_1500_seeds) {
  int timeouts = 0, values = 0, aborts = 0;
  eddy_test::explore_seeds<world>(1500, scenario, [&](world& w, std::uint64_t seed) {
    ASSERT_FALSE(w.bad_result) << "seed " << seed;
    ASSERT_FALSE(w.order_broken) << "seed " << seed << ": not in completion order";
    for (int d : w.delivered) ASSERT_LE(d, 1) << "seed " << seed << ": a result given twice";
    ASSERT_EQ(w.alive, 0) << "seed " << seed << ": a child frame leaked";
    timeouts += w.timeouts_hit;
    values += w.values;
    aborts += w.aborts;
  });
  EXPECT_GT(timeouts, 100);  // the time-outs really raced the completions
  EXPECT_GT(values, 3000);
  EXPECT_GT(aborts, 300);  // abort_all really caught running children
  std::printf("task_set_explore: %d values, %d aborted, %d timed-out joins\n", values, aborts,
              timeouts);
}

// Without aborts every child is delivered exactly once, whatever the time-outs did.
TEST(task_set_explore, every_result_once_over_1000_seeds) {
  for (std::uint64_t seed = 0; seed < 1000; ++seed) {
    sim_runtime sim{seed};
    world w;
    auto r = sim.try_block_on([](world* w, std::uint64_t seed) -> task<bool> {
      rng r{seed};
      const int n = 3 + static_cast<int>(r.below(8));
      w->delivered.assign(static_cast<std::size_t>(n), 0);
      task_set<long> set;
      for (int i = 0; i < n; ++i) set.spawn(child(alive_guard{w}, i, r.next()));
      for (;;) {
        auto got = co_await timeout(std::chrono::microseconds(r.below(15)), set.join_next());
        if (!got) continue;
        if (!*got) break;
        if (!(*got)->has_value()) co_return false;
        ++w->delivered[static_cast<std::size_t>((*got)->value() / 1'000'000)];
      }
      co_return true;
    }(&w, seed));
    ASSERT_TRUE(r.has_value() && r.value()) << "seed " << seed;
    for (int d : w.delivered) ASSERT_EQ(d, 1) << "seed " << seed;
    ASSERT_EQ(w.alive, 0) << "seed " << seed;
  }
}

}  // namespace eddy_test::sync_task_set_explore_test
