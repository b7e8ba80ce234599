// SPDX-License-Identifier: BSL-1.0
// chunks(n, d): exact virtual times on sim_runtime (the timer starts at a chunk's first value),
// full chunks at once, errors keep the partial chunk, the end flushes, bad input, composition,
// cancellation.
#include <eddy/testing/gtest.hpp>

#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::chunks_test {
namespace {

using VI = std::vector<int>;

TEST(Chunks, CountOrTimeWhicheverFirst) {
  // The file comment's marble.
  sim_runtime sim{1};
  auto src = timed_source<int>(
      {{2, 1}, {4, 2}, {6, 3}, {20, 4}, {30, E(7)}, {36, 5}, {50, 6}, {60, std::nullopt}});
  auto out = sim.block_on(marble(std::move(src) | chunks(3, 15ms)));
  EXPECT_EQ(out, (std::vector<seen<VI>>{V<VI>(6, {1, 2, 3}), Err<VI>(30, 7), V<VI>(35, {4}),
                                        V<VI>(51, {5, 6}), End<VI>(60)}));
}

TEST(Chunks, TimerStartsAtTheFirstValueNotAtTheSubscription) {
  sim_runtime sim{2};
  // buffer_time(10) would cut at 10 ([1] at 10, [2] at 20); chunks starts its timer at 7.
  auto src = timed_source<int>({{7, 1}, {12, 2}, {40, std::nullopt}});
  auto out = sim.block_on(marble(std::move(src) | chunks(5, 10ms)));
  EXPECT_EQ(out, (std::vector<seen<VI>>{V<VI>(17, {1, 2}), End<VI>(40)}));
}

TEST(Chunks, ValueAtTheDeadlineStartsTheNextChunk) {
  sim_runtime sim{3};
  auto src = timed_source<int>({{0, 1}, {10, 2}, {15, 3}, {30, std::nullopt}});
  auto out = sim.block_on(marble(std::move(src) | chunks(4, 10ms)));
  EXPECT_EQ(out, (std::vector<seen<VI>>{V<VI>(10, {1}), V<VI>(20, {2, 3}), End<VI>(30)}));
}

TEST(Chunks, FullChunkGoesAtOnceAndTheNextWaitsForItsOwnFirstValue) {
  sim_runtime sim{4};
  // [1,2] fills at 3; 3 at 9 opens a chunk due at 19 (not at 13, 10 after the full one).
  auto src = timed_source<int>({{1, 1}, {3, 2}, {9, 3}, {25, std::nullopt}});
  auto out = sim.block_on(marble(std::move(src) | chunks(2, 10ms)));
  EXPECT_EQ(out, (std::vector<seen<VI>>{V<VI>(3, {1, 2}), V<VI>(19, {3}), End<VI>(25)}));
}

TEST(Chunks, EndFlushesThePartialChunkAtOnce) {
  sim_runtime sim{5};
  auto src = timed_source<int>({{1, 1}, {2, 2}, {4, std::nullopt}});
  auto out = sim.block_on(marble(std::move(src) | chunks(10, 100ms)));
  EXPECT_EQ(out, (std::vector<seen<VI>>{V<VI>(4, {1, 2}), End<VI>(4)}));
}

TEST(Chunks, ErrorWithNothingHeldStartsNoTimer) {
  sim_runtime sim{6};
  auto src = timed_source<int>({{1, E(1)}, {8, 1}, {30, std::nullopt}});
  auto out = sim.block_on(marble(std::move(src) | chunks(3, 5ms)));
  EXPECT_EQ(out, (std::vector<seen<VI>>{Err<VI>(1, 1), V<VI>(13, {1}), End<VI>(30)}));
}

TEST(Chunks, SynchronousSourceCutsByCount) {
  check_all(
      items<int>{1, 2, E(1), 3, 4, 5}, [](auto s) { return std::move(s) | chunks(2, 1h); },
      items<VI>{VI{1, 2}, E(1), VI{3, 4}, VI{5}});
}

TEST(Chunks, EmptyAndBadArguments) {
  check_all(
      items<int>{}, [](auto s) { return std::move(s) | chunks(2, 5ms); }, items<VI>{});
  sim_runtime sim{7};
  for (auto bad : {sim.block_on(collect(from_items<int>({1}) | chunks(0, 1ms))),
                   sim.block_on(collect(from_items<int>({1}) | chunks(-1, 1ms))),
                   sim.block_on(collect(from_items<int>({1}) | chunks(2, 0ms))),
                   sim.block_on(collect(from_items<int>({1}) | chunks(2, -1ms)))}) {
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].error().code(), errc::invalid_argument);
  }
}

