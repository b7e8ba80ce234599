// SPDX-License-Identifier: BSL-1.0
// asio_runtime basics: runs tasks from io.run(), timers, cross-thread posts.
#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <eddy/runtime.hpp>
#include <eddy/runtime/asio_runtime.hpp>

using namespace eddy;

TEST(asio_runtime, io_run_returns_when_tasks_finish) {
  asio::io_context io;
  asio_runtime rt{io};
  int v = 0;
  auto h = spawn(rt.get_executor(), [](int* v) -> task<int> {
    co_await sleep(std::chrono::milliseconds(1));
    *v = 7;
    co_return 5;
  }(&v));
  io.run();
  EXPECT_EQ(v, 7);
  EXPECT_TRUE(h.is_finished());
  EXPECT_EQ(h.try_take().value(), 5);
}
