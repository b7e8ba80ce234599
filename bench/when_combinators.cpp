// SPDX-License-Identifier: BSL-1.0
// when_all / when_any overhead (local_runtime, one thread), with allocations per operation:
// - when_all of two ready tasks, against awaiting the same two tasks one after the other (the
//   two task frames are the operands' own allocations: the combinator must add none);
// - when_all of two ready awaiters (no operand allocates: 0 allocs/op expected);
// - when_any(rx.recv(), sleep(1s)) with the item already in the channel (the recv completes
//   while starting: the sleep never starts), and with the item sent by another task (the recv
//   suspends and the sleep arms a timer, cancelled when the recv wins), each against a plain
//   `co_await rx.recv()` loop.
// Run: build/release/bench/eddy_bench_when_combinators
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>

#include "common/alloc_count.hpp"
#include "eddy/eddy.hpp"

using namespace eddy;
using namespace std::chrono_literals;

namespace {

constexpr std::uint64_t n_ops = 1'000'000;

void per_op(benchmark::State& st, std::uint64_t ops) {
  st.counters["ns/op"] =
      benchmark::Counter(static_cast<double>(ops) * st.iterations(),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

task<std::uint64_t> trivial(std::uint64_t i) {
  co_return i;
}

template <class Body>
void run(benchmark::State& st, Body body) {
  local_runtime rt;
  const auto a0 = eddy_bench::allocations();
  for (auto _ : st) {
    const std::uint64_t s = rt.block_on(body(n_ops));
    if (s != n_ops * (n_ops - 1)) st.SkipWithError("wrong sum");
  }
  per_op(st, n_ops);
  eddy_bench::report_allocs(st, a0, double(n_ops) * st.iterations());
}

task<std::uint64_t> two_tasks_in_sequence(std::uint64_t n) {
  std::uint64_t s = 0;
  for (std::uint64_t i = 0; i < n; ++i) s += co_await trivial(i) + co_await trivial(i);
  co_return s;
}
void when_all_two_ready_tasks_baseline_sequential(benchmark::State& st) {
  run(st, two_tasks_in_sequence);
}
BENCHMARK(when_all_two_ready_tasks_baseline_sequential)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);

task<std::uint64_t> two_tasks_when_all(std::uint64_t n) {
  std::uint64_t s = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    auto [a, b] = co_await when_all(trivial(i), trivial(i));
    s += a.value() + b.value();
  }
  co_return s;
}
void when_all_two_ready_tasks(benchmark::State& st) {
  run(st, two_tasks_when_all);
}
BENCHMARK(when_all_two_ready_tasks)->Unit(benchmark::kMillisecond)->Iterations(5);

task<std::uint64_t> two_awaiters_when_all(std::uint64_t n) {
  std::uint64_t s = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    auto [a, b] = co_await when_all(ready<std::uint64_t>(i), ready<std::uint64_t>(i));
    s += a.value() + b.value();
  }
  co_return s;
}
void when_all_two_ready_awaiters(benchmark::State& st) {
  run(st, two_awaiters_when_all);
}
BENCHMARK(when_all_two_ready_awaiters)->Unit(benchmark::kMillisecond)->Iterations(5);

// --- when_any over a recv and a sleep -------------------------------------------------------

task<std::uint64_t> recv_buffered_plain(std::uint64_t n) {
  auto [tx, rx] = mpsc::channel<std::uint64_t>(1);
  std::uint64_t s = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    (void)tx.try_send(i);
    s += 2 * *co_await rx.recv();
  }
  co_return s;
}
void when_any_recv_sleep_buffered_baseline_recv(benchmark::State& st) {
  run(st, recv_buffered_plain);
}
BENCHMARK(when_any_recv_sleep_buffered_baseline_recv)->Unit(benchmark::kMillisecond)->Iterations(5);

task<std::uint64_t> recv_buffered_when_any(std::uint64_t n) {
  auto [tx, rx] = mpsc::channel<std::uint64_t>(1);
  std::uint64_t s = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    (void)tx.try_send(i);
    auto v = co_await when_any(rx.recv(), sleep(1s));
    s += 2 * *std::get<0>(v);
  }
  co_return s;
}
void when_any_recv_sleep_buffered(benchmark::State& st) {
  run(st, recv_buffered_when_any);
}
BENCHMARK(when_any_recv_sleep_buffered)->Unit(benchmark::kMillisecond)->Iterations(5);

task<void> producer(mpsc::sender<std::uint64_t> tx, std::uint64_t n) {
  for (std::uint64_t i = 0; i < n; ++i) (void)co_await tx.send(i);
}

task<std::uint64_t> recv_sent_plain(std::uint64_t n) {
  auto [tx, rx] = mpsc::channel<std::uint64_t>(1);
  auto h = spawn(producer(std::move(tx), n));
  std::uint64_t s = 0;
  for (std::uint64_t i = 0; i < n; ++i) s += 2 * *co_await rx.recv();
  (void)co_await h;
  co_return s;
}
void when_any_recv_sleep_sent_baseline_recv(benchmark::State& st) {
  run(st, recv_sent_plain);
}
BENCHMARK(when_any_recv_sleep_sent_baseline_recv)->Unit(benchmark::kMillisecond)->Iterations(5);

task<std::uint64_t> recv_sent_when_any(std::uint64_t n) {
  auto [tx, rx] = mpsc::channel<std::uint64_t>(1);
  auto h = spawn(producer(std::move(tx), n));
  std::uint64_t s = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    auto v = co_await when_any(rx.recv(), sleep(1s));
    s += 2 * *std::get<0>(v);
  }
  (void)co_await h;
  co_return s;
}
void when_any_recv_sleep_sent(benchmark::State& st) {
  run(st, recv_sent_when_any);
}
BENCHMARK(when_any_recv_sleep_sent)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace
