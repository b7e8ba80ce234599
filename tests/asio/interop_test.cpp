// SPDX-License-Identifier: BSL-1.0
// Asio interop: eddy tasks awaiting Asio operations (use_task), Asio coroutines awaiting eddy
// tasks (asio_await, to_awaitable), with cancellation in both directions.
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <atomic>
#include <chrono>
#include <eddy/asio/awaitable.hpp>
#include <eddy/asio/use_task.hpp>
#include <eddy/runtime.hpp>
#include <eddy/runtime/asio_runtime.hpp>
#include <thread>

using namespace eddy;
using namespace std::chrono_literals;

namespace {

struct drop_counter {
  std::atomic<int>* n;
  ~drop_counter() { n->fetch_add(1); }
};

task<int> answer() {
  co_return 42;
}

task<int> sleepy_forever(std::atomic<int>* dropped) {
  drop_counter g{dropped};
  co_await sleep(std::chrono::hours(1000));
  co_return 1;
}

}  // namespace

TEST(asio_interop, use_task_waits_for_a_steady_timer) {
  asio::io_context io;
  asio_runtime rt{io};
  auto r = rt.block_on([](asio::io_context* io, executor ex) -> task<bool> {
    asio::steady_timer t{*io, 2ms};
    const auto t0 = std::chrono::steady_clock::now();
    std::error_code ec = co_await t.async_wait(use_task);
    const bool waited = std::chrono::steady_clock::now() - t0 >= 2ms;
    co_return !ec && waited && current_executor() == ex;
  }(&io, rt.get_executor()));
  EXPECT_TRUE(r);
}

TEST(asio_interop, use_task_passes_all_completion_arguments) {
  asio::io_context io;
  asio_runtime rt{io};
  auto r = rt.block_on([](asio::io_context* io) -> task<int> {
    // A custom operation with a two-argument signature, completed by a post.
    auto op = [io](auto token) {
      return asio::async_initiate<decltype(token), void(std::error_code, int)>(
          [io](auto handler) {
            asio::post(*io,
                       [h = std::move(handler)]() mutable { std::move(h)(std::error_code{}, 9); });
          },
          token);
    };
    auto [ec, v] = co_await op(use_task);
    co_return ec ? -1 : v;
  }(&io));
  EXPECT_EQ(r, 9);
}

TEST(asio_interop, use_task_resumes_on_the_tasks_own_runtime) {
  // The task lives on a thread pool; the timer completes on the thread running io.run().
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  std::thread io_thread([&] { io.run(); });
  thread_pool pool{2};
  auto r = pool.block_on([](asio::io_context* io, executor pool_ex) -> task<bool> {
    bool ok = true;
    for (int i = 0; i < 20; ++i) {
      asio::steady_timer t{*io, 100us};
      std::error_code ec = co_await t.async_wait(use_task);
      ok = ok && !ec && current_executor() == pool_ex;
    }
    co_return ok;
  }(&io, pool.get_executor()));
  EXPECT_TRUE(r);
  guard.reset();
  io_thread.join();
}

TEST(asio_interop, abort_cancels_the_asio_operation_and_destroys_the_frame) {
  asio::io_context io;
  asio_runtime rt{io};
  asio::steady_timer timer{io, std::chrono::hours(1)};
  std::atomic<int> dropped{0};
  std::atomic<bool> waiting{false};
  auto h = spawn(rt.get_executor(),
                 [](asio::steady_timer* t, std::atomic<int>* d, std::atomic<bool>* w) -> task<int> {
                   drop_counter g{d};
                   w->store(true);
                   std::error_code ec = co_await t->async_wait(use_task);
                   co_return ec ? 1 : 2;  // never reached: aborted while waiting
                 }(&timer, &dropped, &waiting));
  while (!waiting.load()) io.run_one();
  io.poll();  // the wait is registered with the timer now
  h.abort();
  // The abort runs on the loop, emits the cancellation, and then nothing keeps io.run() busy
  // (a one-hour wait still pending would block here).
  io.run();
  EXPECT_TRUE(h.is_finished());
  auto r = h.try_take();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), errc::aborted);
  EXPECT_EQ(dropped.load(), 1);
  EXPECT_EQ(timer.cancel(), 0u);  // no wait left on the timer
}

