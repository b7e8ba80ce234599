// SPDX-License-Identifier: BSL-1.0
// conflate: a slow consumer gets the newest value; errors are never conflated away; the end,
// empty, synchronous sources, composition, cancellation in the middle; exact virtual times on
// sim_runtime (the consumer sleeps on virtual time between next() calls).
#include <algorithm>

#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::conflate_test {
namespace {

/// Like `marble`, for a stream held by the caller, with a consumer that is busy for `busy_ms`
/// after each item it gets.
template <class S>
task<std::vector<seen<stream_value_t<S>>>> slow_marble(S* s, std::int64_t busy_ms) {
  std::vector<seen<stream_value_t<S>>> out;
  for (;;) {
    auto r = co_await s->next();
    out.push_back({ms_of(now()), r});
    if (!r) break;
    co_await sleep(std::chrono::milliseconds(busy_ms));
  }
  co_return out;
}

/// 0, 1, 2, ... without ever suspending.
generator<int> endless() {
  for (int i = 0;; ++i) co_yield i;
}

std::vector<timed<int>> abcd() {
  return {{0, 1}, {10, 2}, {20, 3}, {30, 4}, {40, std::nullopt}};
}

TEST(Conflate, ASlowConsumerGetsTheNewestValue) {
  sim_runtime sim{1};
  auto s = timed_source<int>(abcd()) | conflate();
  auto out = sim.block_on(slow_marble(&s, 25));
  // asks at 0 (1), 25 (3; 2 was replaced), 50 (4, the pending value at the end), 75 (the end)
  EXPECT_EQ(out, (std::vector<seen<int>>{V(0, 1), V(25, 3), V(50, 4), End<int>(75)}));
  EXPECT_EQ(s.dropped(), 1u);
}

TEST(Conflate, AConsumerThatKeepsUpLosesNothing) {
  sim_runtime sim{2};
  auto s = timed_source<int>(abcd()) | conflate();
  auto out = sim.block_on(slow_marble(&s, 5));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(0, 1), V(10, 2), V(20, 3), V(30, 4), End<int>(40)}));
  EXPECT_EQ(s.dropped(), 0u);
}

TEST(Conflate, ErrorsAreNeverConflatedAway) {
  sim_runtime sim{3};
  auto s = timed_source<int>(
               {{0, 1}, {5, 2}, {8, E(1)}, {12, 3}, {14, E(2)}, {16, 4}, {18, std::nullopt}}) |
           conflate();
  auto out = sim.block_on(slow_marble(&s, 9));
  // at 9: 2 came before E1, so 2 first; at 18: E1 (3 came after it); the pump waited at 14
  // with E2 until E1 was taken, then 4 replaced 3; at 27: E2 (before 4); at 36: 4
  EXPECT_EQ(out, (std::vector<seen<int>>{V(0, 1), V(9, 2), Err<int>(18, 1), Err<int>(27, 2),
                                         V(36, 4), End<int>(45)}));
  EXPECT_EQ(s.dropped(), 1u);
}

TEST(Conflate, EmptyStreamsEnd) {
  sim_runtime sim{4};
  EXPECT_TRUE(sim.block_on(collect(empty<int>() | conflate())).empty());
  auto s = timed_source<int>({{7, std::nullopt}}) | conflate();
  EXPECT_EQ(sim.block_on(slow_marble(&s, 100)), (std::vector<seen<int>>{End<int>(7)}));
}

TEST(Conflate, ASynchronousSourceAlwaysDeliversItsLastValueAndEveryError) {
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    sim_runtime sim{seed};
    auto s = from_items<int>({1, 2, E(7), 3, 4, 5}) | conflate();
    auto out = sim.block_on(collect(std::move(s)));
    ASSERT_FALSE(out.empty()) << "seed " << seed;
    EXPECT_EQ(out.back(), item<int>(5)) << "seed " << seed;
    EXPECT_EQ(std::count(out.begin(), out.end(), item<int>(E(7))), 1) << "seed " << seed;
    std::vector<int> values;
    for (auto& it : out)
      if (it.is_value()) values.push_back(it.value());
    EXPECT_TRUE(std::is_sorted(values.begin(), values.end())) << "seed " << seed;
  }
  // an endless source that never suspends does not starve the consumer
  local_runtime rt;
  auto n = rt.block_on(collect(endless() | conflate() | take(3)));
  ASSERT_EQ(n.size(), 3u);
  EXPECT_LT(n[0].value(), n[1].value());
  EXPECT_LT(n[1].value(), n[2].value());
}

TEST(Conflate, ComposesWithOtherOperators) {
  sim_runtime sim{5};
  // ticks 0..5 at 10..60; the consumer is busy 27 ms after each item
  auto s = interval(10ms) | take(6) | conflate() |
           map([](std::uint64_t x) { return static_cast<int>(x) * 10; });
  auto out = sim.block_on(slow_marble(&s, 27));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(10, 0), V(37, 20), V(64, 50), End<int>(91)}));
  sim_runtime sim2{7};
  {
    auto t =
        timed_source<int>({{0, 1}, {10, 2}, {20, 3}, {1000, std::nullopt}}) | conflate() | take(2);
    EXPECT_EQ(sim2.block_on(slow_marble(&t, 25)),
              (std::vector<seen<int>>{V(0, 1), V(25, 3), End<int>(50)}));
  }
  sim2.run();
  EXPECT_EQ(sim2.live_tasks(), 0u);
  EXPECT_LT(ms_of(sim2.now()), 1000);  // dropping the stream aborted the pump at once
}

TEST(Conflate, CancellationInTheMiddle) {
  sim_runtime sim{6};
  auto out = sim.block_on([]() -> task<std::vector<seen<int>>> {
    auto s = timed_source<int>({{10, 1}, {20, 2}, {30, std::nullopt}}) | conflate();
    std::vector<seen<int>> got;
    auto none = co_await timeout(5ms, s.next());  // destroyed while waiting: nothing is lost
    got.push_back({ms_of(now()), none ? *none : std::optional<item<int>>(item<int>(E(99)))});
    for (int i = 0; i < 3; ++i) {
      auto r = co_await s.next();
      got.push_back({ms_of(now()), r});
    }
    co_return got;
  }());
  EXPECT_EQ(out, (std::vector<seen<int>>{Err<int>(5, 99), V(10, 1), V(20, 2), End<int>(30)}));
  // dropping the stream while its pump waits in the upstream frees everything
  sim.block_on([]() -> task<void> {
    auto h = spawn(collect(timed_source<int>({{0, 1}, {100, std::nullopt}}) | conflate()));
    co_await sleep(10ms);
    h.abort();
    auto r = co_await h;
    EXPECT_FALSE(r.has_value());
  }());
  sim.run();
  EXPECT_EQ(sim.live_tasks(), 0u);
}

}  // namespace
}  // namespace eddy_stream_test::conflate_test
