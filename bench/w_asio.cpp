// SPDX-License-Identifier: BSL-1.0
// eddy on Asio (asio_runtime) next to the same workloads written in plain Asio, in one binary.
//
// W1  spsc unbounded, 10M u64, one thread: eddy mpsc vs experimental::channel (plain async
//     and try-first, as the side-by-side Asio peer does).
// W4  oneshot RPC, 1M round trips, one thread: eddy mpsc + oneshot vs a channel + a capacity-1
//     channel per request.
// W5  spawn + join 1M trivial tasks, 1 and 2 threads: eddy spawn/join_handle vs co_spawn with
//     completion handlers.
// W7a 100k concurrent sleeps of 0-50 ms (overhead per timer = (wall - 50 ms) / timers): eddy
//     sleep vs steady_timer::async_wait.
// W7b timeout(1 s) around a ready value: eddy timeout vs awaitable operators (`||` + a timer).
// Timer mechanism (a heap posted through Asio, or one Asio steady timer per eddy timer?):
//     arm + fire and arm + cancel of raw timers through asio_runtime's heap vs one
//     asio::steady_timer per timer.
// Run: build/release/bench/eddy_bench_w_asio [--benchmark_filter=W5]
#include <benchmark/benchmark.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/experimental/channel.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <thread>
#include <vector>

#include "common/loop_workloads.hpp"
#include "eddy/runtime/asio_runtime.hpp"

using namespace eddy;
using namespace eddy_bench;
using ec_t = asio::error_code;
using asio::awaitable;
using asio::use_awaitable;
using chan = asio::experimental::channel<void(ec_t, u64)>;

namespace {

constexpr u64 n_timeout = 1'000'000;
constexpr u64 n_timeout_asio = 300'000;  // plain Asio arms a real timer per call
constexpr u64 n_arm_cancel = 1'000'000;

// Plain Asio: run a root coroutine on a fresh io_context{1} by the calling thread.
template <class T>
T run_asio(std::function<awaitable<T>(asio::io_context&)> root) {
  asio::io_context io{1};
  T out{};
  asio::co_spawn(io, root(io), [&](std::exception_ptr e, T v) {
    if (e) std::rethrow_exception(e);
    out = v;
  });
  io.run();
  return out;
}

// ---- W1: spsc unbounded -------------------------------------------------------------------
void W1_spsc_unbounded_eddy_asio(benchmark::State& st) {
  asio::io_context io{1};
  asio_runtime rt{io, 1};
  measure(st, n_w1, [&] { return rt.block_on(eddy_w1(n_w1)) == sum_below(n_w1); });
}
BENCHMARK(W1_spsc_unbounded_eddy_asio)->Unit(benchmark::kMillisecond)->Iterations(3);

template <bool Try>
awaitable<u64> asio_w1(asio::io_context& io, u64 n) {
  chan ch(io, std::numeric_limits<std::size_t>::max());
  u64 sum = 0;
  auto done = std::make_shared<chan>(io, 2);
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        for (u64 i = 0; i < n; ++i)
          if (!Try || !ch.try_send(ec_t{}, i)) co_await ch.async_send(ec_t{}, i, use_awaitable);
        if (!Try || !ch.try_send(asio::error::eof, 0))
          co_await ch.async_send(asio::error::eof, 0, use_awaitable);
      },
      [done](std::exception_ptr) { done->try_send(ec_t{}, 0); });
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        u64 s = 0;
        for (;;) {
          ec_t ec;
          u64 v = 0;
          if (!Try || !ch.try_receive([&](ec_t e, u64 x) { ec = e, v = x; }))
            std::tie(ec, v) =
                co_await ch.async_receive(asio::experimental::as_tuple(use_awaitable));
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

void W1_spsc_unbounded_plain_asio(benchmark::State& st) {
  measure(st, n_w1, [] {
    return run_asio<u64>([](asio::io_context& io) { return asio_w1<false>(io, n_w1); }) ==
           sum_below(n_w1);
  });
}
BENCHMARK(W1_spsc_unbounded_plain_asio)->Unit(benchmark::kMillisecond)->Iterations(1);

void W1_spsc_unbounded_plain_asio_try(benchmark::State& st) {
  measure(st, n_w1, [] {
    return run_asio<u64>([](asio::io_context& io) { return asio_w1<true>(io, n_w1); }) ==
           sum_below(n_w1);
  });
}
BENCHMARK(W1_spsc_unbounded_plain_asio_try)->Unit(benchmark::kMillisecond)->Iterations(3);

// ---- W4: oneshot RPC ----------------------------------------------------------------------
void W4_oneshot_rpc_eddy_asio(benchmark::State& st) {
  asio::io_context io{1};
  asio_runtime rt{io, 1};
  measure(st, n_rpc, [&] { return rt.block_on(eddy_w4(n_rpc)) == n_rpc * (n_rpc + 1) / 2; });
}
BENCHMARK(W4_oneshot_rpc_eddy_asio)->Unit(benchmark::kMillisecond)->Iterations(3);

using req_chan = asio::experimental::channel<void(ec_t, u64, chan*)>;

awaitable<u64> asio_w4(asio::io_context& io, u64 n) {
  req_chan reqs(io, 1024);
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        for (;;) {
          auto [ec, v, reply] =
              co_await reqs.async_receive(asio::experimental::as_tuple(use_awaitable));
          if (ec) break;
          reply->try_send(ec_t{}, v + 1);
        }
      },
      asio::detached);
  u64 s = 0;
  for (u64 i = 0; i < n; ++i) {
    chan reply(io, 1);
    co_await reqs.async_send(ec_t{}, i, &reply, use_awaitable);
    auto [ec, v] = co_await reply.async_receive(asio::experimental::as_tuple(use_awaitable));
    s += v;
  }
  co_await reqs.async_send(asio::error::eof, 0, nullptr, use_awaitable);
  co_return s;
}

