// SPDX-License-Identifier: BSL-1.0
// Items per second through the stream operators that wait on several things (the operators of
// docs/operators-multi-input.md and docs/operators-time.md), on local_runtime:
// - merge (arrival order) and ordered_merge (timestamp order) of 4 synchronous inputs, 1M items
//   in all, and ordered_merge of 16;
// - combine_latest of 3 synchronous inputs (1M input items; n - 2 combinations out);
// - share of one synchronous upstream (1M items) to 4 subscribers (4M deliveries), wait(1024);
//   the same with replay = 16 (every value is copied once more, into the replay ring);
// - group_by of one synchronous upstream (1M items) into 4 keys, each group drained by its own
//   task, wait(1024);
// - debounce over 1M items in virtual time (sim_runtime): an asynchronous source emitting a
//   burst of 4 values 1 ms apart then a 10 ms pause; debounce(5 ms) keeps 1 in 4.
// The merges and combine_latest are also the side-by-side workloads C3_merge4 and
// C3_combine_latest3 (names sbs/<workload>/<peer>, counter sbs_ns: wall-clock ns per output
// item; RPP and RxCpp merge and combine_latest are measured against them).
// Run: build/release/bench/eddy_bench_multi_input_and_time_operators
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include "common/alloc_count.hpp"
#include "common/sbs.hpp"
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

/// ordered_merge of the inputs: the count when every item came in timestamp order, else -1.
task<std::int64_t> drain_ordered_merge(std::vector<std::vector<tick>>* data) {
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

/// merge of the inputs (arrival order): the count when every item came once, else -1.
task<std::int64_t> drain_merge(std::vector<std::vector<tick>>* data) {
  std::vector<decltype(from_range((*data)[0]))> in;
  for (auto& d : *data) in.push_back(from_range(d));
  auto s = merge(std::move(in));
  std::int64_t count = 0, sum = 0;
  co_await subscribe(std::move(s), [&](tick t) {
    sum += t.ts;
    ++count;
  });
  co_return sum == count*(count - 1) / 2 ? count : -1;
}

void ordered_merge_of(benchmark::State& st, int k) {
  auto data = interleaved(k, n_items);
  local_runtime rt;
  eddy_bench::wall_clock wall;
  const auto a0 = eddy_bench::allocations();
  for (auto _ : st) {
    if (wall.time([&] { return rt.block_on(drain_ordered_merge(&data)); }) != n_items)
      st.SkipWithError("out of order");
  }
  rate(st, double(n_items), a0);
  wall.report(st, double(n_items));
}

void C3_merge4_ordered(benchmark::State& st) {
  ordered_merge_of(st, 4);
}
BENCHMARK(C3_merge4_ordered)->Name("sbs/C3_merge4/eddy-ordered")->Unit(benchmark::kMillisecond);

void ordered_merge_16(benchmark::State& st) {
  ordered_merge_of(st, 16);
}
BENCHMARK(ordered_merge_16)->Unit(benchmark::kMillisecond);

void C3_merge4(benchmark::State& st) {
  auto data = interleaved(4, n_items);
  local_runtime rt;
  eddy_bench::wall_clock wall;
  const auto a0 = eddy_bench::allocations();
  for (auto _ : st) {
    if (wall.time([&] { return rt.block_on(drain_merge(&data)); }) != n_items)
      st.SkipWithError("an item lost or duplicated");
  }
  rate(st, double(n_items), a0);
  wall.report(st, double(n_items));
}
BENCHMARK(C3_merge4)->Name("sbs/C3_merge4/eddy")->Unit(benchmark::kMillisecond);

task<std::int64_t> drain_combine(std::vector<std::vector<tick>>* d) {
  auto s = from_range((*d)[0]) | combine_latest(from_range((*d)[1]), from_range((*d)[2]));
  std::int64_t count = 0, sum = 0;
  co_await subscribe(std::move(s), [&](const combined<tick, tick, tick>& c) {
    ++count;
    sum += c.timestamp();
  });
  co_return count;
}

void C3_combine_latest3(benchmark::State& st) {
  auto data = interleaved(3, n_items);
  local_runtime rt;
  eddy_bench::wall_clock wall;
  const auto a0 = eddy_bench::allocations();
  for (auto _ : st) {
    if (wall.time([&] { return rt.block_on(drain_combine(&data)); }) != n_items - 2)
      st.SkipWithError("wrong count");
  }
  rate(st, double(n_items), a0);
  wall.report(st, double(n_items - 2));
}
BENCHMARK(C3_combine_latest3)->Name("sbs/C3_combine_latest3/eddy")->Unit(benchmark::kMillisecond);

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

template <class S>
task<std::int64_t> drain_sum(S s) {
  std::int64_t sum = 0;
  while (auto r = co_await s.next()) sum += r->value();
  co_return sum;
}

task<std::int64_t> share_replay_to_4(std::vector<std::int64_t>* data) {
  auto sh =
      from_range(*data) | share(share_options{.policy = buffer_policy::wait(1024), .replay = 16});
  std::vector<join_handle<std::int64_t>> hs;
  for (int k = 0; k < 4; ++k) hs.push_back(spawn(drain_sum(sh.subscribe())));
  std::int64_t total = 0;
  for (auto& h : hs) {
    auto r = co_await h;
    total += r.value();
  }
  co_return total;
}

void share_replay16_4_subscribers(benchmark::State& st) {
  std::vector<std::int64_t> data(n_items);
  for (std::int64_t i = 0; i < n_items; ++i) data[static_cast<std::size_t>(i)] = i;
  local_runtime rt;
  const auto a0 = eddy_bench::allocations();
  for (auto _ : st) {
    if (rt.block_on(share_replay_to_4(&data)) != 4 * (n_items * (n_items - 1) / 2))
      st.SkipWithError("wrong sum");
  }
  rate(st, double(n_items), a0);
  st.counters["deliveries/s"] = benchmark::Counter(4.0 * double(n_items) * double(st.iterations()),
                                                   benchmark::Counter::kIsRate);
}
BENCHMARK(share_replay16_4_subscribers)->Unit(benchmark::kMillisecond);

std::int64_t key4(std::int64_t x) {
  return x % 4;
}

task<std::int64_t> group_into_4(std::vector<std::int64_t>* data) {
  auto g =
      from_range(*data) | group_by(key4, group_by_options{.policy = buffer_policy::wait(1024)});
  std::vector<join_handle<std::int64_t>> hs;
  while (auto x = co_await g.next()) {
    if (!x->is_value()) co_return -1;
    hs.push_back(spawn(drain_sum(std::move(*x).value().stream)));
  }
  std::int64_t total = 0;
  for (auto& h : hs) {
    auto r = co_await h;
    total += r.value();
  }
  co_return hs.size() == 4 ? total : -1;
}

void group_by_4_keys(benchmark::State& st) {
  std::vector<std::int64_t> data(n_items);
  for (std::int64_t i = 0; i < n_items; ++i) data[static_cast<std::size_t>(i)] = i;
  local_runtime rt;
  const auto a0 = eddy_bench::allocations();
  for (auto _ : st) {
    if (rt.block_on(group_into_4(&data)) != n_items * (n_items - 1) / 2)
      st.SkipWithError("wrong sum");
  }
  rate(st, double(n_items), a0);
}
BENCHMARK(group_by_4_keys)->Unit(benchmark::kMillisecond);

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
