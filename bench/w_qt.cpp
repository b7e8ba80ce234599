// SPDX-License-Identifier: BSL-1.0
// eddy on Qt (qt_runtime) next to the same workloads written in plain Qt, in one binary. Every
// workload runs on the main thread's Qt event loop (QCoreApplication, no display).
//
// W1  spsc unbounded, 10M u64: eddy mpsc vs queued invocations of the consumer
//     (QMetaObject::invokeMethod, the producer posting 1024 per turn of the loop).
// W4  oneshot RPC, 1M round trips: eddy mpsc + oneshot vs a queued call to the server object
//     that answers with a queued call back.
// W5  spawn + join 1M trivial tasks: eddy spawn/join_handle vs 1M queued lambdas and a count.
// W7a 100k concurrent sleeps of 0-50 ms (overhead per timer = (wall - 50 ms) / timers): eddy
//     sleep (one QTimer for the runtime's heap) vs one QTimer::singleShot (Qt::PreciseTimer)
//     per sleep.
// Run: build/release/bench/eddy_bench_w_qt [--benchmark_filter=W5]; EDDY_BENCH_QUICK=1 runs
// every workload at a hundredth of its size (a smoke run).
#include <benchmark/benchmark.h>

#include <QCoreApplication>
#include <QEventLoop>
#include <QMetaObject>
#include <QObject>
#include <QTimer>
#include <chrono>

#include "common/loop_workloads.hpp"
#include "eddy/runtime/qt_runtime.hpp"

using namespace eddy_bench;

namespace {

constexpr u64 max_sleep_us = 50'000;

QCoreApplication& app() {
  static int argc = 1;
  static char name[] = "eddy_bench_w_qt";
  static char* argv[] = {name, nullptr};
  static QCoreApplication a{argc, argv};
  return a;
}

// ---- W1 ----------------------------------------------------------------------------------
void W1_spsc_unbounded_eddy_qt(benchmark::State& st) {
  (void)app();
  const u64 n = scaled(10'000'000);
  eddy::qt_runtime rt;
  measure(st, n, [&] { return rt.block_on(eddy_w1(n)) == sum_below(n); });
}
BENCHMARK(W1_spsc_unbounded_eddy_qt)->Unit(benchmark::kMillisecond)->Iterations(3);

void W1_spsc_unbounded_plain_qt(benchmark::State& st) {
  (void)app();
  const u64 n = scaled(10'000'000);
  measure(st, n, [n] {
    QEventLoop loop;
    QObject consumer;
    u64 sum = 0, received = 0, sent = 0;
    auto produce = [&](auto& self) -> void {  // one turn: up to 1024 sends, then yield
      for (u64 k = 0; k < 1024 && sent < n; ++k, ++sent)
        QMetaObject::invokeMethod(
            &consumer,
            [&, v = sent] {
              sum += v;
              if (++received == n) loop.quit();
            },
            Qt::QueuedConnection);
      if (sent < n)
        QMetaObject::invokeMethod(
            &consumer, [&] { self(self); }, Qt::QueuedConnection);
    };
    produce(produce);
    loop.exec();
    return sum == sum_below(n);
  });
}
BENCHMARK(W1_spsc_unbounded_plain_qt)->Unit(benchmark::kMillisecond)->Iterations(3);

// ---- W4 ----------------------------------------------------------------------------------
void W4_oneshot_rpc_eddy_qt(benchmark::State& st) {
  (void)app();
  const u64 n = scaled(1'000'000);
  eddy::qt_runtime rt;
  measure(st, n, [&] { return rt.block_on(eddy_w4(n)) == n * (n + 1) / 2; });
}
BENCHMARK(W4_oneshot_rpc_eddy_qt)->Unit(benchmark::kMillisecond)->Iterations(3);

void W4_oneshot_rpc_plain_qt(benchmark::State& st) {
  (void)app();
  const u64 n = scaled(1'000'000);
  measure(st, n, [n] {
    QEventLoop loop;
    QObject server, client;
    u64 sum = 0, i = 0;
    auto request = [&](auto& self) -> void {
      QMetaObject::invokeMethod(
          &server,
          [&, v = i] {  // the server answers v + 1 with a queued call to the client
            QMetaObject::invokeMethod(
                &client,
                [&, r = v + 1] {
                  sum += r;
                  if (++i == n)
                    loop.quit();
                  else
                    self(self);
                },
                Qt::QueuedConnection);
          },
          Qt::QueuedConnection);
    };
    request(request);
    loop.exec();
    return sum == n * (n + 1) / 2;
  });
}
BENCHMARK(W4_oneshot_rpc_plain_qt)->Unit(benchmark::kMillisecond)->Iterations(3);

// ---- W5 ----------------------------------------------------------------------------------
void W5_spawn_join_st_eddy_qt(benchmark::State& st) {
  (void)app();
  const u64 n = scaled(1'000'000);
  eddy::qt_runtime rt;
  measure(st, n, [&] { return rt.block_on(spawn_join_all(n)) == sum_below(n); });
}
BENCHMARK(W5_spawn_join_st_eddy_qt)->Unit(benchmark::kMillisecond)->Iterations(3);

void W5_spawn_join_st_plain_qt(benchmark::State& st) {
  (void)app();
  const u64 n = scaled(1'000'000);
  measure(st, n, [n] {
    QEventLoop loop;
    QObject ctx;
    u64 sum = 0, left = n;
    for (u64 i = 0; i < n; ++i)
      QMetaObject::invokeMethod(
          &ctx,
          [&, i] {
            sum += i;
            if (--left == 0) loop.quit();
          },
          Qt::QueuedConnection);
    loop.exec();
    return sum == sum_below(n);
  });
}
BENCHMARK(W5_spawn_join_st_plain_qt)->Unit(benchmark::kMillisecond)->Iterations(3);

// ---- W7a ---------------------------------------------------------------------------------
void W7a_timer_sleep_eddy_qt(benchmark::State& st) {
  (void)app();
  const u64 n = scaled(100'000);
  const auto ds = sleep_durations(n, max_sleep_us);
  eddy::qt_runtime rt;
  measure_sleeps(st, n, max_sleep_us, [&] { rt.block_on(sleep_all(&ds)); });
}
BENCHMARK(W7a_timer_sleep_eddy_qt)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void W7a_timer_sleep_plain_qt(benchmark::State& st) {
  (void)app();
  const u64 n = scaled(100'000);
  const auto ds = sleep_durations(n, max_sleep_us);
  measure_sleeps(st, n, max_sleep_us, [&] {
    QEventLoop loop;
    QObject ctx;
    u64 left = ds.size();
    for (auto d : ds)  // Qt timers count whole milliseconds: round up, never early
      QTimer::singleShot(std::chrono::ceil<std::chrono::milliseconds>(d), Qt::PreciseTimer, &ctx,
                         [&] {
                           if (--left == 0) loop.quit();
                         });
    loop.exec();
  });
}
BENCHMARK(W7a_timer_sleep_plain_qt)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

}  // namespace
