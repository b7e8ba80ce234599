// SPDX-License-Identifier: BSL-1.0
// debounce(d) and debounce(fn): exact virtual-time marbles (the public kit, eddy/testing/, and
// the suite's timed sources), errors, composition, empty, bad durations, per-value quiet times.
#include <eddy/testing/gtest.hpp>

#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::debounce_test {
namespace {

// The two marbles of the operator's doc comment, with the public marble kit (5 ms frames).
const eddy::testing::marble_values<int> abcd{{'a', 1}, {'b', 2}, {'c', 3}, {'d', 4}};

TEST(Debounce, TrailingValueAfterQuietPeriod) {
  using namespace eddy::testing;
  sim_runtime sim{1};
  auto out =
      sim.block_on(record(cold_marble<int>("a-b---c-----d-|", abcd, 5ms) | debounce(15ms), 5ms));
  EDDY_EXPECT_MARBLE(out, "-----b---c----(d|)", abcd);
}

TEST(Debounce, AValueExactlyDLaterDoesNotCancelThePendingOne) {
  using namespace eddy::testing;
  sim_runtime sim{2};
  auto out = sim.block_on(record(cold_marble<int>("a--b----|", abcd, 5ms) | debounce(15ms), 5ms));
  EDDY_EXPECT_MARBLE(out, "---a--b-|", abcd);
}

TEST(Debounce, ErrorsPassAtOnceWithoutResettingOrDiscarding) {
  sim_runtime sim{3};
  auto src = timed_source<int>({{0, 1}, {5, E(7)}, {12, E(8)}, {30, 2}, {50, std::nullopt}});
  auto out = sim.block_on(marble(std::move(src) | debounce(15ms)));
  EXPECT_EQ(out, (std::vector<seen<int>>{Err<int>(5, 7), Err<int>(12, 8), V(15, 1), V(45, 2),
                                         End<int>(50)}));
}

TEST(Debounce, PendingValueIsFlushedAtOnceAtTheEnd) {
  sim_runtime sim{4};
  auto src = timed_source<int>({{0, 1}, {5, 2}, {8, std::nullopt}});
  auto out = sim.block_on(marble(std::move(src) | debounce(100ms)));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(8, 2), End<int>(8)}));
}

TEST(Debounce, SynchronousSourceGivesOnlyTheLastValue) {
  sim_runtime sim{1};
  auto out = sim.block_on(marble(from_items<int>({1, E(2), 3, 4}) | debounce(10ms)));
  EXPECT_EQ(out, (std::vector<seen<int>>{Err<int>(0, 2), V(0, 4), End<int>(0)}));
}

TEST(Debounce, ExactWhenTheConsumerIsLate) {
  // The consumer sleeps after the first value; decisions use arrival times, not wake-up times.
  sim_runtime sim{5};
  auto out = sim.block_on([]() -> task<std::vector<seen<int>>> {
    auto s = timed_source<int>({{0, 1}, {20, 2}, {25, 3}, {100, std::nullopt}}) | debounce(15ms);
    std::vector<seen<int>> got;
    auto a = co_await s.next();
    got.push_back({ms_of(now()), a});
    co_await sleep_until(at_ms(50));
    for (;;) {
      auto r = co_await s.next();
      got.push_back({ms_of(now()), r});
      if (!r) break;
    }
    co_return got;
  }());
  // 2 arrived at 20 (while the consumer slept); 3 is pulled at 50 (backpressure), so 2 was
  // quiet for 15 by then and goes at once; 3 is due at 65.
  EXPECT_EQ(out, (std::vector<seen<int>>{V(15, 1), V(50, 2), V(65, 3), End<int>(100)}));
}

TEST(Debounce, ComposesWithOperatorsAndSubscribe) {
  sim_runtime sim{6};
  auto s = timed_source<int>({{0, 1}, {30, 2}, {35, 3}, {80, 4}}) |
           map([](int x) { return x * 2; }) | debounce(20ms) | filter([](int x) { return x != 8; });
  auto out = sim.block_on(collect_subscribe(std::move(s)));
  EXPECT_EQ(out, (items<int>{2, 6}));
  auto t = any_stream<int>(timed_source<int>({{0, 1}, {5, 2}})) | debounce(10ms);
  EXPECT_EQ(sim.block_on(collect(std::move(t))), (items<int>{{2}}));
}

TEST(Debounce, EmptyAndBadDurations) {
  sim_runtime sim{7};
  EXPECT_EQ(sim.block_on(marble(empty<int>() | debounce(5ms))),
            (std::vector<seen<int>>{End<int>(0)}));
  for (auto d : {0ms, -5ms}) {
    auto out = sim.block_on(collect(from_items<int>({1}) | debounce(d)));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].error().code(), errc::invalid_argument);
  }
}

TEST(Debounce, AnHourOfValuesInVirtualTimeOnEveryRuntimeClock) {
  sim_runtime sim{8};
  auto n = sim.block_on([]() -> task<int> {
    auto src = []() -> generator<int> {
      for (int i = 0; i < 3600; ++i) {
        co_await sleep(i % 10 == 9 ? 2s : 100ms);  // bursts of 9 close values, then a pause
        co_yield i;
      }
    }();
    auto s = std::move(src) | debounce(1s);
    int count = 0, last = -1;
    while (auto r = co_await s.next()) {
      // the last value before each pause (pauses precede 9, 19, ...), then 3599 at the end
      EXPECT_EQ(r->value() % 10, r->value() == 3599 ? 9 : 8);
      EXPECT_GT(r->value(), last);
      last = r->value();
      ++count;
    }
    co_return count;
  }());
  EXPECT_EQ(n, 361);
}

