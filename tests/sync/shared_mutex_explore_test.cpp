// SPDX-License-Identifier: BSL-1.0
// Seeded schedule exploration of eddy::shared_mutex on sim_runtime: over 1200 seeds (each seed
// picks a different order of ready work), check that a writer is alone and readers only share
// with readers, the FIFO order of waiters queued in a known order (a writer blocks the readers
// behind it; consecutive readers are served together), also when a waiter is aborted while
// queued or right after the hand-off, exact counts under contention mixed with timeouts and
// aborted lockers, and that no schedule deadlocks or leaks the lock.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>
#include <eddy/eddy.hpp>

#include <eddy/sync/shared_mutex.hpp>
#include "sync/explore.hpp"

namespace eddy_test::sync_shared_mutex_explore_test {

using namespace eddy;
using namespace std::chrono_literals;

namespace {

using eddy_test::rng;

struct world {
  shared_mutex m;
  int readers = 0;         // tasks inside as readers (sim: one thread, plain ints are fine)
  int writers = 0;         // tasks inside as writers
  bool violated = false;   // a writer not alone
  long counter = 0;        // incremented under the exclusive lock
  long expected = 0;       // what counter must be
  long reads = 0;          // read sections completed
  std::vector<int> order;  // FIFO phase: who got the lock, in order
  std::vector<int> expected_order;
  std::vector<bool> excl;  // FIFO phase: waiter i is a writer
};

task<void> write_section(world* w, unsigned yields) {
  if (w->writers++ != 0 || w->readers != 0) w->violated = true;
  ++w->counter;
  for (unsigned i = 0; i < yields; ++i) co_await yield_now();
  if (w->readers != 0) w->violated = true;
  --w->writers;
}

task<void> read_section(world* w, unsigned yields) {
  ++w->readers;
  if (w->writers != 0) w->violated = true;
  for (unsigned i = 0; i < yields; ++i) co_await yield_now();
  if (w->writers != 0) w->violated = true;
  --w->readers;
  ++w->reads;
}

task<void> fifo_waiter(world* w, int id, bool exclusive) {
  if (exclusive) {
    auto g = co_await w->m.lock();
    w->order.push_back(id);
    co_await write_section(w, 1);
  } else {
    auto g = co_await w->m.lock_shared();
    w->order.push_back(id);
    co_await read_section(w, 1);
  }
}

// Returns how many write sections it ran.
task<long> worker(world* w, std::uint64_t seed, int iters) {
  rng r{seed};
  long wrote = 0;
  for (int i = 0; i < iters; ++i) {
    if (r.below(3) == 0) {
      auto g = co_await w->m.lock();
      ++wrote;
      co_await write_section(w, r.below(3));
    } else {
      auto g = co_await w->m.lock_shared();
      co_await read_section(w, r.below(3));
    }
    if (r.below(2)) co_await yield_now();
  }
  co_return wrote;
}

// Locks with a deadline (either mode); sometimes sleeps (virtual time) inside.
task<long> impatient(world* w, std::uint64_t seed, int iters) {
  rng r{seed};
  long wrote = 0;
  for (int i = 0; i < iters; ++i) {
    if (r.below(2)) {
      auto g = co_await timeout(std::chrono::microseconds(r.below(40)), w->m.lock());
      if (!g) continue;
      ++wrote;
      if (w->writers++ != 0 || w->readers != 0) w->violated = true;
      ++w->counter;
      if (r.below(2)) co_await sleep(std::chrono::microseconds(1 + r.below(20)));
      --w->writers;
    } else {
      auto g = co_await timeout(std::chrono::microseconds(r.below(40)), w->m.lock_shared());
      if (!g) continue;
      ++w->readers;
      if (w->writers != 0) w->violated = true;
      if (r.below(2)) co_await sleep(std::chrono::microseconds(1 + r.below(20)));
      --w->readers;
    }
  }
  co_return wrote;
}

// Waits for the lock forever (either mode); aborted from outside at a random moment.
task<void> doomed(world* w, bool exclusive) {
  if (exclusive) {
    auto g = co_await w->m.lock();
    if (w->writers++ != 0 || w->readers != 0) w->violated = true;
    struct leave {
      world* w;
      ~leave() { --w->writers; }
    } l{w};
    co_await sleep(1h);  // aborted while holding: the guard must release
  } else {
    auto g = co_await w->m.lock_shared();
    ++w->readers;
    if (w->writers != 0) w->violated = true;
    struct leave {
      world* w;
      ~leave() { --w->readers; }
    } l{w};
    co_await sleep(1h);
  }
}

task<void> scenario(world* w, std::uint64_t seed) {
  rng r{seed ^ 0x9e3779b97f4a7c15ull};

  // Phase 1: FIFO. Waiters of random modes queue in a known order while a writer, or readers,
  // hold the lock (then the first waiter is a writer, and the readers after it must queue).
  {
    const int k = 3 + static_cast<int>(r.below(5));
    const bool held_shared = r.below(2) == 0;
    std::vector<bool>& excl = w->excl;
    for (int i = 0; i < k; ++i) excl.push_back((i == 0 && held_shared) || r.below(2) == 0);
    // 0: no abort, 1: abort a queued waiter, 2: abort waiter 0 right after the hand-off
    const unsigned mode = r.below(3);
    const int victim = mode == 2 ? 0 : static_cast<int>(r.below(static_cast<unsigned>(k)));
    std::vector<join_handle<void>> hs;
    shared_mutex::exclusive_guard g;
    shared_mutex::shared_guard sg;
    if (held_shared)
      sg = co_await w->m.lock_shared();
    else
      g = co_await w->m.lock();
    for (int i = 0; i < k; ++i) {
      hs.push_back(spawn(fifo_waiter(w, i, excl[static_cast<std::size_t>(i)])));
      // queued (or, if the lock let it barge in, it logged: the order check then fails)
      while (w->m.waiter_count() != static_cast<std::size_t>(i) + 1 && w->order.empty())
        co_await yield_now();
    }
    for (int i = 0; i < k; ++i) {
      if (mode != 0 && i == victim) continue;
      w->expected_order.push_back(i);
      if (excl[static_cast<std::size_t>(i)]) ++w->expected;
    }
    if (mode == 1) hs[static_cast<std::size_t>(victim)].abort();
    for (unsigned y = r.below(3); y > 0; --y) co_await yield_now();
    g.unlock();
    sg.unlock();
    if (mode == 2) hs[0].abort();  // handed to waiter 0, aborted before it runs
    for (auto& h : hs) (void)co_await h;
  }

  // Phase 2: contention, with timeouts racing hand-offs, and waiters or holders aborted.
  {
    constexpr int workers = 4, iters = 20;
    std::vector<join_handle<long>> hs;
    for (int i = 0; i < workers; ++i) hs.push_back(spawn(worker(w, r.next(), iters)));
    auto imp = spawn(impatient(w, r.next(), iters));
    std::vector<join_handle<void>> victims;
    for (int i = 0; i < 3; ++i) victims.push_back(spawn(doomed(w, r.below(2) == 0)));
    for (auto& v : victims) {
      for (unsigned y = r.below(6); y > 0; --y) co_await yield_now();
      v.abort();
    }
    for (auto& h : hs) w->expected += (co_await h).value();
    for (auto& v : victims) (void)co_await v;
    w->expected += (co_await imp).value();
  }
}

// The order in which the waiters of phase 1 must get the lock: a list of groups; a writer is a
// group of its own, consecutive readers form one group (served together, in the seed's order).
std::vector<std::vector<int>> groups_of(const std::vector<int>& ids,
                                        const std::vector<bool>& excl) {
  std::vector<std::vector<int>> gs;
  bool last_reader = false;
  for (int id : ids) {
    const bool x = excl[static_cast<std::size_t>(id)];
    if (x || !last_reader) gs.emplace_back();
    gs.back().push_back(id);
    last_reader = !x;
  }
  return gs;
}

}  // namespace

TEST(shared_mutex_explore, over_1200_seeds) {
  eddy_test::explore_seeds<world>(1200, scenario, [&](world& w, std::uint64_t seed) {
    ASSERT_FALSE(w.violated) << "seed " << seed << ": a writer was not alone";
    // FIFO by groups: within a batch of readers served together the order is the seed's.
    const auto want = groups_of(w.expected_order, w.excl);
    std::vector<std::vector<int>> got;
    for (const auto& g : want) {
      const std::size_t at = [&] {
        std::size_t n = 0;
        for (const auto& x : got) n += x.size();
        return n;
      }();
      ASSERT_LE(at + g.size(), w.order.size()) << "seed " << seed;
      std::vector<int> part(w.order.begin() + static_cast<std::ptrdiff_t>(at),
                            w.order.begin() + static_cast<std::ptrdiff_t>(at + g.size()));
      std::sort(part.begin(), part.end());
      got.push_back(part);
    }
    ASSERT_EQ(got, want) << "seed " << seed << ": FIFO order broken";
    ASSERT_EQ(w.order.size(), w.expected_order.size()) << "seed " << seed;
    ASSERT_EQ(w.counter, w.expected) << "seed " << seed;
    ASSERT_FALSE(w.m.is_locked()) << "seed " << seed << ": lock leaked";
    ASSERT_EQ(w.m.reader_count(), 0u) << "seed " << seed << ": a read lock leaked";
    ASSERT_EQ(w.m.waiter_count(), 0u) << "seed " << seed;
    ASSERT_EQ(w.readers, 0) << "seed " << seed;
    ASSERT_EQ(w.writers, 0) << "seed " << seed;
  });
}

}  // namespace eddy_test::sync_shared_mutex_explore_test
