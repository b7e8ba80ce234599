// SPDX-License-Identifier: BSL-1.0
// blocking_send / blocking_recv on mpsc and oneshot from plain threads: results of the same shape
// as send / recv, the value handed back on a closed channel, and errc::deadlock at once when
// called on a runtime's thread or inside a task.
#include <memory>
#include <thread>

#include <gtest/gtest.h>
#include <eddy/eddy.hpp>

namespace eddy_test::sync_blocking_calls_test {

using namespace eddy;
using namespace std::chrono_literals;

#if EDDY_HAS_THREADS

TEST(blocking_calls, send_blocks_while_full_and_recv_blocks_while_empty) {
  auto [tx, rx] = mpsc::channel<int>(1);
  ASSERT_TRUE(tx.blocking_send(1));  // room: no wait
  std::thread consumer([rx = std::move(rx)]() mutable {
    for (int expect = 1; expect <= 3; ++expect) {
      auto v = rx.blocking_recv();
      EXPECT_TRUE(v.has_value());
      if (v) {
        EXPECT_EQ(v.value(), expect);
      }
    }
    auto end = rx.blocking_recv();  // every sender gone and drained
    EXPECT_FALSE(end.has_value());
    if (!end) {
      EXPECT_EQ(end.error(), errc::closed);
    }
  });
  EXPECT_TRUE(tx.blocking_send(2));  // waits until the consumer took 1
  EXPECT_TRUE(tx.blocking_send(3));
  tx = mpsc::sender<int>{};
  consumer.join();
}

TEST(blocking_calls, send_on_a_closed_channel_hands_the_value_back) {
  auto [tx, rx] = mpsc::channel<std::unique_ptr<int>>(1);
  ASSERT_TRUE(tx.blocking_send(std::make_unique<int>(1)));
  std::thread closer([rx = std::move(rx)]() mutable {
    while (rx.blocked_senders() == 0) std::this_thread::yield();
    rx.close();
  });
  auto r = tx.blocking_send(std::make_unique<int>(7));  // full: waits, then the close fails it
  closer.join();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), errc::closed);
  EXPECT_EQ(*std::move(r).into_inner(), 7);
}

TEST(blocking_calls, on_a_runtime_they_report_a_deadlock_at_once) {
  local_runtime rt;
  auto [tx, rx] = mpsc::channel<int>(1);
  auto [otx, orx] = oneshot::channel<int>();
  auto r = rt.block_on(
      [](mpsc::sender<int>& tx, mpsc::receiver<int>& rx, oneshot::receiver<int>& orx) -> task<int> {
        int score = 0;
        auto s = tx.blocking_send(5);  // even with room: a task must not block its runtime
        if (!s && s.error() == errc::deadlock && std::move(s).into_inner() == 5) score += 1;
        auto v = rx.blocking_recv();
        if (!v && v.error() == errc::deadlock) score += 10;
        auto o = orx.blocking_recv();
        if (!o && o.error() == errc::deadlock) score += 100;
        co_return score;
      }(tx, rx, orx));
  EXPECT_EQ(r, 111);
  EXPECT_EQ(rx.try_recv().error(), errc::empty);  // nothing was sent
  (void)otx;
}

TEST(blocking_calls, oneshot_blocking_recv_gives_the_value_or_closed) {
  auto [tx, rx] = oneshot::channel<int>();
  std::thread sender([tx = std::move(tx)]() mutable { (void)tx.send(42); });
  auto v = rx.blocking_recv();
  sender.join();
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v.value(), 42);

  auto [tx2, rx2] = oneshot::channel<int>();
  std::thread dropper([tx = std::move(tx2)]() mutable { tx = oneshot::sender<int>{}; });
  auto c = rx2.blocking_recv();
  dropper.join();
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error(), errc::closed);
}

TEST(blocking_calls, a_plain_thread_and_a_thread_pool_task_talk_both_ways) {
  thread_pool pool{2};
  auto [req_tx, req_rx] = mpsc::unbounded_channel<int>();
  auto [rep_tx, rep_rx] = mpsc::channel<int>(1);
  auto server =
      spawn(pool.get_executor(), [](mpsc::receiver<int> rx, mpsc::sender<int> tx) -> task<void> {
        while (auto v = co_await rx.recv()) (void)co_await tx.send(*v + 1);
      }(std::move(req_rx), std::move(rep_tx)));
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(req_tx.blocking_send(i));
    auto r = rep_rx.blocking_recv();
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r.value(), i + 1);
  }
  req_tx = mpsc::sender<int>{};
  auto end = rep_rx.blocking_recv();  // the server ended: its sender is gone
  EXPECT_EQ(end.error(), errc::closed);
  server.detach();
}

#endif

}  // namespace eddy_test::sync_blocking_calls_test
