// SPDX-License-Identifier: BSL-1.0
// switch_map, merge_map, concat_map: values, errors, composition, empty; virtual-time marbles.
#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::flatten_test {
namespace {

/// An inner stream of `n` values `base+1..base+n`, one every `step` ms (after `delay0`).
generator<int> ticks(int base, int n, std::int64_t delay0, std::int64_t step) {
  co_await sleep(std::chrono::milliseconds(delay0));
  for (int i = 1; i <= n; ++i) {
    if (i > 1) co_await sleep(std::chrono::milliseconds(step));
    co_yield base + i;
  }
}

TEST(SwitchMap, FollowsOnlyTheNewestInner) {
  sim_runtime sim{1};
  auto src = timed_source<int>({{0, 10}, {22, 20}, {70, std::nullopt}});
  auto s = std::move(src) | switch_map([](int base) { return ticks(base, 4, 5, 10); });
  auto out = sim.block_on(marble(std::move(s)));
  // 10: 11@5 12@15 (13@25 is cut by 20 at 22); 20: 21@27 22@37 23@47 24@57; end at 70
  EXPECT_EQ(out, (std::vector<seen<int>>{V(5, 11), V(15, 12), V(27, 21), V(37, 22), V(47, 23),
                                         V(57, 24), End<int>(70)}));
  sim.run();
  EXPECT_EQ(sim.live_tasks(), 0u);
}

TEST(SwitchMap, SynchronousOuterSwitchesToTheLastAndErrorsPass) {
  sim_runtime sim{2};
  auto s =
      from_items<int>({10, E(1), 20}) | switch_map([](int base) { return ticks(base, 2, 1, 1); });
  EXPECT_EQ(sim.block_on(marble(std::move(s))),
            (std::vector<seen<int>>{Err<int>(0, 1), V(1, 21), V(2, 22), End<int>(2)}));
  auto t = from_items<int>({1, 2}) | switch_map([](int x) {
             return from_items<int>({x, E(x), x * 10});
           });
  EXPECT_EQ(sim.block_on(collect(std::move(t))), (items<int>{1, E(1), 10, 2, E(2), 20}));
}

TEST(SwitchMap, ComposesAndEmpty) {
  sim_runtime sim{3};
  auto s = interval(10ms) | take(3) | switch_map([](std::uint64_t x) {
             return from_items<int>({static_cast<int>(x), 100});
           }) |
           filter([](int x) { return x != 100; });
  EXPECT_EQ(sim.block_on(collect_subscribe(std::move(s))), (items<int>{0, 1, 2}));
  EXPECT_TRUE(
      sim.block_on(collect(empty<int>() | switch_map([](int) { return empty<int>(); }))).empty());
  EXPECT_TRUE(
      sim.block_on(collect(from_items<int>({1, 2}) | switch_map([](int) { return empty<int>(); })))
          .empty());
}

TEST(MergeMap, MergesUpToTheLimit) {
  sim_runtime sim{4};
  auto src = timed_source<int>({{0, 10}, {5, 20}, {8, 30}, {100, std::nullopt}});
  auto s = std::move(src) | merge_map([](int base) { return ticks(base, 2, 10, 10); }, 2);
  auto out = sim.block_on(marble(std::move(s)));
  // 10: 11@10 12@20; 20: 21@15 22@25; 30 waits for a free slot (at 20): 31@30 32@40
  EXPECT_EQ(out, (std::vector<seen<int>>{V(10, 11), V(15, 21), V(20, 12), V(25, 22), V(30, 31),
                                         V(40, 32), End<int>(100)}));
}

TEST(MergeMap, AtTheSameInstantTheOlderInnerGoesFirst) {
  // limit 2: inner 0 ends at 5 and frees its slot for inner 2, started after inner 1. At 10 and
  // 20 inners 1 and 2 emit at the same instant: inner 1 (started first) goes first, as in RxJS.
  // Seed 0 runs ready work in FIFO order, so both items are there when the operator runs (with
  // another seed the operator may run between the two arrivals: see testing-with-sim.md).
  sim_runtime sim{0};
  auto s = from_items<int>({0, 10, 20}) |
           merge_map(
               [](int base) {
                 // inner 0: ends at 5; inner 10: 11@10 12@20; inner 20 (from 5): 21@10 22@20
                 return base == 0 ? ticks(0, 0, 5, 0) : ticks(base, 2, base == 10 ? 10 : 5, 10);
               },
               2);
  auto out = sim.block_on(marble(std::move(s)));
  EXPECT_EQ(out,
            (std::vector<seen<int>>{V(10, 11), V(10, 21), V(20, 12), V(20, 22), End<int>(20)}));
  // three inners: after a round (1, 2 at 10) a new instant starts again from the oldest
  auto t =
      from_items<int>({10, 20, 30}) |
      merge_map(
          [](int base) { return base == 30 ? ticks(base, 1, 20, 0) : ticks(base, 2, 10, 10); }, 3);
  sim_runtime sim2{0};
  EXPECT_EQ(sim2.block_on(marble(std::move(t))),
            (std::vector<seen<int>>{V(10, 11), V(10, 21), V(20, 12), V(20, 22), V(20, 31),
                                    End<int>(20)}));
}

TEST(MergeMap, ErrorsFromOuterAndInnerPass) {
  sim_runtime sim{5};
  auto s = from_items<int>({1, E(2), 3}) | merge_map(
                                               [](int x) {
                                                 return from_items<int>({x, E(x * 10)});
                                               },
                                               4);
  auto out = sim.block_on(collect(std::move(s)));
  EXPECT_EQ(out.size(), 5u);
  EXPECT_EQ(std::count(out.begin(), out.end(), item<int>(E(2))), 1);
  EXPECT_EQ(std::count(out.begin(), out.end(), item<int>(E(10))), 1);
  EXPECT_EQ(std::count(out.begin(), out.end(), item<int>(E(30))), 1);
  EXPECT_EQ(std::count(out.begin(), out.end(), item<int>(1)), 1);
  EXPECT_EQ(std::count(out.begin(), out.end(), item<int>(3)), 1);
}

TEST(MergeMap, ComposesEmptyAndBadLimit) {
  sim_runtime sim{6};
  auto s = from_items<int>({1, 2, 3}) |
           merge_map([](int x) { return ticks(x * 10, 2, x, 10); }, 3) |
           map([](int x) { return x + 1; });
  auto out = sim.block_on(collect_subscribe(std::move(s)));
  EXPECT_EQ(out, (items<int>{12, 22, 32, 13, 23, 33}));
  EXPECT_TRUE(
      sim.block_on(collect(empty<int>() | merge_map([](int) { return empty<int>(); }, 1))).empty());
  for (int limit : {0, -1}) {
    auto bad = sim.block_on(
        collect(from_items<int>({1}) | merge_map([](int) { return empty<int>(); }, limit)));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].error().code(), errc::invalid_argument);
  }
}

