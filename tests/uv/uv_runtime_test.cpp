// SPDX-License-Identifier: BSL-1.0
// uv_runtime: loop lifetime, timers, cross-thread posts, abort, shutdown with suspended tasks.
#include <gtest/gtest.h>

#include <atomic>
#include <eddy/runtime.hpp>
#include <eddy/runtime/uv_runtime.hpp>
#include <thread>
#include <vector>

#include "conformance/deadline_order.hpp"

namespace eddy_test::uv_uv_runtime_test {

using namespace eddy;
using namespace std::chrono_literals;

namespace {

struct drop_counter {
  std::atomic<int>* n;
  ~drop_counter() { n->fetch_add(1); }
};

task<void> sleeper(std::atomic<int>* dropped, std::atomic<int>* started) {
  drop_counter g{dropped};
  started->fetch_add(1);
  co_await sleep(std::chrono::hours(1000));
}

// A loop that must close cleanly: every handle of the runtime released.
struct loop {
  uv_loop_t l;
  loop() { uv_loop_init(&l); }
  ~loop() {
    uv_run(&l, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&l), 0);
  }
};

}  // namespace

TEST(uv_runtime, uv_run_returns_when_tasks_finish) {
  loop lp;
  uv_runtime rt{&lp.l};
  int v = 0;
  auto h = spawn(rt.get_executor(), [](int* v) -> task<int> {
    co_await sleep(2ms);
    co_await yield_now();
    *v = 7;
    co_return 5;
  }(&v));
  uv_run(&lp.l, UV_RUN_DEFAULT);
  EXPECT_EQ(v, 7);
  ASSERT_TRUE(h.is_finished());
  EXPECT_EQ(h.try_take().value(), 5);
  EXPECT_EQ(rt.live_tasks(), 0u);
}

TEST(uv_runtime, sleeps_never_end_early_and_fire_in_deadline_order) {
  loop lp;
  uv_runtime rt{&lp.l};
  // sub-millisecond steps: libuv rounds its timer, the runtime must not fire early
  eddy_test::expect_sleeps_fire_in_deadline_order(rt, std::chrono::microseconds(700));
}

TEST(uv_runtime, cross_thread_posts_and_wakes_with_a_thread_pool) {
  loop lp;
  uv_runtime rt{&lp.l};
  thread_pool pool{2};
  auto total = rt.block_on([](executor pool_ex, executor uv_ex) -> task<long> {
    std::vector<join_handle<long>> producers;
    for (int p = 0; p < 4; ++p) {
      // On the pool: spawn on the uv loop (cross-thread posts, uv_async_send) and join there.
      producers.push_back(spawn(pool_ex, [](executor uv_ex, int p) -> task<long> {
        std::vector<join_handle<long>> hs;
        for (int i = 0; i < 500; ++i) {
          hs.push_back(spawn(uv_ex, [](long v, executor uv_ex) -> task<long> {
            co_await yield_now();
            co_return current_executor() == uv_ex ? v : -1000000;
          }(p * 1000 + i, uv_ex)));
        }
        long s = 0;
        for (auto& h : hs) {
          auto r = co_await h;
          s += r.value();
        }
        co_return s;
      }(uv_ex, p)));
    }
    long s = 0;
    for (auto& h : producers) {
      auto r = co_await h;
      s += r.value();
    }
    co_return s;
  }(pool.get_executor(), rt.get_executor()));
  long expect = 0;
  for (int p = 0; p < 4; ++p)
    for (int i = 0; i < 500; ++i) expect += p * 1000 + i;
  EXPECT_EQ(total, expect);
}

TEST(uv_runtime, abort_while_the_loop_runs) {
  loop lp;
  uv_runtime rt{&lp.l};
  std::atomic<int> dropped{0}, started{0};
  std::vector<join_handle<void>> hs;
  for (int i = 0; i < 20; ++i) hs.push_back(spawn(rt.get_executor(), sleeper(&dropped, &started)));
  std::thread aborter([&] {
    while (started.load() < 20) std::this_thread::yield();
    for (auto& h : hs) h.abort();  // from another thread: the wakes go through uv_async_send
  });
  uv_run(&lp.l, UV_RUN_DEFAULT);  // returns once every task is gone (their timers too)
  aborter.join();
  EXPECT_EQ(dropped.load(), 20);
  for (auto& h : hs) EXPECT_EQ(h.try_take().error().code(), errc::aborted);
}

TEST(uv_runtime, destroying_the_runtime_destroys_suspended_tasks) {
  std::atomic<int> dropped{0}, started{0};
  cancellation_token never;
  loop lp;
  join_handle<void> kept;
  {
    uv_runtime rt{&lp.l};
    auto ex = rt.get_executor();
    for (int i = 0; i < 3; ++i) spawn(ex, sleeper(&dropped, &started)).detach();
    spawn(ex,
          [](cancellation_token* t, std::atomic<int>* d, std::atomic<int>* s) -> task<void> {
            drop_counter g{d};
            s->fetch_add(1);
            co_await t->cancelled();
          }(&never, &dropped, &started))
        .detach();
    kept = spawn(ex, sleeper(&dropped, &started));
    while (started.load() < 5) uv_run(&lp.l, UV_RUN_NOWAIT);
    EXPECT_EQ(rt.live_tasks(), 5u);
  }  // ~uv_runtime aborts them, destroys their frames and closes its handles
  EXPECT_EQ(dropped.load(), 5);
  EXPECT_TRUE(kept.is_finished());
  EXPECT_EQ(kept.try_take().error().code(), errc::aborted);
}  // ~loop runs the close callbacks and checks uv_loop_close succeeds

TEST(uv_runtime, tasks_that_never_ran_are_destroyed_too) {
  std::atomic<int> dropped{0}, started{0};
  loop lp;
  {
    uv_runtime rt{&lp.l};
    for (int i = 0; i < 100; ++i) spawn(rt.get_executor(), sleeper(&dropped, &started)).detach();
  }
  EXPECT_EQ(started.load(), 0);
  EXPECT_EQ(dropped.load(), 0);
}

TEST(uv_runtime, block_on_inside_a_task_is_an_error) {
  loop lp;
  uv_runtime rt{&lp.l};
  auto ok = rt.block_on([](uv_runtime* rt) -> task<bool> {
    auto r = rt->try_block_on([]() -> task<int> { co_return 1; }());
    co_return !r.has_value() && r.error().code() == errc::invalid_argument;
  }(&rt));
  EXPECT_TRUE(ok);
}

}  // namespace eddy_test::uv_uv_runtime_test
