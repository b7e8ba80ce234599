// SPDX-License-Identifier: BSL-1.0
// Standalone Asio and Boost.Asio in one program: one `eddy::use_task` token awaits operations of
// both libraries from one task, and tasks hop between an asio_runtime and a boost_asio_runtime.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <eddy/boost_asio/use_task.hpp>
#include <eddy/runtime.hpp>
#include <eddy/runtime/boost_asio_runtime.hpp>

#if defined(EDDY_TEST_WITH_ASIO)
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <atomic>
#include <eddy/asio/use_task.hpp>
#include <eddy/runtime/asio_runtime.hpp>
#include <thread>

namespace eddy_test::boost_asio_both_flavours_test {

using namespace eddy;
using namespace std::chrono_literals;

TEST(boost_asio_both_flavours, one_token_awaits_operations_of_both_libraries) {
  // The task runs on boost_asio_runtime; the standalone Asio timer completes on another
  // thread's io_context and the task resumes back on its own runtime.
  asio::io_context std_io;
  auto guard = asio::make_work_guard(std_io);
  std::thread std_thread([&] { std_io.run(); });
  boost::asio::io_context io;
  boost_asio_runtime rt{io, 1};
  auto r = rt.block_on(
      [](boost::asio::io_context* io, asio::io_context* std_io, executor ex) -> task<int> {
        int ok = 0;
        for (int i = 0; i < 5; ++i) {
          boost::asio::steady_timer bt{*io, 100us};
          boost::system::error_code bec = co_await bt.async_wait(use_task);
          asio::steady_timer st{*std_io, 100us};
          std::error_code sec = co_await st.async_wait(use_task);
          if (!bec && !sec && current_executor() == ex) ++ok;
        }
        co_return ok;
      }(&io, &std_io, rt.get_executor()));
  EXPECT_EQ(r, 5);
  guard.reset();
  std_thread.join();
}

TEST(boost_asio_both_flavours, an_abort_cancels_the_boost_operation_of_a_task_on_asio_runtime) {
  // The abort contract does not depend on the task's runtime: a task on the standalone Asio
  // runtime waiting in a Boost.Asio timer is aborted; the Boost.Asio wait is cancelled and the
  // join gives errc::aborted once its handler has run.
  asio::io_context std_io;
  asio_runtime std_rt{std_io, 1};
  boost::asio::io_context io;
  boost::asio::steady_timer timer{io, std::chrono::hours(1)};
  std::atomic<bool> waiting{false};
  auto h = spawn(std_rt.get_executor(),
                 [](boost::asio::steady_timer* t, std::atomic<bool>* w) -> task<int> {
                   w->store(true);
                   boost::system::error_code ec = co_await t->async_wait(use_task);
                   co_return ec ? 1 : 2;  // never reached: aborted while waiting
                 }(&timer, &waiting));
  while (!waiting.load()) std_io.run_one();
  h.abort();
  // The abort runs on std_rt (std_io) and posts the cancellation to the timer's executor (io);
  // the cancelled wait's handler then wakes the task back on std_rt. A few rounds of both.
  for (int i = 0; i < 1000 && !h.is_finished(); ++i) {
    std_io.restart();
    std_io.poll();
    io.restart();
    io.poll();
  }
  ASSERT_TRUE(h.is_finished());
  EXPECT_EQ(h.try_take().error().code(), errc::aborted);
  EXPECT_EQ(timer.cancel(), 0u);  // no wait left on the timer
}

}  // namespace eddy_test::boost_asio_both_flavours_test
#endif
