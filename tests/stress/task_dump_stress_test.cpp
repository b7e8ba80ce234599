// SPDX-License-Identifier: BSL-1.0
// `runtime::dump` from another thread while thread_pool workers run tasks (run under TSan): a
// dump never reads the frames of a task that runs, and a task read by a dump does not start
// until the dump has let it go.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include <eddy/eddy.hpp>

namespace eddy_test::stress_task_dump_stress_test {

using namespace eddy;

namespace {

// Bounces `rounds` numbers through two named channels with its partner.
task<void> bounce(mpsc::receiver<int> in, mpsc::sender<int> out, int rounds, bool starts) {
  if (starts) (void)co_await out.send(0);
  for (int i = 0; i < rounds; ++i) {
    auto v = co_await in.recv();
    if (!v) break;
    if (i + 1 < rounds || !starts) (void)co_await out.send(*v + 1);
  }
}

}  // namespace

TEST(task_dump_stress, dumps_while_workers_run) {
  thread_pool pool{2};
  std::atomic<bool> done{false};
  std::atomic<int> dumps{0};
  std::thread dumper([&] {
    do {
      const std::string d = pool.dump_string();
      EXPECT_EQ(d.rfind("eddy task dump: ", 0), 0u) << d;
      ++dumps;
    } while (!done.load(std::memory_order_acquire));
  });
  pool.block_on([]() -> task<void> {
    join_handle<void> pairs[4];
    for (auto& h : pairs) {
      auto ping = mpsc::channel<int>(1, "ping");  // no structured binding in a coroutine (g++ 12)
      auto pong = mpsc::channel<int>(1, "pong");
      auto a = spawn(bounce(std::move(ping.second), std::move(pong.first), 3000, true), "a");
      a.detach();
      h = spawn(bounce(std::move(pong.second), std::move(ping.first), 3000, false), "b");
    }
    for (auto& h : pairs) (void)co_await h;
  }());
  done.store(true, std::memory_order_release);
  dumper.join();
  EXPECT_GT(dumps.load(), 0);
}

}  // namespace eddy_test::stress_task_dump_stress_test
