// SPDX-License-Identifier: BSL-1.0
// the runtime: stopping the loop with tasks still suspended, destroying the runtime, abort,
// cross-thread posts, executors other than io_context.
// Shared by both Asio flavours (see net_test.hpp); include a flavour header first.
#pragma once
#include <atomic>
#include <eddy/runtime.hpp>
#include <thread>
#include <vector>

#include "conformance/deadline_order.hpp"

using namespace eddy;
using namespace std::chrono_literals;

// A named namespace, one per case file: anonymous types in a header upset g++'s
// -Wsubobject-linkage.
namespace shutdown_cases {

task<void> sleeper(std::atomic<int>* dropped, std::atomic<int>* started) {
  drop_counter g{dropped};
  started->fetch_add(1);
  co_await sleep(std::chrono::hours(1000));
}

task<void> asio_waiter(net::io_context* io, std::atomic<int>* dropped, std::atomic<int>* started) {
  drop_counter g{dropped};
  net::steady_timer t{*io, std::chrono::hours(1)};
  started->fetch_add(1);
  (void)co_await t.async_wait(use_task);
}

task<void> joiner(join_handle<void> h, std::atomic<int>* dropped, std::atomic<int>* started) {
  drop_counter g{dropped};
  started->fetch_add(1);
  (void)co_await h;
}

task<void> waits_on_token(cancellation_token* tok, std::atomic<int>* dropped,
                          std::atomic<int>* started) {
  drop_counter g{dropped};
  started->fetch_add(1);
  co_await tok->cancelled();
}

}  // namespace shutdown_cases
using namespace shutdown_cases;

NET_TEST(shutdown, destroying_the_runtime_destroys_suspended_tasks) {
  std::atomic<int> dropped{0}, started{0};
  net::io_context io;
  cancellation_token never;
  {
    net_runtime rt{io};
    auto ex = rt.get_executor();
    spawn(ex, sleeper(&dropped, &started)).detach();
    spawn(ex, asio_waiter(&io, &dropped, &started)).detach();
    spawn(ex, joiner(spawn(ex, sleeper(&dropped, &started)), &dropped, &started)).detach();
    spawn(ex, waits_on_token(&never, &dropped, &started)).detach();
    auto kept = spawn(ex, sleeper(&dropped, &started));  // a handle that outlives the runtime
    while (started.load() < 6) io.run_one();
    io.poll();
    EXPECT_EQ(rt.live_tasks(), 6u);
    io.stop();
    // ~net_runtime: every task is aborted and its frame destroyed here.
    rt.shutdown();
    EXPECT_EQ(dropped.load(), 6);
    EXPECT_EQ(rt.live_tasks(), 0u);
    EXPECT_TRUE(kept.is_finished());
  }
  EXPECT_EQ(dropped.load(), 6);
  // The io_context still holds the cancelled Asio wait and stale handlers; destroying it frees
  // them (LeakSanitizer checks the rest).
}

NET_TEST(shutdown, tasks_that_never_ran_are_destroyed_too) {
  std::atomic<int> dropped{0}, started{0};
  net::io_context io;
  {
    net_runtime rt{io};
    for (int i = 0; i < 100; ++i) spawn(rt.get_executor(), sleeper(&dropped, &started)).detach();
  }  // io never ran
  EXPECT_EQ(started.load(), 0);
  EXPECT_EQ(dropped.load(), 0);  // the bodies never started, so no local existed
}

NET_TEST(shutdown, runtime_destroyed_while_loop_keeps_running_other_work) {
  // After the runtime is gone, its stale handlers in the io_context do nothing.
  net::io_context io;
  std::atomic<int> dropped{0}, started{0};
  {
    net_runtime rt{io};
    spawn(rt.get_executor(), sleeper(&dropped, &started)).detach();
    spawn(rt.get_executor(), sleeper(&dropped, &started)).detach();  // drain handler queued
  }
  int other = 0;
  net::post(io, [&] { other = 1; });
  io.run();
  EXPECT_EQ(other, 1);
  EXPECT_EQ(started.load(), 0);
}

NET_TEST(shutdown, abort_from_another_thread_while_the_loop_runs_on_two_threads) {
  net::io_context io;
  net_runtime rt{io, 2};
  std::atomic<int> dropped{0}, started{0};
  std::vector<join_handle<void>> hs;
  for (int i = 0; i < 50; ++i) hs.push_back(spawn(rt.get_executor(), sleeper(&dropped, &started)));
  for (int i = 0; i < 50; ++i)
    hs.push_back(spawn(rt.get_executor(), asio_waiter(&io, &dropped, &started)));
  std::thread t1([&] { io.run(); }), t2([&] { io.run(); });
  while (started.load() < 100) std::this_thread::yield();
  for (auto& h : hs) h.abort();
  t1.join();  // io.run() returns once every task is gone
  t2.join();
  EXPECT_EQ(dropped.load(), 100);
  for (auto& h : hs) {
    auto r = h.try_take();
    EXPECT_EQ(r.error().code(), errc::aborted);
  }
}

NET_TEST(cross_thread, posts_and_wakes_between_a_pool_and_a_two_thread_loop) {
  net::io_context io;
  net_runtime rt{io, 2};
  thread_pool pool{2};
  auto guard = net::make_work_guard(io);
  std::thread t1([&] { io.run(); }), t2([&] { io.run(); });
  // Pool tasks spawn on the Asio runtime (cross-thread posts) and join there (cross-thread wakes).
  auto total = pool.block_on([](executor asio_ex) -> task<long> {
    std::vector<join_handle<long>> producers;
    for (int p = 0; p < 4; ++p) {
      producers.push_back(spawn([](executor asio_ex, int p) -> task<long> {
        std::vector<join_handle<long>> hs;
        for (int i = 0; i < 500; ++i) {
          hs.push_back(spawn(asio_ex, [](long v) -> task<long> {
            co_await yield_now();
            co_return v;
          }(p * 1000 + i)));
        }
        long s = 0;
        for (auto& h : hs) {
          auto r = co_await h;
          s += r.value();
        }
        co_return s;
      }(asio_ex, p)));
    }
    long s = 0;
    for (auto& h : producers) {
      auto r = co_await h;
      s += r.value();
    }
    co_return s;
  }(rt.get_executor()));
  long expect = 0;
  for (int p = 0; p < 4; ++p)
    for (int i = 0; i < 500; ++i) expect += p * 1000 + i;
  EXPECT_EQ(total, expect);
  guard.reset();
  t1.join();
  t2.join();
}

NET_TEST(cross_thread, runtime_over_a_strand_of_an_asio_thread_pool) {
  net::thread_pool tp{2};
  {
    net_runtime rt{net::make_strand(tp.get_executor())};
    auto v = rt.block_on([](executor ex) -> task<int> {
      int s = 0;
      for (int i = 0; i < 10; ++i) {
        co_await sleep(100us);
        auto h = spawn([](int i) -> task<int> { co_return i; }(i));
        auto r = co_await h;
        s += r.value();
        if (current_executor() != ex) co_return -1;
      }
      co_return s;
    }(rt.get_executor()));
    EXPECT_EQ(v, 45);
    EXPECT_EQ(rt.live_tasks(), 0u);
  }
  tp.join();
}

NET_TEST(runtime_timers, sleeps_never_end_early_and_fire_in_deadline_order) {
  net::io_context io;
  net_runtime rt{io};
  eddy_test::expect_sleeps_fire_in_deadline_order(rt, std::chrono::milliseconds(1));
}
