// SPDX-License-Identifier: BSL-1.0
// Asio interop: eddy tasks awaiting Asio operations (use_task), Asio coroutines awaiting eddy
// tasks (asio_await, to_awaitable), with cancellation in both directions.
// Shared by both Asio flavours (see net_test.hpp); include a flavour header first.
#pragma once
#include <atomic>
#include <chrono>
#include <eddy/runtime.hpp>
#include <thread>

using namespace eddy;
using namespace std::chrono_literals;

// A named namespace, one per case file: anonymous types in a header upset g++'s
// -Wsubobject-linkage.
namespace interop_cases {

task<int> answer() {
  co_return 42;
}

task<int> sleepy_forever(std::atomic<int>* dropped) {
  drop_counter g{dropped};
  co_await sleep(std::chrono::hours(1000));
  co_return 1;
}

}  // namespace interop_cases
using namespace interop_cases;

NET_TEST(interop, use_task_waits_for_a_steady_timer) {
  net::io_context io;
  net_runtime rt{io};
  auto r = rt.block_on([](net::io_context* io, executor ex) -> task<bool> {
    const auto t0 = std::chrono::steady_clock::now();  // before the timer takes its expiry
    net::steady_timer t{*io, 2ms};
    net_error_code ec = co_await t.async_wait(use_task);
    const bool waited = std::chrono::steady_clock::now() - t0 >= 2ms;
    co_return !ec && waited && current_executor() == ex;
  }(&io, rt.get_executor()));
  EXPECT_TRUE(r);
}

NET_TEST(interop, use_task_passes_all_completion_arguments) {
  net::io_context io;
  net_runtime rt{io};
  auto r = rt.block_on([](net::io_context* io) -> task<int> {
    // A custom operation with a two-argument signature, completed by a post.
    auto op = [io](auto token) {
      return net::async_initiate<decltype(token), void(net_error_code, int)>(
          [io](auto handler) {
            net::post(*io,
                      [h = std::move(handler)]() mutable { std::move(h)(net_error_code{}, 9); });
          },
          token);
    };
    auto [ec, v] = co_await op(use_task);
    co_return ec ? -1 : v;
  }(&io));
  EXPECT_EQ(r, 9);
}

NET_TEST(interop, use_task_resumes_on_the_tasks_own_runtime) {
  // The task lives on a thread pool; the timer completes on the thread running io.run().
  net::io_context io;
  auto guard = net::make_work_guard(io);
  std::thread io_thread([&] { io.run(); });
  thread_pool pool{2};
  auto r = pool.block_on([](net::io_context* io, executor pool_ex) -> task<bool> {
    bool ok = true;
    for (int i = 0; i < 20; ++i) {
      net::steady_timer t{*io, 100us};
      net_error_code ec = co_await t.async_wait(use_task);
      ok = ok && !ec && current_executor() == pool_ex;
    }
    co_return ok;
  }(&io, pool.get_executor()));
  EXPECT_TRUE(r);
  guard.reset();
  io_thread.join();
}

NET_TEST(interop, abort_cancels_the_asio_operation_and_destroys_the_frame) {
  net::io_context io;
  net_runtime rt{io};
  net::steady_timer timer{io, std::chrono::hours(1)};
  std::atomic<int> dropped{0};
  std::atomic<bool> waiting{false};
  auto h = spawn(rt.get_executor(),
                 [](net::steady_timer* t, std::atomic<int>* d, std::atomic<bool>* w) -> task<int> {
                   drop_counter g{d};
                   w->store(true);
                   net_error_code ec = co_await t->async_wait(use_task);
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

NET_TEST(interop, timeout_around_use_task_cancels_the_operation) {
  net::io_context io;
  net_runtime rt{io};
  net::steady_timer timer{io, std::chrono::hours(1)};
  auto r = rt.block_on([](net::steady_timer* t) -> task<bool> {
    auto v = co_await timeout(3ms, t->async_wait(use_task));
    co_return !v.has_value();
  }(&timer));
  EXPECT_TRUE(r);
  EXPECT_EQ(timer.cancel(), 0u);
}

NET_TEST(interop, use_task_value_wins_over_a_late_abort) {
  net::io_context io;
  net_runtime rt{io};
  auto r = rt.block_on([](net::io_context* io) -> task<bool> {
    auto h = spawn([](net::io_context* io) -> task<int> {
      net::steady_timer t{*io, 0ms};
      net_error_code ec = co_await t.async_wait(use_task);
      co_return ec ? 1 : 2;
    }(io));
    while (!h.is_finished()) co_await yield_now();
    h.abort();  // too late: no effect
    auto v = co_await h;
    co_return v.has_value() && v.value() == 2;
  }(&io));
  EXPECT_TRUE(r);
}

NET_TEST(interop, awaitable_awaits_an_eddy_task) {
  net::io_context io;
  net_runtime rt{io};
  int got = 0, got2 = 0;
  net::co_spawn(
      io,
      [](executor ex, int* got, int* got2) -> net::awaitable<void> {
        result<int> r = co_await net_to_awaitable(ex, answer());
        *got = r.value();
        result<int> r2 = co_await net_await(spawn(ex, []() -> task<int> {
          co_await sleep(1ms);
          co_return 7;
        }()));
        *got2 = r2.value();
      }(rt.get_executor(), &got, &got2),
      net::detached);
  io.run();
  EXPECT_EQ(got, 42);
  EXPECT_EQ(got2, 7);
}

NET_TEST(interop, awaitable_awaits_a_task_on_a_thread_pool) {
  net::io_context io;
  thread_pool pool{2};
  long got = 0;
  net::co_spawn(
      io,
      [](executor ex, long* got) -> net::awaitable<void> {
        long sum = 0;
        for (int i = 0; i < 100; ++i) {
          result<int> r = co_await net_to_awaitable(ex, answer());
          sum += r.value();
        }
        *got = sum;
      }(pool.get_executor(), &got),
      net::detached);
  io.run();  // the pending joins hold outstanding work on io
  EXPECT_EQ(got, 4200);
}

NET_TEST(interop, empty_join_handle_gives_invalid_argument) {
  net::io_context io;
  errc code = errc::user;
  net::co_spawn(
      io,
      [](errc* code) -> net::awaitable<void> {
        result<int> r = co_await net_await(join_handle<int>{});
        *code = r.error().code();
      }(&code),
      net::detached);
  io.run();
  EXPECT_EQ(code, errc::invalid_argument);
}

NET_TEST(interop, cancelling_the_awaitable_aborts_the_eddy_task) {
  using namespace net::experimental::awaitable_operators;
  net::io_context io;
  net_runtime rt{io};
  std::atomic<int> dropped{0};
  int outcome = 0;
  net::co_spawn(
      io,
      [](net::io_context* io, executor ex, std::atomic<int>* d,
         int* outcome) -> net::awaitable<void> {
        net::steady_timer t{*io, 2ms};
        auto h = spawn(ex, sleepy_forever(d));
        auto v = co_await (net_await(std::move(h)) || t.async_wait(net::use_awaitable));
        *outcome = static_cast<int>(v.index()) + 1;  // 2: the timer won
      }(&io, rt.get_executor(), &dropped, &outcome),
      net::detached);
  io.run();  // returns: the eddy task was aborted, nothing is left
  EXPECT_EQ(outcome, 2);
  EXPECT_EQ(dropped.load(), 1);
  EXPECT_EQ(rt.live_tasks(), 0u);
}
