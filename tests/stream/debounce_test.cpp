// SPDX-License-Identifier: BSL-1.0
// debounce: exact virtual-time marbles (the public kit, eddy/testing/, and the suite's timed
// sources), errors, composition, empty, bad durations.
#include <eddy/testing/gtest.hpp>

#include "stream/stream_test_util.hpp"

namespace eddy_stream_test {
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

}  // namespace
}  // namespace eddy_stream_test
