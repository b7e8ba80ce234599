// SPDX-License-Identifier: BSL-1.0
// The eddy side of W1, W4, W5 and W7a as runtime-independent tasks, and the measuring helpers,
// for the binaries that put an eddy backend next to the same workload in its loop's own API
// (w_qt.cpp, glib.cpp; the Asio flavours share bench/common/asio_workloads.hpp). EDDY_BENCH_QUICK=1
// in the environment divides every operation count by 100 (a smoke run, no figures).
#pragma once
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "common/alloc_count.hpp"
#include "eddy/runtime.hpp"
#include "eddy/sync/mpsc.hpp"
#include "eddy/sync/oneshot.hpp"

namespace eddy_bench {

using u64 = std::uint64_t;

/// `n`, or `n / 100` when EDDY_BENCH_QUICK is set.
inline u64 scaled(u64 n) {
  static const bool quick = std::getenv("EDDY_BENCH_QUICK") != nullptr;
  return quick ? n / 100 : n;
}

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
  report_allocs(st, a0, static_cast<double>(ops) * static_cast<double>(st.iterations()));
}

/// W7a: `count` sleep durations of 0..max_us microseconds (splitmix64, like the peers).
inline std::vector<std::chrono::microseconds> sleep_durations(u64 count, u64 max_us) {
  u64 s = 42;
  std::vector<std::chrono::microseconds> v;
  v.reserve(count);
  for (u64 i = 0; i < count; ++i) {
    u64 z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    v.emplace_back(static_cast<std::chrono::microseconds::rep>((z ^ (z >> 31)) % (max_us + 1)));
  }
  return v;
}

/// W7a: runs `body` (all the sleeps) per iteration; reports the overhead per timer, (wall -
/// the longest sleep) / timers.
template <class F>
void measure_sleeps(benchmark::State& st, u64 timers, u64 max_us, F body) {
  double overhead_ns = 0;
  const auto a0 = allocations();
  for (auto _ : st) {
    const auto t0 = std::chrono::steady_clock::now();
    body();
    const double wall =
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    overhead_ns += (wall - static_cast<double>(max_us) * 1e3) / static_cast<double>(timers);
  }
  st.counters["overhead ns/timer"] = overhead_ns / static_cast<double>(st.iterations());
  report_allocs(st, a0, static_cast<double>(timers) * static_cast<double>(st.iterations()));
}

/// W1: one producer task sends 0..n-1 on an unbounded channel to one consumer task: the sum.
inline eddy::task<u64> eddy_w1(u64 n) {
  auto [tx, rx] = eddy::mpsc::unbounded_channel<u64>();
  auto producer = eddy::spawn([](eddy::mpsc::sender<u64> tx, u64 n) -> eddy::task<void> {
    for (u64 i = 0; i < n; ++i) (void)co_await tx.send(i);
  }(std::move(tx), n));
  auto consumer = eddy::spawn([](eddy::mpsc::receiver<u64> rx) -> eddy::task<u64> {
    u64 s = 0;
    while (auto v = co_await rx.recv()) s += *v;
    co_return s;
  }(std::move(rx)));
  (void)co_await producer;
  auto s = co_await consumer;
  co_return s.value();
}

struct rpc_request {
  rpc_request(u64 v, eddy::oneshot::sender<u64> r) noexcept : value(v), reply(std::move(r)) {}
  u64 value;
  eddy::oneshot::sender<u64> reply;
};

/// W4: n round trips, request over a bounded mpsc, reply over a oneshot: the sum of the replies.
inline eddy::task<u64> eddy_w4(u64 n) {
  auto [tx, rx] = eddy::mpsc::channel<rpc_request>(1024);
  auto server = eddy::spawn([](eddy::mpsc::receiver<rpc_request> rx) -> eddy::task<void> {
    while (auto r = co_await rx.recv()) (void)r->reply.send(r->value + 1);
  }(std::move(rx)));
  u64 s = 0;
  for (u64 i = 0; i < n; ++i) {
    auto [rtx, rrx] = eddy::oneshot::channel<u64>();
    (void)co_await tx.send(rpc_request{i, std::move(rtx)});
    auto v = co_await rrx;
    s += v.value();
  }
  tx = eddy::mpsc::sender<rpc_request>{};  // the server's recv ends
  (void)co_await server;
  co_return s;
}

inline eddy::task<u64> trivial_task(u64 i) {
  co_return i;
}

/// W5: spawns n trivial tasks, then joins them all: the sum.
inline eddy::task<u64> spawn_join_all(u64 n) {
  std::vector<eddy::join_handle<u64>> hs;
  hs.reserve(n);
  for (u64 i = 0; i < n; ++i) hs.push_back(eddy::spawn(trivial_task(i)));
  u64 s = 0;
  for (auto& h : hs) s += (co_await h).value();
  co_return s;
}

inline eddy::task<void> sleep_for(std::chrono::microseconds d) {
  co_await eddy::sleep(d);
}

/// W7a: one task per duration sleeps it; joins them all.
inline eddy::task<void> sleep_all(const std::vector<std::chrono::microseconds>* ds) {
  std::vector<eddy::join_handle<void>> hs;
  hs.reserve(ds->size());
  for (auto d : *ds) hs.push_back(eddy::spawn(sleep_for(d)));
  for (auto& h : hs) (void)co_await h;
}

}  // namespace eddy_bench
