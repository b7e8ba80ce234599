// SPDX-License-Identifier: BSL-1.0
// The eddy side of W1, W4, W5 and W7a and their reporting, shared by the binaries that compare
// eddy on a foreign loop with the same workload in that loop's own code (w_asio.cpp,
// glib.cpp): each runs these tasks with its runtime's block_on.
#pragma once
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include "common/alloc_count.hpp"
#include "eddy/runtime.hpp"
#include "eddy/sync/mpsc.hpp"
#include "eddy/sync/oneshot.hpp"

namespace eddy_bench {

using u64 = std::uint64_t;

inline constexpr u64 n_w1 = 10'000'000;      ///< W1: items through the channel
inline constexpr u64 n_rpc = 1'000'000;      ///< W4: round trips
inline constexpr u64 n_spawn = 1'000'000;    ///< W5: tasks
inline constexpr u64 n_timers = 100'000;     ///< W7a: concurrent sleeps
inline constexpr u64 max_sleep_us = 50'000;  ///< W7a: the longest sleep

/// 0 + 1 + ... + (n - 1).
constexpr u64 sum_below(u64 n) {
  return n * (n - 1) / 2;
}

/// Sets the `ns/op` counter for `ops` operations per iteration.
inline void per_op(benchmark::State& st, u64 ops) {
  st.counters["ns/op"] =
      benchmark::Counter(static_cast<double>(ops) * static_cast<double>(st.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

/// Runs `body` once per iteration and reports ns/op and allocs/op over `ops` operations.
template <class F>
void measure(benchmark::State& st, u64 ops, F body) {
  const auto a0 = allocations();
  for (auto _ : st) {
    if (!body()) st.SkipWithError("wrong result");
  }
  per_op(st, ops);
  report_allocs(st, a0, double(ops) * double(st.iterations()));
}

/// W7a's sleep lengths, 0 to max_sleep_us, the same sequence as the peers' (splitmix64).
inline std::vector<std::chrono::microseconds> sleep_durations(u64 count) {
  u64 s = 42;
  std::vector<std::chrono::microseconds> v;
  v.reserve(count);
  for (u64 i = 0; i < count; ++i) {
    u64 z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    v.emplace_back((z ^ (z >> 31)) % (max_sleep_us + 1));
  }
  return v;
}

/// W1: one producer task sends 0..n-1 through an unbounded channel to one consumer task.
inline eddy::task<u64> eddy_w1(u64 n) {
  auto [tx, rx] = eddy::mpsc::unbounded_channel<u64>();
  auto producer = eddy::spawn([](eddy::mpsc::sender<u64> out, u64 count) -> eddy::task<void> {
    for (u64 i = 0; i < count; ++i) (void)co_await out.send(i);
  }(std::move(tx), n));
  auto consumer = eddy::spawn([](eddy::mpsc::receiver<u64> in) -> eddy::task<u64> {
    u64 s = 0;
    while (auto v = co_await in.recv()) s += *v;
    co_return s;
  }(std::move(rx)));
  (void)co_await producer;
  auto s = co_await consumer;
  co_return s.value();
}

/// W4's request. Not an aggregate: g++ 12 destroys an aggregate temporary built inside a
/// co_await expression twice (`co_await tx.send(request{i, std::move(r)})` freed the oneshot
/// state under ASan).
struct request {
  request(u64 v, eddy::oneshot::sender<u64> r) noexcept : value(v), reply(std::move(r)) {}
  u64 value;
  eddy::oneshot::sender<u64> reply;
};

/// W4: n requests over a bounded(1024) channel to a server task, each answered on a oneshot.
inline eddy::task<u64> eddy_w4(u64 n) {
  auto [tx, rx] = eddy::mpsc::channel<request>(1024);
  auto server = eddy::spawn([](eddy::mpsc::receiver<request> in) -> eddy::task<void> {
    while (auto r = co_await in.recv()) (void)r->reply.send(r->value + 1);
  }(std::move(rx)));
  u64 s = 0;
  for (u64 i = 0; i < n; ++i) {
    auto [rtx, rrx] = eddy::oneshot::channel<u64>();
    (void)co_await tx.send(request{i, std::move(rtx)});
    auto v = co_await rrx;
    s += v.value();
  }
  tx = eddy::mpsc::sender<request>{};  // the server's recv ends
  (void)co_await server;
  co_return s;
}

/// W5's task.
inline eddy::task<u64> trivial(u64 i) {
  co_return i;
}

/// W5: spawn n trivial tasks, then join them all.
inline eddy::task<u64> spawn_join_all(u64 n) {
  std::vector<eddy::join_handle<u64>> hs;
  hs.reserve(n);
  for (u64 i = 0; i < n; ++i) hs.push_back(eddy::spawn(trivial(i)));
  u64 s = 0;
  for (auto& h : hs) {
    auto r = co_await h;
    s += r.value();
  }
  co_return s;
}

/// W7a's task.
inline eddy::task<void> sleep_for(std::chrono::microseconds d) {
  co_await eddy::sleep(d);
}

/// W7a: one task per duration, each sleeping that long, all joined.
inline eddy::task<void> sleep_all(const std::vector<std::chrono::microseconds>* ds) {
  std::vector<eddy::join_handle<void>> hs;
  hs.reserve(ds->size());
  for (auto d : *ds) hs.push_back(eddy::spawn(sleep_for(d)));
  for (auto& h : hs) (void)co_await h;
}

/// Runs W7a's `body` per iteration; reports the overhead per timer, (wall - 50 ms) / timers.
template <class F>
void measure_sleeps(benchmark::State& st, F body) {
  double overhead_ns = 0;
  const auto a0 = allocations();
  for (auto _ : st) {
    const auto t0 = std::chrono::steady_clock::now();
    body();
    const double wall =
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    overhead_ns += (wall - double(max_sleep_us) * 1e3) / double(n_timers);
  }
  st.counters["overhead ns/timer"] = overhead_ns / double(st.iterations());
  report_allocs(st, a0, double(n_timers) * double(st.iterations()));
}

}  // namespace eddy_bench