TEST(asio_interop, timeout_around_use_task_cancels_the_operation) {
  asio::io_context io;
  asio_runtime rt{io};
  asio::steady_timer timer{io, std::chrono::hours(1)};
  auto r = rt.block_on([](asio::steady_timer* t) -> task<bool> {
    auto v = co_await timeout(3ms, t->async_wait(use_task));
    co_return !v.has_value();
  }(&timer));
  EXPECT_TRUE(r);
  EXPECT_EQ(timer.cancel(), 0u);
}

TEST(asio_interop, use_task_value_wins_over_a_late_abort) {
  asio::io_context io;
  asio_runtime rt{io};
  auto r = rt.block_on([](asio::io_context* io) -> task<bool> {
    auto h = spawn([](asio::io_context* io) -> task<int> {
      asio::steady_timer t{*io, 0ms};
      std::error_code ec = co_await t.async_wait(use_task);
      co_return ec ? 1 : 2;
    }(io));
    while (!h.is_finished()) co_await yield_now();
    h.abort();  // too late: no effect
    auto v = co_await h;
    co_return v.has_value() && v.value() == 2;
  }(&io));
  EXPECT_TRUE(r);
}

TEST(asio_interop, awaitable_awaits_an_eddy_task) {
  asio::io_context io;
  asio_runtime rt{io};
  int got = 0, got2 = 0;
  asio::co_spawn(
      io,
      [](executor ex, int* got, int* got2) -> asio::awaitable<void> {
        result<int> r = co_await to_awaitable(ex, answer());
        *got = r.value();
        result<int> r2 = co_await asio_await(spawn(ex, []() -> task<int> {
          co_await sleep(1ms);
          co_return 7;
        }()));
        *got2 = r2.value();
      }(rt.get_executor(), &got, &got2),
      asio::detached);
  io.run();
  EXPECT_EQ(got, 42);
  EXPECT_EQ(got2, 7);
}

TEST(asio_interop, awaitable_awaits_a_task_on_a_thread_pool) {
  asio::io_context io;
  thread_pool pool{2};
  long got = 0;
  asio::co_spawn(
      io,
      [](executor ex, long* got) -> asio::awaitable<void> {
        long sum = 0;
        for (int i = 0; i < 100; ++i) {
          result<int> r = co_await to_awaitable(ex, answer());
          sum += r.value();
        }
        *got = sum;
      }(pool.get_executor(), &got),
      asio::detached);
  io.run();  // the pending joins hold outstanding work on io
  EXPECT_EQ(got, 4200);
}

TEST(asio_interop, empty_join_handle_gives_invalid_argument) {
  asio::io_context io;
  errc code = errc::user;
  asio::co_spawn(
      io,
      [](errc* code) -> asio::awaitable<void> {
        result<int> r = co_await asio_await(join_handle<int>{});
        *code = r.error().code();
      }(&code),
      asio::detached);
  io.run();
  EXPECT_EQ(code, errc::invalid_argument);
}

TEST(asio_interop, cancelling_the_awaitable_aborts_the_eddy_task) {
  using namespace asio::experimental::awaitable_operators;
  asio::io_context io;
  asio_runtime rt{io};
  std::atomic<int> dropped{0};
  int outcome = 0;
  asio::co_spawn(
      io,
      [](asio::io_context* io, executor ex, std::atomic<int>* d,
         int* outcome) -> asio::awaitable<void> {
        asio::steady_timer t{*io, 2ms};
        auto h = spawn(ex, sleepy_forever(d));
        auto v = co_await (asio_await(std::move(h)) || t.async_wait(asio::use_awaitable));
        *outcome = static_cast<int>(v.index()) + 1;  // 2: the timer won
      }(&io, rt.get_executor(), &dropped, &outcome),
      asio::detached);
  io.run();  // returns: the eddy task was aborted, nothing is left
  EXPECT_EQ(outcome, 2);
  EXPECT_EQ(dropped.load(), 1);
  EXPECT_EQ(rt.live_tasks(), 0u);
}
