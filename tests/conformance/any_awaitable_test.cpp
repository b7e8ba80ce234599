// SPDX-License-Identifier: BSL-1.0
// Conformance: `timeout` and `with_cancellation` take any awaitable, on every runtime: awaiters
// that can be neither copied nor moved (`scope::join()`, `join_handle::join()`,
// `cancellation_token::cancelled()`), awaitables with `operator co_await` given as lvalues (a
// `join_handle`), and ordinary movable ones. That this file compiles is the compile test; each
// case also runs both ways (the value in time, and cancelled).
#include <atomic>
#include <type_traits>

#include "conformance/runtimes.hpp"

namespace eddy_test::conformance_any_awaitable_test {

using namespace eddy;
using namespace std::chrono_literals;

// The hard cases really are immovable (otherwise this test would prove less).
static_assert(!std::is_move_constructible_v<scope::join_awaiter>);
static_assert(!std::is_move_constructible_v<join_handle<int>::awaiter>);
static_assert(!std::is_move_constructible_v<cancellation_token::awaiter>);
static_assert(!std::is_copy_constructible_v<join_handle<int>>);

template <class F>
class any_awaitable : public ::testing::Test {
 protected:
  F f;
};
TYPED_TEST_SUITE(any_awaitable, eddy_test::all_runtimes, eddy_test::runtime_names);

namespace {
task<int> slow_value(std::chrono::milliseconds d, int v) {
  co_await sleep(d);
  co_return v;
}
task<void> nap(std::chrono::milliseconds d) {
  co_await sleep(d);
}
task<void> cancel_after(cancellation_token t, std::chrono::milliseconds d) {
  co_await sleep(d);
  t.cancel();
}
}  // namespace

TYPED_TEST(any_awaitable, timeout_of_a_scope_join) {
  auto r = this->f.block_on([]() -> task<int> {
    int score = 0;
    scope conns;
    conns.spawn(nap(1ms));
    conns.spawn(nap(2ms));
    auto done = co_await timeout(1h, conns.join());  // immovable temporary, in time
    if (done && done->has_value()) score += 1;
    scope slow;
    slow.spawn(nap(1h));
    auto late = co_await timeout(2ms, slow.join());  // timed out: the join deregistered
    if (!late) score += 10;
    slow.cancel();
    auto after = co_await slow.join();  // the scope can still be joined
    if (after.has_value()) score += 100;
    co_return score;
  }());
  EXPECT_EQ(r, 111);
}

TYPED_TEST(any_awaitable, timeout_of_a_join_handle_and_its_join) {
  auto r = this->f.block_on([]() -> task<int> {
    int score = 0;
    auto a = spawn(slow_value(1ms, 7));
    auto va = co_await timeout(1h, a.join());  // immovable temporary
    if (va && va->has_value() && va->value() == 7) score += 1;
    auto b = spawn(slow_value(1ms, 8));
    auto vb = co_await timeout(1h, b);  // lvalue with operator co_await
    if (vb && vb->has_value() && vb->value() == 8) score += 10;
    auto c = spawn(slow_value(1h, 9));
    auto vc = co_await timeout(2ms, c);  // timed out: the handle still owns the task
    if (!vc && !c.is_finished()) score += 100;
    c.abort();
    auto jc = co_await c.join();
    if (!jc.has_value() && jc.error().code() == errc::aborted) score += 1000;
    co_return score;
  }());
  EXPECT_EQ(r, 1111);
}

TYPED_TEST(any_awaitable, timeout_of_a_token_cancelled) {
  auto r = this->f.block_on([]() -> task<int> {
    int score = 0;
    cancellation_token never_cancelled;
    auto quiet = co_await timeout(2ms, never_cancelled.cancelled());
    if (!quiet) score += 1;
    cancellation_token soon;
    auto h = spawn(cancel_after(soon, 1ms));
    auto fired = co_await timeout(1h, soon.cancelled());
    if (fired) score += 10;
    (void)co_await h;
    never_cancelled.cancel();  // the timed-out wait deregistered: nothing wakes this task now
    co_await sleep(1ms);
    co_return score;
  }());
  EXPECT_EQ(r, 11);
}

TYPED_TEST(any_awaitable, with_cancellation_of_immovable_awaiters_and_lvalues) {
  auto r = this->f.block_on([]() -> task<int> {
    int score = 0;
    cancellation_token stop;
    scope work;
    work.spawn(nap(1h));
    auto h = spawn(cancel_after(stop, 2ms));
    auto joined = co_await with_cancellation(stop, work.join());  // cancelled first
    if (!joined) score += 1;
    work.cancel();
    (void)co_await work.join();
    (void)co_await h;

    cancellation_token idle;
    auto v = spawn(slow_value(1ms, 5));
    auto got = co_await with_cancellation(idle, v.join());  // the value first
    if (got && got->has_value() && got->value() == 5) score += 10;
    auto w = spawn(slow_value(1ms, 6));
    auto got2 = co_await with_cancellation(idle, w);  // lvalue join_handle
    if (got2 && got2->has_value() && got2->value() == 6) score += 100;

    cancellation_token other;
    auto g = spawn(cancel_after(other, 1ms));
    auto both = co_await with_cancellation(idle, other.cancelled());  // a token's wait
    if (both) score += 1000;
    (void)co_await g;
    co_return score;
  }());
  EXPECT_EQ(r, 1111);
}

// Ordinary movable awaitables keep working (moved into the awaiter).
TYPED_TEST(any_awaitable, movable_awaiters_still_work) {
  auto r = this->f.block_on([]() -> task<int> {
    auto [tx, rx] = mpsc::channel<int>(1);
    (void)tx.try_send(3);
    auto a = co_await timeout(1h, rx.recv());
    auto b = co_await timeout(2ms, rx.recv());
    co_return (a && *a ? **a : 0) + (b ? 100 : 0);
  }());
  EXPECT_EQ(r, 3);
}

// A timed-out wait that is woken at the same moment (another thread cancels the token while
// the time-out fires) leaves no stale wake behind: the next wait is not resumed early.
TYPED_TEST(any_awaitable, a_stale_wake_of_a_timed_out_temporary_is_dropped) {
  auto r = this->f.block_on([]() -> task<int> {
    int spurious = 0;
    for (int round = 0; round < 50; ++round) {
      cancellation_token t;
      auto h = spawn(cancel_after(t, 1ms));
      (void)co_await timeout(1ms, t.cancelled());
      auto [tx, rx] = mpsc::channel<int>(1);
      auto sender = spawn([](mpsc::sender<int> tx) -> task<void> {
        co_await sleep(1ms);
        (void)co_await tx.send(1);
      }(std::move(tx)));
      auto v = co_await rx.recv();  // must wait for the value: a stale wake would end it early
      if (!v) ++spurious;
      (void)co_await sender;
      (void)co_await h;
    }
    co_return spurious;
  }());
  EXPECT_EQ(r, 0);
}

}  // namespace eddy_test::conformance_any_awaitable_test
