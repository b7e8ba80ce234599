// SPDX-License-Identifier: BSL-1.0
// throttle (leading): exact virtual-time marbles, errors, composition, empty, bad durations.
#include "stream/stream_test_util.hpp"

namespace eddy_stream_test {
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

}  // namespace
}  // namespace eddy_stream_test
