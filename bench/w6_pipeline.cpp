// SPDX-License-Identifier: BSL-1.0
// W6: from_range(0..n) | map(x*3) | filter(even) | scan(sum), consumed to the end, against a
// hand-written loop over the same data in the same binary. ns/item and allocs per run.
//
//   W6_hand_loop      the loop a person would write
//   W6_hand_loop_unknown_start
//                     the same loop from a start the compiler cannot see (a stream's position is
//                     state, not a constant): clang 16 folds the constant 0 of W6_hand_loop into
//                     the parity of x * 3 and drops a test per turn, which no stream can match
//   W6_subscribe      subscribe(pipeline, handler): the synchronous fast path (try_visit)
//   W6_next_loop      while (auto r = co_await s.next()) ...: one awaiter per item
//   W6_any_stream     the pipeline erased to any_stream<u64>, then subscribe
//   W6_generator      a generator<u64> source (every item is a coroutine resumption)
//   W6c_channels      the peers' W6c: source, map, filter, scan and sink as five tasks joined by
//                     four mpsc::channel(1024), 10M items, on local_runtime and thread_pool{2}
// Named sbs/<workload>/<peer> with the counter sbs_ns (wall ns per source item,
// bench/common/sbs.hpp): the names the peer harness (side_by_side.sh) reads.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <eddy/exec/subscribe.hpp>
#include <eddy/runtime.hpp>
#include <eddy/stream/any_stream.hpp>
#include <eddy/stream/filter.hpp>
#include <eddy/stream/from_range.hpp>
#include <eddy/stream/generator.hpp>
#include <eddy/stream/map.hpp>
#include <eddy/stream/scan.hpp>
#include <eddy/sync/mpsc.hpp>
#include <optional>
#include <ranges>

#include "common/alloc_count.hpp"
#include "common/sbs.hpp"

