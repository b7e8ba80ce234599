// SPDX-License-Identifier: BSL-1.0
// Conformance: eddy::mutex on every runtime (FIFO hand-off, try_lock, guards, cancel safety).
#include <atomic>
#include <vector>

#include <eddy/sync/mutex.hpp>

#include "conformance/runtimes.hpp"

namespace eddy_test::sync_mutex_test {

using namespace eddy;
using namespace std::chrono_literals;

template <class F>
class mutex_conformance : public ::testing::Test {
 protected:
  F f;
};
TYPED_TEST_SUITE(mutex_conformance, eddy_test::all_runtimes, eddy_test::runtime_names);

namespace {

task<void> until_waiters(mutex* m, std::size_t n) {
  while (m->waiter_count() != n) co_await yield_now();
}

// Takes the lock, appends `id` to `order` (protected by the lock), holds it across a yield.
task<void> lock_and_log(mutex* m, std::vector<int>* order, int id) {
  auto g = co_await m->lock();
  order->push_back(id);
  co_await yield_now();
}

// Takes the lock, sets `*got`, holds the lock until `*release` is set.
task<void> lock_and_hold(mutex* m, std::atomic<bool>* got, std::atomic<bool>* release) {
  auto g = co_await m->lock();
  got->store(true);
  while (!release->load()) co_await yield_now();
}

}  // namespace

TYPED_TEST(mutex_conformance, uncontended_lock_and_guard_unlock) {
  mutex m;
  this->f.block_on([](mutex* m) -> task<void> {
    {
      auto g = co_await m->lock();
      EXPECT_TRUE(g.owns_lock());
      EXPECT_EQ(g.get_mutex(), m);
      EXPECT_TRUE(m->is_locked());
    }
    EXPECT_FALSE(m->is_locked());
    auto g = co_await m->lock();
    g.unlock();
    EXPECT_FALSE(g.owns_lock());
    EXPECT_FALSE(m->is_locked());
    g.unlock();  // idempotent
    EXPECT_FALSE(m->is_locked());
  }(&m));
  EXPECT_FALSE(m.is_locked());
}

TYPED_TEST(mutex_conformance, try_lock_and_moved_from_guards) {
  mutex m;
  this->f.block_on([](mutex* m) -> task<void> {
    auto g = m->try_lock();
    EXPECT_TRUE(g);
    auto g2 = m->try_lock();
    EXPECT_FALSE(g2);  // held
    mutex_guard moved = std::move(g);
    EXPECT_FALSE(g.owns_lock());  // NOLINT(bugprone-use-after-move): the point of the test
    g.unlock();                   // moved-from: no-op
    EXPECT_TRUE(m->is_locked());
    mutex other;
    auto og = co_await other.lock();
    og = std::move(moved);  // releases `other`, now holds `m`
    EXPECT_FALSE(other.is_locked());
    EXPECT_TRUE(m->is_locked());
    EXPECT_EQ(og.get_mutex(), m);
    og = mutex_guard{};  // releases `m`
    EXPECT_FALSE(m->is_locked());
    mutex_guard empty;
    empty.unlock();
    EXPECT_FALSE(empty);
  }(&m));
}

TYPED_TEST(mutex_conformance, waiters_acquire_in_fifo_order) {
  mutex m;
  std::vector<int> order;
  this->f.block_on([](mutex* m, std::vector<int>* order) -> task<void> {
    constexpr int n = 8;
    std::vector<join_handle<void>> hs;
    {
      auto g = co_await m->lock();
      for (int i = 0; i < n; ++i) {
        hs.push_back(spawn(lock_and_log(m, order, i)));
        co_await until_waiters(m, static_cast<std::size_t>(i) + 1);  // queued in a known order
      }
    }
    for (auto& h : hs) {
      auto r = co_await h;
      EXPECT_TRUE(r.has_value());
    }
  }(&m, &order));
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_FALSE(m.is_locked());
}

TYPED_TEST(mutex_conformance, unlock_hands_off_without_barging) {
  mutex m;
  std::atomic<bool> got{false}, release{false};
  this->f.block_on([](mutex* m, std::atomic<bool>* got, std::atomic<bool>* release) -> task<void> {
    auto g = co_await m->lock();
    auto a = spawn(lock_and_hold(m, got, release));
    co_await until_waiters(m, 1);
    g.unlock();  // handed to `a`: stays locked
    EXPECT_TRUE(m->is_locked());
    auto t = m->try_lock();
    EXPECT_FALSE(t);
    // A new lock() queues behind the hand-off and gets the lock only after `a` releases it.
    release->store(true);
    auto g2 = co_await m->lock();
    EXPECT_TRUE(got->load());
    EXPECT_TRUE(a.is_finished() || m->waiter_count() == 0);
    g2.unlock();
    auto r = co_await a;
    EXPECT_TRUE(r.has_value());
  }(&m, &got, &release));
  EXPECT_FALSE(m.is_locked());
}

TYPED_TEST(mutex_conformance, new_locker_queues_behind_waiters) {
  mutex m;
  std::vector<int> order;
  this->f.block_on([](mutex* m, std::vector<int>* order) -> task<void> {
    auto g = co_await m->lock();
    auto a = spawn(lock_and_log(m, order, 1));
    co_await until_waiters(m, 1);
    auto b = spawn([](mutex* m, std::vector<int>* order) -> task<void> {
      auto g = co_await m->lock();
      order->push_back(2);
    }(m, order));
    co_await until_waiters(m, 2);
    g.unlock();
    {
      auto g3 = co_await m->lock();  // behind a and b
      order->push_back(3);
    }
    auto ra = co_await a;
    auto rb = co_await b;
    EXPECT_TRUE(ra.has_value() && rb.has_value());
  }(&m, &order));
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TYPED_TEST(mutex_conformance, guard_released_by_another_task) {
  mutex m;
  this->f.block_on([](mutex* m) -> task<void> {
    auto g = co_await m->lock();
    auto h = spawn([](mutex_guard g) -> task<void> {
      co_await yield_now();
      g.unlock();
    }(std::move(g)));
    auto g2 = co_await m->lock();  // served once the other task unlocks
    EXPECT_TRUE(g2.owns_lock());
    auto r = co_await h;
    EXPECT_TRUE(r.has_value());
  }(&m));
  EXPECT_FALSE(m.is_locked());
}

TYPED_TEST(mutex_conformance, aborted_waiter_leaves_the_queue) {
  mutex m;
  std::vector<int> order;
  this->f.block_on([](mutex* m, std::vector<int>* order) -> task<void> {
    auto g = co_await m->lock();
    auto a = spawn(lock_and_log(m, order, 1));
    co_await until_waiters(m, 1);
    auto b = spawn(lock_and_log(m, order, 2));
    co_await until_waiters(m, 2);
    a.abort();
    auto ra = co_await a;
    EXPECT_FALSE(ra.has_value());
    if (!ra.has_value()) {
      EXPECT_EQ(ra.error().code(), errc::aborted);
    }
    EXPECT_EQ(m->waiter_count(), 1u);
    g.unlock();
    auto rb = co_await b;  // the next waiter is served
    EXPECT_TRUE(rb.has_value());
  }(&m, &order));
  EXPECT_EQ(order, (std::vector<int>{2}));
  EXPECT_FALSE(m.is_locked());  // nothing leaked
  EXPECT_TRUE(m.try_lock());
}

TYPED_TEST(mutex_conformance, waiter_aborted_after_hand_off_passes_the_lock_on) {
  mutex m;
  std::vector<int> order;
  const bool single = TypeParam::threads == 1;
  this->f.block_on([](mutex* m, std::vector<int>* order, bool single) -> task<void> {
    auto g = co_await m->lock();
    auto a = spawn(lock_and_log(m, order, 1));
    co_await until_waiters(m, 1);
    auto b = spawn(lock_and_log(m, order, 2));
    co_await until_waiters(m, 2);
    g.unlock();  // handed to a ...
    a.abort();   // ... which is aborted before it could run (on one thread)
    auto ra = co_await a;
    if (single) {
      EXPECT_FALSE(ra.has_value());
    }
    auto rb = co_await b;  // b is served either way
    EXPECT_TRUE(rb.has_value());
  }(&m, &order, single));
  if (single) {
    EXPECT_EQ(order, (std::vector<int>{2}));
  }
  EXPECT_FALSE(m.is_locked());  // the lock was not leaked by the aborted waiter
  EXPECT_EQ(m.waiter_count(), 0u);
}

TYPED_TEST(mutex_conformance, aborting_the_only_waiter_clears_the_queue) {
  mutex m;
  std::vector<int> order;
  this->f.block_on([](mutex* m, std::vector<int>* order) -> task<void> {
    auto g = co_await m->lock();
    auto a = spawn(lock_and_log(m, order, 1));
    co_await until_waiters(m, 1);
    a.abort();
    auto ra = co_await a;
    EXPECT_FALSE(ra.has_value());
    g.unlock();  // fast path again: nobody queued
    EXPECT_FALSE(m->is_locked());
    auto t = m->try_lock();
    EXPECT_TRUE(t);
  }(&m, &order));
  EXPECT_TRUE(order.empty());
}

TYPED_TEST(mutex_conformance, many_tasks_mutual_exclusion) {
  mutex m;
  long counter = 0;  // plain: protected by m
  std::atomic<int> inside{0};
  std::atomic<bool> overlap{false};
  this->f.block_on([](mutex* m, long* counter, std::atomic<int>* inside,
                      std::atomic<bool>* overlap) -> task<void> {
    std::vector<join_handle<void>> hs;
    for (int t = 0; t < 8; ++t) {
      hs.push_back(spawn([](mutex* m, long* counter, std::atomic<int>* inside,
                            std::atomic<bool>* overlap) -> task<void> {
        for (int i = 0; i < 500; ++i) {
          auto g = co_await m->lock();
          if (inside->fetch_add(1) != 0) overlap->store(true);
          ++*counter;
          if (i % 7 == 0) co_await yield_now();  // hold the lock across a suspension
          inside->fetch_sub(1);
        }
      }(m, counter, inside, overlap)));
    }
    for (auto& h : hs) {
      auto r = co_await h;
      EXPECT_TRUE(r.has_value());
    }
  }(&m, &counter, &inside, &overlap));
  EXPECT_EQ(counter, 8 * 500);
  EXPECT_FALSE(overlap.load());
  EXPECT_FALSE(m.is_locked());
}

// ---- timeout(d, m.lock()) on sim_runtime: exact virtual times ----

TEST(mutex_sim, timeout_on_lock_leaves_the_queue_and_next_waiter_is_served) {
  sim_runtime sim{7};
  mutex m;
  std::vector<int> order;
  sim.block_on([](mutex* m, std::vector<int>* order) -> task<void> {
    const time_point t0 = now();
    auto g = co_await m->lock();
    auto t = spawn([](mutex* m) -> task<bool> {
      auto r = co_await timeout(10ms, m->lock());
      co_return r.has_value();
    }(m));
    co_await until_waiters(m, 1);
    auto b = spawn(lock_and_log(m, order, 2));
    co_await until_waiters(m, 2);
    auto rt = co_await t;
    EXPECT_EQ(now() - t0, duration(10ms));  // exactly the deadline
    EXPECT_TRUE(rt.has_value());
    if (rt.has_value()) {
      EXPECT_FALSE(rt.value());  // timed out
    }
    EXPECT_EQ(m->waiter_count(), 1u);  // only b is left
    g.unlock();
    auto rb = co_await b;
    EXPECT_TRUE(rb.has_value());
  }(&m, &order));
  EXPECT_EQ(order, (std::vector<int>{2}));
  EXPECT_FALSE(m.is_locked());
}

TEST(mutex_sim, timeout_racing_the_hand_off_never_leaks_the_lock) {
  // The owner unlocks at exactly the waiter's deadline. Depending on the seed the waiter times
  // out before the unlock, or the lock is handed to it: then, by timeout's tie rule, its
  // pending wake completes the wait and it gets the lock (it is never cancelled holding it;
  // the abort test below covers an awaiter destroyed after a hand-off).
  int handed_then_cancelled = 0, other = 0, got = 0;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    sim_runtime sim{seed};
    mutex m;
    std::vector<int> order;
    std::size_t queued_after_unlock = 99;
    auto r =
        sim.try_block_on([](mutex* m, std::vector<int>* order, std::size_t* queued) -> task<bool> {
          auto g = co_await m->lock();
          auto t = spawn([](mutex* m, std::vector<int>* order) -> task<bool> {
            auto r = co_await timeout(10ms, m->lock());
            if (r) order->push_back(1);
            co_return r.has_value();
          }(m, order));
          co_await until_waiters(m, 1);
          auto b = spawn(lock_and_log(m, order, 2));
          co_await until_waiters(m, 2);
          co_await sleep(10ms);
          g.unlock();
          *queued = m->waiter_count();  // 1: handed to t (b still queued); 0: handed to b
          auto rt = co_await t;
          auto rb = co_await b;
          EXPECT_TRUE(rb.has_value());
          co_return rt.value();
        }(&m, &order, &queued_after_unlock));
    ASSERT_TRUE(r.has_value()) << "seed " << seed;  // no deadlock
    if (r.value()) {
      EXPECT_EQ(order, (std::vector<int>{1, 2})) << "seed " << seed;
      ++got;
    } else {
      EXPECT_EQ(order, (std::vector<int>{2})) << "seed " << seed;
      if (queued_after_unlock == 1)
        ++handed_then_cancelled;
      else
        ++other;
    }
    EXPECT_FALSE(m.is_locked()) << "seed " << seed;
    EXPECT_EQ(m.waiter_count(), 0u) << "seed " << seed;
  }
  // Both interleavings were explored, and a hand-off at the deadline always won.
  EXPECT_EQ(handed_then_cancelled, 0);
  EXPECT_GT(got, 0);
  EXPECT_GT(other, 0);
}

TEST(mutex_sim, abort_after_the_hand_off_passes_the_lock_on) {
  // The lock is handed to t, and t is aborted before it resumes: its awaiter is destroyed
  // holding the lock and must pass it on to b. On every seed.
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    sim_runtime sim{seed};
    mutex m;
    std::vector<int> order;
    auto r = sim.try_block_on([](mutex* m, std::vector<int>* order) -> task<void> {
      auto g = co_await m->lock();
      auto t = spawn(lock_and_log(m, order, 1));
      co_await until_waiters(m, 1);
      auto b = spawn(lock_and_log(m, order, 2));
      co_await until_waiters(m, 2);
      g.unlock();  // handed to t, whose wake is pending
      EXPECT_EQ(m->waiter_count(), 1u);
      t.abort();  // wins over the pending wake
      auto rt = co_await t;
      EXPECT_TRUE(!rt.has_value() && rt.error().code() == errc::aborted);
      (void)co_await b;
    }(&m, &order));
    ASSERT_TRUE(r.has_value()) << "seed " << seed;
    EXPECT_EQ(order, (std::vector<int>{2})) << "seed " << seed;
    EXPECT_FALSE(m.is_locked()) << "seed " << seed;
    EXPECT_EQ(m.waiter_count(), 0u) << "seed " << seed;
  }
}

TEST(mutex_sim, lock_held_forever_is_a_deadlock_not_a_hang) {
  sim_runtime sim{1};
  mutex m;
  auto r = sim.try_block_on([](mutex* m) -> task<void> {
    auto g = co_await m->lock();
    auto g2 = co_await m->lock();  // waits for itself
  }(&m));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), errc::deadlock);
  EXPECT_FALSE(m.is_locked());  // the aborted root released everything
}

}  // namespace eddy_test::sync_mutex_test