TEST(ConcatMap, InnerStreamsOneAfterAnother) {
  sim_runtime sim{7};
  auto src = timed_source<int>({{0, 10}, {5, 20}});
  auto s = std::move(src) | concat_map([](int base) { return ticks(base, 2, 10, 10); });
  auto out = sim.block_on(marble(std::move(s)));
  // 10: 11@10 12@20; then 20 (already waiting): 21@30 22@40
  EXPECT_EQ(out,
            (std::vector<seen<int>>{V(10, 11), V(20, 12), V(30, 21), V(40, 22), End<int>(40)}));
}

TEST(ConcatMap, SynchronousAndErrors) {
  local_runtime rt;
  auto s = from_items<int>({1, E(5), 2}) | concat_map([](int x) {
             return from_items<int>({x, E(x), x * 10});
           });
  EXPECT_EQ(rt.block_on(collect(std::move(s))), (items<int>{1, E(1), 10, E(5), 2, E(2), 20}));
}

TEST(ConcatMap, ComposesAndEmpty) {
  local_runtime rt;
  auto s = from_items<int>({1, 2, 3}) |
           concat_map([](int x) { return from_range(std::vector<int>(x, x)); }) | take(4);
  EXPECT_EQ(rt.block_on(collect_subscribe(std::move(s))), (items<int>{1, 2, 2, 3}));
  EXPECT_TRUE(
      rt.block_on(collect(empty<int>() | concat_map([](int) { return empty<int>(); }))).empty());
  EXPECT_TRUE(
      rt.block_on(collect(from_items<int>({1, 2}) | concat_map([](int) { return empty<int>(); })))
          .empty());
}

}  // namespace
}  // namespace eddy_stream_test::flatten_test
