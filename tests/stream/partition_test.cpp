// SPDX-License-Identifier: BSL-1.0
// partition: routing, errors to both, end, dropping a side, backpressure, composition, empty.
#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::partition_test {
namespace {

auto is_odd() {
  return [](int x) { return x % 2 != 0; };
}

TEST(Partition, SplitsValuesAndSendsErrorsToBoth) {
  local_runtime rt;
  auto out = rt.block_on([]() -> task<std::pair<items<int>, items<int>>> {
    auto [odd, even] = from_items<int>({1, 2, E(7), 3, 4}) | partition(is_odd());
    auto o = co_await collect(std::move(odd));
    auto e = co_await collect(std::move(even));
    co_return std::pair{o, e};
  }());
  EXPECT_EQ(out.first, (items<int>{1, E(7), 3}));
  EXPECT_EQ(out.second, (items<int>{2, E(7), 4}));
}

TEST(Partition, BothSidesConcurrentlyOnVirtualTime) {
  sim_runtime sim{3};
  auto out = sim.block_on([]() -> task<std::pair<std::vector<seen<int>>, std::vector<seen<int>>>> {
    auto src = timed_source<int>({{10, 1}, {20, 2}, {25, E(4)}, {30, 3}, {40, std::nullopt}});
    auto [odd, even] = std::move(src) | partition(is_odd(), buffer_policy::wait(1));
    auto h = spawn(marble(std::move(even)));
    auto o = co_await marble(std::move(odd));
    auto e = co_await h;
    co_return std::pair{o, e.value()};
  }());
  EXPECT_EQ(out.first, (std::vector<seen<int>>{V(10, 1), Err<int>(25, 4), V(30, 3), End<int>(40)}));
  EXPECT_EQ(out.second, (std::vector<seen<int>>{V(20, 2), Err<int>(25, 4), End<int>(40)}));
}

TEST(Partition, DroppingOneSideIsSafe) {
  sim_runtime sim{4};
  auto out = sim.block_on([]() -> task<items<int>> {
    auto [odd, even] = from_range(std::vector<int>{1, 2, 3, 4, 5, 6}) |
                       partition(is_odd(), buffer_policy::wait(1));
    { auto gone = std::move(even); }
    co_return co_await collect(std::move(odd));
  }());
  EXPECT_EQ(out, (items<int>{1, 3, 5}));
}

TEST(Partition, WaitPolicyHoldsAnItemForTheFullSide) {
  sim_runtime sim{5};
  sim.block_on([]() -> task<void> {
    auto [odd, even] =
        from_range(std::vector<int>{2, 4, 1, 6, 3}) | partition(is_odd(), buffer_policy::wait(1));
    // odd pulls: 2 goes to even (room 1), 4 is held for even (full): odd waits for even.
    auto first_odd = spawn([](auto s) -> task<int> {
      auto r = co_await s.next();
      co_return r->value();
    }(std::move(odd)));
    co_await sleep(1ms);
    EXPECT_FALSE(first_odd.is_finished());
    auto e1 = co_await even.next();
    EXPECT_EQ(e1->value(), 2);
    auto o = co_await first_odd;
    EXPECT_EQ(o.value(), 1);
    {
      auto got_ = co_await collect(std::move(even));
      EXPECT_EQ(got_, (items<int>{4, 6}));
    }
  }());
}

TEST(Partition, DropPoliciesCount) {
  local_runtime rt;
  rt.block_on([]() -> task<void> {
    auto [odd, even] = from_range(std::vector<int>{1, 2, 4, 6, 8, 3, 10}) |
                       partition(is_odd(), buffer_policy::drop_oldest(2));
    {
      auto got_ = co_await collect(std::move(odd));
      EXPECT_EQ(got_, (items<int>{1, 3}));
    }
    EXPECT_EQ(even.dropped(), 3u);
    {
      auto got_ = co_await collect(std::move(even));
      EXPECT_EQ(got_, (items<int>{8, 10}));
    }
  }());
}

TEST(Partition, ComposesEmptyAndBadCapacity) {
  local_runtime rt;
  rt.block_on([]() -> task<void> {
    auto [a, b] =
        from_items<int>({1, 2, 3}) | map([](int x) { return x * 3; }) | partition(is_odd());
    {
      auto got_ = co_await collect(std::move(a) | map([](int x) { return x + 1; }));
      EXPECT_EQ(got_, (items<int>{4, 10}));
    }
    {
      auto got_ = co_await collect(std::move(b));
      EXPECT_EQ(got_, (items<int>{{6}}));
    }
    auto [c, d] = empty<int>() | partition(is_odd());
    {
      auto got_ = co_await collect(std::move(c));
      EXPECT_TRUE(got_.empty());
    }
    {
      auto got_ = co_await collect(std::move(d));
      EXPECT_TRUE(got_.empty());
    }
    auto [x, y] = from_items<int>({1}) | partition(is_odd(), buffer_policy::wait(0));
    auto bx = co_await collect(std::move(x));
    auto by = co_await collect(std::move(y));
    EXPECT_EQ(bx.size(), 1u);
    EXPECT_EQ(bx[0].error().code(), errc::invalid_argument);
    EXPECT_EQ(by[0].error().code(), errc::invalid_argument);
  }());
}

TEST(Partition, ThrowingPredicateGivesAnErrorToBoth) {
#if EDDY_HAS_EXCEPTIONS
  local_runtime rt;
  rt.block_on([]() -> task<void> {
    auto [a, b] = from_items<int>({1, 2}) | partition([](int x) -> bool {
                    if (x == 2) throw std::runtime_error("no");
                    return true;
                  });
    auto ra = co_await collect(std::move(a));
    auto rb = co_await collect(std::move(b));
    EXPECT_EQ(ra.size(), 2u);
    if (ra.size() != 2u) co_return;
    EXPECT_EQ(ra[1].error().code(), errc::exception);
    EXPECT_EQ(rb.size(), 1u);
    if (rb.size() != 1u) co_return;
    EXPECT_EQ(rb[0].error().code(), errc::exception);
  }());
#endif
}

}  // namespace
}  // namespace eddy_stream_test::partition_test
