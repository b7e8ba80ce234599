// SPDX-License-Identifier: BSL-1.0
// Every time operator accepts any duration: a duration past the end of the clock saturates to
// "never" (exact virtual-time marbles on sim_runtime; UBSan checks the arithmetic).
#include <eddy/testing/marble.hpp>
#include <limits>

#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::huge_duration_test {
namespace {

using std::chrono::hours;
using std::chrono::nanoseconds;

// Values at 0, 10, 20 ms, the end at 30 ms.
generator<int> three() {
  return timed_source<int>({{0, 1}, {10, 2}, {20, 3}, {30, std::nullopt}});
}

template <class D>
class HugeDuration : public ::testing::Test {};
using huge_kinds = ::testing::Types<hours, nanoseconds, std::chrono::duration<double>>;
TYPED_TEST_SUITE(HugeDuration, huge_kinds);

template <class D>
D huge() {
  if constexpr (std::is_floating_point_v<typename D::rep>)
    return D(1e300);
  else
    return D::max();
}

TYPED_TEST(HugeDuration, ThrottleLetsOnlyTheFirstValueThrough) {
  sim_runtime sim{1};
  auto out = sim.block_on(marble(three() | throttle(huge<TypeParam>())));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(0, 1), End<int>(30)}));
}

TYPED_TEST(HugeDuration, DebounceEmitsOnlyTheLastValueAtTheEnd) {
  sim_runtime sim{2};
  auto out = sim.block_on(marble(three() | debounce(huge<TypeParam>())));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(30, 3), End<int>(30)}));
}

TYPED_TEST(HugeDuration, ThrottleLatestEmitsTheFirstValueAndHoldsTheEndForEver) {
  sim_runtime sim{11};
  // 3 is held in a window that never closes: nothing more, and no end (1000 frames recorded)
  auto out = sim.block_on(eddy::testing::record(
      three() | throttle(huge<TypeParam>(), throttle_mode::latest), 1ms, 1000));
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].frame, 0);
  EXPECT_EQ(out.events[0].it->value(), 1);
}

TYPED_TEST(HugeDuration, ThrottleTrailingAndAuditNeverEmitNorEnd) {
  sim_runtime sim{12};
  auto t = sim.block_on(eddy::testing::record(
      three() | throttle(huge<TypeParam>(), throttle_mode::trailing), 1ms, 1000));
  EXPECT_TRUE(t.events.empty());
  sim_runtime sim2{160};
  auto a = sim2.block_on(eddy::testing::record(three() | audit(huge<TypeParam>()), 1ms, 1000));
  EXPECT_TRUE(a.events.empty());
  // with no value there is nothing to hold: the end comes with the source's
  sim_runtime sim3{163};
  auto e = sim3.block_on(marble(empty<int>() | audit(huge<TypeParam>())));
  EXPECT_EQ(e, (std::vector<seen<int>>{End<int>(0)}));
}

TYPED_TEST(HugeDuration, DebounceFnHoldsEachValueUntilANewerOneOrTheEnd) {
  sim_runtime sim{13};
  auto out = sim.block_on(
      marble(three() | debounce([](int x) { return x == 1 ? huge<TypeParam>() : TypeParam{}; })));
  // 1 waits for ever and is replaced by 2 at 10; 2 and 3 wait 0: at once
  EXPECT_EQ(out, (std::vector<seen<int>>{V(10, 2), V(20, 3), End<int>(30)}));
  sim_runtime sim2{173};
  auto last = sim2.block_on(marble(three() | debounce([](int) { return huge<TypeParam>(); })));
  EXPECT_EQ(last, (std::vector<seen<int>>{V(30, 3), End<int>(30)}));
}

TYPED_TEST(HugeDuration, DelayNeverEmits) {
  sim_runtime sim{3};
  auto out = sim.block_on([]() -> task<std::optional<std::vector<seen<int>>>> {
    co_return co_await timeout(1h, marble(three() | delay(huge<TypeParam>())));
  }());
  EXPECT_FALSE(out.has_value());  // nothing within an hour (nor ever)
}

