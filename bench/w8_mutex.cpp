// SPDX-License-Identifier: BSL-1.0
// W8: async mutex. 4 tasks x 10M (lock, increment a plain counter, unlock), the peers' size:
// contention, and so the cost per pair, grows with the count.
//   w8_mutex_pool2  - on thread_pool{2} (the W8 workload, named sbs/W8_async_mutex/eddy with the
//                     counter sbs_ns for the peer harness (side_by_side.sh); the peers, tokio,
//                     futures, smol and async-std, run the same 4 x 10M on 2 workers)
//   w8_mutex_pool1  - the same on thread_pool{1} (no parallelism: hand-off cost without races)
//   w8_mutex_local  - the same on local_runtime (single thread)
//   w8_uncontended  - 1 task x 1M on local_runtime: the bare lock/unlock fast path
// Timed like the peers: from inside the runtime, before the first spawn, until every task is
// joined (runtime start-up excluded). ns/op is wall time per lock/unlock pair; cpu_ns/op is the
// process CPU time (all threads) per pair, which a loaded machine disturbs less; allocs/op
// counts every operator new in the run (the spawns) divided by the lock/unlock pairs.
// Run: build/release/bench/eddy_bench_w8_mutex
#include <benchmark/benchmark.h>

#include <time.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include "common/alloc_count.hpp"
#include "common/sbs.hpp"
#include "eddy/eddy.hpp"

using namespace eddy;

namespace {

constexpr int n_tasks = 4;
constexpr std::uint64_t n_iters = 10'000'000;

task<void> locker(mutex* m, std::uint64_t* counter, std::uint64_t iters) {
  for (std::uint64_t i = 0; i < iters; ++i) {
    auto g = co_await m->lock();
    ++*counter;
  }
}

// Runs the workload; returns the elapsed time inside the runtime, 0 on a wrong count.
task<std::chrono::nanoseconds> w8(int tasks, std::uint64_t iters) {
  mutex m;
  std::uint64_t counter = 0;
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<join_handle<void>> hs;
  hs.reserve(static_cast<std::size_t>(tasks));
  for (int t = 0; t < tasks; ++t) hs.push_back(spawn(locker(&m, &counter, iters)));
  for (auto& h : hs) (void)co_await h;
  const auto t1 = std::chrono::steady_clock::now();
  auto g = co_await m.lock();
  if (counter != static_cast<std::uint64_t>(tasks) * iters) co_return std::chrono::nanoseconds{0};
  co_return std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0);
}

// CPU time of the whole process (all pool workers): robust against a loaded machine.
double process_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

template <class Rt>
void run(benchmark::State& st, Rt& rt, int tasks, std::uint64_t iters) {
  const double ops = static_cast<double>(tasks) * static_cast<double>(iters);
  double total_ns = 0, cpu_ns = 0;
  std::uint64_t allocs = 0;
  for (auto _ : st) {
    const auto a0 = eddy_bench::allocations();
    const double c0 = process_cpu_ns();
    const auto d = rt.block_on(w8(tasks, iters));
    cpu_ns += process_cpu_ns() - c0;
    allocs += eddy_bench::allocations() - a0;
    if (d.count() == 0) {
      st.SkipWithError("wrong counter");
      return;
    }
    st.SetIterationTime(static_cast<double>(d.count()) * 1e-9);
    total_ns += static_cast<double>(d.count());
  }
  const double all_ops = ops * static_cast<double>(st.iterations());
  st.counters["ns/op"] = total_ns / all_ops;
  eddy_bench::report_sbs(st, total_ns, ops);
  st.counters["cpu_ns/op"] = cpu_ns / all_ops;
  st.counters["allocs/op"] = static_cast<double>(allocs) / all_ops;
}

void w8_mutex_pool2(benchmark::State& st) {
  thread_pool rt{2};
  run(st, rt, n_tasks, n_iters);
}
BENCHMARK(w8_mutex_pool2)
    ->Name("sbs/W8_async_mutex/eddy")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseManualTime();

void w8_mutex_pool1(benchmark::State& st) {
  thread_pool rt{1};
  run(st, rt, n_tasks, n_iters);
}
BENCHMARK(w8_mutex_pool1)->Unit(benchmark::kMillisecond)->Iterations(3)->UseManualTime();

void w8_mutex_local(benchmark::State& st) {
  local_runtime rt;
  run(st, rt, n_tasks, n_iters);
}
BENCHMARK(w8_mutex_local)->Unit(benchmark::kMillisecond)->Iterations(3)->UseManualTime();

void w8_uncontended(benchmark::State& st) {
  local_runtime rt;
  run(st, rt, 1, n_tasks * n_iters);
}
BENCHMARK(w8_uncontended)->Unit(benchmark::kMillisecond)->Iterations(3)->UseManualTime();

}  // namespace
