// SPDX-License-Identifier: BSL-1.0
// The lifecycle operators: take_until, skip_until, finally / on_completion, on_start, defer,
// concat, catch_error, repeat. Values, errors, composition, the empty stream and bad input;
// the two-input ones on virtual time (sim_runtime, distinct instants: independent of the seed).
#include <memory>
#include <stdexcept>
#include <string>

#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::lifecycle_test {
namespace {

const error invalid{errc::invalid_argument};
const error exception_error{errc::exception};

// ---------------------------------------------------------------- take_until
TEST(LifecycleTakeUntil, EndsAtTheSignalsFirstValueOnVirtualTime) {
  sim_runtime sim{3};
  auto src =
      timed_source<int>({{10, 1}, {20, 2}, {25, E(1)}, {30, 3}, {50, 4}, {60, std::nullopt}});
  auto sig = timed_source<std::string>({{40, std::string("x")}, {45, std::string("y")}});
  auto out = sim.block_on(marble(std::move(src) | take_until(std::move(sig))));
  EXPECT_EQ(out,
            (std::vector<seen<int>>{V(10, 1), V(20, 2), Err<int>(25, 1), V(30, 3), End<int>(40)}));
}

TEST(LifecycleTakeUntil, ASignalThatEndsWithoutAValueChangesNothing) {
  sim_runtime sim{4};
  auto src = timed_source<int>({{10, 1}, {30, 2}, {40, std::nullopt}});
  auto sig = timed_source<int>({{20, std::nullopt}});
  auto out = sim.block_on(marble(std::move(src) | take_until(std::move(sig))));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(10, 1), V(30, 2), End<int>(40)}));
}

TEST(LifecycleTakeUntil, SignalErrorsPassThroughAndTimestampsOrderTies) {
  sim_runtime sim{5};
  using SI = stamped<int>;
  // timestamped inputs, read synchronously: order by timestamp, a tie goes to the source
  auto src = from_range(stamped_ints(5, 1, 1, 10, 10));  // 1@10 2@20 3@30 4@40 5@50
  auto sig = from_range(items<SI>{E(7), SI{0, at_ms(30)}});
  auto out = sim.block_on(collect(std::move(src) | take_until(std::move(sig)) | unstamp()));
  EXPECT_EQ(out, (items<int>{E(7), 1, 2, 3}));
}

TEST(LifecycleTakeUntil, ComposesAndEmpty) {
  sim_runtime sim{6};
  auto s = timed_source<int>({{10, 1}, {20, 2}, {30, 3}, {40, 4}}) |
           map([](int x) { return x * 10; }) | take_until(timed_source<int>({{35, 0}})) |
           filter([](int x) { return x != 20; });
  EXPECT_EQ(sim.block_on(marble(std::move(s))),
            (std::vector<seen<int>>{V(10, 10), V(30, 30), End<int>(35)}));
  local_runtime rt;
  EXPECT_TRUE(rt.block_on(collect(empty<int>() | take_until(from_items<int>({1})))).empty());
  EXPECT_EQ(rt.block_on(collect(from_items<int>({1, 2}) | take_until(empty<int>()))),
            (items<int>{1, 2}));
}

// ---------------------------------------------------------------- skip_until
TEST(LifecycleSkipUntil, OpensAtTheSignalsFirstValueOnVirtualTime) {
  sim_runtime sim{7};
  auto src =
      timed_source<int>({{10, 1}, {20, E(2)}, {30, 3}, {50, 4}, {60, 5}, {70, std::nullopt}});
  auto sig = timed_source<int>({{40, 0}, {55, 1}});
  auto out = sim.block_on(marble(std::move(src) | skip_until(std::move(sig))));
  // source errors are never dropped; values before 40 are
  EXPECT_EQ(out, (std::vector<seen<int>>{Err<int>(20, 2), V(50, 4), V(60, 5), End<int>(70)}));
}

TEST(LifecycleSkipUntil, ASignalWithoutAValueKeepsItClosed) {
  sim_runtime sim{8};
  auto src = timed_source<int>({{10, 1}, {30, 2}, {40, std::nullopt}});
  auto out =
      sim.block_on(marble(std::move(src) | skip_until(timed_source<int>({{20, std::nullopt}}))));
  EXPECT_EQ(out, (std::vector<seen<int>>{End<int>(40)}));
}

