// SPDX-License-Identifier: BSL-1.0
// audit: exact virtual-time marbles (the public kit and the suite's timed sources), errors, the
// end, composition, empty, bad durations, a late consumer, cancellation, and how it differs
// from throttle(d, throttle_mode::trailing).
#include <eddy/testing/gtest.hpp>

#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::audit_test {
namespace {

TEST(Audit, TheNewestValueOfEachWindowAtItsEnd) {
  // the header's diagram: a@0 b@3 c@9 d@13, the end at 24 (d = 10)
  sim_runtime sim{1};
  auto src = timed_source<int>({{0, 1}, {3, 2}, {9, 3}, {13, 4}, {24, std::nullopt}});
  auto out = sim.block_on(marble(std::move(src) | audit(10ms)));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(10, 3), V(23, 4), End<int>(24)}));
}

TEST(Audit, WithTheMarbleKit) {
  using namespace eddy::testing;
  const marble_values<int> v{{'a', 1}, {'b', 2}, {'c', 3}, {'d', 4}, {'e', 5}};
  sim_runtime sim{2};
  // 5 ms frames, d = 10: [0,10) -> b at 10; c@20 opens [20,30), d replaces it -> d at 30;
  // e@45 opens [45,55): the end at 50 waits for it
  auto out = sim.block_on(record(cold_marble<int>("ab--cd---e|", v, 5ms) | audit(10ms), 5ms));
  EDDY_EXPECT_MARBLE(out, "--b---d----(e|)", v);
}

TEST(Audit, AnEmissionOpensNoWindowUnlikeTrailingThrottle) {
  // a@0 b@12 (d = 10): audit opens b's own window [12,22); trailing throttle's emission at 10
  // opened [10,20), so it gives b at 20.
  sim_runtime sim{3};
  auto a =
      sim.block_on(marble(timed_source<int>({{0, 1}, {12, 2}, {40, std::nullopt}}) | audit(10ms)));
  EXPECT_EQ(a, (std::vector<seen<int>>{V(10, 1), V(22, 2), End<int>(40)}));
  sim_runtime sim2{137};
  auto t = sim2.block_on(marble(timed_source<int>({{0, 1}, {12, 2}, {40, std::nullopt}}) |
                                throttle(10ms, throttle_mode::trailing)));
  EXPECT_EQ(t, (std::vector<seen<int>>{V(10, 1), V(20, 2), End<int>(40)}));
}

TEST(Audit, AValueAtExactlyTheWindowsEndOpensTheNext) {
  sim_runtime sim{4};
  auto out =
      sim.block_on(marble(timed_source<int>({{0, 1}, {10, 2}, {30, std::nullopt}}) | audit(10ms)));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(10, 1), V(20, 2), End<int>(30)}));
}

TEST(Audit, TheEndWaitsForTheHeldValuesWindow) {
  sim_runtime sim{5};
  auto out = sim.block_on(marble(timed_source<int>({{0, 1}, {2, std::nullopt}}) | audit(10ms)));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(10, 1), End<int>(10)}));
  // nothing held (the window closed before the end): the end at once
  sim_runtime sim2{154};
  auto n = sim2.block_on(marble(timed_source<int>({{0, 1}, {15, std::nullopt}}) | audit(10ms)));
  EXPECT_EQ(n, (std::vector<seen<int>>{V(10, 1), End<int>(15)}));
}

TEST(Audit, ErrorsPassAtOnceAndTouchNeitherWindowNorHeldValue) {
  sim_runtime sim{6};
  auto src =
      timed_source<int>({{0, E(1)}, {2, 1}, {4, E(2)}, {6, 2}, {11, E(3)}, {20, std::nullopt}});
  auto out = sim.block_on(marble(std::move(src) | audit(10ms)));
  // the window is [2,12): errors open none; 2 replaces 1; E(3) at 11 does not drop it
  EXPECT_EQ(out, (std::vector<seen<int>>{Err<int>(0, 1), Err<int>(4, 2), Err<int>(11, 3), V(12, 2),
                                         End<int>(20)}));
}

