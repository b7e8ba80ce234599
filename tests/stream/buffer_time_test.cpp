// SPDX-License-Identifier: BSL-1.0
// buffer_time: exact virtual-time marbles, empty periods, max_count, errors, end, bad input.
#include <eddy/testing/gtest.hpp>

#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::buffer_time_test {
namespace {

using VI = std::vector<int>;

TEST(BufferTime, OneVectorPerNonEmptyPeriod) {
  sim_runtime sim{1};
  auto src = timed_source<int>({{2, 1}, {5, 2}, {15, 3}, {50, 4}, {70, std::nullopt}});
  auto out = sim.block_on(marble(std::move(src) | buffer_time(20ms)));
  EXPECT_EQ(out, (std::vector<seen<VI>>{V<VI>(20, {1, 2, 3}), V<VI>(60, {4}), End<VI>(70)}));
}

TEST(BufferTime, BoundaryValuesGoToTheNextPeriodAndErrorsPassAtOnce) {
  sim_runtime sim{2};
  auto src = timed_source<int>({{5, 1}, {10, 2}, {12, E(3)}, {25, std::nullopt}});
  auto out = sim.block_on(marble(std::move(src) | buffer_time(10ms)));
  EXPECT_EQ(out,
            (std::vector<seen<VI>>{V<VI>(10, {1}), Err<VI>(12, 3), V<VI>(20, {2}), End<VI>(25)}));
}

TEST(BufferTime, FullBufferGoesAtOncePartialOneAtTheEnd) {
  sim_runtime sim{3};
  auto out = sim.block_on(marble(from_items<int>({1, 2, 3, 4, 5}) | buffer_time(10ms, 2)));
  EXPECT_EQ(out,
            (std::vector<seen<VI>>{V<VI>(0, {1, 2}), V<VI>(0, {3, 4}), V<VI>(0, {5}), End<VI>(0)}));
}

TEST(BufferTime, ComposesEmptyAndBadArguments) {
  sim_runtime sim{4};
  auto s = interval(4ms) | take(6) | map([](std::uint64_t x) { return static_cast<int>(x); }) |
           buffer_time(10ms) | map([](VI v) { return static_cast<int>(v.size()); });
  // ticks at 4 8 | 12 16 | 20 24: sizes 2, 2, then 2 at the end (24)
  EXPECT_EQ(sim.block_on(collect_subscribe(std::move(s))), (items<int>{2, 2, 2}));
  EXPECT_EQ(sim.block_on(collect(empty<int>() | buffer_time(5ms))), items<VI>{});
  for (auto bad : {sim.block_on(collect(from_items<int>({1}) | buffer_time(0ms))),
                   sim.block_on(collect(from_items<int>({1}) | buffer_time(-1ms))),
                   sim.block_on(collect(from_items<int>({1}) | buffer_time(1ms, 0)))}) {
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].error().code(), errc::invalid_argument);
  }
}

TEST(BufferTime, MarbleOfTheDocsDiagram) {
  // docs/operators-time.md, buffer_time(20) on 5 ms frames: [a,b,c] at 20; [20,40) and [40,60)
  // hold nothing until d@50, so [d] goes at 60; the end at 70 finds nothing held.
  using namespace eddy::testing;
  const marble_values<int> in{{'a', 1}, {'b', 2}, {'c', 3}, {'d', 4}};
  const marble_values<std::vector<int>> v{{'x', std::vector<int>{1, 2, 3}},
                                          {'y', std::vector<int>{4}}};
  sim_runtime sim{7};
  auto out =
      sim.block_on(record(cold_marble<int>("ab-c------d---|", in, 5ms) | buffer_time(20ms), 5ms));
  EDDY_EXPECT_MARBLE(out, "----x-------y-|", v);
}

TEST(BufferTime, MarbleErrorsPassAtOncePartialBufferAtTheEnd) {
  using namespace eddy::testing;
  const marble_values<int> in{{'a', 1}, {'b', 2}};
  const marble_values<std::vector<int>> v{{'x', std::vector<int>{1}}, {'y', std::vector<int>{2}}};
  sim_runtime sim{8};
  auto out = sim.block_on(record(cold_marble<int>("a#----b|", in, 5ms) | buffer_time(20ms), 5ms));
  EDDY_EXPECT_MARBLE(out, "-#--x--(y|)", v);
}

}  // namespace
}  // namespace eddy_stream_test::buffer_time_test
