// SPDX-License-Identifier: BSL-1.0
// W5: spawn and join 2M trivial tasks (local_runtime; thread_pool{2}), the peers' count: the
//     cost per task depends on how many handles are alive at once.
// W7a: 100k concurrent sleeps of 0-50 ms (overhead per timer = (wall - 50 ms) / timers).
// W7b: 1M timeout() around an already-ready awaitable (must not arm a timer); `loop`: the same
//      coroutine loop awaiting a compile-time ready awaiter, without timeout (the floor).
// Names `sbs/<workload>/eddy` with `sbs_ns` (wall ns per op; W7a: overhead per timer) are
// what the peer harness (side_by_side.sh) reads.
// Run: build/release/bench/eddy_bench_w5_w7_runtime
#include <benchmark/benchmark.h>

#include <chrono>
#include <coroutine>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "common/alloc_count.hpp"
#include "common/counting_hooks.hpp"
#include "common/sbs.hpp"
#include "eddy/eddy.hpp"

using namespace eddy;

namespace {

constexpr std::uint64_t n_spawn_default = 2'000'000;
// EDDY_BENCH_W5_N overrides the task count (small counts for instruction counting under
// callgrind; the published figures use the default).
const std::uint64_t n_spawn = [] {
  const char* s = std::getenv("EDDY_BENCH_W5_N");
  return s ? std::strtoull(s, nullptr, 10) : n_spawn_default;
}();
constexpr std::uint64_t n_timers = 100'000;
constexpr std::uint64_t n_timeout = 1'000'000;
constexpr std::uint64_t max_sleep_us = 50'000;

void per_op(benchmark::State& st, std::uint64_t ops) {
  st.counters["ns/op"] =
      benchmark::Counter(static_cast<double>(ops) * st.iterations(),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

task<std::uint64_t> trivial(std::uint64_t i) {
  co_return i;
}

task<std::uint64_t> spawn_join_all(std::uint64_t n) {
  std::vector<join_handle<std::uint64_t>> hs;
  hs.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) hs.push_back(spawn(trivial(i)));
  std::uint64_t s = 0;
  for (auto& h : hs) {  // each handle consumed by its join, as the peers' loops do
    auto r = co_await std::move(h);
    s += r.value();
  }
  co_return s;
}

template <class Rt>
void spawn_join(benchmark::State& st, Rt& rt) {
  eddy_bench::wall_clock wall;
  const auto a0 = eddy_bench::allocations();
  for (auto _ : st) {
    const std::uint64_t s = wall.time([&] { return rt.block_on(spawn_join_all(n_spawn)); });
    if (s != n_spawn * (n_spawn - 1) / 2) st.SkipWithError("wrong sum");
  }
  per_op(st, n_spawn);
  eddy_bench::report_allocs(st, a0, double(n_spawn) * st.iterations());
  wall.report(st, double(n_spawn));
}

void w5_spawn_join_st(benchmark::State& st) {
  local_runtime rt;
  spawn_join(st, rt);
}
BENCHMARK(w5_spawn_join_st)
    ->Name("sbs/W5_spawn_join_st/eddy")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

// W5 with a counting hook on every spawn, poll, wake and end: the cost of hooks when on.
void w5_spawn_join_st_hooks(benchmark::State& st) {
  local_runtime rt;
  eddy_bench::counting_hooks h;
  if (!rt.set_task_hooks(&h.hooks)) st.SkipWithError("hooks refused");
  spawn_join(st, rt);
  st.counters["polls/task"] =
      static_cast<double>(h.polls / 2) / (double(n_spawn + 1) * st.iterations());
}
BENCHMARK(w5_spawn_join_st_hooks)
    ->Name("sbs/W5_spawn_join_st/eddy-hooks")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

void w5_spawn_join_mt(benchmark::State& st) {
  thread_pool rt{2};
  spawn_join(st, rt);
}
BENCHMARK(w5_spawn_join_mt)
    ->Name("sbs/W5_spawn_join_mt/eddy")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

std::vector<std::chrono::microseconds> sleep_durations(std::uint64_t count) {
  std::uint64_t s = 42;  // splitmix64, like the peers
  std::vector<std::chrono::microseconds> v;
  v.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    v.emplace_back((z ^ (z >> 31)) % (max_sleep_us + 1));
  }
  return v;
}

task<void> sleep_for(std::chrono::microseconds d) {
  co_await sleep(d);
}

task<void> sleep_all(const std::vector<std::chrono::microseconds>* ds) {
  std::vector<join_handle<void>> hs;
  hs.reserve(ds->size());
  for (auto d : *ds) hs.push_back(spawn(sleep_for(d)));
  for (auto& h : hs) (void)co_await h;
}

void w7a_timer_sleep(benchmark::State& st) {
  const auto ds = sleep_durations(n_timers);
  local_runtime rt;
  double overhead_ns = 0;
  const auto a0 = eddy_bench::allocations();
  for (auto _ : st) {
    const auto t0 = std::chrono::steady_clock::now();
    rt.block_on(sleep_all(&ds));
    const double wall =
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    overhead_ns += (wall - double(max_sleep_us) * 1e3) / double(n_timers);
  }
  st.counters["overhead ns/timer"] = overhead_ns / double(st.iterations());
  st.counters["sbs_ns"] = overhead_ns / double(st.iterations());
  st.counters["sbs_n"] = double(n_timers);
  eddy_bench::report_allocs(st, a0, double(n_timers) * st.iterations());
}
BENCHMARK(w7a_timer_sleep)
    ->Name("sbs/W7a_timer_sleep/eddy")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

task<std::uint64_t> timeout_ready_loop(std::uint64_t n) {
  std::uint64_t s = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    auto r = co_await timeout(std::chrono::seconds(1), ready<std::uint64_t>(i));
    s += *r;
  }
  co_return s;
}