TEST(LifecycleSkipUntil, TimestampTiesGoToTheSourceAndAreDropped) {
  sim_runtime sim{9};
  using SI = stamped<int>;
  auto src = from_range(stamped_ints(5, 1, 1, 10, 10));  // 1@10 .. 5@50
  auto sig = from_range(items<SI>{SI{0, at_ms(30)}, SI{0, at_ms(45)}});
  auto out = sim.block_on(collect(std::move(src) | skip_until(std::move(sig)) | unstamp()));
  EXPECT_EQ(out, (items<int>{4, 5}));
}

TEST(LifecycleSkipUntil, ComposesAndEmpty) {
  sim_runtime sim{10};
  auto s = timed_source<int>({{10, 1}, {20, 2}, {30, 3}, {40, 4}, {45, std::nullopt}}) |
           skip_until(timed_source<int>({{15, 0}})) | map([](int x) { return x + 1; }) | take(2);
  EXPECT_EQ(sim.block_on(marble(std::move(s))),
            (std::vector<seen<int>>{V(20, 3), V(30, 4), End<int>(30)}));
  local_runtime rt;
  EXPECT_TRUE(rt.block_on(collect(empty<int>() | skip_until(from_items<int>({1})))).empty());
  EXPECT_TRUE(rt.block_on(collect(from_items<int>({1, 2}) | skip_until(empty<int>()))).empty());
}

// ---------------------------------------------------------------- finally / on_completion
TEST(LifecycleFinally, RunsOnceBeforeTheEndIsReported) {
  both([]() -> task<std::vector<int>> {
    auto calls = std::make_shared<int>(0);
    std::vector<int> seen_calls;  // the call count when each item or the end arrived
    auto s = async_items<int>(L(1, E(1), 2)) | finally([calls] { ++*calls; });
    while (auto r = co_await s.next()) seen_calls.push_back(*calls);
    seen_calls.push_back(*calls);
    EXPECT_FALSE(co_await s.next());  // fused: no second call
    seen_calls.push_back(*calls);
    co_return seen_calls;
  });
  local_runtime rt;
  auto calls = std::make_shared<int>(0);
  auto out = rt.block_on(collect(from_items<int>({1, E(2)}) | map([](int x) { return x + 1; }) |
                                 on_completion([calls] { ++*calls; }) | take(5)));
  EXPECT_EQ(out, (items<int>{2, E(2)}));
  EXPECT_EQ(*calls, 1);
}

TEST(LifecycleFinally, ValuesBeforeTheEndSeeNoCall) {
  local_runtime rt;
  auto calls = std::make_shared<int>(0);
  auto s = from_items<int>({1, 2}) | finally([calls] { ++*calls; });
  auto r = rt.block_on([](auto& s, std::shared_ptr<int> c) -> task<std::vector<int>> {
    std::vector<int> v;
    while (auto x = co_await s.next()) v.push_back(*c);
    v.push_back(*c);
    co_return v;
  }(s, calls));
  EXPECT_EQ(r, (std::vector<int>{0, 0, 1}));
}

TEST(LifecycleFinally, RunsOnceWhenDestroyedWithoutEndingAndMovesTheDuty) {
  auto calls = std::make_shared<int>(0);
  {
    local_runtime rt;
    auto s = from_items<int>({1, 2, 3}) | finally([calls] { ++*calls; });
    auto first = rt.block_on(
        [](auto& s) -> task<std::optional<item<int>>> { co_return co_await s.next(); }(s));
    EXPECT_EQ(*first, item<int>(1));
    auto moved = std::move(s);  // the moved-from one must not call f
    EXPECT_EQ(*calls, 0);
  }
  EXPECT_EQ(*calls, 1);
  {
    auto never = empty<int>() | finally([calls] { ++*calls; });  // never pulled
  }
  EXPECT_EQ(*calls, 2);
  {
    local_runtime rt;
    auto ended = empty<int>() | finally([calls] { ++*calls; });
    EXPECT_TRUE(rt.block_on(collect(std::move(ended))).empty());  // ran at the end, not again
  }
  EXPECT_EQ(*calls, 3);
}

#if EDDY_HAS_EXCEPTIONS
TEST(LifecycleFinally, AThrowingFBecomesAnErrorBeforeTheEnd) {
  check_all(
      items<int>{1},
      [](auto s) { return std::move(s) | finally([] { throw std::runtime_error("x"); }); },
      items<int>{1, exception_error});
}
#endif

