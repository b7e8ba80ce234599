// SPDX-License-Identifier: BSL-1.0
// Conformance: sleep, sleep_until, timeout, yield_now, now on every runtime.
// Real-clock runtimes get tiny durations and order-only assertions; exact times are in
// tests/unit/sim_time_test.cpp.
#include <atomic>
#include <vector>

#include "conformance/deadline_order.hpp"
#include "conformance/runtimes.hpp"

namespace eddy_test::conformance_time_test {

using namespace eddy;
using namespace std::chrono_literals;

template <class F>
class time_conformance : public ::testing::Test {
 protected:
  F f;
};
TYPED_TEST_SUITE(time_conformance, eddy_test::all_runtimes, eddy_test::runtime_names);

namespace {
struct order_log {
  detail::spin_lock lock;
  std::vector<int> ids;
  void add(int id) {
    detail::lock_guard<detail::spin_lock> g(lock);
    ids.push_back(id);
  }
};
task<int> slow_value(std::chrono::milliseconds d, int v) {
  co_await sleep(d);
  co_return v;
}
}  // namespace

TYPED_TEST(time_conformance, sleeps_wake_in_deadline_order) {
  // 5 ms apart keeps the order meaningful on real clocks (virtual time needs no spacing)
  eddy_test::expect_sleeps_fire_in_deadline_order(this->f, std::chrono::milliseconds(5));
}

TYPED_TEST(time_conformance, sleep_advances_the_clock) {
  auto elapsed = this->f.block_on([]() -> task<duration> {
    const time_point t0 = now();
    co_await sleep(2ms);
    co_return now() - t0;
  }());
  EXPECT_GE(elapsed, duration(2ms));
}

TYPED_TEST(time_conformance, zero_and_negative_sleep_return_at_once) {
  auto elapsed = this->f.block_on([]() -> task<duration> {
    const time_point t0 = now();
    co_await sleep(0ms);
    co_await sleep(-5ms);
    co_await sleep_until(t0 - 1s);
    co_return now() - t0;
  }());
  if (TypeParam::virtual_time) {
    EXPECT_EQ(elapsed, duration(0));
  }
  EXPECT_LT(elapsed, duration(1s));
}

TYPED_TEST(time_conformance, timeout_gives_the_value_when_in_time) {
  auto r = this->f.block_on(
      []() -> task<std::optional<int>> { co_return co_await timeout(10s, slow_value(1ms, 7)); }());
  EXPECT_EQ(r, std::optional<int>(7));
}

TYPED_TEST(time_conformance, timeout_is_empty_and_cancels_inner_work) {
  std::atomic<int> destroyed{0};
  auto r = this->f.block_on([](std::atomic<int>* d) -> task<std::optional<int>> {
    co_return co_await timeout(2ms, [](std::atomic<int>* d) -> task<int> {
      struct guard {
        std::atomic<int>* d;
        ~guard() { d->fetch_add(1); }
      } g{d};
      co_await sleep(1h);
      co_return 1;
    }(d));
  }(&destroyed));
  EXPECT_FALSE(r.has_value());
  EXPECT_EQ(destroyed.load(), 1);
}

TYPED_TEST(time_conformance, timeout_of_ready_and_synchronous_work) {
  auto r = this->f.block_on([]() -> task<int> {
    auto a = co_await timeout(1ms, ready<int>(1));
    auto b = co_await timeout(1ms, []() -> task<int> { co_return 2; }());
    auto c = co_await timeout(0ms, []() -> task<int> { co_return 4; }());  // runs once: completes
    auto d = co_await timeout(0ms, slow_value(1ms, 8));                    // suspends: times out
    co_return a.value_or(0) + b.value_or(0) + c.value_or(0) + d.value_or(0);
  }());
  EXPECT_EQ(r, 7);
}

// `ready` is ready at compile time: `timeout` around it has a constant `await_ready` (no
// suspension point at all). An awaiter ready only at run time keeps the run-time check; both
// give their value and neither ever suspends.
struct ready_at_run_time {
  bool is_ready;
  int v;
  bool await_ready() const noexcept { return is_ready; }
  void await_suspend(coro::coroutine_handle<>) noexcept {}
  int await_resume() const noexcept { return v; }
};
template <class A>
concept ready_at_compile_time = requires { std::bool_constant<A::await_ready()>{}; };
static_assert(ready_at_compile_time<decltype(timeout(1ms, ready<int>(1)))>);
static_assert(decltype(timeout(1ms, ready<int>(1)))::await_ready());
static_assert(!ready_at_compile_time<decltype(timeout(1ms, ready_at_run_time{true, 1}))>);

TYPED_TEST(time_conformance, timeout_of_awaiters_ready_at_compile_and_run_time) {
  auto r = this->f.block_on([]() -> task<int> {
    int sum = 0;
    for (int i = 0; i < 3; ++i) {
      auto a = co_await timeout(1h, ready<int>(i));
      auto b = co_await timeout(1h, ready_at_run_time{true, 10 * i});
      sum += a.value_or(-1000) + b.value_or(-1000);
    }
    co_return sum;
  }());
  EXPECT_EQ(r, 33);
}

// The tie rule: inner work woken at the deadline by a timer that fires together with the
// time-out's (the same deadline, armed first) completes: the value wins, on every runtime.
TYPED_TEST(time_conformance, timeout_tie_the_value_wins) {
  auto r = this->f.block_on([]() -> task<int> {
    int values = 0;
    for (int round = 0; round < 10; ++round) {
      const time_point d = now() + 1ms;
      auto v = co_await timeout_at(d, [](time_point d) -> task<int> {
        co_await sleep_until(d);
        co_return 1;
      }(d));
      values += v.value_or(0);
    }
    co_return values;
  }());
  EXPECT_EQ(r, 10);
}

// A tie does not let the inner work run on: one resumption, then the time-out is handled.
TYPED_TEST(time_conformance, timeout_tie_gives_one_resumption_only) {
  std::atomic<int> steps{0};
  auto r = this->f.block_on([](std::atomic<int>* steps) -> task<std::optional<int>> {
    const time_point d = now() + 1ms;
    co_return co_await timeout_at(d, [](time_point d, std::atomic<int>* steps) -> task<int> {
      co_await sleep_until(d);
      steps->fetch_add(1);
      co_await sleep(1h);  // suspends again: cancelled here
      steps->fetch_add(1);
      co_return 1;
    }(d, steps));
  }(&steps));
  EXPECT_FALSE(r.has_value());
  EXPECT_EQ(steps.load(), 1);
}

TYPED_TEST(time_conformance, nested_timeouts_outer_fires_first) {
  auto r = this->f.block_on([]() -> task<int> {
    auto outer = co_await timeout(2ms, []() -> task<int> {
      auto inner = co_await timeout(1h, slow_value(1h, 1));
      co_return inner ? 1 : 2;
    }());
    co_return outer ? *outer : 3;
  }());
  EXPECT_EQ(r, 3);
}

TYPED_TEST(time_conformance, nested_timeouts_inner_fires_first) {
  auto r = this->f.block_on([]() -> task<int> {
    auto outer = co_await timeout(1h, []() -> task<int> {
      auto inner = co_await timeout(1ms, slow_value(1h, 1));
      co_return inner ? 1 : 2;
    }());
    co_return outer ? *outer : 3;
  }());
  EXPECT_EQ(r, 2);
}

TYPED_TEST(time_conformance, timeout_of_void_task) {
  auto r = this->f.block_on([]() -> task<int> {
    auto ok = co_await timeout(1h, []() -> task<void> { co_await sleep(1ms); }());
    auto late = co_await timeout(1ms, []() -> task<void> { co_await sleep(1h); }());
    co_return (ok.has_value() ? 1 : 0) + (late.has_value() ? 10 : 0);
  }());
  EXPECT_EQ(r, 1);
}

TYPED_TEST(time_conformance, abort_during_timeout_destroys_everything) {
  std::atomic<int> destroyed{0};
  auto r = this->f.block_on([](std::atomic<int>* d) -> task<bool> {
    cancellation_token inside;
    auto h = spawn([](std::atomic<int>* d, cancellation_token inside) -> task<void> {
      co_await timeout(1h, [](std::atomic<int>* d, cancellation_token inside) -> task<void> {
        struct guard {
          std::atomic<int>* d;
          ~guard() { d->fetch_add(1); }
        } g{d};
        inside.cancel();
        co_await sleep(1h);
      }(d, inside));
    }(d, inside));
    co_await inside.cancelled();
    h.abort();
    auto jr = co_await h;
    co_return !jr.has_value() && jr.error().code() == errc::aborted;
  }(&destroyed));
  EXPECT_TRUE(r);
  EXPECT_EQ(destroyed.load(), 1);
}

TYPED_TEST(time_conformance, yield_lets_other_ready_tasks_run) {
  // Two tasks alternate strictly when each yields after every step on a single-threaded
  // runtime; on any runtime, each task must see the other make progress while it yields.
  std::atomic<int> a{0}, b{0};
  auto ok = this->f.block_on([](std::atomic<int>* a, std::atomic<int>* b) -> task<bool> {
    auto other = spawn([](std::atomic<int>* b) -> task<void> {
      for (int i = 0; i < 100; ++i) {
        b->fetch_add(1);
        co_await yield_now();
      }
    }(b));
    for (int i = 0; i < 100; ++i) {
      a->fetch_add(1);
      co_await yield_now();
    }
    (void)co_await other;
    co_return true;
  }(&a, &b));
  EXPECT_TRUE(ok);
  EXPECT_EQ(a.load(), 100);
  EXPECT_EQ(b.load(), 100);
}

TYPED_TEST(time_conformance, now_is_monotonic) {
  auto ok = this->f.block_on([]() -> task<bool> {
    time_point last = now();
    for (int i = 0; i < 100; ++i) {
      co_await yield_now();
      const time_point t = now();
      if (t < last) co_return false;
      last = t;
    }
    co_return true;
  }());
  EXPECT_TRUE(ok);
}

TYPED_TEST(time_conformance, yield_is_fair_on_a_fifo_single_thread) {
  if (TypeParam::threads != 1 || TypeParam::virtual_time) GTEST_SKIP() << "FIFO single thread only";
  order_log log;
  this->f.block_on([](order_log* log) -> task<void> {
    auto body = [](int id, order_log* log) -> task<void> {
      for (int i = 0; i < 20; ++i) {
        log->add(id);
        co_await yield_now();
      }
    };
    auto x = spawn(body(1, log));
    auto y = spawn(body(2, log));
    (void)co_await x;
    (void)co_await y;
  }(&log));
  ASSERT_EQ(log.ids.size(), 40u);
  for (std::size_t i = 1; i < log.ids.size(); ++i) EXPECT_NE(log.ids[i], log.ids[i - 1]) << i;
}

}  // namespace eddy_test::conformance_time_test
