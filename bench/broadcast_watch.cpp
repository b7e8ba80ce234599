// SPDX-License-Identifier: BSL-1.0
// broadcast and watch channels.
//   broadcast_1to4_{local,pool2} - 1 sender task -> 4 receiver tasks, 1M u64 values, cap 1024.
//       The sender waits (yield_now) while the slowest receiver's backlog (`len()`) is above
//       cap/2, so nothing is lost; the `lagged` counter reports values missed (expected 0).
//       ns/op is per value sent (each delivered 4 times); ns/delivery per received value.
//   watch_1M_{local,pool2} - 1M sends, one receiver task waiting in changed() (+ borrow):
//       the sender yields after each send so the receiver is waiting again at the next one.
//       `changes` counts the changes the receiver saw (coalescing makes it < 1M on pool2).
// Timed from inside the runtime, from before the first spawn until every task is joined.
// cpu_ns/op is the process CPU time (all threads) per op, which a loaded machine disturbs less.
// allocs/op counts every operator new in the run (channel state and the spawns included).
// Run: build/release/bench/eddy_bench_broadcast_watch
#include <benchmark/benchmark.h>

#include <time.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include "common/alloc_count.hpp"
#include "eddy/eddy.hpp"

using namespace eddy;

namespace {

constexpr std::uint64_t n_values = 1'000'000;
constexpr std::size_t cap = 1024;
constexpr int n_receivers = 4;

struct outcome {
  std::chrono::nanoseconds elapsed{0};
  std::uint64_t received = 0;  // values (broadcast, summed over receivers) / changes (watch)
  std::uint64_t lagged = 0;
  bool ok = false;
};

task<outcome> broadcast_receiver(broadcast::receiver<std::uint64_t> rx) {
  outcome o;
  std::uint64_t expected = 0;
  bool ordered = true;
  for (;;) {
    auto r = co_await rx.recv();
    if (r.has_value()) {
      ordered = ordered && r.value() == expected;
      ++expected;
      ++o.received;
    } else if (r.error().code() == errc::lagged) {
      o.lagged += r.error().count();
      expected += r.error().count();
    } else {
      o.ok = ordered && r.error().code() == errc::closed && expected == n_values;
      co_return o;
    }
  }
}

task<void> broadcast_sender(broadcast::sender<std::uint64_t> tx) {
  for (std::uint64_t i = 0; i < n_values; ++i) {
    while (tx.len() > cap / 2) co_await yield_now();
    (void)tx.send(i);
  }
}

task<outcome> broadcast_run() {
  const auto t0 = std::chrono::steady_clock::now();
  auto [tx, rx] = broadcast::channel<std::uint64_t>(cap);
  std::vector<join_handle<outcome>> hs;
  for (int i = 1; i < n_receivers; ++i) hs.push_back(spawn(broadcast_receiver(tx.subscribe())));
  hs.push_back(spawn(broadcast_receiver(std::move(rx))));
  auto p = spawn(broadcast_sender(std::move(tx)));
  (void)co_await p;
  outcome all;
  all.ok = true;
  for (auto& h : hs) {
    auto r = co_await h;
    all.ok = all.ok && r.has_value() && r.value().ok;
    if (r.has_value()) {
      all.received += r.value().received;
      all.lagged += r.value().lagged;
    }
  }
  all.elapsed = std::chrono::steady_clock::now() - t0;
  co_return all;
}

task<outcome> watch_receiver(watch::receiver<std::uint64_t> rx) {
  outcome o;
  std::uint64_t last = 0;
  for (;;) {
    auto c = co_await rx.changed();
    if (!c.has_value()) {
      o.ok = c.error().code() == errc::closed && last == n_values;
      co_return o;
    }
    last = rx.borrow();
    ++o.received;
  }
}

task<void> watch_sender(watch::sender<std::uint64_t> tx) {
  for (std::uint64_t i = 1; i <= n_values; ++i) {
    (void)tx.send(i);
    co_await yield_now();
  }
}

task<outcome> watch_run() {
  const auto t0 = std::chrono::steady_clock::now();
  auto [tx, rx] = watch::channel<std::uint64_t>(0);
  auto r = spawn(watch_receiver(std::move(rx)));
  auto p = spawn(watch_sender(std::move(tx)));
  (void)co_await p;
  auto o = co_await r;
  outcome out = o.has_value() ? o.value() : outcome{};
  out.elapsed = std::chrono::steady_clock::now() - t0;
  co_return out;
}

// CPU time of the whole process (all pool workers): robust against a loaded machine.
double process_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

template <class Rt>
void run(benchmark::State& st, Rt& rt, task<outcome> (*workload)(), double deliveries_per_op) {
  const double ops = static_cast<double>(n_values);
  double total_ns = 0, cpu_ns = 0, received = 0, lagged = 0;
  std::uint64_t allocs = 0;
  for (auto _ : st) {
    const auto a0 = eddy_bench::allocations();
    const double c0 = process_cpu_ns();
    const outcome o = rt.block_on(workload());
    cpu_ns += process_cpu_ns() - c0;
    allocs += eddy_bench::allocations() - a0;
    if (!o.ok) {
      st.SkipWithError("wrong result");
      return;
    }
    st.SetIterationTime(static_cast<double>(o.elapsed.count()) * 1e-9);
    total_ns += static_cast<double>(o.elapsed.count());
    received += static_cast<double>(o.received);
    lagged += static_cast<double>(o.lagged);
  }
  const double iters = static_cast<double>(st.iterations());
  st.counters["ns/op"] = total_ns / (ops * iters);
  st.counters["cpu_ns/op"] = cpu_ns / (ops * iters);
  st.counters["allocs/op"] = static_cast<double>(allocs) / (ops * iters);
  if (deliveries_per_op > 0) {
    st.counters["ns/delivery"] = total_ns / (ops * deliveries_per_op * iters);
    st.counters["lagged"] = lagged / iters;
  } else {
    st.counters["changes"] = received / iters;
  }
}

void broadcast_1to4_local(benchmark::State& st) {
  local_runtime rt;
  run(st, rt, &broadcast_run, n_receivers);
}
BENCHMARK(broadcast_1to4_local)->Unit(benchmark::kMillisecond)->Iterations(3)->UseManualTime();

void broadcast_1to4_pool2(benchmark::State& st) {
  thread_pool rt{2};
  run(st, rt, &broadcast_run, n_receivers);
}
BENCHMARK(broadcast_1to4_pool2)->Unit(benchmark::kMillisecond)->Iterations(3)->UseManualTime();

void watch_1M_local(benchmark::State& st) {
  local_runtime rt;
  run(st, rt, &watch_run, 0);
}
BENCHMARK(watch_1M_local)->Unit(benchmark::kMillisecond)->Iterations(3)->UseManualTime();

void watch_1M_pool2(benchmark::State& st) {
  thread_pool rt{2};
  run(st, rt, &watch_run, 0);
}
BENCHMARK(watch_1M_pool2)->Unit(benchmark::kMillisecond)->Iterations(3)->UseManualTime();

}  // namespace
