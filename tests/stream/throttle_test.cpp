// SPDX-License-Identifier: BSL-1.0
// throttle (leading, and the modes trailing and latest): exact virtual-time marbles, errors,
// the end, composition, empty, bad arguments, a late consumer, cancellation.
#include <eddy/testing/gtest.hpp>

#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::throttle_test {
namespace {

TEST(Throttle, LeadingValueThenIgnoresForD) {
  sim_runtime sim{1};
  auto src = timed_source<int>(
      {{0, 1}, {5, 2}, {15, 3}, {20, 4}, {30, 5}, {40, 6}, {45, 7}, {50, std::nullopt}});
  auto out = sim.block_on(marble(std::move(src) | throttle(20ms)));
  // [0,20) ignores 2 and 3; 4 at exactly 20 is accepted; [20,40) ignores 5; 6 at 40 accepted
  EXPECT_EQ(out, (std::vector<seen<int>>{V(0, 1), V(20, 4), V(40, 6), End<int>(50)}));
}

TEST(Throttle, ErrorsPassAndDoNotTouchTheWindow) {
  sim_runtime sim{2};
  auto src = timed_source<int>({{0, E(1)}, {2, 1}, {4, E(2)}, {6, 2}, {12, 3}});
  auto out = sim.block_on(marble(std::move(src) | throttle(10ms)));
  EXPECT_EQ(out, (std::vector<seen<int>>{Err<int>(0, 1), V(2, 1), Err<int>(4, 2), V(12, 3),
                                         End<int>(12)}));
}

TEST(Throttle, SynchronousSourceGivesTheFirstValue) {
  sim_runtime sim{3};
  auto out = sim.block_on(collect_subscribe(from_items<int>({1, 2, E(3), 4}) | throttle(1ms)));
  EXPECT_EQ(out, (items<int>{1, E(3)}));
}

TEST(Throttle, ComposesEmptyAndBadDurations) {
  sim_runtime sim{4};
  auto s = interval(7ms) | throttle(20ms) | take(3) | stamp();
  auto out = sim.block_on(collect(std::move(s)));
  ASSERT_EQ(out.size(), 3u);
  // ticks at 7,14,21,28,35,42,49: accepted 7 (value 0), 28 (value 3), 49 (value 6)
  EXPECT_EQ(out[0].value(), (stamped<std::uint64_t>{0, at_ms(7)}));
  EXPECT_EQ(out[1].value(), (stamped<std::uint64_t>{3, at_ms(28)}));
  EXPECT_EQ(out[2].value(), (stamped<std::uint64_t>{6, at_ms(49)}));
  EXPECT_TRUE(sim.block_on(collect(empty<int>() | throttle(1ms))).empty());
  for (auto d : {0ms, -1ms}) {
    auto bad = sim.block_on(collect(from_items<int>({1}) | throttle(d)));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].error().code(), errc::invalid_argument);
  }
}

// ---- throttle(d, mode) --------------------------------------------------------------------

// The diagrams of the header comment: a@0 b@3 c@9 d@22, the end at 25 (d = 10).
std::vector<timed<int>> abcd_input() {
  return {{0, 1}, {3, 2}, {9, 3}, {22, 4}, {25, std::nullopt}};
}

TEST(ThrottleMode, TrailingEmitsTheLastValueOfEachWindowAtItsEnd) {
  sim_runtime sim{11};
  auto out = sim.block_on(
      marble(timed_source<int>(abcd_input()) | throttle(10ms, throttle_mode::trailing)));
  // c closes [0,10) and opens [10,20) (empty); d opens [22,32) and holds the end until 32
  EXPECT_EQ(out, (std::vector<seen<int>>{V(10, 3), V(32, 4), End<int>(32)}));
}

TEST(ThrottleMode, LatestEmitsTheFirstAtOnceAndTheNewestAtTheWindowsEnd) {
  sim_runtime sim{12};
  auto out =
      sim.block_on(marble(timed_source<int>(abcd_input()) | throttle(10ms, throttle_mode::latest)));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(0, 1), V(10, 3), V(22, 4), End<int>(25)}));
}

TEST(ThrottleMode, LeadingModeIsThrottleOfD) {
  using namespace eddy::testing;
  const marble_values<int> v{{'a', 1}, {'b', 2}, {'c', 3}, {'d', 4}, {'e', 5}, {'f', 6}};
  for (std::uint64_t seed : {1u, 2u}) {
    sim_runtime sim{seed};
    // 5 ms frames, d = 12: a opens [0,12); d@20 opens [20,32); f@35 opens [35,47)
    auto a = sim.block_on(record(cold_marble<int>("abc-de-f--|", v, 5ms) | throttle(12ms), 5ms));
    auto b = sim.block_on(record(
        cold_marble<int>("abc-de-f--|", v, 5ms) | throttle(12ms, throttle_mode::leading), 5ms));
    EDDY_EXPECT_MARBLE(a, "a---d--f--|", v);
    EDDY_EXPECT_MARBLE(b, "a---d--f--|", v);
  }
}

