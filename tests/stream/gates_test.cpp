// SPDX-License-Identifier: BSL-1.0
// emit_when, take_latest_when, take_while_with: values, errors, composition, empty.
#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::gates_test {
namespace {

using SI = stamped<int>;
using SB = stamped<bool>;

TEST(EmitWhen, GateReevaluatedOnSourceAndFilterUpdates) {
  sim_runtime sim{1};
  auto src = from_range(items<SI>{SI{1, at_ms(1)}, SI{2, at_ms(4)}, SI{3, at_ms(8)}});
  auto flt = from_range(items<SB>{SB{true, at_ms(3)}, SB{false, at_ms(5)}, SB{true, at_ms(7)}});
  auto s =
      std::move(src) | emit_when(std::move(flt), [](const SI&, const SB& f) { return f.value; });
  auto out = sim.block_on(collect(std::move(s)));
  // @3 the filter opens: 1, stamped 3 (the filter caused it); @4 2 (its own 4); @5 closed;
  // @7 opens: 2 again, stamped 7; @8 3. The output's timestamps never go backwards.
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].value(), (SI{1, at_ms(3)}));
  EXPECT_EQ(out[1].value(), (SI{2, at_ms(4)}));
  EXPECT_EQ(out[2].value(), (SI{2, at_ms(7)}));
  EXPECT_EQ(out[3].value(), (SI{3, at_ms(8)}));
}

TEST(EmitWhen, FilterCausedEmissionsAreMergedDownstreamInOrder) {
  sim_runtime sim{1};
  using QI = sequenced<int>;
  auto src = from_range(items<QI>{QI{1, 1}, QI{2, 6}});
  auto flt = from_range(items<QI>{QI{0, 0}, QI{1, 4}});
  auto other = from_range(items<QI>{QI{100, 2}, QI{101, 5}});
  // the filter's update at #4 re-emits 1 (#1) as #4: it goes after 100 (#2), before 101 (#5)
  auto s = std::move(src) |
           emit_when(std::move(flt), [](const QI&, const QI& f) { return f.value == 1; }) |
           ordered_merge(std::move(other));
  auto out = sim.block_on(collect(std::move(s)));
  EXPECT_EQ(out, (items<QI>{QI{100, 2}, QI{1, 4}, QI{101, 5}, QI{2, 6}}));
}

TEST(EmitWhen, OnVirtualTimeWithErrorsEndsWithTheSource) {
  sim_runtime sim{2};
  auto src = stamped_source<int>({{10, 5}, {30, 15}, {35, E(1)}, {50, 25}, {60, std::nullopt}});
  auto flt = stamped_source<int>({{20, 10}, {40, 20}, {70, 0}});
  // gate: source value above the threshold
  auto s = std::move(src) |
           emit_when(std::move(flt), [](const SI& v, const SI& th) { return v.value > th.value; }) |
           unstamp();
  auto out = sim.block_on(marble(std::move(s)));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(30, 15), Err<int>(35, 1), V(50, 25), End<int>(60)}));
}

TEST(EmitWhen, Empty) {
  local_runtime rt;
  auto s = empty<int>() | emit_when(from_items<int>({1}), [](int, int) { return true; });
  EXPECT_TRUE(rt.block_on(collect(std::move(s))).empty());
  auto t = from_items<int>({1, 2}) | emit_when(empty<int>(), [](int, int) { return true; });
  EXPECT_TRUE(rt.block_on(collect(std::move(t))).empty());
}

TEST(TakeLatestWhen, EmitsTheLatestSourceValueOnPassingTriggers) {
  sim_runtime sim{1};
  auto src = from_range(items<SI>{SI{1, at_ms(1)}, SI{2, at_ms(2)}, SI{3, at_ms(6)}});
  auto trg = from_range(items<SI>{SI{0, at_ms(0)}, SI{1, at_ms(4)}, SI{0, at_ms(5)},
                                  SI{1, at_ms(7)}, SI{1, at_ms(8)}});
  auto s =
      std::move(src) | take_latest_when(std::move(trg), [](const SI& t) { return t.value == 1; });
  auto out = sim.block_on(collect(std::move(s)));
  // @0 no source yet; @4 -> 2; @5 fails; @7 -> 3; @8 -> 3 again: each stamped with the
  // trigger's timestamp, so the output never goes backwards in time
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].value(), (SI{2, at_ms(4)}));
  EXPECT_EQ(out[1].value(), (SI{3, at_ms(7)}));
  EXPECT_EQ(out[2].value(), (SI{3, at_ms(8)}));
}

TEST(TakeLatestWhen, OutputIsMergedDownstreamInTriggerOrder) {
  sim_runtime sim{1};
  auto src = from_range(items<SI>{SI{1, at_ms(1)}});
  auto trg = from_range(items<SI>{SI{0, at_ms(10)}});
  auto other = from_range(items<SI>{SI{2, at_ms(5)}});
  // 1 is emitted because of the trigger at 10: after 2 (at 5) in an ordered merge
  auto s = std::move(src) | take_latest_when(std::move(trg), [](const SI&) { return true; }) |
           ordered_merge(std::move(other));
  auto out = sim.block_on(collect(std::move(s)));
  EXPECT_EQ(out, (items<SI>{SI{2, at_ms(5)}, SI{1, at_ms(10)}}));
}

