// SPDX-License-Identifier: BSL-1.0
// exhaust_map: values, dropped outer values, errors, the end, empty, composition, cancellation
// in the middle; exact virtual times on sim_runtime.
#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::exhaust_map_test {
namespace {

/// An inner stream of `n` values `base+1..base+n`, one every `step` ms (after `delay0`); it
/// ends with its last value.
generator<int> ticks(int base, int n, std::int64_t delay0, std::int64_t step) {
  co_await sleep(std::chrono::milliseconds(delay0));
  for (int i = 1; i <= n; ++i) {
    if (i > 1) co_await sleep(std::chrono::milliseconds(step));
    co_yield base + i;
  }
}

/// `marble` of a stream held by the caller (to read `dropped()` afterwards).
template <class S>
task<std::vector<seen<stream_value_t<S>>>> marble_of(S* s) {
  std::vector<seen<stream_value_t<S>>> out;
  for (;;) {
    auto r = co_await s->next();
    out.push_back({ms_of(now()), r});
    if (!r) break;
  }
  co_return out;
}

TEST(ExhaustMap, IgnoresOuterValuesWhileAnInnerRuns) {
  sim_runtime sim{1};
  auto src = timed_source<int>({{0, 10}, {5, 20}, {11, 25}, {30, 30}, {60, std::nullopt}});
  auto s = std::move(src) | exhaust_map([](int base) { return ticks(base, 3, 2, 5); });
  auto out = sim.block_on(marble_of(&s));
  // 10: 11@2 12@7 13@12, ends at 12 (20 at 5 and 25 at 11 are dropped); 30: 31@32 32@37 33@42
  EXPECT_EQ(out, (std::vector<seen<int>>{V(2, 11), V(7, 12), V(12, 13), V(32, 31), V(37, 32),
                                         V(42, 33), End<int>(60)}));
  EXPECT_EQ(s.dropped(), 2u);
}

TEST(ExhaustMap, AValueAfterTheInnerEndedStartsTheNext) {
  sim_runtime sim{2};
  // the inner of 10 ends at 12; 20 at 13 starts the next one; the output ends with its inner
  auto src = timed_source<int>({{0, 10}, {13, 20}, {14, std::nullopt}});
  auto s = std::move(src) | exhaust_map([](int base) { return ticks(base, 3, 2, 5); });
  auto out = sim.block_on(marble_of(&s));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(2, 11), V(7, 12), V(12, 13), V(15, 21), V(20, 22),
                                         V(25, 23), End<int>(25)}));
  EXPECT_EQ(s.dropped(), 0u);
}

TEST(ExhaustMap, DecidedOnArrivalTimesWhenTheConsumerIsLate) {
  sim_runtime sim{9};
  auto out = sim.block_on([]() -> task<std::vector<seen<int>>> {
    // inner of 10: 11 at 2, its end at 8; 20 arrives at 5, while it is live
    auto s = timed_source<int>({{0, 10}, {5, 20}, {50, std::nullopt}}) | exhaust_map([](int base) {
               return timed_source<int>({{2, base + 1}, {8, std::nullopt}});
             });
    std::vector<seen<int>> got;
    auto a = co_await s.next();
    got.push_back({ms_of(now()), a});
    auto none = co_await timeout(1ms, s.next());  // both pulls stay under way
    got.push_back({ms_of(now()), none ? *none : std::optional<item<int>>(item<int>(E(99)))});
    co_await sleep_until(at_ms(20));  // 20 (at 5) and the inner's end (at 8) both wait
    for (;;) {
      auto r = co_await s.next();
      got.push_back({ms_of(now()), r});
      if (!r) break;
    }
    EXPECT_EQ(s.dropped(), 1u);
    co_return got;
  }());
  // 20 came before the inner's end: dropped, although the operator saw it after the end
  EXPECT_EQ(out, (std::vector<seen<int>>{V(2, 11), Err<int>(3, 99), End<int>(50)}));
}

TEST(ExhaustMap, ErrorsOfOuterAndInnerPass) {
  sim_runtime sim{3};
  // outer errors pass at once even while an inner runs, and are never dropped
  auto src = timed_source<int>({{0, 10}, {3, E(1)}, {4, 20}, {20, E(2)}, {21, std::nullopt}});
  auto s = std::move(src) | exhaust_map([](int base) { return ticks(base, 2, 2, 5); });
  auto out = sim.block_on(marble_of(&s));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(2, 11), Err<int>(3, 1), V(7, 12), Err<int>(20, 2),
                                         End<int>(21)}));
  EXPECT_EQ(s.dropped(), 1u);
  // inner errors pass; a synchronous inner ends before the next outer value is taken
  auto t = from_items<int>({1, E(9), 2}) | exhaust_map([](int x) {
             return from_items<int>({x, E(x), x * 10});
           });
  EXPECT_EQ(sim.block_on(collect(std::move(t))), (items<int>{1, E(1), 10, E(9), 2, E(2), 20}));
}