// ---------------------------------------------------------------- on_start
TEST(LifecycleOnStart, RunsOnceAtTheFirstPull) {
  check_all(
      items<int>{1, E(1), 2}, [](auto s) { return std::move(s) | on_start([] {}); },
      items<int>{1, E(1), 2});
  local_runtime rt;
  auto calls = std::make_shared<int>(0);
  auto s =
      from_items<int>({1, 2}) | on_start([calls] { ++*calls; }) | map([](int x) { return x * 2; });
  EXPECT_EQ(*calls, 0);  // building does not call it
  auto r = rt.block_on([](auto& s, std::shared_ptr<int> c) -> task<std::vector<int>> {
    std::vector<int> v;
    while (auto x = co_await s.next()) v.push_back(*c * 100 + x->value());
    co_return v;
  }(s, calls));
  EXPECT_EQ(r, (std::vector<int>{102, 104}));
  EXPECT_EQ(*calls, 1);
  EXPECT_TRUE(rt.block_on(collect(empty<int>() | on_start([calls] { ++*calls; }))).empty());
  EXPECT_EQ(*calls, 2);  // the empty stream's first pull calls it too
}

#if EDDY_HAS_EXCEPTIONS
TEST(LifecycleOnStart, AThrowingFIsAnErrorItemFirst) {
  check_all(
      items<int>{1, 2},
      [](auto s) { return std::move(s) | on_start([] { throw std::runtime_error("x"); }); },
      items<int>{exception_error, 1, 2});
}
#endif

// ---------------------------------------------------------------- defer
TEST(LifecycleDefer, CallsTheFactoryAtTheFirstPull) {
  local_runtime rt;
  auto calls = std::make_shared<int>(0);
  auto s = defer([calls] {
             ++*calls;
             return from_items<int>({1, E(3), 2});
           }) |
           map([](int x) { return x + 1; });
  EXPECT_EQ(*calls, 0);
  EXPECT_EQ(rt.block_on(collect(std::move(s))), (items<int>{2, E(3), 3}));
  EXPECT_EQ(*calls, 1);
  EXPECT_EQ(both([] { return collect(defer([] { return async_items<int>(L(1, 2)); })); }),
            (items<int>{1, 2}));
  EXPECT_TRUE(rt.block_on(collect(defer([] { return empty<int>(); }))).empty());
}

#if EDDY_HAS_EXCEPTIONS
TEST(LifecycleDefer, AThrowingFactoryIsAnErrorThenTheEnd) {
  local_runtime rt;
  auto s = defer([]() -> decltype(from_items<int>({})) { throw std::runtime_error("x"); });
  EXPECT_EQ(rt.block_on(collect(std::move(s))), (items<int>{exception_error}));
}
#endif

// ---------------------------------------------------------------- concat
TEST(LifecycleConcat, StreamsOfDifferentTypesOneAfterAnother) {
  auto out = both([] {
    return collect(concat(from_items<int>({1, E(1)}), async_items<int>(L(2, 3)), just(4),
                          plain_source<int>(L(E(2), 5))));
  });
  EXPECT_EQ(out, (items<int>{1, E(1), 2, 3, 4, E(2), 5}));
  auto sub = both([] {
    return collect_subscribe(concat(async_items<int>(L(1)), from_items<int>({2, 3})));
  });
  EXPECT_EQ(sub, (items<int>{1, 2, 3}));
}

TEST(LifecycleConcat, PullsTheNextStreamOnlyAfterThePreviousEnded) {
  sim_runtime sim{11};
  auto calls = std::make_shared<int>(0);
  auto second = defer([calls] {
    ++*calls;
    return timed_source<int>({{ms_of(now()) + 5, 9}});  // 5 ms after it was first pulled
  });
  auto out = sim.block_on(
      marble(concat(timed_source<int>({{10, 1}, {20, std::nullopt}}), std::move(second))));
  // the second stream was first pulled at 20, when the first one had ended
  EXPECT_EQ(out, (std::vector<seen<int>>{V(10, 1), V(25, 9), End<int>(25)}));
  EXPECT_EQ(*calls, 1);
}