/// A user type that is timestamped and provides the re-stamping hook.
struct reading {
  int v = 0;
  std::int64_t t = 0;
  std::int64_t timestamp() const noexcept { return t; }
  void restamp(std::int64_t ts) noexcept { t = ts; }
  friend bool operator==(const reading&, const reading&) = default;
};

TEST(TakeLatestWhen, UserTypesAreRestampedThroughTheirHook) {
  static_assert(restampable<reading> && restampable<SI> && restampable<sequenced<int>>);
  static_assert(!restampable<int>);
  local_runtime rt;
  auto s = from_range(items<reading>{reading{7, 1}, reading{8, 3}}) |
           take_latest_when(from_range(items<reading>{reading{0, 2}, reading{0, 5}}),
                            [](const reading&) { return true; });
  EXPECT_EQ(rt.block_on(collect(std::move(s))), (items<reading>{reading{7, 2}, reading{8, 5}}));
}

TEST(TakeLatestWhen, OnVirtualTimeErrorsAndEnd) {
  sim_runtime sim{5};
  auto src = timed_source<int>({{10, 1}, {20, 2}, {25, E(4)}, {60, std::nullopt}});
  auto trg = timed_source<int>({{30, 1}, {40, 1}, {50, std::nullopt}});
  auto s = std::move(src) | take_latest_when(std::move(trg), [](int) { return true; });
  auto out = sim.block_on(marble(std::move(s)));
  EXPECT_EQ(out, (std::vector<seen<int>>{Err<int>(25, 4), V(30, 2), V(40, 2), End<int>(50)}));
  // the source ending ends the output too
  auto src2 = timed_source<int>({{10, 1}, {20, std::nullopt}});
  auto trg2 = timed_source<int>({{30, 1}});
  sim_runtime sim2{5};
  auto out2 = sim2.block_on(
      marble(std::move(src2) | take_latest_when(std::move(trg2), [](int) { return true; })));
  EXPECT_EQ(out2, (std::vector<seen<int>>{End<int>(20)}));
}

TEST(TakeLatestWhen, ComposesAndEmpty) {
  local_runtime rt;
  auto s = empty<int>() | take_latest_when(from_items<int>({1, 1}), [](int) { return true; });
  EXPECT_TRUE(rt.block_on(collect(std::move(s))).empty());
  auto t = from_items<int>({1, 2}) | take_latest_when(empty<int>(), [](int) { return true; }) |
           map([](int x) { return x + 1; });
  EXPECT_TRUE(rt.block_on(collect_subscribe(std::move(t))).empty());
}

TEST(TakeWhileWith, PassesWhileTheFilterHoldsThenEnds) {
  sim_runtime sim{1};
  auto src = from_range(items<SI>{SI{0, at_ms(0)}, SI{1, at_ms(2)}, SI{2, at_ms(3)},
                                  SI{3, at_ms(5)}, SI{4, at_ms(6)}, SI{5, at_ms(9)}});
  auto flt = from_range(items<SB>{SB{true, at_ms(1)}, SB{true, at_ms(4)}, SB{false, at_ms(8)}});
  auto s = std::move(src) | take_while_with(std::move(flt), [](const SB& f) { return f.value; });
  auto out = sim.block_on(collect(std::move(s) | unstamp()));
  EXPECT_EQ(out, (items<int>{1, 2, 3, 4}));  // 0 precedes any filter value; @8 the filter fails
}

TEST(TakeWhileWith, OnVirtualTimeEndsAtOnceWhenTheFilterFails) {
  sim_runtime sim{6};
  auto src = timed_source<int>({{10, 1}, {20, E(2)}, {30, 3}, {100, 4}});
  auto flt = timed_source<bool>({{5, true}, {50, false}});
  auto s = std::move(src) | take_while_with(std::move(flt), [](bool f) { return f; });
  auto out = sim.block_on(marble(std::move(s)));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(10, 1), Err<int>(20, 2), V(30, 3), End<int>(50)}));
  sim.run();
  EXPECT_EQ(sim.live_tasks(), 0u);  // the source's pending pull was stopped
}

TEST(TakeWhileWith, Empty) {
  local_runtime rt;
  auto s = empty<int>() | take_while_with(from_items<bool>({true}), [](bool f) { return f; });
  EXPECT_TRUE(rt.block_on(collect(std::move(s))).empty());
  auto t = from_items<int>({1, 2}) | take_while_with(empty<bool>(), [](bool f) { return f; });
  EXPECT_TRUE(rt.block_on(collect(std::move(t))).empty());
}

}  // namespace
}  // namespace eddy_stream_test::gates_test