namespace {

using u64 = std::uint64_t;
constexpr u64 n_items = 10'000'000;

u64 expected(u64 n) {
  const u64 m = (n + 1) / 2;  // even x in 0..n
  return 3 * 2 * (m * (m - 1) / 2);
}

/// The W6 stages after any source of u64.
template <class S>
auto stages(S src) {
  return std::move(src) | eddy::map([](u64 x) { return x * 3; }) |
         eddy::filter([](u64 x) { return x % 2 == 0; }) |
         eddy::scan(u64{0}, [](u64 acc, u64 x) { return acc + x; });
}

auto pipeline(u64 n) {
  return stages(eddy::from_range(std::views::iota(u64{0}, n)));
}

/// Subscribes to `s` and gives its last value (0 on an error).
template <class S>
eddy::task<u64> last_of(S s) {
  u64 last = 0;
  auto r = co_await eddy::subscribe(std::move(s), [&last](u64 v) { last = v; });
  if (!r.has_value()) co_return 0;
  co_return last;
}

void finish(benchmark::State& st, u64 last, u64 n, std::uint64_t allocs0,
            const eddy_bench::wall_clock& wall) {
  if (last != expected(n)) st.SkipWithError("wrong result");
  wall.report(st, static_cast<double>(n));
  // seconds per source item, printed with an SI suffix ("1.2n" is 1.2 ns)
  st.counters["per_item"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate |
                                                     benchmark::Counter::kInvert);
  eddy_bench::report_allocs(st, allocs0, static_cast<double>(st.iterations()));
}

/// Runs `run(n)` (a task<u64> giving the last sum) on `rt` once per iteration.
template <class Rt, class F>
void run_w6(benchmark::State& st, Rt& rt, u64 n, F run) {
  u64 last = 0;
  eddy_bench::wall_clock wall;
  const auto a0 = eddy_bench::allocations();
  for (auto _ : st) {
    benchmark::DoNotOptimize(n);
    last = wall.time([&] { return rt.block_on(run(n)); });
    benchmark::DoNotOptimize(last);
  }
  finish(st, last, n, a0, wall);
}

/// The hand loop over [start, n); `start` is hidden from the compiler when `opaque_start` (a
/// template argument, so the other loop's start stays the constant 0 whatever gets inlined).
template <bool opaque_start>
void hand_loop(benchmark::State& st) {
  u64 n = n_items;
  u64 start = 0;
  u64 last = 0;
  eddy_bench::wall_clock wall;
  const auto a0 = eddy_bench::allocations();
  for (auto _ : st) {
    benchmark::DoNotOptimize(n);
    if constexpr (opaque_start) benchmark::DoNotOptimize(start);
    wall.time([&] {
      u64 acc = 0;
      last = 0;
      for (u64 x = start; x < n; ++x) {
        const u64 v = x * 3;
        if (v % 2 == 0) {
          acc += v;
          last = acc;
        }
      }
    });
    benchmark::DoNotOptimize(last);
  }
  finish(st, last, n, a0, wall);
}

void W6_hand_loop(benchmark::State& st) {
  hand_loop<false>(st);
}
BENCHMARK(W6_hand_loop)->Name("sbs/W6_stream_pipeline/loop")->Unit(benchmark::kMillisecond);

void W6_hand_loop_unknown_start(benchmark::State& st) {
  hand_loop<true>(st);
}
BENCHMARK(W6_hand_loop_unknown_start)->Unit(benchmark::kMillisecond);

void W6_subscribe(benchmark::State& st) {
  eddy::local_runtime rt;
  run_w6(st, rt, n_items, [](u64 n) { return last_of(pipeline(n)); });
}
BENCHMARK(W6_subscribe)->Name("sbs/W6_stream_pipeline/eddy")->Unit(benchmark::kMillisecond);

eddy::task<u64> next_loop(u64 n) {
  auto s = pipeline(n);
  u64 last = 0;
  while (auto r = co_await s.next()) last = r->value();
  co_return last;
}

void W6_next_loop(benchmark::State& st) {
  eddy::local_runtime rt;
  run_w6(st, rt, n_items, next_loop);
}
BENCHMARK(W6_next_loop)
    ->Name("sbs/W6_stream_pipeline/eddy-next_loop")
    ->Unit(benchmark::kMillisecond);

void W6_any_stream(benchmark::State& st) {
  eddy::local_runtime rt;
  run_w6(st, rt, n_items, [](u64 n) { return last_of(eddy::any_stream<u64>(pipeline(n))); });
}
BENCHMARK(W6_any_stream)
    ->Name("sbs/W6_stream_pipeline/eddy-any_stream")
    ->Unit(benchmark::kMillisecond);

eddy::generator<u64> counting(u64 n) {
  for (u64 x = 0; x < n; ++x) co_yield x;
}

void W6_generator(benchmark::State& st) {
  eddy::local_runtime rt;
  run_w6(st, rt, n_items, [](u64 n) { return last_of(stages(counting(n))); });
}
BENCHMARK(W6_generator)
    ->Name("sbs/W6_stream_pipeline/eddy-generator")
    ->Unit(benchmark::kMillisecond);

// W6c: the same stages as tasks joined by bounded(1024) channels.

eddy::task<void> w6c_source(eddy::mpsc::sender<u64> out, u64 n) {
  for (u64 x = 0; x < n; ++x) {
    auto r = co_await out.send(x);
    if (!r.has_value()) co_return;
  }
}
template <class F>
eddy::task<void> w6c_stage(eddy::mpsc::receiver<u64> in, eddy::mpsc::sender<u64> out, F f) {
  while (auto v = co_await in.recv()) {
    std::optional<u64> o = f(*v);
    if (!o) continue;
    auto r = co_await out.send(*o);
    if (!r.has_value()) co_return;
  }
}
eddy::task<u64> w6c_sink(eddy::mpsc::receiver<u64> in) {
  u64 last = 0;
  while (auto v = co_await in.recv()) last = *v;
  co_return last;
}
eddy::task<u64> w6c_pipeline(u64 n) {
  auto [tx1, rx1] = eddy::mpsc::channel<u64>(1024);
  auto [tx2, rx2] = eddy::mpsc::channel<u64>(1024);
  auto [tx3, rx3] = eddy::mpsc::channel<u64>(1024);
  auto [tx4, rx4] = eddy::mpsc::channel<u64>(1024);
  auto source = eddy::spawn(w6c_source(std::move(tx1), n));
  auto map = eddy::spawn(
      w6c_stage(std::move(rx1), std::move(tx2), [](u64 x) -> std::optional<u64> { return x * 3; }));
  auto filter =
      eddy::spawn(w6c_stage(std::move(rx2), std::move(tx3), [](u64 x) -> std::optional<u64> {
        if (x % 2 != 0) return std::nullopt;
        return x;
      }));
  auto scan = eddy::spawn(w6c_stage(std::move(rx3), std::move(tx4),
                                    [acc = u64{0}](u64 x) mutable -> std::optional<u64> {
                                      acc += x;
                                      return acc;
                                    }));
  auto sink = eddy::spawn(w6c_sink(std::move(rx4)));
  (void)co_await source;
  (void)co_await map;
  (void)co_await filter;
  (void)co_await scan;
  auto last = co_await sink;
  co_return last.value();
}

void W6c_channels_local(benchmark::State& st) {
  eddy::local_runtime rt;
  run_w6(st, rt, n_items, w6c_pipeline);
}
void W6c_channels_pool2(benchmark::State& st) {
  eddy::thread_pool rt{2};
  run_w6(st, rt, n_items, w6c_pipeline);
}
BENCHMARK(W6c_channels_local)->Name("sbs/W6c_channel_pipeline/eddy")->Unit(benchmark::kMillisecond);
BENCHMARK(W6c_channels_pool2)
    ->Name("sbs/W6c_channel_pipeline/eddy-pool2")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
