// SPDX-License-Identifier: BSL-1.0
// Conformance: scope (structured concurrency) and cancellation_token on every runtime.
#include <atomic>

#include "conformance/runtimes.hpp"

namespace eddy_test::conformance_scope_test {

using namespace eddy;
using namespace std::chrono_literals;

template <class F>
class scope_conformance : public ::testing::Test {
 protected:
  F f;
};
TYPED_TEST_SUITE(scope_conformance, eddy_test::all_runtimes, eddy_test::runtime_names);

namespace {
task<void> count_after(std::chrono::milliseconds d, std::atomic<int>* n) {
  co_await sleep(d);
  n->fetch_add(1);
}
task<result<int>> fail_after(std::chrono::milliseconds d) {
  co_await sleep(d);
  co_return error{errc::user, 7};
}
task<void> wait_token(cancellation_token t, std::atomic<int>* woke,
                      cancellation_token waiting = {}) {
  waiting.cancel();  // "I am about to wait" (a one-shot event for the test)
  co_await t.cancelled();
  woke->fetch_add(1);
}
}  // namespace

TYPED_TEST(scope_conformance, join_waits_for_every_child) {
  std::atomic<int> n{0};
  auto r = this->f.block_on([](std::atomic<int>* n) -> task<result<void>> {
    scope s;
    for (int i = 0; i < 10; ++i) s.spawn(count_after(std::chrono::milliseconds(i % 3), n));
    auto r = co_await s.join();
    EXPECT_EQ(s.size(), 0u);
    co_return r;
  }(&n));
  EXPECT_TRUE(r.has_value());
  EXPECT_EQ(n.load(), 10);
}

TYPED_TEST(scope_conformance, join_of_empty_scope_is_immediate) {
  auto r = this->f.block_on([]() -> task<bool> {
    scope s;
    auto r = co_await s.join();
    co_return r.has_value();
  }());
  EXPECT_TRUE(r);
}

TYPED_TEST(scope_conformance, cancel_aborts_all_children) {
  std::atomic<int> n{0};
  auto r = this->f.block_on([](std::atomic<int>* n) -> task<result<void>> {
    scope s;
    auto h = s.spawn(count_after(1h, n));
    s.spawn(count_after(1h, n));
    co_await yield_now();
    s.cancel();
    auto jr = co_await s.join();
    auto hr = co_await h;
    EXPECT_FALSE(hr.has_value());
    co_return jr;
  }(&n));
  EXPECT_TRUE(r.has_value());  // aborts done by the scope are not the scope's error
  EXPECT_EQ(n.load(), 0);
}

TYPED_TEST(scope_conformance, first_error_cancels_siblings) {
  std::atomic<int> n{0};
  auto r = this->f.block_on([](std::atomic<int>* n) -> task<result<void>> {
    scope s;
    s.spawn(count_after(1h, n));
    s.spawn(fail_after(1ms));
    s.spawn(count_after(1h, n));
    co_return co_await s.join();
  }(&n));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), errc::user);
  EXPECT_EQ(r.error().count(), 7u);
  EXPECT_EQ(n.load(), 0);
}

TYPED_TEST(scope_conformance, wait_all_policy_keeps_siblings_running) {
  std::atomic<int> n{0};
  auto r = this->f.block_on([](std::atomic<int>* n) -> task<result<void>> {
    scope s{scope_policy::wait_all};
    s.spawn(count_after(3ms, n));
    s.spawn(fail_after(1ms));
    co_return co_await s.join();
  }(&n));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), errc::user);
  EXPECT_EQ(n.load(), 1);
}

TYPED_TEST(scope_conformance, dropping_scope_aborts_children) {
  std::atomic<int> n{0};
  auto r = this->f.block_on([](std::atomic<int>* n) -> task<bool> {
    join_handle<void> h;
    {
      scope s;
      h = s.spawn(count_after(1h, n));
    }
    auto jr = co_await h;
    co_return !jr.has_value() && jr.error().code() == errc::aborted;
  }(&n));
  EXPECT_TRUE(r);
  EXPECT_EQ(n.load(), 0);
}

TYPED_TEST(scope_conformance, spawn_after_cancel_is_aborted) {
  std::atomic<int> n{0};
  auto r = this->f.block_on([](std::atomic<int>* n) -> task<bool> {
    scope s;
    s.cancel();
    auto h = s.spawn(count_after(0ms, n));
    auto jr = co_await h;
    co_return !jr.has_value() && jr.error().code() == errc::aborted;
  }(&n));
  EXPECT_TRUE(r);
  EXPECT_EQ(n.load(), 0);
}

TYPED_TEST(scope_conformance, token_wakes_waiters_and_children_tokens) {
  std::atomic<int> woke{0};
  auto r = this->f.block_on([](std::atomic<int>* woke) -> task<bool> {
    cancellation_token parent;
    cancellation_token child = parent.child();
    cancellation_token grandchild = child.child();
    cancellation_token wa, wb, wc;
    auto a = spawn(wait_token(parent, woke, wa));
    auto b = spawn(wait_token(child, woke, wb));
    auto c = spawn(wait_token(grandchild, woke, wc));
    co_await wa.cancelled();
    co_await wb.cancelled();
    co_await wc.cancelled();
    bool before = !parent.is_cancelled() && !child.is_cancelled() && woke->load() == 0;
    parent.cancel();
    (void)co_await a;
    (void)co_await b;
    (void)co_await c;
    co_return before&& child.is_cancelled() && grandchild.is_cancelled();
  }(&woke));
  EXPECT_TRUE(r);
  EXPECT_EQ(woke.load(), 3);
}

TYPED_TEST(scope_conformance, child_token_cancel_does_not_cancel_parent) {
  auto r = this->f.block_on([]() -> task<bool> {
    cancellation_token parent;
    auto child = parent.child();
    child.cancel();
    co_await child.cancelled();  // already cancelled: immediate
    co_return child.is_cancelled() && !parent.is_cancelled();
  }());
  EXPECT_TRUE(r);
}

TYPED_TEST(scope_conformance, aborting_a_token_waiter_deregisters_it) {
  std::atomic<int> woke{0};
  auto r = this->f.block_on([](std::atomic<int>* woke) -> task<bool> {
    cancellation_token t;
    cancellation_token waiting;
    auto h = spawn(wait_token(t, woke, waiting));
    co_await waiting.cancelled();
    co_await yield_now();
    h.abort();
    auto jr = co_await h;
    t.cancel();  // must not touch the destroyed waiter
    co_return !jr.has_value();
  }(&woke));
  EXPECT_TRUE(r);
  EXPECT_EQ(woke.load(), 0);
}

}  // namespace eddy_test::conformance_scope_test