TEST(ThrottleMode, AnEmissionOpensTheNextWindowBackToBack) {
  // d = 10. a@0 is held, emitted at 10, which opens [10,20): b at exactly 10 and c@12 fall in
  // it (c replaces b) and c goes at 20, opening [20,30): e@25 goes at 30 (audit would give 35).
  sim_runtime sim{13};
  auto src = timed_source<int>({{0, 1}, {10, 2}, {12, 3}, {25, 5}, {31, std::nullopt}});
  auto out = sim.block_on(marble(std::move(src) | throttle(10ms, throttle_mode::trailing)));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(10, 1), V(20, 3), V(30, 5), End<int>(31)}));
  // latest: 1 at once opens [0,10); 2 at exactly 10 is outside it: at once, opens [10,20);
  // 3 is held and closes it at 20, opening [20,30); 5 is held until 30.
  auto src2 = timed_source<int>({{0, 1}, {10, 2}, {12, 3}, {25, 5}, {31, std::nullopt}});
  sim_runtime sim2{113};
  auto out2 = sim2.block_on(marble(std::move(src2) | throttle(10ms, throttle_mode::latest)));
  EXPECT_EQ(out2, (std::vector<seen<int>>{V(0, 1), V(10, 2), V(20, 3), V(30, 5), End<int>(31)}));
}

TEST(ThrottleMode, AWindowThatClosesEmptyOpensNone) {
  // trailing: a@0 -> 10, [10,20) stays empty; b@27 opens [27,37) (not the grid's [20,30)).
  sim_runtime sim{14};
  auto src = timed_source<int>({{0, 1}, {27, 2}, {50, std::nullopt}});
  auto out = sim.block_on(marble(std::move(src) | throttle(10ms, throttle_mode::trailing)));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(10, 1), V(37, 2), End<int>(50)}));
}

TEST(ThrottleMode, TheEndWaitsForTheHeldValuesWindow) {
  sim_runtime sim{15};
  auto t = sim.block_on(marble(timed_source<int>({{0, 1}, {2, std::nullopt}}) |
                               throttle(10ms, throttle_mode::trailing)));
  EXPECT_EQ(t, (std::vector<seen<int>>{V(10, 1), End<int>(10)}));
  auto l = sim.block_on(marble(timed_source<int>({{20, 1}, {22, 2}, {24, std::nullopt}}) |
                               throttle(10ms, throttle_mode::latest)));
  EXPECT_EQ(l, (std::vector<seen<int>>{V(20, 1), V(30, 2), End<int>(30)}));
  // nothing held: the end at once (latest, after a lone leading value)
  auto n = sim.block_on(marble(timed_source<int>({{40, 1}, {41, std::nullopt}}) |
                               throttle(10ms, throttle_mode::latest)));
  EXPECT_EQ(n, (std::vector<seen<int>>{V(40, 1), End<int>(41)}));
}

TEST(ThrottleMode, ErrorsPassAtOnceAndTouchNeitherWindowNorHeldValue) {
  sim_runtime sim{16};
  auto src =
      timed_source<int>({{0, E(1)}, {2, 1}, {4, E(2)}, {6, 2}, {11, E(3)}, {15, std::nullopt}});
  auto t = sim.block_on(marble(std::move(src) | throttle(10ms, throttle_mode::trailing)));
  // the window is [2,12) (errors open none); 2 replaces 1; E(3) at 11 does not drop 2
  EXPECT_EQ(t, (std::vector<seen<int>>{Err<int>(0, 1), Err<int>(4, 2), Err<int>(11, 3), V(12, 2),
                                       End<int>(15)}));
  auto src2 = timed_source<int>({{0, E(1)}, {2, 1}, {4, E(2)}, {6, 2}, {15, std::nullopt}});
  sim_runtime sim2{116};
  auto l = sim2.block_on(marble(std::move(src2) | throttle(10ms, throttle_mode::latest)));
  EXPECT_EQ(
      l, (std::vector<seen<int>>{Err<int>(0, 1), V(2, 1), Err<int>(4, 2), V(12, 2), End<int>(15)}));
}

TEST(ThrottleMode, SynchronousSource) {
  sim_runtime sim{17};
  // every item arrives at 0: latest gives 1 at once, 4 at the window's end; trailing only 4
  auto l =
      sim.block_on(marble(from_items<int>({1, 2, E(3), 4}) | throttle(5ms, throttle_mode::latest)));
  EXPECT_EQ(l, (std::vector<seen<int>>{V(0, 1), Err<int>(0, 3), V(5, 4), End<int>(5)}));
  sim_runtime sim2{117};
  auto t = sim2.block_on(
      marble(from_items<int>({1, 2, E(3), 4}) | throttle(5ms, throttle_mode::trailing)));
  EXPECT_EQ(t, (std::vector<seen<int>>{Err<int>(0, 3), V(5, 4), End<int>(5)}));
}

