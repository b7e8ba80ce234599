// SPDX-License-Identifier: BSL-1.0
// Conformance: eddy::notify on every runtime (notify_one permit, notify_waiters, cancel safety).
#include <atomic>
#include <vector>

#include <eddy/sync/notify.hpp>

#include "conformance/runtimes.hpp"

namespace eddy_test::sync_notify_test {

using namespace eddy;
using namespace std::chrono_literals;

template <class F>
class notify_conformance : public ::testing::Test {
 protected:
  F f;
};
TYPED_TEST_SUITE(notify_conformance, eddy_test::all_runtimes, eddy_test::runtime_names);

namespace {

task<void> until_notify_waiters(notify* n, std::size_t k) {
  while (n->waiter_count() != k) co_await yield_now();
}

task<void> wait_and_count(notify* n, std::atomic<int>* woken) {
  co_await n->notified();
  woken->fetch_add(1);
}

}  // namespace

TYPED_TEST(notify_conformance, notify_one_without_waiter_stores_one_permit) {
  notify n;
  std::atomic<int> woken{0};
  this->f.block_on([](notify* n, std::atomic<int>* woken) -> task<void> {
    n->notify_one();
    n->notify_one();  // still one permit
    EXPECT_TRUE(n->has_permit());
    co_await n->notified();  // consumes it at once
    EXPECT_FALSE(n->has_permit());
    auto w = spawn(wait_and_count(n, woken));
    co_await until_notify_waiters(n, 1);  // the second notify_one stored nothing more
    EXPECT_EQ(woken->load(), 0);
    n->notify_one();
    auto r = co_await w;
    EXPECT_TRUE(r.has_value());
    EXPECT_FALSE(n->has_permit());
  }(&n, &woken));
  EXPECT_EQ(woken.load(), 1);
}

TYPED_TEST(notify_conformance, notify_one_wakes_waiters_in_fifo_order) {
  notify n;
  std::vector<int> order;  // written only between notifications: one waiter runs at a time
  this->f.block_on([](notify* n, std::vector<int>* order) -> task<void> {
    std::vector<join_handle<void>> hs;
    for (int i = 0; i < 4; ++i) {
      hs.push_back(spawn([](notify* n, std::vector<int>* order, int i) -> task<void> {
        co_await n->notified();
        order->push_back(i);
      }(n, order, i)));
      co_await until_notify_waiters(n, static_cast<std::size_t>(i) + 1);
    }
    for (int i = 0; i < 4; ++i) {
      n->notify_one();
      auto r = co_await hs[static_cast<std::size_t>(i)];  // exactly the i-th wakes
      EXPECT_TRUE(r.has_value());
      EXPECT_EQ(n->waiter_count(), static_cast<std::size_t>(3 - i));
    }
  }(&n, &order));
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
}

TYPED_TEST(notify_conformance, notify_waiters_wakes_current_waiters_and_stores_nothing) {
  notify n;
  std::atomic<int> woken{0};
  this->f.block_on([](notify* n, std::atomic<int>* woken) -> task<void> {
    n->notify_waiters();  // nobody waits: nothing stored
    EXPECT_FALSE(n->has_permit());
    std::vector<join_handle<void>> hs;
    for (int i = 0; i < 3; ++i) hs.push_back(spawn(wait_and_count(n, woken)));
    co_await until_notify_waiters(n, 3);
    n->notify_waiters();
    EXPECT_EQ(n->waiter_count(), 0u);
    EXPECT_FALSE(n->has_permit());
    for (auto& h : hs) {
      auto r = co_await h;
      EXPECT_TRUE(r.has_value());
    }
    EXPECT_EQ(woken->load(), 3);
    auto late = spawn(wait_and_count(n, woken));  // starts after the call: keeps waiting
    co_await until_notify_waiters(n, 1);
    EXPECT_EQ(woken->load(), 3);
    n->notify_one();
    auto r = co_await late;
    EXPECT_TRUE(r.has_value());
  }(&n, &woken));
  EXPECT_EQ(woken.load(), 4);
}

TYPED_TEST(notify_conformance, aborted_waiter_leaves_the_queue) {
  notify n;
  std::atomic<int> woken{0};
  this->f.block_on([](notify* n, std::atomic<int>* woken) -> task<void> {
    auto a = spawn(wait_and_count(n, woken));
    co_await until_notify_waiters(n, 1);
    auto b = spawn(wait_and_count(n, woken));
    co_await until_notify_waiters(n, 2);
    a.abort();
    auto ra = co_await a;
    EXPECT_FALSE(ra.has_value());
    EXPECT_EQ(n->waiter_count(), 1u);
    n->notify_one();  // goes to b
    auto rb = co_await b;
    EXPECT_TRUE(rb.has_value());
  }(&n, &woken));
  EXPECT_EQ(woken.load(), 1);
  EXPECT_FALSE(n.has_permit());
}

TYPED_TEST(notify_conformance, waiter_aborted_after_notify_one_passes_it_on) {
  notify n;
  std::atomic<int> woken{0};
  const bool single = TypeParam::threads == 1;
  this->f.block_on([](notify* n, std::atomic<int>* woken, bool single) -> task<void> {
    auto a = spawn(wait_and_count(n, woken));
    co_await until_notify_waiters(n, 1);
    auto b = spawn(wait_and_count(n, woken));
    co_await until_notify_waiters(n, 2);
    n->notify_one();  // picks a ...
    a.abort();        // ... which is aborted before it could run (on one thread)
    auto ra = co_await a;
    if (single) {
      EXPECT_FALSE(ra.has_value());
    }
    if (ra.has_value()) n->notify_one();  // a consumed it (threads): b needs its own
    auto rb = co_await b;                 // otherwise b got the passed-on notification
    EXPECT_TRUE(rb.has_value());
    EXPECT_FALSE(n->has_permit());
  }(&n, &woken, single));
  if (single) {
    EXPECT_EQ(woken.load(), 1);
  }
}

TYPED_TEST(notify_conformance, sole_waiter_aborted_after_notify_one_stores_the_permit) {
  notify n;
  std::atomic<int> woken{0};
  const bool single = TypeParam::threads == 1;
  this->f.block_on([](notify* n, std::atomic<int>* woken, bool single) -> task<void> {
    auto a = spawn(wait_and_count(n, woken));
    co_await until_notify_waiters(n, 1);
    n->notify_one();
    a.abort();
    auto ra = co_await a;
    // Not lost: either a consumed it, or it was stored back as the permit.
    EXPECT_NE(ra.has_value(), n->has_permit());
    if (single) {
      EXPECT_TRUE(n->has_permit());
    }
  }(&n, &woken, single));
}

TYPED_TEST(notify_conformance, waiter_aborted_after_notify_waiters_passes_nothing_on) {
  notify n;
  std::atomic<int> woken{0};
  this->f.block_on([](notify* n, std::atomic<int>* woken) -> task<void> {
    auto a = spawn(wait_and_count(n, woken));
    co_await until_notify_waiters(n, 1);
    n->notify_waiters();
    a.abort();
    (void)co_await a;
    EXPECT_FALSE(n->has_permit());  // notify_waiters never stores
  }(&n, &woken));
}

TEST(notify_sim, timeout_on_notified_then_notification_goes_to_the_next) {
  sim_runtime sim{5};
  notify n;
  std::atomic<int> woken{0};
  sim.block_on([](notify* n, std::atomic<int>* woken) -> task<void> {
    const time_point t0 = now();
    auto t = spawn([](notify* n) -> task<bool> {
      auto r = co_await timeout(3ms, n->notified());
      co_return r.has_value();
    }(n));
    co_await until_notify_waiters(n, 1);
    auto b = spawn(wait_and_count(n, woken));
    co_await until_notify_waiters(n, 2);
    auto rt = co_await t;
    EXPECT_EQ(now() - t0, duration(3ms));
    EXPECT_FALSE(rt.value());
    EXPECT_EQ(n->waiter_count(), 1u);
    n->notify_one();
    auto rb = co_await b;
    EXPECT_TRUE(rb.has_value());
    EXPECT_FALSE(n->has_permit());
  }(&n, &woken));
  EXPECT_EQ(woken.load(), 1);
}

TEST(notify_sim, timeout_racing_notify_one_never_loses_it) {
  // notify_one at the deadline instant: by timeout's tie rule the picked waiter always takes
  // it (never cancelled after being picked; the abort test below covers that path).
  int picked_then_cancelled = 0, picked = 0, timed_out = 0;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    sim_runtime sim{seed};
    notify n;
    std::atomic<int> woken{0};
    std::size_t queued_after = 99;
    auto r =
        sim.try_block_on([](notify* n, std::atomic<int>* woken, std::size_t* queued) -> task<bool> {
          auto t = spawn([](notify* n) -> task<bool> {
            auto r = co_await timeout(10ms, n->notified());
            co_return r.has_value();
          }(n));
          co_await until_notify_waiters(n, 1);
          auto b = spawn(wait_and_count(n, woken));
          co_await until_notify_waiters(n, 2);
          co_await sleep(10ms);
          n->notify_one();
          *queued = n->waiter_count();
          auto rt = co_await t;
          if (rt.value()) n->notify_one();  // t consumed it: wake b ourselves
          auto rb = co_await b;             // else b got it passed on
          EXPECT_TRUE(rb.has_value());
          co_return rt.value();
        }(&n, &woken, &queued_after));
    ASSERT_TRUE(r.has_value()) << "seed " << seed;  // b was never left hanging
    if (!r.value() && queued_after == 1) ++picked_then_cancelled;
    if (r.value()) ++picked;
    if (!r.value() && queued_after != 1) ++timed_out;
    EXPECT_EQ(woken.load(), 1);
    EXPECT_FALSE(n.has_permit()) << "seed " << seed;
  }
  EXPECT_EQ(picked_then_cancelled, 0);
  EXPECT_GT(picked, 0);
  EXPECT_GT(timed_out, 0);
}

TEST(notify_sim, abort_after_notify_one_passes_it_on) {
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    sim_runtime sim{seed};
    notify n;
    std::atomic<int> woken{0};
    auto r = sim.try_block_on([](notify* n, std::atomic<int>* woken) -> task<void> {
      auto t = spawn(wait_and_count(n, woken));
      co_await until_notify_waiters(n, 1);
      auto b = spawn(wait_and_count(n, woken));
      co_await until_notify_waiters(n, 2);
      n->notify_one();  // picks t, whose wake is pending
      t.abort();        // wins: t's awaiter passes the notification on to b
      auto rt = co_await t;
      EXPECT_TRUE(!rt.has_value() && rt.error().code() == errc::aborted);
      (void)co_await b;
    }(&n, &woken));
    ASSERT_TRUE(r.has_value()) << "seed " << seed;  // b was woken
    EXPECT_EQ(woken.load(), 1) << "seed " << seed;
    EXPECT_FALSE(n.has_permit()) << "seed " << seed;
  }
}

}  // namespace eddy_test::sync_notify_test