TEST(LifecycleConcat, ComposesAndEmpty) {
  local_runtime rt;
  EXPECT_EQ(rt.block_on(collect(concat(from_items<int>({1, 2}), from_items<int>({3, 4})) |
                                map([](int x) { return x * 10; }) | take(3))),
            (items<int>{10, 20, 30}));
  EXPECT_TRUE(rt.block_on(collect(concat(empty<int>(), empty<int>(), empty<int>()))).empty());
  EXPECT_EQ(rt.block_on(collect(concat(empty<int>(), just(7), empty<int>()))), (items<int>{7}));
  EXPECT_EQ(rt.block_on(collect(concat(just(7)))), (items<int>{7}));
}

// ---------------------------------------------------------------- catch_error
TEST(LifecycleCatchError, SwitchesToTheFallbackOnTheFirstError) {
  check_all(
      items<int>{1, 2, E(5), 3},
      [](auto s) {
        return std::move(s) | catch_error([](error e) {
                 return from_items<int>({static_cast<int>(e.count()) * 10, E(6), 8});
               });
      },
      items<int>{1, 2, 50, E(6), 8});
  check_all(
      items<int>{1, 2},
      [](auto s) { return std::move(s) | catch_error([](error) { return just(9); }); },
      items<int>{1, 2});
}

TEST(LifecycleCatchError, AsynchronousFallbackOnVirtualTime) {
  sim_runtime sim{12};
  auto s = timed_source<int>({{10, 1}, {20, E(1)}, {30, 2}}) | catch_error([](error) {
             return timed_source<int>({{40, 7}, {50, E(2)}, {60, 8}, {70, std::nullopt}});
           }) |
           catch_error([](error) { return just(100); });
  EXPECT_EQ(sim.block_on(marble(std::move(s))),
            (std::vector<seen<int>>{V(10, 1), V(40, 7), V(50, 100), End<int>(50)}));
}

TEST(LifecycleCatchError, ComposesAndEmpty) {
  local_runtime rt;
  auto s = from_items<int>({1, 2, 3}) | map([](int x) -> int { return x; }) |
           filter([](int x) { return x != 2; }) | start_with(item<int>(E(1))) |
           catch_error([](error) {
             return from_items<int>({4, 5});
           }) |
           take(1);
  EXPECT_EQ(rt.block_on(collect(std::move(s))), (items<int>{4}));
  EXPECT_TRUE(
      rt.block_on(collect(empty<int>() | catch_error([](error) { return just(1); }))).empty());
  EXPECT_TRUE(
      rt.block_on(collect(just(item<int>(E(1))) | catch_error([](error) { return empty<int>(); })))
          .empty());
}

#if EDDY_HAS_EXCEPTIONS
TEST(LifecycleCatchError, AThrowingFIsAnErrorThenTheEnd) {
  check_all(
      items<int>{1, E(1), 2},
      [](auto s) {
        return std::move(s) |
               catch_error([](error) -> decltype(just(0)) { throw std::runtime_error("x"); });
      },
      items<int>{1, exception_error});
}
#endif

// ---------------------------------------------------------------- repeat
TEST(LifecycleRepeat, RepeatsTheSourceNTimes) {
  local_runtime rt;
  EXPECT_EQ(rt.block_on(collect(from_items<int>({1, E(1), 2}) | repeat(3))),
            (items<int>{1, E(1), 2, 1, E(1), 2, 1, E(1), 2}));
  EXPECT_EQ(rt.block_on(collect(from_items<int>({1, 2}) | repeat(1))), (items<int>{1, 2}));
  EXPECT_TRUE(rt.block_on(collect(from_items<int>({1, 2}) | repeat(0))).empty());
  EXPECT_TRUE(rt.block_on(collect(empty<int>() | repeat(5))).empty());
  EXPECT_EQ(rt.block_on(collect_subscribe(from_items<int>({1}) | repeat(2u))), (items<int>{1, 1}));
}

TEST(LifecycleRepeat, ComposesAndBadInput) {
  local_runtime rt;
  EXPECT_EQ(rt.block_on(collect(from_items<int>({1, 2, 3}) | filter([](int x) { return x != 2; }) |
                                repeat(2) | map([](int x) { return x * 10; }) | take(3))),
            (items<int>{10, 30, 10}));
  EXPECT_EQ(rt.block_on(collect(from_items<int>({1, 2}) | repeat(-1))), (items<int>{invalid}));
  // rounds over a source without a synchronous path (each copy starts from the beginning)
  EXPECT_EQ(both([] { return collect(plain_source<int>(L(1, E(2))) | repeat(2)); }),
            (items<int>{1, E(2), 1, E(2)}));
}

}  // namespace
}  // namespace eddy_stream_test::lifecycle_test
