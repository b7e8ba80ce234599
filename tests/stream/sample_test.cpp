// SPDX-License-Identifier: BSL-1.0
// sample: exact virtual-time marbles, empty periods, errors, the end drops the pending value.
#include <eddy/testing/gtest.hpp>

#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::sample_test {
namespace {

TEST(Sample, LatestOfEachPeriodNothingForAnEmptyOne) {
  sim_runtime sim{1};
  auto src = timed_source<int>({{2, 1}, {5, 2}, {15, 3}, {45, 4}, {55, std::nullopt}});
  auto out = sim.block_on(marble(std::move(src) | sample(20ms)));
  // periods [0,20): 3 at 20; [20,40): nothing; [40,60): 4 would go at 60 but the end at 55 drops it
  EXPECT_EQ(out, (std::vector<seen<int>>{V(20, 3), End<int>(55)}));
}

TEST(Sample, AValueAtABoundaryBelongsToTheNextPeriod) {
  sim_runtime sim{2};
  auto src = timed_source<int>({{5, 1}, {10, 2}, {25, std::nullopt}});
  auto out = sim.block_on(marble(std::move(src) | sample(10ms)));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(10, 1), V(20, 2), End<int>(25)}));
}

TEST(Sample, ErrorsPassAtOnce) {
  sim_runtime sim{3};
  auto src = timed_source<int>({{1, 1}, {3, E(5)}, {30, std::nullopt}});
  auto out = sim.block_on(marble(std::move(src) | sample(10ms)));
  EXPECT_EQ(out, (std::vector<seen<int>>{Err<int>(3, 5), V(10, 1), End<int>(30)}));
}

TEST(Sample, ComposesEmptyAndBadDurations) {
  sim_runtime sim{4};
  auto s = interval(3ms) | sample(10ms) | take(3);
  // ticks 0@3 1@6 2@9 | 3@12 4@15 5@18 | 6@21 ...: samples 2@10, 5@20, 8@30
  EXPECT_EQ(sim.block_on(marble(std::move(s))),
            (std::vector<seen<std::uint64_t>>{V<std::uint64_t>(10, 2), V<std::uint64_t>(20, 5),
                                              V<std::uint64_t>(30, 8), End<std::uint64_t>(30)}));
  EXPECT_EQ(sim.block_on(collect(from_items<int>({1, 2}) | sample(5ms))), items<int>{});
  for (auto d : {0ms, -2ms}) {
    auto bad = sim.block_on(collect(from_items<int>({1}) | sample(d)));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].error().code(), errc::invalid_argument);
  }
}

TEST(Sample, MarbleOfTheDocsDiagram) {
  // docs/operators-time.md, sample(20) on 5 ms frames: [0,20) emits its latest (c) at 20;
  // [20,40) is empty; d would go at 60 but the end at 55 drops it.
  using namespace eddy::testing;
  const marble_values<int> v{{'a', 1}, {'b', 2}, {'c', 3}, {'d', 4}};
  sim_runtime sim{5};
  auto out = sim.block_on(record(cold_marble<int>("ab-c-----d-|", v, 5ms) | sample(20ms), 5ms));
  EDDY_EXPECT_MARBLE(out, "----c------|", v);
}

TEST(Sample, MarbleBoundaryValueAndErrors) {
  // b at exactly 20 belongs to [20,40) and goes at 40; the error passes at once.
  using namespace eddy::testing;
  const marble_values<int> v{{'a', 1}, {'b', 2}};
  sim_runtime sim{6};
  auto out = sim.block_on(record(cold_marble<int>("a-#-b----|", v, 5ms) | sample(20ms), 5ms));
  EDDY_EXPECT_MARBLE(out, "--#-a---b|", v);
}

}  // namespace
}  // namespace eddy_stream_test::sample_test
