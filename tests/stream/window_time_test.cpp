// SPDX-License-Identifier: BSL-1.0
// window_time: windows as streams per non-empty period, exact boundaries, errors, skipping,
// composition, empty, bad durations.
#include <eddy/testing/gtest.hpp>

#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::window_time_test {
namespace {

/// Reads every window in turn: for each, (time it was emitted, its marble).
template <class S>
task<std::vector<std::pair<std::int64_t, std::vector<seen<int>>>>> read_windows(S s) {
  std::vector<std::pair<std::int64_t, std::vector<seen<int>>>> out;
  for (;;) {
    auto w = co_await s.next();
    if (!w) break;
    if (w->is_error()) {
      out.push_back({ms_of(now()), {seen<int>{ms_of(now()), item<int>(w->error())}}});
      continue;
    }
    const std::int64_t t = ms_of(now());
    out.push_back({t, co_await marble(std::move(*w).value())});
  }
  co_return out;
}

TEST(WindowTime, OneWindowPerNonEmptyPeriod) {
  sim_runtime sim{1};
  auto src = timed_source<int>({{2, 1}, {5, 2}, {15, 3}, {45, 4}, {50, E(9)}, {55, std::nullopt}});
  auto out = sim.block_on(read_windows(std::move(src) | window_time(20ms)));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].first, 2);
  EXPECT_EQ(out[0].second, (std::vector<seen<int>>{V(2, 1), V(5, 2), V(15, 3), End<int>(20)}));
  EXPECT_EQ(out[1].first, 45);
  EXPECT_EQ(out[1].second, (std::vector<seen<int>>{V(45, 4), Err<int>(50, 9), End<int>(55)}));
}

TEST(WindowTime, BoundaryValueOpensTheNextWindow) {
  sim_runtime sim{2};
  auto src = timed_source<int>({{5, 1}, {10, 2}, {12, std::nullopt}});
  auto out = sim.block_on(read_windows(std::move(src) | window_time(10ms)));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].second, (std::vector<seen<int>>{V(5, 1), End<int>(10)}));
  EXPECT_EQ(out[1].second, (std::vector<seen<int>>{V(10, 2), End<int>(12)}));
}

TEST(WindowTime, AskingForTheNextWindowSkipsTheRestOfTheCurrentOne) {
  sim_runtime sim{3};
  auto out = sim.block_on([]() -> task<std::vector<int>> {
    auto s = timed_source<int>({{1, 1}, {2, 2}, {3, E(7)}, {4, 3}, {12, 4}}) | window_time(10ms);
    std::vector<int> got;
    auto w1 = co_await s.next();
    auto first = co_await w1->value().next();  // read only 1
    got.push_back(first->value());
    auto e = co_await s.next();  // 2 is skipped; the error goes to the outer stream
    got.push_back(e->is_error() ? -static_cast<int>(e->error().count()) : 0);
    auto w2 = co_await s.next();  // 3 is skipped; 4 opens the next window
    auto x = co_await w2->value().next();
    got.push_back(x->value());
    auto stale = co_await w1->value().next();  // the closed window has ended
    got.push_back(stale ? 100 : 0);
    co_return got;
  }());
  EXPECT_EQ(out, (std::vector<int>{1, -7, 4, 0}));
}

TEST(WindowTime, ComposesEmptyAndBadDurations) {
  sim_runtime sim{4};
  auto counts = sim.block_on([]() -> task<std::vector<int>> {
    auto s = interval(3ms) | take(7) | map([](std::uint64_t x) { return static_cast<int>(x); }) |
             window_time(10ms);
    std::vector<int> out;
    while (auto w = co_await s.next()) {
      auto v = co_await collect(std::move(*w).value() | filter([](int x) { return x % 2 == 0; }));
      out.push_back(static_cast<int>(v.size()));
    }
    co_return out;
  }());
  // ticks 0@3 1@6 2@9 | 3@12 4@15 5@18 | 6@21: evens per window 2, 1, 1
  EXPECT_EQ(counts, (std::vector<int>{2, 1, 1}));
  sim_runtime sim2{4};
  EXPECT_TRUE(sim2.block_on(read_windows(empty<int>() | window_time(5ms))).empty());
  for (auto d : {0ms, -3ms}) {
    auto bad = sim2.block_on(read_windows(from_items<int>({1}) | window_time(d)));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].second[0].it->error().code(), errc::invalid_argument);
  }
}

TEST(WindowTime, MarbleOfTheHeaderDiagram) {
  // The header's diagram on 5 ms frames, window_time(20), each window read in full and
  // followed by a marker z so that its end shows: W1 = {a b c} ends at the boundary 20; no
  // window for the empty [20,40); W2 = {d #} ends with the source at 55 (the error stays in it).
  using namespace eddy::testing;
  const marble_values<int> v{{'a', 1}, {'b', 2}, {'c', 3}, {'d', 4}, {'z', 0}};
  sim_runtime sim{10};
  auto out =
      sim.block_on(record(cold_marble<int>("ab-c-----d#|", v, 5ms) | window_time(20ms) |
                              concat_map([](auto w) { return concat(std::move(w), just(0)); }),
                          5ms));
  EDDY_EXPECT_MARBLE(out, "ab-cz----d#(z|)", v);
}

}  // namespace
}  // namespace eddy_stream_test::window_time_test
