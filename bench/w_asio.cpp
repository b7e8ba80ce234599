// SPDX-License-Identifier: BSL-1.0
// eddy on Asio (asio_runtime) next to the same workloads written in plain Asio, in one binary.
//
// W1, W4, W5, W7a: bench/common/asio_workloads.hpp (shared with bench/boost_asio.cpp).
// W7b timeout(1 s) around a ready value: eddy timeout vs awaitable operators (`||` + a timer).
// Timer mechanism (a heap posted through Asio, or one Asio steady timer per eddy timer?):
//     arm + fire and arm + cancel of raw timers through asio_runtime's heap vs one
//     asio::steady_timer per timer.
// Run: build/release/bench/eddy_bench_w_asio [--benchmark_filter=W5]
#include <eddy/runtime/asio_runtime.hpp>  // first: it orders the standard library before Asio

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/experimental/channel.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "eddy/runtime/asio_runtime.hpp"

namespace net = ::asio;
using net_runtime = eddy::asio_runtime;
using ec_t = asio::error_code;
#define EDDY_NET_PREFIX asio
#define EDDY_NET_SBS_PEER "eddy_asio"
#include "common/asio_workloads.hpp"

namespace eddy_bench_asio {

constexpr u64 n_timeout = 1'000'000;
constexpr u64 n_timeout_asio = 300'000;  // plain Asio arms a real timer per call
constexpr u64 n_arm_cancel = 1'000'000;

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
BENCHMARK(W7b_timeout_ready_eddy_asio)
    ->Name("sbs/W7b_timeout_ready/eddy_asio")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);

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

}  // namespace eddy_bench_asio
