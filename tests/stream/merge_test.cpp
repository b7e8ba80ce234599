// SPDX-License-Identifier: BSL-1.0
// merge (arrival order) and merge_with (stateful): values, errors, composition, empty.
#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::merge_test {
namespace {

using SI = stamped<int>;

TEST(Merge, SynchronousInputsTakeTurns) {
  local_runtime rt;
  auto out = rt.block_on(collect(from_items<int>({1, 2, 3}) | merge(from_items<int>({10, 20}))));
  EXPECT_EQ(out, (items<int>{1, 10, 2, 20, 3}));
}

TEST(Merge, ArrivalOrderOnVirtualTime) {
  sim_runtime sim{4};
  auto a = timed_source<int>({{10, 1}, {40, 4}, {50, std::nullopt}});
  auto b = timed_source<int>({{20, 2}, {30, 3}, {35, E(9)}, {60, 5}});
  auto out = sim.block_on(marble(std::move(a) | merge(std::move(b))));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(10, 1), V(20, 2), V(30, 3), Err<int>(35, 9), V(40, 4),
                                         V(60, 5), End<int>(60)}));
}

TEST(Merge, ErrorsPassAndEndNothing) {
  local_runtime rt;
  auto out = rt.block_on(collect(from_items<int>({1, E(1), 2}) | merge(from_items<int>({E(2)}))));
  EXPECT_EQ(out, (items<int>{1, E(2), E(1), 2}));
}

TEST(Merge, VectorFormAndComposition) {
  sim_runtime sim{2};
  std::vector<generator<int>> in;
  for (int k = 0; k < 3; ++k) in.push_back(timed_source<int>({{10 * (k + 1), k}, {100, k + 10}}));
  auto s = merge(std::move(in)) | map([](int x) { return x * 2; }) | take(5);
  auto out = sim.block_on(marble(std::move(s)));
  ASSERT_EQ(out.size(), 6u);
  EXPECT_EQ(out[0], V(10, 0));
  EXPECT_EQ(out[1], V(20, 2));
  EXPECT_EQ(out[2], V(30, 4));
  EXPECT_EQ(out[3].ms, 100);
  EXPECT_EQ(out[5], End<int>(100));
}

TEST(Merge, Empty) {
  local_runtime rt;
  EXPECT_TRUE(rt.block_on(collect(empty<int>() | merge(empty<int>(), empty<int>()))).empty());
  std::vector<decltype(empty<int>())> none;
  auto bad = rt.block_on(collect(merge(std::move(none))));
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].error().code(), errc::invalid_argument);
}

TEST(MergeWith, SharedStateAcrossInputsInTimestampOrder) {
  sim_runtime sim{1};
  auto dep = from_range(items<SI>{SI{10, at_ms(1)}, SI{5, at_ms(4)}});
  auto wd = from_range(items<SI>{SI{3, at_ms(2)}, SI{2, at_ms(5)}});
  auto s = merge_with(0)
               .merge(std::move(dep), [](SI v, int& sum) { return sum += v.value; })
               .merge(std::move(wd), [](SI v, int& sum) { return sum -= v.value; });
  auto out = sim.block_on(collect(std::move(s)));
  EXPECT_EQ(out, (items<int>{10, 7, 12, 10}));
}

TEST(MergeWith, KeepsTheSourceTimestampWhenFReturnsIt) {
  sim_runtime sim{1};
  auto a = stamped_source<int>({{10, 1}, {30, 3}});
  auto b = stamped_source<int>({{20, 2}});
  auto s = merge_with(std::string())
               .merge(std::move(a),
                      [](SI v, std::string& st) {
                        st += "a";
                        return stamped<std::string>{st + std::to_string(v.value), v.at};
                      })
               .merge(std::move(b), [](SI v, std::string& st) {
                 st += "b";
                 return stamped<std::string>{st + std::to_string(v.value), v.at};
               });
  auto out = sim.block_on(marble(std::move(s) | unstamp()));
  EXPECT_EQ(out,
            (std::vector<seen<std::string>>{V<std::string>(10, "a1"), V<std::string>(20, "ab2"),
                                            V<std::string>(30, "aba3"), End<std::string>(30)}));
}

TEST(MergeWith, ErrorsPassAndDoNotTouchTheState) {
  local_runtime rt;
  auto s = merge_with(100)
               .merge(from_items<int>({1, E(4), 2}), [](int v, int& st) { return st += v; })
               .merge(from_items<int>({E(5)}), [](int v, int& st) { return st *= v; });
  auto out = rt.block_on(collect(std::move(s)));
  EXPECT_EQ(out, (items<int>{E(5), 101, E(4), 103}));  // held error heads go first
}

TEST(MergeWith, ComposesAndEmpty) {
  local_runtime rt;
  auto s = merge_with(0).merge(from_items<int>({1, 2, 3}), [](int v, int& st) { return st += v; }) |
           filter([](int x) { return x > 1; });
  EXPECT_EQ(rt.block_on(collect_subscribe(std::move(s))), (items<int>{3, 6}));
  auto e = merge_with(0).merge(empty<int>(), [](int v, int&) { return v; });
  EXPECT_TRUE(rt.block_on(collect(std::move(e))).empty());
  auto none = rt.block_on(collect(merge_with(0)));
  ASSERT_EQ(none.size(), 1u);
  EXPECT_EQ(none[0].error().code(), errc::invalid_argument);
}

}  // namespace
}  // namespace eddy_stream_test::merge_test
