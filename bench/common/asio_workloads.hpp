// SPDX-License-Identifier: BSL-1.0
// W1, W4, W5 and W7a on eddy over an Asio runtime beside the same workloads in plain Asio code,
// written once for both Asio flavours: bench/w_asio.cpp (standalone Asio, benchmarks named
// `..._eddy_asio` / `..._plain_asio`) and bench/boost_asio.cpp (Boost.Asio, `..._eddy_boost_asio`
// / `..._plain_boost_asio`). The includer first includes the flavour's headers (co_spawn,
// detached, experimental/as_tuple, experimental/channel, io_context, steady_timer,
// use_awaitable), the eddy runtime, and defines `namespace net`, `net_runtime`, `ec_t` (the
// flavour's error_code) and EDDY_NET_PREFIX (`asio` / `boost_asio`). An includer that defines
// EDDY_NET_SBS_PEER (bench/w_asio.cpp: "eddy_asio") names its eddy benchmarks
// `sbs/<workload>/<EDDY_NET_SBS_PEER>`, so the peer harness (side_by_side.sh) shows them; every
// benchmark reports `sbs_ns` (bench/common/sbs.hpp).
//
// W1  spsc unbounded, 10M u64, one thread: eddy mpsc vs experimental::channel (plain async
//     and try-first, as the side-by-side Asio peer does).
// W4  oneshot RPC, 1M round trips, one thread: eddy mpsc + oneshot vs a channel + a capacity-1
//     channel per request.
// W5  spawn + join 2M trivial tasks (the peers' count), 1 and 2 threads: eddy spawn/join_handle vs
// co_spawn with
//     completion handlers.
// W7a 100k concurrent sleeps of 0-50 ms (overhead per timer = (wall - 50 ms) / timers): eddy
//     sleep vs steady_timer::async_wait.
#pragma once
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "common/alloc_count.hpp"
#include "common/sbs.hpp"
#include "eddy/runtime.hpp"
#include "eddy/sync/mpsc.hpp"
#include "eddy/sync/oneshot.hpp"

