// SPDX-License-Identifier: BSL-1.0
// Runtime basics: runs tasks from io.run(), timers, cross-thread posts.
// Shared by both Asio flavours (see net_test.hpp); include a flavour header first.
#pragma once
#include <eddy/runtime.hpp>

using namespace eddy;

NET_TEST(runtime, io_run_returns_when_tasks_finish) {
  net::io_context io;
  net_runtime rt{io};
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
