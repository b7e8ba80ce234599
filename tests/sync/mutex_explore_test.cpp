// SPDX-License-Identifier: BSL-1.0
// Seeded schedule exploration of eddy::mutex on sim_runtime: over 1200 seeds (each seed picks a
// different order of ready work), check mutual exclusion, FIFO order for waiters queued in a
// known order (also when one of them is aborted while queued or right after the hand-off),
// exact counts under contention mixed with timeouts and sleeps in the critical section, and
// that no schedule deadlocks or leaks the lock.
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>
#include <eddy/eddy.hpp>

#include <eddy/sync/mutex.hpp>
#include "sync/explore.hpp"

namespace eddy_test::sync_mutex_explore_test {

using namespace eddy;
using namespace std::chrono_literals;

namespace {

using eddy_test::rng;

struct world {
  mutex m;
  int inside = 0;          // tasks in the critical section (sim: one thread, plain int is fine)
  bool overlap = false;    // mutual exclusion violated
  long counter = 0;        // incremented under the lock
  long expected = 0;       // what counter must be
  std::vector<int> order;  // FIFO phase: who got the lock, in order
  std::vector<int> expected_order;
};

task<void> enter_leave(world* w, unsigned yields) {
  if (w->inside++ != 0) w->overlap = true;
  ++w->counter;
  for (unsigned i = 0; i < yields; ++i) co_await yield_now();
  --w->inside;
}

task<void> fifo_waiter(world* w, int id) {
  auto g = co_await w->m.lock();
  w->order.push_back(id);
  co_await enter_leave(w, 1);
}

task<void> worker(world* w, std::uint64_t seed, int iters) {
  rng r{seed};
  for (int i = 0; i < iters; ++i) {
    {
      auto g = co_await w->m.lock();
      co_await enter_leave(w, r.below(3));
    }
    if (r.below(2)) co_await yield_now();
  }
}

// Locks with a deadline; sometimes sleeps (virtual time) inside the critical section.
task<long> impatient(world* w, std::uint64_t seed, int iters) {
  rng r{seed};
  long got = 0;
  for (int i = 0; i < iters; ++i) {
    auto g = co_await timeout(std::chrono::microseconds(r.below(40)), w->m.lock());
    if (!g) continue;
    ++got;
    if (w->inside++ != 0) w->overlap = true;
    ++w->counter;
    if (r.below(2)) co_await sleep(std::chrono::microseconds(1 + r.below(20)));
    --w->inside;
  }
  co_return got;
}

task<void> until_waiters(mutex* m, std::size_t n) {
  while (m->waiter_count() != n) co_await yield_now();
}

task<void> scenario(world* w, std::uint64_t seed) {
  rng r{seed ^ 0x9e3779b97f4a7c15ull};

  // Phase 1: FIFO. Waiters queue in a known order while the lock is held.
  {
    const int k = 3 + static_cast<int>(r.below(4));
    const unsigned mode =
        r.below(3);  // 0: no abort, 1: abort a queued waiter, 2: abort after hand-off
    const int victim = mode == 2 ? 0 : static_cast<int>(r.below(static_cast<unsigned>(k)));
    std::vector<join_handle<void>> hs;
    auto g = co_await w->m.lock();
    for (int i = 0; i < k; ++i) {
      hs.push_back(spawn(fifo_waiter(w, i)));
      co_await until_waiters(&w->m, static_cast<std::size_t>(i) + 1);
    }
    for (int i = 0; i < k; ++i) {
      if (mode != 0 && i == victim) continue;
      w->expected_order.push_back(i);
    }
    w->expected += static_cast<long>(w->expected_order.size());
    if (mode == 1) hs[static_cast<std::size_t>(victim)].abort();
    for (unsigned y = r.below(3); y > 0; --y) co_await yield_now();
    g.unlock();
    if (mode == 2) hs[0].abort();  // handed to waiter 0, aborted before it runs
    for (auto& h : hs) (void)co_await h;
  }

  // Phase 2: contention, with timeouts racing hand-offs and sleeps inside the lock.
  {
    constexpr int workers = 4, iters = 15;
    std::vector<join_handle<void>> hs;
    for (int i = 0; i < workers; ++i) hs.push_back(spawn(worker(w, r.next(), iters)));
    auto imp = spawn(impatient(w, r.next(), iters));
    w->expected += workers * iters;
    for (auto& h : hs) (void)co_await h;
    auto got = co_await imp;
    w->expected += got.value();
  }
}

}  // namespace

TEST(mutex_explore, over_1200_seeds) {
  eddy_test::explore_seeds<world>(1200, scenario, [&](world& w, std::uint64_t seed) {
    ASSERT_FALSE(w.overlap) << "seed " << seed << ": two tasks inside the lock";
    ASSERT_EQ(w.order, w.expected_order) << "seed " << seed << ": FIFO order broken";
    ASSERT_EQ(w.counter, w.expected) << "seed " << seed;
    ASSERT_FALSE(w.m.is_locked()) << "seed " << seed << ": lock leaked";
    ASSERT_EQ(w.m.waiter_count(), 0u) << "seed " << seed;
  });
}

}  // namespace eddy_test::sync_mutex_explore_test
