// SPDX-License-Identifier: BSL-1.0
// Three runtimes in one process, each on its own thread(s), exchanging over eddy channels:
//
//   Asio loop (io.run on one thread)    thread_pool{2}             libuv loop (its own thread)
//   sensor: steady_timer ticks ---mpsc(8)---> processor: i -> i*i
//                                             --broadcast(64)--+--> dashboard: subscribe_latest,
//   auditor: every value  <--------------------------------------+    slow handler (uv timers)
//
// Every wake crosses a runtime boundary (Asio -> pool, pool -> Asio and libuv), every task
// resumes on its own runtime, and the whole thing ends on its own when the sensor stops.
#include <gtest/gtest.h>

#if defined(EDDY_TEST_WITH_UV)
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <eddy/asio/use_task.hpp>
#include <eddy/eddy.hpp>
#include <eddy/runtime/asio_runtime.hpp>
#include <eddy/runtime/uv_runtime.hpp>
#include <thread>
#include <vector>

namespace eddy_test::asio_multi_runtime_test {

using namespace eddy;
using namespace std::chrono_literals;

namespace {

constexpr long n_readings = 40;

task<bool> sensor(asio::io_context* io, mpsc::sender<long> tx, executor own) {
  bool ok = true;
  asio::steady_timer t{*io};
  for (long i = 0; i < n_readings; ++i) {
    t.expires_after(200us);
    std::error_code ec = co_await t.async_wait(use_task);
    auto r = co_await tx.send(i);  // waits while the pool is behind (bounded 8)
    ok = ok && !ec && r.has_value() && current_executor() == own;
  }
  co_return ok;  // dropping tx ends the processor's loop
}

task<long> processor(mpsc::receiver<long> rx, broadcast::sender<long> out, executor own) {
  long n = 0;
  while (auto v = co_await rx.recv()) {
    if (current_executor() != own) co_return -1;
    (void)out.send(*v * *v);
    ++n;
  }
  co_return n;  // dropping `out` closes the broadcast
}

task<std::vector<long>> auditor(broadcast::receiver<long> rx, executor own) {
  std::vector<long> seen;
  for (;;) {
    auto r = co_await rx.recv();
    if (!r.has_value()) break;  // closed (lagged cannot happen: capacity 64 > 40 readings)
    seen.push_back(current_executor() == own ? r.value() : -1);
  }
  co_return seen;
}

// The broadcast receiver as a stream: values in order, the end when the channel closes.
generator<long> values_of(broadcast::receiver<long> rx) {
  for (;;) {
    auto r = co_await rx.recv();
    if (r.has_value())
      co_yield r.value();
    else if (r.error().code() != errc::lagged)
      co_return;
  }
}

task<void> show_slowly(long v, std::vector<long>* shown) {
  co_await sleep(1ms);  // a slow handler: newer values overwrite the pending one meanwhile
  shown->push_back(v);
}

task<result<void>> dashboard(broadcast::receiver<long> rx, std::vector<long>* shown) {
  co_return co_await subscribe_latest(
      values_of(std::move(rx)), [shown](long v) { return show_slowly(v, shown); },
      cancellation_token{});
}

}  // namespace

TEST(multi_runtime, asio_pool_and_uv_exchange_over_mpsc_and_broadcast) {
  thread_pool pool{2};
  asio::io_context io;
  asio_runtime art{io};
  auto [raw_tx, raw_rx] = mpsc::channel<long>(8);
  auto [btx, audit_rx] = broadcast::channel<long>(64);
  broadcast::receiver<long> dash_rx = btx.subscribe();

  // Asio side: spawned before io.run() starts, so run() has work from the beginning.
  auto sensor_h = spawn(art.get_executor(), sensor(&io, std::move(raw_tx), art.get_executor()));
  auto audit_h = spawn(art.get_executor(), auditor(std::move(audit_rx), art.get_executor()));
  std::thread io_thread([&] { io.run(); });  // returns when both tasks are done

  // libuv side: the runtime is built on the thread that runs the loop.
  std::vector<long> shown;
  bool dash_ok = false;
  std::thread uv_thread([&] {
    uv_loop_t loop;
    uv_loop_init(&loop);
    {
      uv_runtime urt{&loop};
      auto h = spawn(urt.get_executor(), dashboard(std::move(dash_rx), &shown));
      uv_run(&loop, UV_RUN_DEFAULT);  // returns when the dashboard is done
      auto r = h.try_take();          // the join's result, holding subscribe_latest's
      dash_ok = r.has_value() && r.value().has_value();
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop), 0);
  });

  // Pool side: the processor, run from the main thread.
  const long processed =
      pool.block_on(processor(std::move(raw_rx), std::move(btx), pool.get_executor()));
  io_thread.join();
  uv_thread.join();

  EXPECT_EQ(processed, n_readings);
  ASSERT_TRUE(sensor_h.is_finished());
  EXPECT_TRUE(sensor_h.try_take().value());
  ASSERT_TRUE(audit_h.is_finished());
  const std::vector<long> audited = audit_h.try_take().value();
  ASSERT_EQ(audited.size(), static_cast<std::size_t>(n_readings));
  for (long i = 0; i < n_readings; ++i) EXPECT_EQ(audited[i], i * i);

  ASSERT_TRUE(dash_ok);
  ASSERT_FALSE(shown.empty());
  EXPECT_EQ(shown.back(), (n_readings - 1) * (n_readings - 1));  // the latest is never dropped
  for (std::size_t i = 1; i < shown.size(); ++i) EXPECT_LT(shown[i - 1], shown[i]);
  EXPECT_EQ(art.live_tasks(), 0u);
}

}  // namespace eddy_test::asio_multi_runtime_test
#endif