TEST(Audit, SynchronousSource) {
  sim_runtime sim{7};
  auto out = sim.block_on(marble(from_items<int>({1, E(2), 3}) | audit(5ms)));
  EXPECT_EQ(out, (std::vector<seen<int>>{Err<int>(0, 2), V(5, 3), End<int>(5)}));
}

TEST(Audit, ExactWhenTheConsumerIsLate) {
  sim_runtime sim{8};
  auto out = sim.block_on([]() -> task<std::vector<seen<int>>> {
    auto s = timed_source<int>({{0, 1}, {4, 2}, {12, 3}, {40, std::nullopt}}) | audit(10ms);
    std::vector<seen<int>> got;
    auto a = co_await s.next();  // 2 closes [0,10) at 10
    got.push_back({ms_of(now()), a});
    co_await sleep_until(at_ms(30));
    for (;;) {
      auto r = co_await s.next();
      got.push_back({ms_of(now()), r});
      if (!r) break;
    }
    co_return got;
  }());
  // 3 arrived at 12 (while the consumer slept): its window [12,22) closed long before 30, so
  // it goes as soon as the consumer asks
  EXPECT_EQ(out, (std::vector<seen<int>>{V(10, 2), V(30, 3), End<int>(40)}));
}

TEST(Audit, ComposesWithOperatorsAndSubscribe) {
  sim_runtime sim{9};
  auto s = interval(4ms) | audit(10ms) | take(3) | stamp();
  auto out = sim.block_on(collect(std::move(s)));
  ASSERT_EQ(out.size(), 3u);
  // ticks k@4(k+1): 0@4 opens [4,14) -> 2@14; 3@16 opens [16,26) -> 5@26; 6@28 -> 8@38
  EXPECT_EQ(out[0].value(), (stamped<std::uint64_t>{2, at_ms(14)}));
  EXPECT_EQ(out[1].value(), (stamped<std::uint64_t>{5, at_ms(26)}));
  EXPECT_EQ(out[2].value(), (stamped<std::uint64_t>{8, at_ms(38)}));
  auto t = any_stream<int>(timed_source<int>({{0, 1}, {5, 2}, {30, 3}})) |
           map([](int x) { return x * 10; }) | audit(10ms) | filter([](int x) { return x != 30; });
  sim_runtime sim2{205};
  EXPECT_EQ(sim2.block_on(collect_subscribe(std::move(t))), (items<int>{20}));
}

TEST(Audit, EmptyAndBadDurations) {
  sim_runtime sim{10};
  EXPECT_EQ(sim.block_on(marble(empty<int>() | audit(5ms))), (std::vector<seen<int>>{End<int>(0)}));
  for (auto d : {0ms, -5ms}) {
    auto out = sim.block_on(marble(from_items<int>({1}) | audit(d)));
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].it->error().code(), errc::invalid_argument);
    EXPECT_EQ(out[1], End<int>(0));
  }
}

TEST(Audit, CancelledNextLosesNothingAndDroppingTheStreamMidwayIsClean) {
  sim_runtime sim{11};
  auto out = sim.block_on([]() -> task<std::vector<seen<int>>> {
    auto s = timed_source<int>({{0, 1}, {3, 2}, {30, std::nullopt}}) | audit(10ms);
    std::vector<seen<int>> got;
    auto r = co_await timeout(5ms, s.next());  // 2 is held; the wait is cancelled at 5
    EXPECT_FALSE(r.has_value());
    for (;;) {
      auto x = co_await s.next();
      got.push_back({ms_of(now()), x});
      if (!x) break;
    }
    // a second stream, dropped while a value is held and its pump waits for the source
    auto u = timed_source<int>({{40, 1}, {100, 2}}) | audit(10ms);
    auto held = co_await timeout(5ms, u.next());
    EXPECT_FALSE(held.has_value());
    co_return got;
  }());
  EXPECT_EQ(out, (std::vector<seen<int>>{V(10, 2), End<int>(30)}));
}

}  // namespace
}  // namespace eddy_stream_test::audit_test
