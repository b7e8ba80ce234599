// SPDX-License-Identifier: BSL-1.0
// delay: exact virtual-time marbles, order, errors, the end, bounded pending values.
#include <eddy/testing/gtest.hpp>

#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::delay_test {
namespace {

TEST(Delay, EveryValueShiftedByD) {
  sim_runtime sim{1};
  auto src = timed_source<int>({{0, 1}, {10, 2}, {12, 3}, {35, std::nullopt}});
  auto out = sim.block_on(marble(std::move(src) | delay(25ms)));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(25, 1), V(35, 2), V(37, 3), End<int>(37)}));
}

TEST(Delay, TheEndComesRightAfterTheLastValueOrTheSourcesEnd) {
  sim_runtime sim{2};
  auto early = timed_source<int>({{0, 1}, {5, std::nullopt}});
  EXPECT_EQ(sim.block_on(marble(std::move(early) | delay(20ms))),
            (std::vector<seen<int>>{V(20, 1), End<int>(20)}));
  sim_runtime sim2{2};
  auto late = timed_source<int>({{0, 1}, {50, std::nullopt}});
  EXPECT_EQ(sim2.block_on(marble(std::move(late) | delay(20ms))),
            (std::vector<seen<int>>{V(20, 1), End<int>(50)}));
}

TEST(Delay, ErrorsPassAtOnce) {
  sim_runtime sim{3};
  auto src = timed_source<int>({{0, 1}, {5, E(9)}, {6, 2}});
  auto out = sim.block_on(marble(std::move(src) | delay(10ms)));
  EXPECT_EQ(out, (std::vector<seen<int>>{Err<int>(5, 9), V(10, 1), V(16, 2), End<int>(16)}));
}

TEST(Delay, SynchronousSourceAndBoundedPending) {
  sim_runtime sim{4};
  EXPECT_EQ(sim.block_on(marble(from_items<int>({1, 2, 3}) | delay(5ms))),
            (std::vector<seen<int>>{V(5, 1), V(5, 2), V(5, 3), End<int>(5)}));
  // max_pending 2: the third value is taken only when the first leaves, so it arrives later.
  sim_runtime sim2{4};
  EXPECT_EQ(sim2.block_on(marble(from_items<int>({1, 2, 3, 4}) | delay(5ms, 2))),
            (std::vector<seen<int>>{V(5, 1), V(5, 2), V(10, 3), V(10, 4), End<int>(10)}));
}

TEST(Delay, ComposesEmptyAndBadArguments) {
  sim_runtime sim{5};
  auto s =
      interval(10ms) | take(3) | delay(3ms) | stamp() | map([](auto x) { return ms_of(x.at); });
  EXPECT_EQ(sim.block_on(collect_subscribe(std::move(s))), (items<std::int64_t>{13, 23, 33}));
  EXPECT_EQ(sim.block_on(collect(empty<int>() | delay(5ms))), items<int>{});
  for (auto bad : {sim.block_on(collect(from_items<int>({1}) | delay(0ms))),
                   sim.block_on(collect(from_items<int>({1}) | delay(-3ms))),
                   sim.block_on(collect(from_items<int>({1}) | delay(3ms, 0)))}) {
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].error().code(), errc::invalid_argument);
  }
}

TEST(Delay, MarbleOfTheDocsDiagram) {
  // docs/operators-time.md, delay(25) on 5 ms frames: each value 5 frames later; the end right
  // after the last delayed value (c at 40), not at the source's end (35).
  using namespace eddy::testing;
  const marble_values<int> v{{'a', 1}, {'b', 2}, {'c', 3}};
  sim_runtime sim{6};
  auto out = sim.block_on(record(cold_marble<int>("a-bc---|", v, 5ms) | delay(25ms), 5ms));
  EDDY_EXPECT_MARBLE(out, "-----a-b(c|)", v);
}

TEST(Delay, MarbleLateEndAndErrorsAtOnce) {
  // The source's end after the last delayed value keeps its own time; the error is not delayed.
  using namespace eddy::testing;
  const marble_values<int> v{{'a', 1}, {'b', 2}};
  sim_runtime sim{7};
  auto out = sim.block_on(record(cold_marble<int>("a#b------|", v, 5ms) | delay(10ms), 5ms));
  EDDY_EXPECT_MARBLE(out, "-#a-b----|", v);
}

}  // namespace
}  // namespace eddy_stream_test::delay_test
