// SPDX-License-Identifier: BSL-1.0
// Stress for the locks on thread_pool{2} (meant to run under TSan): a mutex guarding a plain
// counter, a semaphore that must never be over-subscribed, barrier generations, notify
// ping-pong, and aborts racing hand-offs from another thread.
#include <atomic>
#include <vector>

#include <gtest/gtest.h>
#include <eddy/eddy.hpp>
#include <eddy/sync/barrier.hpp>
#include <eddy/sync/mutex.hpp>
#include <eddy/sync/notify.hpp>
#include <eddy/sync/semaphore.hpp>

namespace eddy_test::stress_locks_stress_test {

using namespace eddy;

TEST(locks_stress, mutex_guards_a_plain_counter) {
  constexpr int tasks = 4, iters = 100000;
  thread_pool pool{2};
  mutex m;
  long counter = 0;  // plain, non-atomic: TSan reports any unprotected access
  pool.block_on([](mutex* m, long* counter) -> task<void> {
    std::vector<join_handle<void>> hs;
    for (int t = 0; t < tasks; ++t) {
      hs.push_back(spawn([](mutex* m, long* counter) -> task<void> {
        for (int i = 0; i < iters; ++i) {
          auto g = co_await m->lock();
          ++*counter;
        }
      }(m, counter)));
    }
    for (auto& h : hs) {
      auto r = co_await h;
      EXPECT_TRUE(r.has_value());
    }
  }(&m, &counter));
  EXPECT_EQ(counter, static_cast<long>(tasks) * iters);
  EXPECT_FALSE(m.is_locked());
}

TEST(locks_stress, semaphore_is_never_over_subscribed) {
  constexpr int tasks = 64, iters = 1500;
  thread_pool pool{2};
  semaphore s{3};
  std::atomic<int> in_use{0};
  std::atomic<bool> over{false};
  std::atomic<long> acquired{0};
  pool.block_on([](semaphore* s, std::atomic<int>* in_use, std::atomic<bool>* over,
                   std::atomic<long>* acquired) -> task<void> {
    std::vector<join_handle<void>> hs;
    for (int t = 0; t < tasks; ++t) {
      hs.push_back(spawn([](semaphore* s, std::atomic<int>* in_use, std::atomic<bool>* over,
                            std::atomic<long>* acquired, int t) -> task<void> {
        for (int i = 0; i < iters; ++i) {
          const std::size_t k = (t + i) % 5 == 0 ? 2 : 1;
          auto p = co_await s->acquire(k);
          if (!p) continue;
          const int now_in = in_use->fetch_add(static_cast<int>(k)) + static_cast<int>(k);
          if (now_in > 3) over->store(true);
          acquired->fetch_add(1);
          if (i % 16 == 0) co_await yield_now();
          in_use->fetch_sub(static_cast<int>(k));
        }
      }(s, in_use, over, acquired, t)));
    }
    for (auto& h : hs) {
      auto r = co_await h;
      EXPECT_TRUE(r.has_value());
    }
  }(&s, &in_use, &over, &acquired));
  EXPECT_FALSE(over.load());
  EXPECT_EQ(acquired.load(), static_cast<long>(tasks) * iters);
  EXPECT_EQ(s.available_permits(), 3u);
}

TEST(locks_stress, barrier_generations_have_one_leader_each) {
  constexpr int tasks = 4, rounds = 3000;
  thread_pool pool{2};
  barrier b{tasks};
  std::atomic<long> leaders{0};
  pool.block_on([](barrier* b, std::atomic<long>* leaders) -> task<void> {
    std::vector<join_handle<void>> hs;
    for (int t = 0; t < tasks; ++t) {
      hs.push_back(spawn([](barrier* b, std::atomic<long>* leaders) -> task<void> {
        for (int i = 0; i < rounds; ++i) {
          auto r = co_await b->arrive_and_wait();
          if (r.is_leader()) leaders->fetch_add(1);
        }
      }(b, leaders)));
    }
    for (auto& h : hs) (void)co_await h;
  }(&b, &leaders));
  EXPECT_EQ(leaders.load(), rounds);
  EXPECT_EQ(b.generation(), static_cast<std::uint64_t>(rounds));
}

TEST(locks_stress, notify_ping_pong_loses_nothing) {
  constexpr int rounds = 20000;
  thread_pool pool{2};
  notify ping, pong;
  long plain = 0;  // handed back and forth: the notifications order the accesses
  pool.block_on([](notify* ping, notify* pong, long* plain) -> task<void> {
    auto other = spawn([](notify* ping, notify* pong, long* plain) -> task<void> {
      for (int i = 0; i < rounds; ++i) {
        co_await ping->notified();
        ++*plain;
        pong->notify_one();
      }
    }(ping, pong, plain));
    for (int i = 0; i < rounds; ++i) {
      ++*plain;
      ping->notify_one();
      co_await pong->notified();
    }
    auto r = co_await other;
    EXPECT_TRUE(r.has_value());
  }(&ping, &pong, &plain));
  EXPECT_EQ(plain, 2L * rounds);
}

TEST(locks_stress, aborts_racing_hand_offs_leak_nothing) {
  constexpr int rounds = 3000;
  thread_pool pool{2};
  mutex m;
  semaphore s{2};
  notify n;
  long counter = 0;  // under m
  long expected = 0;
  int done = 0;
  pool.block_on([](mutex* m, semaphore* s, notify* n, long* counter, long* expected,
                   int* done) -> task<void> {
    for (int i = 0; i < rounds; ++i, ++*done) {
      auto lockers = spawn([](mutex* m, long* counter) -> task<bool> {
        auto g = co_await m->lock();
        ++*counter;
        co_return true;
      }(m, counter));
      auto acq = spawn([](semaphore* s) -> task<void> {
        auto p = co_await s->acquire(2);
        co_await yield_now();
      }(s));
      auto waiter = spawn([](notify* n) -> task<void> { co_await n->notified(); }(n));
      {
        auto g = co_await m->lock();
        auto p = co_await s->acquire(1);
        if (i % 4 == 0) co_await yield_now();  // let them queue up
        if (i % 4 != 1) {  // release first: the aborts race the hand-offs on the other worker
          g.unlock();
          p->release();
        }
        n->notify_one();
        if (i % 4 == 2) co_await yield_now();
        lockers.abort();
        acq.abort();
        waiter.abort();
      }
      auto r = co_await lockers;
      if (r.has_value()) ++*expected;
      (void)co_await acq;
      auto rw = co_await waiter;
      if (!rw.has_value()) {
        co_await n->notified();  // the notification was passed on (stored): consume it
      }
      if (*counter != *expected) break;
    }
  }(&m, &s, &n, &counter, &expected, &done));
  EXPECT_EQ(done, rounds);
  EXPECT_GT(expected, 0);  // some lockers won the race against their abort
  EXPECT_EQ(counter, expected);
  EXPECT_FALSE(m.is_locked());
  EXPECT_EQ(m.waiter_count(), 0u);
  EXPECT_EQ(s.available_permits(), 2u);
  EXPECT_FALSE(n.has_permit());
}

}  // namespace eddy_test::stress_locks_stress_test
