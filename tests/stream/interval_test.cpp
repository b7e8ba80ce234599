// SPDX-License-Identifier: BSL-1.0
// interval: exact ticks, burst catch-up for a late consumer, composition, bad durations.
#include <eddy/testing/gtest.hpp>

#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::interval_test {
namespace {

TEST(Interval, TicksEveryD) {
  sim_runtime sim{1};
  auto out = sim.block_on(marble(interval(10ms) | take(3)));
  EXPECT_EQ(out,
            (std::vector<seen<std::uint64_t>>{V<std::uint64_t>(10, 0), V<std::uint64_t>(20, 1),
                                              V<std::uint64_t>(30, 2), End<std::uint64_t>(30)}));
}

TEST(Interval, ALateConsumerGetsOverdueTicksAtOnce) {
  sim_runtime sim{2};
  auto out = sim.block_on([]() -> task<std::vector<seen<std::uint64_t>>> {
    auto s = interval(10ms);
    std::vector<seen<std::uint64_t>> got;
    auto a = co_await s.next();
    got.push_back({ms_of(now()), a});
    co_await sleep_until(at_ms(45));
    for (int i = 0; i < 4; ++i) {
      auto r = co_await s.next();
      got.push_back({ms_of(now()), r});
    }
    co_return got;
  }());
  EXPECT_EQ(out, (std::vector<seen<std::uint64_t>>{V<std::uint64_t>(10, 0), V<std::uint64_t>(45, 1),
                                                   V<std::uint64_t>(45, 2), V<std::uint64_t>(45, 3),
                                                   V<std::uint64_t>(50, 4)}));
}

TEST(Interval, CancelledNextLosesNoTick) {
  sim_runtime sim{3};
  auto out = sim.block_on([]() -> task<std::vector<std::uint64_t>> {
    auto s = interval(10ms);
    std::vector<std::uint64_t> got;
    auto none = co_await timeout(5ms, s.next());  // destroyed while waiting for tick 0
    EXPECT_FALSE(none.has_value());
    for (int i = 0; i < 2; ++i) {
      auto r = co_await s.next();
      got.push_back(r->value());
    }
    co_return got;
  }());
  EXPECT_EQ(out, (std::vector<std::uint64_t>{0, 1}));
}

TEST(Interval, ComposesAndBadDurations) {
  sim_runtime sim{4};
  auto s = interval(1s) | map([](std::uint64_t x) { return x * x; }) | take(4);
  EXPECT_EQ(sim.block_on(collect_subscribe(std::move(s))), (items<std::uint64_t>{0, 1, 4, 9}));
  EXPECT_EQ(ms_of(sim.now()), 4000);
  for (auto d : {0ms, -1ms}) {
    auto bad = sim.block_on(collect(interval(d)));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].error().code(), errc::invalid_argument);
  }
}

TEST(Interval, MarbleOfTheDocsDiagram) {
  // docs/operators-time.md, interval(10) on 10 ms frames: 0@10 1@20 2@30; take(3) ends with 2.
  using namespace eddy::testing;
  const marble_values<std::uint64_t> v{{'a', 0}, {'b', 1}, {'c', 2}};
  sim_runtime sim{9};
  auto out = sim.block_on(record(interval(10ms) | take(3), 10ms));
  EDDY_EXPECT_MARBLE(out, "-ab(c|)", v);
}

}  // namespace
}  // namespace eddy_stream_test::interval_test