TYPED_TEST(HugeDuration, StreamTimeoutNeverFires) {
  sim_runtime sim{4};
  auto src = timed_source<int>({{0, 1}, {3'600'000, 2}, {7'200'000, std::nullopt}});
  auto out = sim.block_on(marble(std::move(src) | timeout(huge<TypeParam>())));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(0, 1), V(3'600'000, 2), End<int>(7'200'000)}));
}

TYPED_TEST(HugeDuration, IntervalNeverTicks) {
  sim_runtime sim{5};
  auto out = sim.block_on([]() -> task<bool> {
    auto s = interval(huge<TypeParam>());
    auto r = co_await timeout(1h, s.next());
    co_return r.has_value();
  }());
  EXPECT_FALSE(out);
}

TYPED_TEST(HugeDuration, BufferTimeCollectsEverythingIntoOneBuffer) {
  sim_runtime sim{6};
  auto out = sim.block_on(marble(three() | buffer_time(huge<TypeParam>())));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].ms, 30);
  EXPECT_EQ(out[0].it->value(), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(out[1], End<std::vector<int>>(30));
}

TYPED_TEST(HugeDuration, ChunksCutOnlyByCount) {
  sim_runtime sim{16};
  auto out = sim.block_on(marble(three() | chunks(2, huge<TypeParam>())));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].it->value(), (std::vector<int>{1, 2}));
  EXPECT_EQ(out[1].ms, 30);
  EXPECT_EQ(out[1].it->value(), (std::vector<int>{3}));
  EXPECT_EQ(out[2], End<std::vector<int>>(30));
}

items<int> one_then_an_error() {  // (g++ 12: no braced lists inside coroutine bodies)
  return items<int>{1, E(1)};
}

TYPED_TEST(HugeDuration, RetryWithAHugeDelayNeverRetries) {
  sim_runtime sim{17};
  auto out = sim.block_on([]() -> task<std::optional<std::vector<seen<int>>>> {
    co_return co_await timeout(1h, marble(from_range(one_then_an_error()) |
                                          retry(1, retry_delay::constant(huge<TypeParam>()))));
  }());
  // 1 at 0, the error is swallowed and the retry waits forever: the timeout gives up at 1h
  EXPECT_FALSE(out.has_value());
}

TYPED_TEST(HugeDuration, SampleNeverSamples) {
  sim_runtime sim{7};
  auto out = sim.block_on(marble(three() | sample(huge<TypeParam>())));
  EXPECT_EQ(out, (std::vector<seen<int>>{End<int>(30)}));
}

TYPED_TEST(HugeDuration, WindowTimeMakesOneWindow) {
  sim_runtime sim{8};
  auto out = sim.block_on([]() -> task<std::vector<items<int>>> {
    auto w = three() | window_time(huge<TypeParam>());
    std::vector<items<int>> windows;
    for (;;) {
      auto r = co_await w.next();
      if (!r) break;
      windows.push_back(co_await collect(std::move(*r).value()));
    }
    co_return windows;
  }());
  EXPECT_EQ(out, (std::vector<items<int>>{items<int>{1, 2, 3}}));
}

// A deadline arithmetic step near the end of the clock: a value late in virtual time with a
// huge-but-finite duration still saturates instead of wrapping.
TEST(HugeDurationNearTheEnd, ThrottleAfterTheClockWasAdvancedFar) {
  sim_runtime sim{9};
  sim.advance(hours(24 * 365 * 200));  // 200 years in
  auto out = sim.block_on(collect(from_items<int>({1, 2}) | throttle(hours(24 * 365 * 100))));
  EXPECT_EQ(out, (items<int>{1}));
}

}  // namespace
}  // namespace eddy_stream_test::huge_duration_test