TEST(ThrottleMode, ExactWhenTheConsumerIsLate) {
  sim_runtime sim{18};
  auto out = sim.block_on([]() -> task<std::vector<seen<int>>> {
    auto s = timed_source<int>({{0, 1}, {12, 2}, {27, 3}, {50, std::nullopt}}) |
             throttle(10ms, throttle_mode::trailing);
    std::vector<seen<int>> got;
    auto a = co_await s.next();
    got.push_back({ms_of(now()), a});
    co_await sleep_until(at_ms(25));
    for (;;) {
      auto r = co_await s.next();
      got.push_back({ms_of(now()), r});
      if (!r) break;
    }
    co_return got;
  }());
  // 1 closes [0,10) at 10 and opens [10,20); 2 (arrived at 12, while the consumer slept) closes
  // it: emitted late, at 25, but the next window is still [20,30), so 3@27 goes at 30.
  EXPECT_EQ(out, (std::vector<seen<int>>{V(10, 1), V(25, 2), V(30, 3), End<int>(50)}));
}

TEST(ThrottleMode, ComposesWithOperatorsAndSubscribe) {
  sim_runtime sim{19};
  auto s = interval(4ms) | throttle(10ms, throttle_mode::trailing) | take(3) | stamp();
  auto out = sim.block_on(collect(std::move(s)));
  ASSERT_EQ(out.size(), 3u);
  // ticks 0@4 1@8 2@12 ...: [4,14) ends with 2, at 14; [14,24) with 4 (tick at 20), at 24 ...
  EXPECT_EQ(out[0].value(), (stamped<std::uint64_t>{2, at_ms(14)}));
  EXPECT_EQ(out[1].value(), (stamped<std::uint64_t>{4, at_ms(24)}));
  EXPECT_EQ(out[2].value(), (stamped<std::uint64_t>{7, at_ms(34)}));
  auto t = any_stream<int>(timed_source<int>({{0, 1}, {5, 2}, {30, 3}})) |
           map([](int x) { return x * 10; }) | throttle(10ms, throttle_mode::latest);
  sim_runtime sim2{119};
  EXPECT_EQ(sim2.block_on(collect_subscribe(std::move(t))), (items<int>{10, 20, 30}));
}

TEST(ThrottleMode, EmptyAndBadArguments) {
  sim_runtime sim{20};
  for (auto m : {throttle_mode::leading, throttle_mode::trailing, throttle_mode::latest}) {
    EXPECT_EQ(sim.block_on(marble(empty<int>() | throttle(5ms, m))),
              (std::vector<seen<int>>{End<int>(0)}));
    for (auto d : {0ms, -3ms}) {
      auto bad = sim.block_on(collect(from_items<int>({1}) | throttle(d, m)));
      ASSERT_EQ(bad.size(), 1u);
      EXPECT_EQ(bad[0].error().code(), errc::invalid_argument);
    }
  }
  auto bad =
      sim.block_on(collect(from_items<int>({1}) | throttle(5ms, static_cast<throttle_mode>(9))));
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].error().code(), errc::invalid_argument);
}

TEST(ThrottleMode, CancelledNextLosesNothingAndDroppingTheStreamMidwayIsClean) {
  sim_runtime sim{21};
  auto out = sim.block_on([]() -> task<std::vector<seen<int>>> {
    auto s = timed_source<int>({{0, 1}, {3, 2}, {30, std::nullopt}}) |
             throttle(10ms, throttle_mode::trailing);
    std::vector<seen<int>> got;
    auto r = co_await timeout(5ms, s.next());  // 2 is held; the wait is cancelled at 5
    EXPECT_FALSE(r.has_value());
    for (;;) {
      auto x = co_await s.next();
      got.push_back({ms_of(now()), x});
      if (!x) break;
    }
    // a second stream, dropped while 2 is held and its pump waits for the source
    auto u =
        timed_source<int>({{40, 1}, {42, 2}, {100, 3}}) | throttle(10ms, throttle_mode::latest);
    auto first = co_await u.next();
    EXPECT_TRUE(first && first->is_value() && first->value() == 1 && ms_of(now()) == 40);
    auto second = co_await timeout(5ms, u.next());
    EXPECT_FALSE(second.has_value());
    co_return got;
  }());
  EXPECT_EQ(out, (std::vector<seen<int>>{V(10, 2), End<int>(30)}));
}

}  // namespace
}  // namespace eddy_stream_test::throttle_test
