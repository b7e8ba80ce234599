// SPDX-License-Identifier: BSL-1.0
// Conformance: eddy::latch on every runtime.
#include <atomic>
#include <vector>

#include <eddy/sync/latch.hpp>

#include "conformance/runtimes.hpp"

namespace eddy_test::sync_latch_test {

using namespace eddy;
using namespace std::chrono_literals;

template <class F>
class latch_conformance : public ::testing::Test {
 protected:
  F f;
};
TYPED_TEST_SUITE(latch_conformance, eddy_test::all_runtimes, eddy_test::runtime_names);

namespace {

task<void> until_latch_waiters(latch* l, std::size_t k) {
  while (l->waiter_count() != k) co_await yield_now();
}

task<void> wait_latch(latch* l, std::atomic<int>* passed) {
  co_await l->wait();
  passed->fetch_add(1);
}

}  // namespace

TYPED_TEST(latch_conformance, waiters_resume_when_the_count_reaches_zero) {
  latch l{2};
  std::atomic<int> passed{0};
  this->f.block_on([](latch* l, std::atomic<int>* passed) -> task<void> {
    std::vector<join_handle<void>> hs;
    for (int i = 0; i < 3; ++i) hs.push_back(spawn(wait_latch(l, passed)));
    co_await until_latch_waiters(l, 3);
    EXPECT_FALSE(l->try_wait());
    auto r = l->count_down();
    EXPECT_TRUE(r.has_value());
    EXPECT_EQ(l->count(), 1);
    for (int i = 0; i < 10; ++i) co_await yield_now();
    EXPECT_EQ(passed->load(), 0);
    EXPECT_EQ(l->waiter_count(), 3u);
    r = l->count_down();
    EXPECT_TRUE(r.has_value());
    EXPECT_TRUE(l->try_wait());
    for (auto& h : hs) {
      auto rh = co_await h;
      EXPECT_TRUE(rh.has_value());
    }
    co_await l->wait();  // open: at once
  }(&l, &passed));
  EXPECT_EQ(passed.load(), 3);
}

TYPED_TEST(latch_conformance, zero_latch_is_open) {
  latch l{0};
  EXPECT_TRUE(l.try_wait());
  this->f.block_on([](latch* l) -> task<void> { co_await l->wait(); }(&l));
}

TYPED_TEST(latch_conformance, bad_counts_are_clear_errors) {
  latch l{2};
  auto neg = l.count_down(-1);
  ASSERT_FALSE(neg.has_value());
  EXPECT_EQ(neg.error().code(), errc::invalid_argument);
  auto over = l.count_down(3);
  ASSERT_FALSE(over.has_value());
  EXPECT_EQ(over.error().code(), errc::invalid_argument);
  EXPECT_EQ(l.count(), 2);  // unchanged
  EXPECT_TRUE(l.count_down(0).has_value());
  EXPECT_TRUE(l.count_down(2).has_value());
  auto below = l.count_down();  // below zero
  ASSERT_FALSE(below.has_value());
  EXPECT_EQ(below.error().code(), errc::invalid_argument);
  EXPECT_EQ(l.count(), 0);
#if EDDY_HAS_EXCEPTIONS
  EXPECT_THROW(latch{-1}, panic_error);
#endif
}

TYPED_TEST(latch_conformance, arrive_and_wait) {
  latch l{3};
  std::atomic<int> passed{0};
  this->f.block_on([](latch* l, std::atomic<int>* passed) -> task<void> {
    std::vector<join_handle<void>> hs;
    for (int i = 0; i < 2; ++i) {
      hs.push_back(spawn([](latch* l, std::atomic<int>* passed) -> task<void> {
        auto r = co_await l->arrive_and_wait();
        EXPECT_TRUE(r.has_value());
        passed->fetch_add(1);
      }(l, passed)));
    }
    co_await until_latch_waiters(l, 2);
    EXPECT_EQ(l->count(), 1);
    auto bad = co_await l->arrive_and_wait(2);  // more than left: error, no wait
    EXPECT_FALSE(bad.has_value());
    EXPECT_EQ(l->count(), 1);
    auto r = co_await l->arrive_and_wait();
    EXPECT_TRUE(r.has_value());
    for (auto& h : hs) {
      auto rh = co_await h;
      EXPECT_TRUE(rh.has_value());
    }
  }(&l, &passed));
  EXPECT_EQ(passed.load(), 2);
}

TYPED_TEST(latch_conformance, aborted_waiter_leaves_the_queue) {
  latch l{1};
  std::atomic<int> passed{0};
  this->f.block_on([](latch* l, std::atomic<int>* passed) -> task<void> {
    auto a = spawn(wait_latch(l, passed));
    auto b = spawn(wait_latch(l, passed));
    co_await until_latch_waiters(l, 2);
    a.abort();
    auto ra = co_await a;
    EXPECT_FALSE(ra.has_value());
    EXPECT_EQ(l->waiter_count(), 1u);
    auto r = l->count_down();
    EXPECT_TRUE(r.has_value());
    auto rb = co_await b;
    EXPECT_TRUE(rb.has_value());
  }(&l, &passed));
  EXPECT_EQ(passed.load(), 1);
}

TEST(latch_sim, timeout_on_wait) {
  sim_runtime sim{9};
  latch l{1};
  sim.block_on([](latch* l) -> task<void> {
    const time_point t0 = now();
    auto r = co_await timeout(4ms, l->wait());
    EXPECT_FALSE(r.has_value());
    EXPECT_EQ(now() - t0, duration(4ms));
    EXPECT_EQ(l->waiter_count(), 0u);
    auto c = l->count_down();
    EXPECT_TRUE(c.has_value());
    auto r2 = co_await timeout(4ms, l->wait());
    EXPECT_TRUE(r2.has_value());
    EXPECT_EQ(now() - t0, duration(4ms));
  }(&l));
}

}  // namespace eddy_test::sync_latch_test