#define EDDY_BENCH_CAT_(a, b, c) a##_##b##c
#define EDDY_BENCH_CAT(a, b, c) EDDY_BENCH_CAT_(a, b, c)
// `NET_BENCH_NAME(W1_spsc_unbounded_eddy, _try)` -> W1_spsc_unbounded_eddy_<flavour>_try
#define NET_BENCH_NAME(base, suffix) EDDY_BENCH_CAT(base, EDDY_NET_PREFIX, suffix)
// BENCHMARK stringifies its argument: expand the name first.
#define NET_BENCHMARK(fn) EDDY_NET_BENCHMARK_(fn)
#define EDDY_NET_BENCHMARK_(fn) BENCHMARK(fn)
#define EDDY_BENCH_STR_(x) #x
#define EDDY_BENCH_STR(x) EDDY_BENCH_STR_(x)
// `->Name(NET_SBS_NAME(W1_spsc_unbounded, W1_spsc_unbounded_eddy))`: the side-by-side name
// where the includer asks for it, the flavour's own name otherwise.
#define NET_SBS_NAME(workload, base) \
  ::eddy_bench_asio::sbs_name(#workload, EDDY_BENCH_STR(NET_BENCH_NAME(base, )))

namespace eddy_bench_asio {

using namespace eddy;
using u64 = std::uint64_t;
using net::awaitable;
using net::use_awaitable;
using chan = net::experimental::channel<void(ec_t, u64)>;

// EDDY_BENCH_DIVIDE=<k> in the environment divides these counts by k: a quick run that checks
// the workloads work (its figures mean nothing).
inline u64 scaled(u64 n) {
  static const u64 k = [] {
    const char* e = std::getenv("EDDY_BENCH_DIVIDE");
    const long long v = e ? std::atoll(e) : 1;
    return v > 1 ? static_cast<u64>(v) : u64{1};
  }();
  return n / k > 0 ? n / k : 1;
}
const u64 n_w1 = scaled(10'000'000);
const u64 n_rpc = scaled(1'000'000);
const u64 n_spawn = scaled(2'000'000);
const u64 n_timers = scaled(100'000);
constexpr u64 max_sleep_us = 50'000;

constexpr u64 sum_below(u64 n) {
  return n * (n - 1) / 2;
}

inline std::string sbs_name(const char* workload, const char* fallback) {
#ifdef EDDY_NET_SBS_PEER
  (void)fallback;
  return std::string("sbs/") + workload + "/" + EDDY_NET_SBS_PEER;
#else
  (void)workload;
  return fallback;
#endif
}

void per_op(benchmark::State& st, u64 ops) {
  st.counters["ns/op"] =
      benchmark::Counter(static_cast<double>(ops) * st.iterations(),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// Runs `body` once per iteration and reports ns/op, sbs_ns and allocs/op over `ops` operations.
template <class F>
void measure(benchmark::State& st, u64 ops, F body) {
  eddy_bench::wall_clock wall;
  const auto a0 = eddy_bench::allocations();
  for (auto _ : st) {
    if (!wall.time(body)) st.SkipWithError("wrong result");
  }
  per_op(st, ops);
  eddy_bench::report_allocs(st, a0, double(ops) * st.iterations());
  wall.report(st, double(ops));
}

// Plain Asio: run a root coroutine on a fresh io_context{1} by the calling thread.
template <class T>
T run_asio(std::function<awaitable<T>(net::io_context&)> root) {
  net::io_context io{1};
  T out{};
  net::co_spawn(io, root(io), [&](std::exception_ptr e, T v) {
    if (e) std::rethrow_exception(e);
    out = v;
  });
  io.run();
  return out;
}

std::vector<std::chrono::microseconds> sleep_durations(u64 count) {
  u64 s = 42;  // splitmix64, like the peers
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

// ---- W1: spsc unbounded -------------------------------------------------------------------
task<u64> eddy_w1(u64 n) {
  auto [tx, rx] = mpsc::unbounded_channel<u64>();
  auto producer = spawn([](mpsc::sender<u64> tx, u64 n) -> task<void> {
    for (u64 i = 0; i < n; ++i) (void)co_await tx.send(i);
  }(std::move(tx), n));
  auto consumer = spawn([](mpsc::receiver<u64> rx) -> task<u64> {
    u64 s = 0;
    while (auto v = co_await rx.recv()) s += *v;
    co_return s;
  }(std::move(rx)));
  (void)co_await producer;
  auto s = co_await consumer;
  co_return s.value();
}

void NET_BENCH_NAME(W1_spsc_unbounded_eddy, )(benchmark::State& st) {
  net::io_context io{1};
  net_runtime rt{io, 1};
  measure(st, n_w1, [&] { return rt.block_on(eddy_w1(n_w1)) == sum_below(n_w1); });
}
NET_BENCHMARK(NET_BENCH_NAME(W1_spsc_unbounded_eddy, ))
    ->Name(NET_SBS_NAME(W1_spsc_unbounded, W1_spsc_unbounded_eddy))
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

template <bool Try>
awaitable<u64> asio_w1(net::io_context& io, u64 n) {
  chan ch(io, std::numeric_limits<std::size_t>::max());
  u64 sum = 0;
  auto done = std::make_shared<chan>(io, 2);
  net::co_spawn(
      io,
      [&]() -> awaitable<void> {
        for (u64 i = 0; i < n; ++i)
          if (!Try || !ch.try_send(ec_t{}, i)) co_await ch.async_send(ec_t{}, i, use_awaitable);
        if (!Try || !ch.try_send(net::error::eof, 0))
          co_await ch.async_send(net::error::eof, 0, use_awaitable);
      },
      [done](std::exception_ptr) { done->try_send(ec_t{}, 0); });
  net::co_spawn(
      io,
      [&]() -> awaitable<void> {
        u64 s = 0;
        for (;;) {
          ec_t ec;
          u64 v = 0;
          if (!Try || !ch.try_receive([&](ec_t e, u64 x) { ec = e, v = x; }))
            std::tie(ec, v) = co_await ch.async_receive(net::experimental::as_tuple(use_awaitable));
          if (ec) break;
          s += v;
        }
        sum = s;
      },
      [done](std::exception_ptr) { done->try_send(ec_t{}, 0); });
  co_await done->async_receive(use_awaitable);
  co_await done->async_receive(use_awaitable);
  co_return sum;
}

void NET_BENCH_NAME(W1_spsc_unbounded_plain, )(benchmark::State& st) {
  measure(st, n_w1, [] {
    return run_asio<u64>([](net::io_context& io) { return asio_w1<false>(io, n_w1); }) ==
           sum_below(n_w1);
  });
}
NET_BENCHMARK(NET_BENCH_NAME(W1_spsc_unbounded_plain, ))
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

void NET_BENCH_NAME(W1_spsc_unbounded_plain, _try)(benchmark::State& st) {
  measure(st, n_w1, [] {
    return run_asio<u64>([](net::io_context& io) { return asio_w1<true>(io, n_w1); }) ==
           sum_below(n_w1);
  });
}
NET_BENCHMARK(NET_BENCH_NAME(W1_spsc_unbounded_plain, _try))
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

// ---- W4: oneshot RPC ----------------------------------------------------------------------
// Not an aggregate: g++ 12 destroys an aggregate temporary built inside a co_await expression
// twice (`co_await tx.send(request{i, std::move(r)})` freed the oneshot state under ASan).
struct request {
  request(u64 v, oneshot::sender<u64> r) noexcept : value(v), reply(std::move(r)) {}
  u64 value;
  oneshot::sender<u64> reply;
};

task<u64> eddy_w4(u64 n) {
  auto [tx, rx] = mpsc::channel<request>(1024);
  auto server = spawn([](mpsc::receiver<request> rx) -> task<void> {
    while (auto r = co_await rx.recv()) (void)r->reply.send(r->value + 1);
  }(std::move(rx)));
  u64 s = 0;
  for (u64 i = 0; i < n; ++i) {
    auto [rtx, rrx] = oneshot::channel<u64>();
    (void)co_await tx.send(request{i, std::move(rtx)});
    auto v = co_await rrx;
    s += v.value();
  }
  tx = mpsc::sender<request>{};  // the server's recv ends
  (void)co_await server;
  co_return s;
}

void NET_BENCH_NAME(W4_oneshot_rpc_eddy, )(benchmark::State& st) {
  net::io_context io{1};
  net_runtime rt{io, 1};
  measure(st, n_rpc, [&] { return rt.block_on(eddy_w4(n_rpc)) == n_rpc * (n_rpc + 1) / 2; });
}
NET_BENCHMARK(NET_BENCH_NAME(W4_oneshot_rpc_eddy, ))
    ->Name(NET_SBS_NAME(W4_oneshot_rpc, W4_oneshot_rpc_eddy))
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

using req_chan = net::experimental::channel<void(ec_t, u64, chan*)>;

awaitable<u64> asio_w4(net::io_context& io, u64 n) {
  req_chan reqs(io, 1024);
  net::co_spawn(
      io,
      [&]() -> awaitable<void> {
        for (;;) {
          auto [ec, v, reply] =
              co_await reqs.async_receive(net::experimental::as_tuple(use_awaitable));
          if (ec) break;
          reply->try_send(ec_t{}, v + 1);
        }
      },
      net::detached);
  u64 s = 0;
  for (u64 i = 0; i < n; ++i) {
    chan reply(io, 1);
    co_await reqs.async_send(ec_t{}, i, &reply, use_awaitable);
    auto [ec, v] = co_await reply.async_receive(net::experimental::as_tuple(use_awaitable));
    s += v;
  }
  co_await reqs.async_send(net::error::eof, 0, nullptr, use_awaitable);
  co_return s;
}

void NET_BENCH_NAME(W4_oneshot_rpc_plain, )(benchmark::State& st) {
  measure(st, n_rpc, [] {
    return run_asio<u64>([](net::io_context& io) { return asio_w4(io, n_rpc); }) ==
           n_rpc * (n_rpc + 1) / 2;
  });
}
NET_BENCHMARK(NET_BENCH_NAME(W4_oneshot_rpc_plain, ))->Unit(benchmark::kMillisecond)->Iterations(3);

// ---- W5: spawn + join ---------------------------------------------------------------------
task<u64> trivial(u64 i) {
  co_return i;
}

task<u64> spawn_join_all(u64 n) {
  std::vector<join_handle<u64>> hs;
  hs.reserve(n);
  for (u64 i = 0; i < n; ++i) hs.push_back(spawn(trivial(i)));
  u64 s = 0;
  for (auto& h : hs) {
    auto r = co_await h;
    s += r.value();
  }
  co_return s;
}

void NET_BENCH_NAME(W5_spawn_join_st_eddy, )(benchmark::State& st) {
  net::io_context io{1};
  net_runtime rt{io, 1};
  measure(st, n_spawn, [&] { return rt.block_on(spawn_join_all(n_spawn)) == sum_below(n_spawn); });
}
NET_BENCHMARK(NET_BENCH_NAME(W5_spawn_join_st_eddy, ))
    ->Name(NET_SBS_NAME(W5_spawn_join_st, W5_spawn_join_st_eddy))
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

awaitable<u64> trivial_aw(u64 i) {
  co_return i;
}

void NET_BENCH_NAME(W5_spawn_join_st_plain, )(benchmark::State& st) {
  measure(st, n_spawn, [] {
    return run_asio<u64>([](net::io_context& io) -> awaitable<u64> {
             chan done(io, 1);
             u64 sum = 0, remaining = n_spawn;
             for (u64 i = 0; i < n_spawn; ++i)
               net::co_spawn(io, trivial_aw(i), [&](std::exception_ptr, u64 v) {
                 sum += v;
                 if (--remaining == 0) done.try_send(ec_t{}, 0);
               });
             co_await done.async_receive(use_awaitable);
             co_return sum;
           }) == sum_below(n_spawn);
  });
}
NET_BENCHMARK(NET_BENCH_NAME(W5_spawn_join_st_plain, ))
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

// Two threads run io.run(); the calling thread only waits (like the peers' 2-worker setup).
struct two_threads {
  net::io_context io{2};
  net::executor_work_guard<net::io_context::executor_type> guard{io.get_executor()};
  std::thread a{[this] { io.run(); }}, b{[this] { io.run(); }};
  void finish() {
    guard.reset();
    a.join();
    b.join();
  }
};

void NET_BENCH_NAME(W5_spawn_join_mt_eddy, )(benchmark::State& st) {
  two_threads t;
  {
    net_runtime rt{net::any_io_executor(t.io.get_executor()), 2};  // block_on waits, 2 threads run
    measure(st, n_spawn,
            [&] { return rt.block_on(spawn_join_all(n_spawn)) == sum_below(n_spawn); });
  }
  t.finish();
}
NET_BENCHMARK(NET_BENCH_NAME(W5_spawn_join_mt_eddy, ))
    ->Name(NET_SBS_NAME(W5_spawn_join_mt, W5_spawn_join_mt_eddy))
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

void NET_BENCH_NAME(W5_spawn_join_mt_plain, )(benchmark::State& st) {
  measure(st, n_spawn, [] {
    two_threads t;
    std::atomic<u64> sum{0};
    for (u64 i = 0; i < n_spawn; ++i)
      net::co_spawn(t.io, trivial_aw(i), [&](std::exception_ptr, u64 v) { sum.fetch_add(v); });
    t.finish();
    return sum.load() == sum_below(n_spawn);
  });
}
NET_BENCHMARK(NET_BENCH_NAME(W5_spawn_join_mt_plain, ))
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

// ---- W7a: 100k concurrent sleeps ----------------------------------------------------------
task<void> sleep_for(std::chrono::microseconds d) {
  co_await sleep(d);
}

task<void> sleep_all(const std::vector<std::chrono::microseconds>* ds) {
  std::vector<join_handle<void>> hs;
  hs.reserve(ds->size());
  for (auto d : *ds) hs.push_back(spawn(sleep_for(d)));
  for (auto& h : hs) (void)co_await h;
}

template <class F>
void measure_sleeps(benchmark::State& st, F body) {
  double overhead_ns = 0;
  const auto a0 = eddy_bench::allocations();
  for (auto _ : st) {
    const auto t0 = std::chrono::steady_clock::now();
    body();
    const double wall =
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    overhead_ns += (wall - double(max_sleep_us) * 1e3) / double(n_timers);
  }
  st.counters["overhead ns/timer"] = overhead_ns / double(st.iterations());
  st.counters["sbs_ns"] = overhead_ns / double(st.iterations());
  st.counters["sbs_n"] = double(n_timers);
  eddy_bench::report_allocs(st, a0, double(n_timers) * st.iterations());
}

void NET_BENCH_NAME(W7a_timer_sleep_eddy, )(benchmark::State& st) {
  const auto ds = sleep_durations(n_timers);
  net::io_context io{1};
  net_runtime rt{io, 1};
  measure_sleeps(st, [&] { rt.block_on(sleep_all(&ds)); });
}
NET_BENCHMARK(NET_BENCH_NAME(W7a_timer_sleep_eddy, ))
    ->Name(NET_SBS_NAME(W7a_timer_sleep, W7a_timer_sleep_eddy))
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

void NET_BENCH_NAME(W7a_timer_sleep_plain, )(benchmark::State& st) {
  const auto ds = sleep_durations(n_timers);
  measure_sleeps(st, [&] {
    run_asio<int>([&](net::io_context& io) -> awaitable<int> {
      chan done(io, 1);
      u64 remaining = ds.size();
      for (auto d : ds)
        net::co_spawn(
            io,
            [d, &io]() -> awaitable<void> {
              net::steady_timer t(io, d);
              co_await t.async_wait(use_awaitable);
            },
            [&](std::exception_ptr) {
              if (--remaining == 0) done.try_send(ec_t{}, 0);
            });
      co_await done.async_receive(use_awaitable);
      co_return 0;
    });
  });
}
NET_BENCHMARK(NET_BENCH_NAME(W7a_timer_sleep_plain, ))
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

}  // namespace eddy_bench_asio