// ---- debounce(fn): a quiet time per value ---------------------------------------------------

TEST(DebounceFn, EachValueWaitsItsOwnQuietTime) {
  // the header's diagram: a@0 b@5 c@20, the end at 25; b is urgent (0), the others wait 15
  sim_runtime sim{21};
  auto quiet = [](const int& x) { return x == 2 ? 0ms : 15ms; };
  auto out = sim.block_on(
      marble(timed_source<int>({{0, 1}, {5, 2}, {20, 3}, {25, std::nullopt}}) | debounce(quiet)));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(5, 2), V(25, 3), End<int>(25)}));
  // a long wait replaced by a short one: 1 (30 ms) is replaced at 10 by 2 (5 ms), due 15;
  // 3 (in seconds, converted) at 40 is due 40 + 2 s, flushed by the end at 100
  auto q2 = [](int x) -> std::chrono::duration<double> {
    return x == 1 ? 0.030s : x == 2 ? 0.005s : 2.0s;
  };
  sim_runtime sim2{229};
  auto out2 = sim2.block_on(
      marble(timed_source<int>({{0, 1}, {10, 2}, {40, 3}, {100, std::nullopt}}) | debounce(q2)));
  EXPECT_EQ(out2, (std::vector<seen<int>>{V(15, 2), V(100, 3), End<int>(100)}));
}

TEST(DebounceFn, WithTheMarbleKit) {
  using namespace eddy::testing;
  sim_runtime sim{22};
  // 5 ms frames; a and b wait 10 ms, c 20 ms: b (frame 1) goes at frame 3; c (frame 5) is due
  // at frame 9, before d (frame 10); d waits 10 until frame 12
  auto out = sim.block_on(record(cold_marble<int>("ab---c----d-----|", abcd, 5ms) |
                                     debounce([](int x) { return x == 3 ? 20ms : 10ms; }),
                                 5ms));
  EDDY_EXPECT_MARBLE(out, "---b-----c--d---|", abcd);
}

TEST(DebounceFn, ANonPositiveQuietTimeEmitsAtOnce) {
  sim_runtime sim{23};
  // every value of a synchronous source arrives at 0: with 0 (or less) none waits, so none is
  // replaced (debounce(d) would keep only the last)
  auto zero =
      sim.block_on(marble(from_items<int>({1, 2, E(5), 3}) | debounce([](int) { return 0ms; })));
  EXPECT_EQ(zero, (std::vector<seen<int>>{V(0, 1), V(0, 2), Err<int>(0, 5), V(0, 3), End<int>(0)}));
  auto neg = sim.block_on(marble(timed_source<int>({{0, 1}, {4, 2}, {6, std::nullopt}}) |
                                 debounce([](int x) { return x == 1 ? -1h : 10ms; })));
  EXPECT_EQ(neg, (std::vector<seen<int>>{V(0, 1), V(6, 2), End<int>(6)}));
}

TEST(DebounceFn, CalledOncePerValueNeverForErrors) {
  sim_runtime sim{24};
  int calls = 0;
  auto out = sim.block_on(
      marble(timed_source<int>({{0, 1}, {2, E(4)}, {3, 2}, {30, 3}, {31, std::nullopt}}) |
             debounce([&calls](int) {
               ++calls;
               return 10ms;
             })));
  EXPECT_EQ(out, (std::vector<seen<int>>{Err<int>(2, 4), V(13, 2), V(31, 3), End<int>(31)}));
  EXPECT_EQ(calls, 3);
}

TEST(DebounceFn, ComposesEmptyAndCancellation) {
  sim_runtime sim{25};
  auto s = timed_source<int>({{0, 1}, {30, 2}, {35, 3}, {80, 4}}) |
           map([](int x) { return x * 2; }) | debounce([](int x) { return x * 1ms; }) |
           filter([](int x) { return x != 8; });
  // quiet = the value in ms: 2@0 due 2; 4@30 due 34, before 6@35; 8 flushed by the end
  EXPECT_EQ(sim.block_on(collect_subscribe(std::move(s))), (items<int>{2, 4, 6}));
  sim_runtime sim2{277};
  EXPECT_EQ(sim2.block_on(marble(empty<int>() | debounce([](int) { return 5ms; }))),
            (std::vector<seen<int>>{End<int>(0)}));
  sim_runtime sim3{279};
  auto out = sim3.block_on([]() -> task<std::vector<seen<int>>> {
    auto t = timed_source<int>({{0, 1}, {40, std::nullopt}}) | debounce([](int) { return 20ms; });
    std::vector<seen<int>> got;
    auto r = co_await timeout(5ms, t.next());  // 1 is pending; the wait is cancelled at 5
    EXPECT_FALSE(r.has_value());
    for (;;) {
      auto x = co_await t.next();
      got.push_back({ms_of(now()), x});
      if (!x) break;
    }
    co_return got;
  }());
  EXPECT_EQ(out, (std::vector<seen<int>>{V(20, 1), End<int>(40)}));
}

}  // namespace
}  // namespace eddy_stream_test::debounce_test