void W4_oneshot_rpc_plain_asio(benchmark::State& st) {
  measure(st, n_rpc, [] {
    return run_asio<u64>([](asio::io_context& io) { return asio_w4(io, n_rpc); }) ==
           n_rpc * (n_rpc + 1) / 2;
  });
}
BENCHMARK(W4_oneshot_rpc_plain_asio)->Unit(benchmark::kMillisecond)->Iterations(3);

// ---- W5: spawn + join ---------------------------------------------------------------------
void W5_spawn_join_st_eddy_asio(benchmark::State& st) {
  asio::io_context io{1};
  asio_runtime rt{io, 1};
  measure(st, n_spawn, [&] { return rt.block_on(spawn_join_all(n_spawn)) == sum_below(n_spawn); });
}
BENCHMARK(W5_spawn_join_st_eddy_asio)->Unit(benchmark::kMillisecond)->Iterations(3);

awaitable<u64> trivial_aw(u64 i) {
  co_return i;
}

void W5_spawn_join_st_plain_asio(benchmark::State& st) {
  measure(st, n_spawn, [] {
    return run_asio<u64>([](asio::io_context& io) -> awaitable<u64> {
             chan done(io, 1);
             u64 sum = 0, remaining = n_spawn;
             for (u64 i = 0; i < n_spawn; ++i)
               asio::co_spawn(io, trivial_aw(i), [&](std::exception_ptr, u64 v) {
                 sum += v;
                 if (--remaining == 0) done.try_send(ec_t{}, 0);
               });
             co_await done.async_receive(use_awaitable);
             co_return sum;
           }) == sum_below(n_spawn);
  });
}
BENCHMARK(W5_spawn_join_st_plain_asio)->Unit(benchmark::kMillisecond)->Iterations(3);

// Two threads run io.run(); the calling thread only waits (like the peers' 2-worker setup).
struct two_threads {
  asio::io_context io{2};
  asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
  std::thread a{[this] { io.run(); }}, b{[this] { io.run(); }};
  void finish() {
    guard.reset();
    a.join();
    b.join();
  }
};

void W5_spawn_join_mt_eddy_asio(benchmark::State& st) {
  two_threads t;
  {
    asio_runtime rt{asio::any_io_executor(t.io.get_executor()),
                    2};  // block_on waits, 2 threads run
    measure(st, n_spawn,
            [&] { return rt.block_on(spawn_join_all(n_spawn)) == sum_below(n_spawn); });
  }
  t.finish();
}
BENCHMARK(W5_spawn_join_mt_eddy_asio)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void W5_spawn_join_mt_plain_asio(benchmark::State& st) {
  measure(st, n_spawn, [] {
    two_threads t;
    std::atomic<u64> sum{0};
    for (u64 i = 0; i < n_spawn; ++i)
      asio::co_spawn(t.io, trivial_aw(i), [&](std::exception_ptr, u64 v) { sum.fetch_add(v); });
    t.finish();
    return sum.load() == sum_below(n_spawn);
  });
}
BENCHMARK(W5_spawn_join_mt_plain_asio)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

