// SPDX-License-Identifier: BSL-1.0
// Streams II workloads (issue 5): items/s through the multi-input, hot and time operators.
// - ordered_merge of 4 and of 16 synchronous inputs (1M items in all), sequenced values;
// - combine_latest of 3 synchronous inputs (1M input items; about 1M combinations out);
// - share of one synchronous upstream (1M items) to 4 subscribers (4M deliveries), wait(1024);
// - debounce over 1M items in virtual time (sim_runtime): an asynchronous source emitting a
//   burst of 4 values 1 ms apart then a 10 ms pause; debounce(5 ms) keeps 1 in 4.
// Reference (the Rust library eddy grew from): ~10 M items/s map, 0.8 M/s combine_latest of 3,
// up to 15 M/s ordered merge.
// Run: build/release/bench/eddy_bench_streams2
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include "common/alloc_count.hpp"
#include "eddy/eddy.hpp"

using namespace eddy;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t n_items = 1'000'000;

void rate(benchmark::State& st, double items_per_iter, std::uint64_t a0) {
  st.counters["items/s"] = benchmark::Counter(items_per_iter * static_cast<double>(st.iterations()),
                                              benchmark::Counter::kIsRate);
  st.counters["ns/item"] =
      benchmark::Counter(items_per_iter * static_cast<double>(st.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  eddy_bench::report_allocs(st, a0, items_per_iter * static_cast<double>(st.iterations()));
}

/// A timestamped value: the timestamp is the value.
struct tick {
  std::int64_t ts;
  std::int64_t timestamp() const noexcept { return ts; }
};

/// `k` inputs, input j holding j, j+k, j+2k, ... (n/k values).
std::vector<std::vector<tick>> interleaved(int k, std::int64_t n) {
  std::vector<std::vector<tick>> in(static_cast<std::size_t>(k));
  for (std::int64_t i = 0; i < n; ++i) in[static_cast<std::size_t>(i % k)].push_back(tick{i});
  return in;
}

task<std::int64_t> drain_merge(std::vector<std::vector<tick>>* data) {
  std::vector<decltype(from_range((*data)[0]))> in;
  for (auto& d : *data) in.push_back(from_range(d));
  auto s = ordered_merge(std::move(in));
  std::int64_t last = -1, count = 0;
  co_await subscribe(std::move(s), [&](tick t) {
    if (t.ts != last + 1)
      last = -1000000000;
    else
      last = t.ts;
    ++count;
  });
  co_return last == count - 1 ? count : -1;
}

void ordered_merge_n(benchmark::State& st) {
  const int k = static_cast<int>(st.range(0));
  auto data = interleaved(k, n_items);
  local_runtime rt;
  const auto a0 = eddy_bench::allocations();
  for (auto _ : st) {
    if (rt.block_on(drain_merge(&data)) != n_items) st.SkipWithError("out of order");
  }
  rate(st, double(n_items), a0);
}
BENCHMARK(ordered_merge_n)->Arg(4)->Arg(16)->Unit(benchmark::kMillisecond);

task<std::int64_t> drain_combine(std::vector<std::vector<tick>>* d) {
  auto s = from_range((*d)[0]) | combine_latest(from_range((*d)[1]), from_range((*d)[2]));
  std::int64_t count = 0, sum = 0;
  co_await subscribe(std::move(s), [&](const combined<tick, tick, tick>& c) {
    ++count;
    sum += c.timestamp();
  });
  co_return count;
}

void combine_latest_3(benchmark::State& st) {
  auto data = interleaved(3, n_items);
  local_runtime rt;
  const auto a0 = eddy_bench::allocations();
  for (auto _ : st) {
    if (rt.block_on(drain_combine(&data)) != n_items - 2) st.SkipWithError("wrong count");
  }
  rate(st, double(n_items), a0);
}
BENCHMARK(combine_latest_3)->Unit(benchmark::kMillisecond);

task<std::int64_t> drain_sub(
    shared_subscriber<
        range_ref_stream<std::vector<std::int64_t>::iterator, std::vector<std::int64_t>::iterator>>
        s) {
  std::int64_t sum = 0;
  while (auto r = co_await s.next()) sum += r->value();
  co_return sum;
}

task<std::int64_t> share_to_4(std::vector<std::int64_t>* data) {
  auto sh = from_range(*data) | share(buffer_policy::wait(1024));
  std::vector<join_handle<std::int64_t>> hs;
  for (int k = 0; k < 4; ++k) hs.push_back(spawn(drain_sub(sh.subscribe())));
  std::int64_t total = 0;
  for (auto& h : hs) {
    auto r = co_await h;
    total += r.value();
  }
  co_return total;
}

void share_4_subscribers(benchmark::State& st) {
  std::vector<std::int64_t> data(n_items);
  for (std::int64_t i = 0; i < n_items; ++i) data[static_cast<std::size_t>(i)] = i;
  local_runtime rt;
  const auto a0 = eddy_bench::allocations();
  for (auto _ : st) {
    if (rt.block_on(share_to_4(&data)) != 4 * (n_items * (n_items - 1) / 2))
      st.SkipWithError("wrong sum");
  }
  rate(st, double(n_items), a0);
  st.counters["deliveries/s"] = benchmark::Counter(4.0 * double(n_items) * double(st.iterations()),
                                                   benchmark::Counter::kIsRate);
}
BENCHMARK(share_4_subscribers)->Unit(benchmark::kMillisecond);

generator<std::int64_t> bursts(std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) {
    co_await sleep(i % 4 == 0 ? 10ms : 1ms);
    co_yield i;
  }
}

task<std::int64_t> drain_debounce(std::int64_t n) {
  auto s = bursts(n) | debounce(5ms);
  std::int64_t count = 0;
  while (auto r = co_await s.next()) ++count;
  co_return count;
}

void debounce_virtual_time(benchmark::State& st) {
  const auto a0 = eddy_bench::allocations();
  for (auto _ : st) {
    sim_runtime sim{1};
    if (sim.block_on(drain_debounce(n_items)) != n_items / 4) st.SkipWithError("wrong count");
  }
  rate(st, double(n_items), a0);
}
BENCHMARK(debounce_virtual_time)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
