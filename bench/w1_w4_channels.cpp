// SPDX-License-Identifier: BSL-1.0
// W1-W4 (the workloads of docs/benchmarks.md): mpsc and oneshot channels. Each iteration runs the
// whole workload on a fresh runtime and checks its result; `ns/item` is wall time per message (W4:
// per round trip), `allocs/op` global operator-new calls per message. Each is named
// `sbs/<workload>/eddy` with the counter `sbs_ns` (bench/common/sbs.hpp), the names
// the peer harness (side_by_side.sh) reads.
//
//   W1 spsc unbounded: one producer task sends 10M u64 to one consumer task (local_runtime)
//   W2 the same, bounded 1024
//   W3 4 producers -> 1 consumer, bounded 1024, thread_pool{2}
//   W4 oneshot RPC: 1M request/response round trips (request + oneshot reply over a bounded
//      1024 mpsc channel), local_runtime
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <eddy/eddy.hpp>
#include <vector>

#include "common/alloc_count.hpp"
#include "common/counting_hooks.hpp"
#include "common/sbs.hpp"

using namespace eddy;
using u64 = std::uint64_t;

namespace {

task<u64> produce(mpsc::sender<u64> tx, u64 from, u64 to) {
  u64 failed = 0;
  for (u64 i = from; i < to; ++i) {
    auto r = co_await tx.send(i);
    failed += !r.has_value();
  }
  co_return failed;
}

task<u64> consume(mpsc::receiver<u64> rx) {
  u64 sum = 0;
  while (auto v = co_await rx.recv()) sum += *v;
  co_return sum;
}

// One root: spawns `producers` producers over 0..n and one consumer, joins all, gives the sum
// (or ~0 when a send failed).
task<u64> spsc_or_mpsc(mpsc::channel_pair<u64> ch, u64 n, u64 producers) {
  std::vector<join_handle<u64>> ps;
  for (u64 p = 0; p < producers; ++p) {
    ps.push_back(spawn(produce(ch.first, p * (n / producers), (p + 1) * (n / producers))));
  }
  ch.first = mpsc::sender<u64>{};
  auto c = spawn(consume(std::move(ch.second)));
  u64 failed = 0;
  for (auto& p : ps) {
    auto r = co_await p;
    failed += r.value();
  }
  auto sum = co_await c;
  co_return failed ? ~u64{0} : sum.value();
}

// Wall-clock time of the loop body, whatever the runtime's threads do.
struct wall {
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  double ns() const {
    return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
  }
};

void finish(benchmark::State& st, u64 start_allocs, u64 n, double total_ns) {
  const double ops = static_cast<double>(n) * static_cast<double>(st.iterations());
  st.counters["ns/item"] = total_ns / ops;
  eddy_bench::report_sbs(st, total_ns, static_cast<double>(n));
  eddy_bench::report_allocs(st, start_allocs, ops);
}

template <class Rt>
void run_channel_workload(benchmark::State& st, bool bounded, u64 n, u64 producers, Rt& (*make)()) {
  const u64 expect = n / producers * producers * (n / producers * producers - 1) / 2;
  Rt& rt = make();
  const u64 a0 = eddy_bench::allocations();
  double total = 0;
  for (auto _ : st) {
    wall w;
    auto ch = bounded ? mpsc::channel<u64>(1024) : mpsc::unbounded_channel<u64>();
    const u64 sum = rt.block_on(spsc_or_mpsc(std::move(ch), n, producers));
    total += w.ns();
    if (sum != expect) st.SkipWithError("wrong sum");
  }
  finish(st, a0, n, total);
}

local_runtime& local_rt() {
  static local_runtime rt;
  return rt;
}
thread_pool& pool2() {
  static thread_pool pool{2};
  return pool;
}

void W1_spsc_unbounded(benchmark::State& st) {
  run_channel_workload(st, false, 10'000'000, 1, &local_rt);
}
void W2_spsc_bounded(benchmark::State& st) {
  run_channel_workload(st, true, 10'000'000, 1, &local_rt);
}
void W3_mpsc_4p(benchmark::State& st) {
  run_channel_workload(st, true, 10'000'000, 4, &pool2);
}

struct request {
  request(u64 v, oneshot::sender<u64> r) noexcept : value(v), reply(std::move(r)) {}
  u64 value;
  oneshot::sender<u64> reply;
};

task<void> serve(mpsc::receiver<request> rx) {
  while (auto req = co_await rx.recv()) (void)req->reply.send(req->value + 1);
}

task<u64> rpc_client(mpsc::sender<request> tx, u64 n) {
  u64 sum = 0;
  for (u64 i = 0; i < n; ++i) {
    auto [otx, orx] = oneshot::channel<u64>();
    auto s = co_await tx.send(request{i, std::move(otx)});
    if (!s.has_value()) co_return 0;
    auto r = co_await orx;
    sum += r.value();
  }
  co_return sum;
}

task<u64> rpc(u64 n) {
  auto [tx, rx] = mpsc::channel<request>(1024);
  auto server = spawn(serve(std::move(rx)));
  auto client = spawn(rpc_client(std::move(tx), n));
  auto sum = co_await client;
  (void)co_await server;
  co_return sum.value();
}

void W4_oneshot_rpc_on(benchmark::State& st, local_runtime& rt) {
  constexpr u64 n = 1'000'000;
  const u64 a0 = eddy_bench::allocations();
  double total = 0;
  for (auto _ : st) {
    wall w;
    const u64 sum = rt.block_on(rpc(n));
    total += w.ns();
    if (sum != n * (n + 1) / 2) st.SkipWithError("wrong sum");
  }
  finish(st, a0, n, total);
}

void W4_oneshot_rpc(benchmark::State& st) {
  W4_oneshot_rpc_on(st, local_rt());
}

// W4 with a counting hook on every spawn, poll, wake and end: the cost of hooks when on.
void W4_oneshot_rpc_hooks(benchmark::State& st) {
  local_runtime rt;
  eddy_bench::counting_hooks h;
  if (!rt.set_task_hooks(&h.hooks)) st.SkipWithError("hooks refused");
  W4_oneshot_rpc_on(st, rt);
}

}  // namespace

BENCHMARK(W1_spsc_unbounded)
    ->Name("sbs/W1_spsc_unbounded/eddy")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(W2_spsc_bounded)
    ->Name("sbs/W2_spsc_bounded/eddy")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(W3_mpsc_4p)->Name("sbs/W3_mpsc_4p/eddy")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(W4_oneshot_rpc)
    ->Name("sbs/W4_oneshot_rpc/eddy")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(W4_oneshot_rpc_hooks)
    ->Name("sbs/W4_oneshot_rpc/eddy-hooks")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
