// SPDX-License-Identifier: BSL-1.0
// buffer_time: exact virtual-time marbles, empty periods, max_count, errors, end, bad input.
#include "stream/stream_test_util.hpp"

namespace eddy_stream_test {
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

}  // namespace
}  // namespace eddy_stream_test