/// An awaiter that is ready at compile time: what a `co_await` costs a coroutine loop when it
/// can never suspend.
struct always_ready {
  std::uint64_t v;
  static constexpr bool await_ready() noexcept { return true; }
  void await_suspend(std::coroutine_handle<>) noexcept {}
  std::uint64_t await_resume() const noexcept { return v; }
};

/// W7b's loop without `timeout`: the floor for a coroutine loop with a `co_await` in it.
task<std::uint64_t> ready_loop(std::uint64_t n) {
  std::uint64_t s = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::uint64_t r = co_await always_ready{i};
    s += r;
  }
  co_return s;
}

void w7b_loop(benchmark::State& st) {
  local_runtime rt;
  eddy_bench::wall_clock wall;
  for (auto _ : st) {
    const std::uint64_t s = wall.time([&] { return rt.block_on(ready_loop(n_timeout)); });
    if (s != n_timeout * (n_timeout - 1) / 2) st.SkipWithError("wrong sum");
  }
  wall.report(st, double(n_timeout));
}
BENCHMARK(w7b_loop)
    ->Name("sbs/W7b_timeout_ready/loop")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);

void w7b_timeout_ready(benchmark::State& st) {
  local_runtime rt;
  eddy_bench::wall_clock wall;
  const auto a0 = eddy_bench::allocations();
  for (auto _ : st) {
    const std::uint64_t s = wall.time([&] { return rt.block_on(timeout_ready_loop(n_timeout)); });
    if (s != n_timeout * (n_timeout - 1) / 2) st.SkipWithError("wrong sum");
  }
  per_op(st, n_timeout);
  eddy_bench::report_allocs(st, a0, double(n_timeout) * st.iterations());
  wall.report(st, double(n_timeout));
}
BENCHMARK(w7b_timeout_ready)
    ->Name("sbs/W7b_timeout_ready/eddy")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);

}  // namespace