TEST(Chunks, NeverDeadlineIsACountWindowThatKeepsItsChunkOnErrors) {
  sim_runtime sim{8};
  auto src = timed_source<int>({{1, 1}, {2, E(2)}, {5, 2}, {9, 3}, {400, std::nullopt}});
  auto out = sim.block_on(marble(std::move(src) | chunks(2, std::chrono::nanoseconds::max())));
  EXPECT_EQ(
      out, (std::vector<seen<VI>>{Err<VI>(2, 2), V<VI>(5, {1, 2}), V<VI>(400, {3}), End<VI>(400)}));
}

TEST(Chunks, Composes) {
  sim_runtime sim{9};
  // ticks at 4 8 12 16 20 24; chunks of up to 3 within 6ms: [4,8] at 10, [12,16] at 18,
  // [20,24] at the end (24)
  auto s = interval(4ms) | take(6) | map([](std::uint64_t x) { return static_cast<int>(x); }) |
           chunks(3, 6ms) | map([](VI v) { return static_cast<int>(v.size()); });
  EXPECT_EQ(sim.block_on(marble(std::move(s))),
            (std::vector<seen<int>>{V<int>(10, 2), V<int>(18, 2), V<int>(24, 2), End<int>(24)}));
}

std::vector<timed<int>> four_values() {  // (g++ 12: no braced lists inside coroutine bodies)
  return {{1, 1}, {2, 2}, {3, 3}, {50, 4}, {60, std::nullopt}};
}

task<std::vector<seen<VI>>> first_then_drop(sim_runtime&) {
  auto s = timed_source<int>(four_values()) | chunks(2, 10ms);
  std::vector<seen<VI>> out;
  auto r = co_await s.next();
  out.push_back({ms_of(now()), r});
  // a consumer that gives up in the middle: a timeout around a chunk that is not due yet
  auto t = co_await timeout(1ms, s.next());
  out.push_back(
      {ms_of(now()), t.has_value() ? std::move(*t) : std::optional<item<VI>>(item<VI>(E(99)))});
  auto r2 = co_await s.next();
  out.push_back({ms_of(now()), r2});
  co_return out;
}

TEST(Chunks, CancelledNextLosesNothing) {
  sim_runtime sim{10};
  auto out = sim.block_on(first_then_drop(sim));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], V<VI>(2, {1, 2}));
  EXPECT_EQ(out[1], Err<VI>(3, 99));  // gave up at 3: [3] is due at 13
  EXPECT_EQ(out[2], V<VI>(13, {3}));
}

TEST(Chunks, MarbleOfTheDocsDiagram) {
  // docs/operators-time.md, chunks(3, 15) on 5 ms frames: a full chunk goes with its third
  // value; d starts a chunk whose deadline (35) the error does not move; e starts one at 40
  // that f joins, flushed at 55; the end at 60 finds nothing held.
  using namespace eddy::testing;
  const marble_values<int> in{{'a', 1}, {'b', 2}, {'c', 3}, {'d', 4}, {'e', 5}, {'f', 6}};
  const marble_values<std::vector<int>> v{
      {'x', std::vector<int>{1, 2, 3}}, {'y', std::vector<int>{4}}, {'w', std::vector<int>{5, 6}}};
  sim_runtime sim{12};
  auto out =
      sim.block_on(record(cold_marble<int>("abc-d-#-e-f-|", in, 5ms) | chunks(3, 15ms), 5ms));
  EDDY_EXPECT_MARBLE(out, "--x---#y---w|", v);
}

}  // namespace
}  // namespace eddy_stream_test::chunks_test
