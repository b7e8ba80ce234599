// SPDX-License-Identifier: BSL-1.0
// emscripten_runtime under node, driven by block_on / run_until_idle (the event-loop mode is
// tested by tests/wasm/loop/*.cpp and tests/wasm/js/*).
#include <gtest/gtest.h>

#include <chrono>
#include <eddy/eddy.hpp>
#include <eddy/runtime/emscripten_runtime.hpp>
#include <vector>

using namespace eddy;
using namespace std::chrono_literals;

namespace {
// Suspends and never registers anywhere: only abort or runtime shutdown ends it.
struct never {
  bool await_ready() const noexcept { return false; }
  void await_suspend(coro::coroutine_handle<> h) noexcept { (void)detail::suspend_here(h); }
  void await_resume() const noexcept {}
};
task<int> stuck() {
  co_await never{};
  co_return 1;
}
}  // namespace

TEST(emscripten_runtime, node_can_block) {
  EXPECT_TRUE(emscripten_runtime::can_block());
}

TEST(emscripten_runtime, clock_starts_near_zero_and_is_monotonic) {
  emscripten_runtime rt;
  const time_point a = rt.now();
  EXPECT_GE(a.time_since_epoch().count(), 0);
  EXPECT_LT(a, time_point{1s});
  time_point last = a;
  for (int i = 0; i < 1000; ++i) {
    const time_point t = rt.now();
    EXPECT_GE(t, last);
    last = t;
  }
}

TEST(emscripten_runtime, sleep_waits_on_the_real_clock) {
  emscripten_runtime rt;
  // The runtime's own timers are what is under test here, so a short real sleep is the point.
  const duration slept = rt.block_on([]() -> task<duration> {
    const time_point t0 = now();
    co_await sleep(15ms);
    co_return now() - t0;
  }());
  EXPECT_GE(slept, 15ms);
  EXPECT_LT(slept, 2s);
}

TEST(emscripten_runtime, timers_fire_in_deadline_order) {
  emscripten_runtime rt;
  std::vector<int> order;
  rt.block_on([](std::vector<int>* order) -> task<void> {
    const time_point t0 = now();
    auto at = [](time_point t, int id, std::vector<int>* order) -> task<void> {
      co_await sleep_until(t);
      order->push_back(id);
    };
    auto c = spawn(at(t0 + 9ms, 3, order));
    auto a = spawn(at(t0 + 3ms, 1, order));
    auto b = spawn(at(t0 + 6ms, 2, order));
    auto d = spawn(at(t0 + 6ms, 4, order));  // same deadline as b, armed later: runs after b
    (void)co_await a;
    (void)co_await b;
    (void)co_await c;
    (void)co_await d;
  }(&order));
  EXPECT_EQ(order, (std::vector<int>{1, 2, 4, 3}));
}

TEST(emscripten_runtime, deadlock_is_reported_not_hung) {
  emscripten_runtime rt;
  auto r = rt.try_block_on(stuck());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), errc::deadlock);
  EXPECT_EQ(rt.live_tasks(), 0u);
}

TEST(emscripten_runtime, run_until_idle_runs_ready_work_only) {
  emscripten_runtime rt;
  int ran = 0;
  auto h = spawn(rt.get_executor(), [](int* ran) -> task<void> {
    ++*ran;
    co_await yield_now();
    ++*ran;
    co_await sleep(1h);
    ++*ran;
  }(&ran));
  EXPECT_EQ(rt.pending(), 1u);  // the task's first run
  EXPECT_GE(rt.run_until_idle(), 2u);
  EXPECT_EQ(ran, 2);
  EXPECT_EQ(rt.pending(), 1u);  // the one-hour timer
  EXPECT_FALSE(h.is_finished());
  h.abort();
  rt.run_until_idle();
  EXPECT_TRUE(h.is_finished());
  EXPECT_EQ(rt.pending(), 0u);  // abort disarmed the timer
  EXPECT_EQ(ran, 2);
}

TEST(emscripten_runtime, start_calls_back_with_the_result) {
  emscripten_runtime rt;
  int got = 0;
  rt.start([]() -> task<int> { co_return 41 + 1; }(),
           [](int* got) {
             return [got](result<int>&& r) { *got = r.has_value() ? r.value() : -1; };
           }(&got));
  rt.run_until_idle();
  EXPECT_EQ(got, 42);
}

TEST(emscripten_runtime, destruction_aborts_and_runs_destructors) {
  int destroyed = 0;
  {
    emscripten_runtime rt;
    struct guard {
      int* d;
      ~guard() { ++*d; }
    };
    spawn(rt.get_executor(), [](int* d) -> task<void> {
      guard g{d};
      co_await sleep(1000h);
    }(&destroyed));
    rt.run_until_idle();
    EXPECT_EQ(destroyed, 0);
  }
  EXPECT_EQ(destroyed, 1);
}

TEST(emscripten_runtime, two_runtimes_keep_affinity) {
  emscripten_runtime a;
  emscripten_runtime b;
  bool on_b = false;
  const bool on_a = a.block_on([](executor eb, bool* on_b) -> task<bool> {
    const executor ea = current_executor();
    spawn(eb, [](executor eb, bool* on_b) -> task<void> {
      co_await yield_now();
      *on_b = current_executor() == eb;
    }(eb, on_b));
    co_await yield_now();
    co_return current_executor() == ea;
  }(b.get_executor(), &on_b));
  EXPECT_TRUE(on_a);
  EXPECT_FALSE(on_b);  // a's driver never runs b's work
  EXPECT_EQ(b.live_tasks(), 1u);
  b.run_until_idle();
  EXPECT_TRUE(on_b);
  EXPECT_EQ(b.live_tasks(), 0u);
}
