// SPDX-License-Identifier: BSL-1.0
// combine_latest, with_latest_from, zip: values, errors, composition, empty; output timestamps.
#include <sstream>

#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::combine_test {
namespace {

using SI = stamped<int>;
using SC = stamped<char>;

template <class C>
std::vector<std::string> show(const items<C>& v) {
  std::vector<std::string> out;
  for (auto& x : v) {
    std::ostringstream os;
    if (x.is_error()) {
      os << "E" << x.error().count();
    } else {
      const char* sep = "(";
      std::apply([&](const auto&... e) { ((os << sep << e.value, sep = ","), ...); },
                 x.value().values);
      os << ")t" << x.value().trigger << "@" << ms_of(x.value().timestamp());
    }
    out.push_back(os.str());
  }
  return out;
}

TEST(CombineLatest, EmitsOnceAllHaveAValueThenOnEveryValue) {
  sim_runtime sim{1};
  auto a = from_range(items<SI>{SI{1, at_ms(1)}, SI{2, at_ms(4)}, SI{3, at_ms(9)}});
  auto b = from_range(items<SI>{SI{10, at_ms(3)}, SI{20, at_ms(6)}, SI{30, at_ms(8)}});
  auto out = sim.block_on(collect(std::move(a) | combine_latest(std::move(b))));
  EXPECT_EQ(show(out), (std::vector<std::string>{"(1,10)t1@3", "(2,10)t0@4", "(2,20)t1@6",
                                                 "(2,30)t1@8", "(3,30)t0@9"}));
}

TEST(CombineLatest, ThreeInputsOnVirtualTimeWithTheTriggersTimestamp) {
  sim_runtime sim{7};
  auto a = stamped_source<int>({{10, 1}, {50, 2}});
  auto b = stamped_source<int>({{20, 10}});
  auto c = stamped_source<int>({{30, 100}, {40, 200}});
  auto s =
      std::move(a) | combine_latest(std::move(b), std::move(c)) | map([](const auto& x) {
        return x.template get<0>().value + x.template get<1>().value + x.template get<2>().value;
      });
  auto out = sim.block_on(marble(std::move(s)));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(30, 111), V(40, 211), V(50, 212), End<int>(50)}));
}

TEST(CombineLatest, FilterAndErrors) {
  sim_runtime sim{1};
  auto a = from_range(items<SI>{SI{1, at_ms(1)}, E(3), SI{2, at_ms(4)}, SI{3, at_ms(5)}});
  auto b = from_range(items<SI>{SI{10, at_ms(2)}});
  auto s = std::move(a) | combine_latest(std::move(b)).filter([](const auto& c) {
    return c.template get<0>().value != 2;
  });
  auto out = sim.block_on(collect(std::move(s)));
  // 1 only sets a's latest; then a's error head goes before b's 10 (errors go at once)
  EXPECT_EQ(show(out), (std::vector<std::string>{"E3", "(1,10)t1@2", "(3,10)t0@5"}));
}

TEST(CombineLatest, EndsWhenAnInputEndsWithoutAValueAndOnEmpty) {
  sim_runtime sim{1};
  auto a = from_range(stamped_ints(3, 1, 1, 1, 1));
  auto out = sim.block_on(collect(std::move(a) | combine_latest(from_range(items<SI>{}))));
  EXPECT_TRUE(out.empty());
  auto both =
      sim.block_on(collect(from_range(items<SI>{}) | combine_latest(from_range(items<SI>{}))));
  EXPECT_TRUE(both.empty());
}

TEST(CombineLatest, UntimestampedInputsTakeTurns) {
  local_runtime rt;
  auto s = from_items<int>({1, 2}) | combine_latest(from_items<char>({'a', 'b'})) |
           map([](const combined<int, char>& c) {
             return c.get<0>() * 100 + (c.get<1>() - 'a') * 10 + static_cast<int>(c.trigger);
           });
  auto out = rt.block_on(collect(std::move(s)));
  EXPECT_EQ(out, (items<int>{101, 200, 211}));
}

TEST(WithLatestFrom, EmitsOnlyWhenThePrimaryEmits) {
  sim_runtime sim{1};
  auto p =
      from_range(items<SI>{SI{1, at_ms(1)}, SI{2, at_ms(4)}, SI{3, at_ms(7)}, SI{4, at_ms(9)}});
  auto o = from_range(items<SI>{SI{10, at_ms(3)}, SI{20, at_ms(5)}, E(8), SI{30, at_ms(10)}});
  auto out = sim.block_on(collect(std::move(p) | with_latest_from(std::move(o))));
  // 1: no other value yet (dropped); 2 with 10; 20 arrives; E passes; 3 with 20; 4 with 20 (30 is
  // later)
  EXPECT_EQ(show(out), (std::vector<std::string>{"(2,10)t0@4", "E8", "(3,20)t0@7", "(4,20)t0@9"}));
}

TEST(WithLatestFrom, OnVirtualTimeEndsWithThePrimary) {
  sim_runtime sim{3};
  auto p = stamped_source<int>({{10, 1}, {30, 2}, {50, 3}, {60, std::nullopt}});
  auto o = stamped_source<int>({{20, 7}, {40, 8}, {70, 9}});
  auto s = std::move(p) | with_latest_from(std::move(o)) | map([](const auto& c) {
             return c.template get<0>().value * 10 + c.template get<1>().value;
           });
  auto out = sim.block_on(marble(std::move(s)));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(30, 27), V(50, 38), End<int>(60)}));
}

TEST(WithLatestFrom, Empty) {
  local_runtime rt;
  EXPECT_TRUE(rt.block_on(collect(empty<int>() | with_latest_from(from_items<int>({1})))).empty());
  EXPECT_TRUE(
      rt.block_on(collect(from_items<int>({1, 2}) | with_latest_from(empty<int>()))).empty());
}

TEST(Zip, PairsByPositionWithTheCompletingTimestamp) {
  sim_runtime sim{1};
  auto a = from_range(items<SI>{SI{1, at_ms(1)}, SI{2, at_ms(2)}, SI{3, at_ms(6)}});
  auto b = from_range(items<SI>{SI{10, at_ms(4)}, E(5), SI{20, at_ms(5)}});
  auto out = sim.block_on(collect(std::move(a) | zip(std::move(b))));
  EXPECT_EQ(show(out), (std::vector<std::string>{"(1,10)t1@4", "E5", "(2,20)t1@5"}));
}

TEST(Zip, OnVirtualTimeAndEndsWithTheShortestInput) {
  sim_runtime sim{8};
  auto a = timed_source<int>({{10, 1}, {20, 2}, {30, 3}});
  auto b = timed_source<char>({{15, 'x'}, {40, 'y'}, {45, std::nullopt}});
  auto s = std::move(a) | zip(std::move(b)) |
           map([](const combined<int, char>& c) { return c.get<0>() * 1000 + c.get<1>(); });
  auto out = sim.block_on(marble(std::move(s)));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(15, 1000 + 'x'), V(40, 2000 + 'y'), End<int>(45)}));
}

TEST(Zip, Empty) {
  local_runtime rt;
  EXPECT_TRUE(rt.block_on(collect(empty<int>() | zip(from_items<int>({1, 2})))).empty());
  auto three = from_items<int>({1, 2}) | zip(from_items<int>({3, 4}), from_items<int>({5}));
  auto out = rt.block_on(collect(std::move(three)));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].value().values, std::make_tuple(1, 3, 5));
}

}  // namespace
}  // namespace eddy_stream_test::combine_test