// ---- W7a: 100k concurrent sleeps ----------------------------------------------------------
void W7a_timer_sleep_eddy_asio(benchmark::State& st) {
  const auto ds = sleep_durations(n_timers);
  asio::io_context io{1};
  asio_runtime rt{io, 1};
  measure_sleeps(st, [&] { rt.block_on(sleep_all(&ds)); });
}
BENCHMARK(W7a_timer_sleep_eddy_asio)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void W7a_timer_sleep_plain_asio(benchmark::State& st) {
  const auto ds = sleep_durations(n_timers);
  measure_sleeps(st, [&] {
    run_asio<int>([&](asio::io_context& io) -> awaitable<int> {
      chan done(io, 1);
      u64 remaining = ds.size();
      for (auto d : ds)
        asio::co_spawn(
            io,
            [d, &io]() -> awaitable<void> {
              asio::steady_timer t(io, d);
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
BENCHMARK(W7a_timer_sleep_plain_asio)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// ---- W7b: timeout around a ready value ----------------------------------------------------
task<u64> timeout_ready_loop(u64 n) {
  u64 s = 0;
  for (u64 i = 0; i < n; ++i) {
    auto r = co_await timeout(std::chrono::seconds(1), ready<u64>(i));
    s += *r;
  }
  co_return s;
}

void W7b_timeout_ready_eddy_asio(benchmark::State& st) {
  asio::io_context io{1};
  asio_runtime rt{io, 1};
  measure(st, n_timeout,
          [&] { return rt.block_on(timeout_ready_loop(n_timeout)) == sum_below(n_timeout); });
}
BENCHMARK(W7b_timeout_ready_eddy_asio)->Unit(benchmark::kMillisecond)->Iterations(5);

awaitable<u64> ready_value(u64 i) {
  co_return i;
}

void W7b_timeout_ready_plain_asio(benchmark::State& st) {
  using namespace asio::experimental::awaitable_operators;
  measure(st, n_timeout_asio, [] {
    return run_asio<u64>([](asio::io_context& io) -> awaitable<u64> {
             u64 s = 0;
             for (u64 i = 0; i < n_timeout_asio; ++i) {
               asio::steady_timer t(io, std::chrono::seconds(1));
               auto r = co_await (ready_value(i) || t.async_wait(use_awaitable));
               s += std::get<0>(r);
             }
             co_return s;
           }) == sum_below(n_timeout_asio);
  });
}
BENCHMARK(W7b_timeout_ready_plain_asio)->Unit(benchmark::kMillisecond)->Iterations(3);

// ---- Timer mechanism: the runtime's heap vs one Asio steady_timer per timer ---------------
struct counting_timer : timer_node {
  u64* fired;
  explicit counting_timer(u64* f) : timer_node(&on_fire), fired(f) {}
  static void on_fire(work_node* n) noexcept { ++*static_cast<counting_timer*>(n)->fired; }
};

// 100k raw timers of 0-50 ms armed from the loop thread and fired: heap + one steady_timer.
void timers_fire_heap(benchmark::State& st) {
  const auto ds = sleep_durations(n_timers);
  asio::io_context io{1};
  asio_runtime rt{io, 1};
  u64 fired = 0;
  std::vector<counting_timer> ts(n_timers, counting_timer{&fired});
  measure_sleeps(st, [&] {
    fired = 0;
    const time_point t0 = rt.now();
    for (u64 i = 0; i < n_timers; ++i) rt.post_at(t0 + ds[i], ts[i]);
    while (fired < n_timers) {
      if (io.run_one() == 0) io.restart();  // out of work stops the context: never spin on it
    }
  });
}
BENCHMARK(timers_fire_heap)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// The same with one asio::steady_timer (and one Asio wait operation) per timer.
void timers_fire_asio(benchmark::State& st) {
  const auto ds = sleep_durations(n_timers);
  asio::io_context io{1};
  u64 fired = 0;
  measure_sleeps(st, [&] {
    fired = 0;
    std::vector<std::unique_ptr<asio::steady_timer>> ts;
    ts.reserve(n_timers);
    for (u64 i = 0; i < n_timers; ++i) {
      ts.push_back(std::make_unique<asio::steady_timer>(io, ds[i]));
      ts.back()->async_wait([&](const ec_t&) { ++fired; });
    }
    io.restart();
    io.run();
  });
}
BENCHMARK(timers_fire_asio)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// Arm a 1 s timer and cancel it (what `timeout` does when the inner work suspends briefly),
// from a task on the runtime.
task<bool> arm_cancel_loop(runtime* rt, counting_timer* t, u64 n) {
  bool ok = true;
  for (u64 i = 0; i < n; ++i) {
    rt->post_at(rt->now() + std::chrono::seconds(1), *t);
    ok = ok && rt->cancel(*t);
  }
  co_return ok;
}

void timers_arm_cancel_heap(benchmark::State& st) {
  asio::io_context io{1};
  asio_runtime rt{io, 1};
  u64 fired = 0;
  counting_timer t{&fired};
  measure(st, n_arm_cancel, [&] { return rt.block_on(arm_cancel_loop(&rt, &t, n_arm_cancel)); });
}
BENCHMARK(timers_arm_cancel_heap)->Unit(benchmark::kMillisecond)->Iterations(3);

void timers_arm_cancel_asio(benchmark::State& st) {
  asio::io_context io{1};
  u64 aborted = 0;
  measure(st, n_arm_cancel, [&] {
    aborted = 0;
    for (u64 i = 0; i < n_arm_cancel; ++i) {
      asio::steady_timer t(io, std::chrono::seconds(1));
      t.async_wait([&](const ec_t& ec) { aborted += ec == asio::error::operation_aborted; });
      t.cancel();
      io.poll();     // deliver the cancelled wait, as a loop would
      io.restart();  // a poll that ran out of work stops the context
    }
    return aborted == n_arm_cancel;
  });
}
BENCHMARK(timers_arm_cancel_asio)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
