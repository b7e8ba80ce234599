// SPDX-License-Identifier: BSL-1.0
// One process, four runtimes, each on its own thread(s), talking through eddy channels:
//
//   Asio loop (one thread)              thread_pool{2}              libuv loop (one thread)
//   sensor: steady_timer ticks ---mpsc(8)---> processor: i -> i*i
//                                             --broadcast(64)--+--> dashboard: subscribe_latest,
//   auditor: every value  <--------------------------------------+    a slow handler that only
//                                                                |     shows the newest value
//   GLib main loop (one thread, g_main_loop_run)                 |
//   archive: every value, summed; quits the loop at the end <----+
// The sensor awaits Asio's own timer through `eddy::use_task`; every wake crosses a runtime
// boundary and resumes the task on its own runtime. It all ends by itself: the sensor stops,
// dropping its sender ends the processor, which closes the broadcast.
//
// The GLib part is there when eddy::glib is built (EDDY_WITH_GLIB).
//
// Run: build/release/examples/multi_runtime/eddy_multi_runtime   (exit status 0 = checks passed)
#include <cstdio>  // a standard header before Asio: see docs/backends-asio-uv.md

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <eddy/asio/use_task.hpp>
#include <eddy/eddy.hpp>
#include <eddy/runtime/asio_runtime.hpp>
#include <eddy/runtime/uv_runtime.hpp>
#include <thread>
#ifdef EDDY_WITH_GLIB
#include <eddy/runtime/glib_runtime.hpp>
#endif
#include <vector>

using namespace eddy;
using namespace std::chrono_literals;

namespace {

constexpr long n_readings = 40;

task<void> sensor(asio::io_context* io, mpsc::sender<long> tx) {
  asio::steady_timer t{*io};
  for (long i = 0; i < n_readings; ++i) {
    t.expires_after(500us);
    (void)co_await t.async_wait(use_task);  // an Asio operation, awaited by an eddy task
    (void)co_await tx.send(i);              // to the pool; waits while it is 8 behind
  }
}

task<long> processor(mpsc::receiver<long> rx, broadcast::sender<long> out) {
  long n = 0;
  while (auto v = co_await rx.recv()) {
    (void)out.send(*v * *v);
    ++n;
  }
  co_return n;
}

task<std::vector<long>> auditor(broadcast::receiver<long> rx) {
  std::vector<long> seen;
  for (;;) {
    auto r = co_await rx.recv();
    if (!r.has_value()) co_return seen;  // closed
    seen.push_back(r.value());
  }
}

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
  co_await sleep(2ms);  // on libuv's timer
  shown->push_back(v);
}

task<result<void>> dashboard(broadcast::receiver<long> rx, std::vector<long>* shown) {
  co_return co_await subscribe_latest(
      values_of(std::move(rx)), [shown](long v) { return show_slowly(v, shown); },
      cancellation_token{});
}

#ifdef EDDY_WITH_GLIB
struct archive_totals {
  long count = 0;
  long sum = 0;
};

// On the GLib loop: every value (lossless, the broadcast holds 64), then quit the app's loop.
task<void> archive(broadcast::receiver<long> rx, archive_totals* out, GMainLoop* loop) {
  for (;;) {
    auto r = co_await rx.recv();
    if (!r.has_value()) break;  // closed
    ++out->count;
    out->sum += r.value();
  }
  g_main_loop_quit(loop);
}
#endif

}  // namespace

int main() {
  thread_pool pool{2};
  asio::io_context io;
  asio_runtime art{io};
  auto [raw_tx, raw_rx] = mpsc::channel<long>(8);
  auto [btx, audit_rx] = broadcast::channel<long>(64);
  broadcast::receiver<long> dash_rx = btx.subscribe();
#ifdef EDDY_WITH_GLIB
  broadcast::receiver<long> archive_rx = btx.subscribe();
  archive_totals archived;
  std::thread glib_thread([&] {
    GMainContext* ctx = g_main_context_new();  // this thread's loop, not the default context
    GMainLoop* loop = g_main_loop_new(ctx, FALSE);
    {
      glib_runtime grt{ctx};  // built where the context is iterated
      spawn(grt.get_executor(), archive(std::move(archive_rx), &archived, loop)).detach();
      g_main_loop_run(loop);  // returns when the archive quits it
    }
    g_main_loop_unref(loop);
    g_main_context_unref(ctx);
  });
#endif

  spawn(art.get_executor(), sensor(&io, std::move(raw_tx))).detach();
  auto audit = spawn(art.get_executor(), auditor(std::move(audit_rx)));
  std::thread io_thread([&] { io.run(); });  // returns when the Asio-side tasks are done

  std::vector<long> shown;
  std::thread uv_thread([&] {
    uv_loop_t loop;
    uv_loop_init(&loop);
    {
      uv_runtime urt{&loop};  // built on the loop's thread
      spawn(urt.get_executor(), dashboard(std::move(dash_rx), &shown)).detach();
      uv_run(&loop, UV_RUN_DEFAULT);  // returns when the dashboard is done
    }
    uv_run(&loop, UV_RUN_DEFAULT);  // the runtime's close callbacks
    uv_loop_close(&loop);
  });

  const long processed = pool.block_on(processor(std::move(raw_rx), std::move(btx)));
  io_thread.join();
  uv_thread.join();
#ifdef EDDY_WITH_GLIB
  glib_thread.join();
#endif

  const std::vector<long> audited = audit.try_take().value();
  std::printf("processed on the pool: %ld readings\n", processed);
  std::printf("audited on Asio:       %zu values, last %ld\n", audited.size(),
              audited.empty() ? -1 : audited.back());
  std::printf("shown on libuv:        %zu of them (subscribe_latest skipped the rest), last %ld\n",
              shown.size(), shown.empty() ? -1 : shown.back());
  const long last = (n_readings - 1) * (n_readings - 1);
  bool ok = processed == n_readings && audited.size() == std::size_t(n_readings) &&
            audited.back() == last && !shown.empty() && shown.back() == last;
#ifdef EDDY_WITH_GLIB
  std::printf("archived on GLib:      %ld values, sum %ld\n", archived.count, archived.sum);
  const long squares = (n_readings - 1) * n_readings * (2 * n_readings - 1) / 6;  // 0 + 1 + 4 + ...
  ok = ok && archived.count == n_readings && archived.sum == squares;
#endif
  std::printf("%s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