TEST(ExhaustMap, SynchronousOuterKeepsTheFirst) {
  sim_runtime sim{4};
  auto s =
      from_items<int>({10, 20, 30}) | exhaust_map([](int base) { return ticks(base, 2, 1, 1); });
  auto out = sim.block_on(marble_of(&s));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(1, 11), V(2, 12), End<int>(2)}));
  EXPECT_EQ(s.dropped(), 2u);
}

TEST(ExhaustMap, EmptyStreams) {
  sim_runtime sim{5};
  EXPECT_TRUE(
      sim.block_on(collect(empty<int>() | exhaust_map([](int) { return empty<int>(); }))).empty());
  EXPECT_TRUE(
      sim.block_on(collect(from_items<int>({1, 2}) | exhaust_map([](int) { return empty<int>(); })))
          .empty());
  // an empty inner ends at once: every outer value starts one, none is dropped
  auto s = timed_source<int>({{1, 1}, {2, 2}, {3, std::nullopt}}) |
           exhaust_map([](int x) { return from_items<int>({x}); });
  EXPECT_EQ(sim.block_on(marble(std::move(s))),
            (std::vector<seen<int>>{V(1, 1), V(2, 2), End<int>(3)}));
}

TEST(ExhaustMap, ComposesWithOtherOperators) {
  sim_runtime sim{6};
  // ticks at 10..50; each inner lasts 15 ms, so every other tick is dropped
  auto s = interval(10ms) | take(5) |
           exhaust_map([](std::uint64_t x) { return ticks(static_cast<int>(x) * 10, 2, 5, 10); }) |
           map([](int x) { return x + 100; });
  EXPECT_EQ(sim.block_on(marble(std::move(s))),
            (std::vector<seen<int>>{V(15, 101), V(25, 102), V(35, 121), V(45, 122), V(55, 141),
                                    V(65, 142), End<int>(65)}));
  auto t = from_items<int>({1, 2, 3}) |
           exhaust_map([](int x) { return from_range(std::vector<int>(x, x)); }) | take(4);
  EXPECT_EQ(sim.block_on(collect_subscribe(std::move(t))), (items<int>{1, 2, 2, 3}));
}

TEST(ExhaustMap, CancellationInTheMiddle) {
  sim_runtime sim{7};
  auto out = sim.block_on([]() -> task<std::vector<seen<int>>> {
    auto s = timed_source<int>({{0, 10}, {5, 20}, {30, 30}, {60, std::nullopt}}) |
             exhaust_map([](int base) { return ticks(base, 3, 2, 5); });
    std::vector<seen<int>> got;
    auto a = co_await s.next();  // 11 at 2
    got.push_back({ms_of(now()), a});
    auto none = co_await timeout(3ms, s.next());  // destroyed while waiting (12 is due at 7)
    got.push_back({ms_of(now()), none ? *none : std::optional<item<int>>(item<int>(E(99)))});
    for (int i = 0; i < 2; ++i) {
      auto r = co_await s.next();  // still 12@7, 13@12: nothing lost, 20 still dropped
      got.push_back({ms_of(now()), r});
    }
    auto b = co_await s.next();  // 31 at 32; then the stream is dropped with its inner live
    got.push_back({ms_of(now()), b});
    co_return got;
  }());
  EXPECT_EQ(out,
            (std::vector<seen<int>>{V(2, 11), Err<int>(5, 99), V(7, 12), V(12, 13), V(32, 31)}));
  sim.run();
  EXPECT_EQ(sim.live_tasks(), 0u);  // the pumps of the outer and the inner were aborted
}

TEST(ExhaustMap, AbortingTheConsumerMidInnerFreesEverything) {
  sim_runtime sim{8};
  sim.block_on([]() -> task<void> {
    auto h = spawn(collect(timed_source<int>({{0, 10}, {100, std::nullopt}}) |
                           exhaust_map([](int base) { return ticks(base, 3, 2, 50); })));
    co_await sleep(10ms);
    h.abort();
    auto r = co_await h;
    EXPECT_FALSE(r.has_value());
  }());
  sim.run();
  EXPECT_EQ(sim.live_tasks(), 0u);
}

}  // namespace
}  // namespace eddy_stream_test::exhaust_map_test
