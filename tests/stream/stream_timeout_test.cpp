// SPDX-License-Identifier: BSL-1.0
// timeout (stream operator): exact virtual-time marbles, reset on every item, errors, empty,
// bad durations; and both `timeout` forms in one translation unit.
#include <eddy/testing/gtest.hpp>

#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::stream_timeout_test {
namespace {

TEST(StreamTimeout, TimedOutErrorThenTheEnd) {
  sim_runtime sim{1};
  auto src = timed_source<int>({{0, 1}, {10, 2}, {60, 3}});
  auto out = sim.block_on(marble(std::move(src) | timeout(25ms)));
  EXPECT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0], V(0, 1));
  EXPECT_EQ(out[1], V(10, 2));
  EXPECT_EQ(out[2].ms, 35);
  EXPECT_EQ(out[2].it->error().code(), errc::timed_out);
  EXPECT_EQ(out[3], End<int>(35));
  sim.run();
  EXPECT_EQ(sim.live_tasks(), 0u);  // the upstream's pull was cancelled
}

TEST(StreamTimeout, EveryItemRestartsTheTimerErrorsToo) {
  sim_runtime sim{2};
  auto src = timed_source<int>({{20, 1}, {40, E(3)}, {60, 2}, {80, std::nullopt}});
  auto out = sim.block_on(marble(std::move(src) | timeout(25ms)));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(20, 1), Err<int>(40, 3), V(60, 2), End<int>(80)}));
}

TEST(StreamTimeout, SynchronousSourceNeverTimesOut) {
  sim_runtime sim{3};
  EXPECT_EQ(sim.block_on(collect_subscribe(from_items<int>({1, E(2), 3}) | timeout(1ns))),
            (items<int>{1, E(2), 3}));
}

TEST(StreamTimeout, ComposesEmptyAndBadDurations) {
  sim_runtime sim{4};
  auto s = interval(10ms) | filter([](std::uint64_t x) { return x < 3; }) | timeout(15ms) |
           map([](std::uint64_t x) { return static_cast<int>(x); });
  auto out = sim.block_on(marble(std::move(s)));
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[2], V(30, 2));
  EXPECT_EQ(out[3].ms, 45);
  EXPECT_EQ(out[3].it->error().code(), errc::timed_out);
  sim_runtime sim2{4};
  EXPECT_EQ(sim2.block_on(marble(empty<int>() | timeout(5ms))),
            (std::vector<seen<int>>{End<int>(0)}));
  for (auto d : {0ms, -4ms}) {
    auto bad = sim.block_on(collect(from_items<int>({1}) | timeout(d)));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].error().code(), errc::invalid_argument);
  }
}

TEST(StreamTimeout, BothFormsLiveInOneTranslationUnit) {
  sim_runtime sim{5};
  auto r = sim.block_on([]() -> task<int> {
    auto nap = [](duration d) -> task<int> {
      co_await sleep(d);
      co_return 1;
    };
    auto a = co_await timeout(10ms, nap(5ms));  // the awaitable form
    auto b = co_await timeout(10ms, nap(50ms));
    auto s = timed_source<int>({{100, 1}}) | timeout(10ms);  // the stream form
    auto c = co_await s.next();
    co_return (a ? 1 : 0) + (b ? 10 : 0) + (c && c->is_error() ? 100 : 0);
  }());
  EXPECT_EQ(r, 101);
}

TEST(StreamTimeout, MarbleOfTheHeaderDiagram) {
  // The header's diagram on 5 ms frames, timeout(25): b@10 restarts the timer, so at 35 comes
  // one timed_out error and at once the end; c@70 is never pulled.
  using namespace eddy::testing;
  const marble_values<int> v{{'a', 1}, {'b', 2}, {'c', 3}};
  const error timed_out{errc::timed_out, 0, "timeout: no item within the duration"};
  sim_runtime sim{9};
  auto out =
      sim.block_on(record(cold_marble<int>("a-b-----------c|", v, 5ms) | timeout(25ms), 5ms));
  const marble_diff d = compare_marble(out, "a-b----(#|)", v, timed_out);
  EXPECT_TRUE(d) << "expected: " << d.expected << "\n  actual: " << d.actual << "\n" << d.detail;
}

}  // namespace
}  // namespace eddy_stream_test::stream_timeout_test
