// SPDX-License-Identifier: BSL-1.0
// emit_when, take_latest_when, take_while_with: values, errors, composition, empty.
#include "stream/stream_test_util.hpp"

namespace eddy_stream_test {
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
  // @3 filter opens: 1 (its own timestamp 1); @4 2; @5 closed; @7 opens: 2 again; @8 3
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].value(), (SI{1, at_ms(1)}));
  EXPECT_EQ(out[1].value(), (SI{2, at_ms(4)}));
  EXPECT_EQ(out[2].value(), (SI{2, at_ms(4)}));
  EXPECT_EQ(out[3].value(), (SI{3, at_ms(8)}));
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
  // @0 no source yet; @4 -> 2 (timestamp 2); @5 fails; @7 -> 3; @8 -> 3 again
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].value(), (SI{2, at_ms(2)}));
  EXPECT_EQ(out[1].value(), (SI{3, at_ms(6)}));
  EXPECT_EQ(out[2].value(), (SI{3, at_ms(6)}));
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
}  // namespace eddy_stream_test
