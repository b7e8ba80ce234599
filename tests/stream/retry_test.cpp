// SPDX-License-Identifier: BSL-1.0
// retry with a delay per attempt (exact virtual times on sim_runtime), reset_on_success, the
// ready-made delays, the pipeable form, bad input, cancellation during a delay. The untimed
// retry(n, factory) is tested in operators_test.cpp.
#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::retry_test {
namespace {

using log_t = std::vector<std::int64_t>;

/// One attempt: logs the time it is first pulled, then yields `its`, each `step_ms` after the
/// previous one.
generator<int> attempt(std::shared_ptr<log_t> log, items<int> its, std::int64_t step_ms) {
  log->push_back(ms_of(now()));
  for (auto& x : its) {
    co_await sleep(std::chrono::milliseconds(step_ms));
    co_yield std::move(x);
  }
}

/// A factory whose k-th attempt gives `runs[k]` (the last one repeats), `step_ms` apart.
struct timed_factory {
  std::shared_ptr<log_t> log;
  std::vector<items<int>> runs;
  std::int64_t step_ms = 0;
  std::size_t calls = 0;
  generator<int> operator()() {
    const std::size_t k = calls < runs.size() ? calls : runs.size() - 1;
    ++calls;
    return attempt(log, runs[k], step_ms);
  }
};

log_t L64(std::initializer_list<std::int64_t> v) {
  return log_t(v);
}

TEST(RetryTimed, ConstantDelayExactTimesThenTheLastErrorEnds) {
  // The file comment's marble: an error 5ms after each subscription, 10ms between attempts.
  sim_runtime sim{1};
  auto log = std::make_shared<log_t>();
  auto out = sim.block_on(
      marble(retry(2, timed_factory{log, {items<int>{E(1)}, items<int>{E(2)}, items<int>{E(3)}}, 5},
                   retry_delay::constant(10ms))));
  EXPECT_EQ(out, (std::vector<seen<int>>{Err<int>(35, 3), End<int>(35)}));
  EXPECT_EQ(*log, L64({0, 15, 30}));
}

TEST(RetryTimed, ExponentialBackoffIsCapped) {
  sim_runtime sim{2};
  auto log = std::make_shared<log_t>();
  // delays 10, 20, 25 (capped), 25
  auto out = sim.block_on(marble(retry(4, timed_factory{log, {items<int>{E(1)}}, 0},
                                       retry_delay::exponential(10ms, 2.0, 25ms))));
  EXPECT_EQ(out, (std::vector<seen<int>>{Err<int>(80, 1), End<int>(80)}));
  EXPECT_EQ(*log, L64({0, 10, 30, 55, 80}));
}

TEST(RetryTimed, DelayHelpers) {
  const auto e = retry_delay::exponential(10ms, 3.0, 100ms);
  EXPECT_EQ(e(1), duration(10ms));
  EXPECT_EQ(e(2), duration(30ms));
  EXPECT_EQ(e(3), duration(90ms));
  EXPECT_EQ(e(4), duration(100ms));
  EXPECT_EQ(e(~std::uint64_t{0}), duration(100ms));  // no overflow, no long loop
  EXPECT_EQ(retry_delay::exponential(1ms, 1.0, 1h)(1000000), duration(1ms));
  // odd and even powers, a factor that is not a whole number
  EXPECT_EQ(retry_delay::exponential(10ms, 1.5, 1h)(5), duration(50625us));  // 10ms * 1.5^4
  EXPECT_EQ(retry_delay::exponential(10ms, 1.5, 1h)(4), duration(33750us));  // 10ms * 1.5^3
  EXPECT_EQ(retry_delay::exponential(1ms, 2.0, 1h)(12), duration(2048ms));
  EXPECT_EQ(retry_delay::exponential(0ms, 2.0, 1s)(~std::uint64_t{0}), duration(0ms));
  EXPECT_EQ(retry_delay::constant(7ms)(12), duration(7ms));
  EXPECT_EQ(retry_delay::constant(7ms).bad, nullptr);
  EXPECT_NE(retry_delay::constant(-1ms).bad, nullptr);
  EXPECT_NE(retry_delay::exponential(10ms, 0.5, 1s).bad, nullptr);
  EXPECT_NE(retry_delay::exponential(10ms, 2.0, 5ms).bad, nullptr);
  EXPECT_NE(retry_delay::exponential(-1ms, 2.0, 5ms).bad, nullptr);
}

TEST(RetryTimed, ResetOnSuccessRestoresTheCountAndTheBackoff) {
  for (bool reset : {false, true}) {
    SCOPED_TRACE(reset);
    sim_runtime sim{3};
    auto log = std::make_shared<log_t>();
    auto f = timed_factory{
        log, {items<int>{E(1)}, items<int>{E(2)}, items<int>{1, E(3)}, items<int>{2}}, 0};
    auto out = sim.block_on(
        marble(retry(2, std::move(f), retry_delay::exponential(10ms, 2.0, 1s), reset)));
    if (reset) {
      // 0: E, 10: E, 30: 1 (the count and the backoff restart), E, 40: 2, end
      EXPECT_EQ(out, (std::vector<seen<int>>{V(30, 1), V(40, 2), End<int>(40)}));
      EXPECT_EQ(*log, L64({0, 10, 30, 40}));
    } else {
      // the third error has no retry left
      EXPECT_EQ(out, (std::vector<seen<int>>{V(30, 1), Err<int>(30, 3), End<int>(30)}));
      EXPECT_EQ(*log, L64({0, 10, 30}));
    }
  }
}

TEST(RetryTimed, ZeroOrNegativeDelayRetriesAtOnce) {
  sim_runtime sim{4};
  auto log = std::make_shared<log_t>();
  auto out = sim.block_on(
      marble(retry(2, timed_factory{log, {items<int>{E(1)}, items<int>{E(2)}, items<int>{5}}, 1},
                   [](std::uint64_t k) { return k == 1 ? duration(0ms) : duration(-5ms); })));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(3, 5), End<int>(3)}));
  EXPECT_EQ(*log, L64({0, 1, 2}));
}

TEST(RetryTimed, PipeableFormPullsAFreshCopyPerAttempt) {
  // (a generator is not copyable: the pipeable form takes cold streams only)
  EXPECT_EQ(both([] {
              return collect(from_range(items<int>{1, E(1), 2}) | retry(2));
            }),
            (items<int>{1, 1, 1, E(1)}));
  EXPECT_EQ(both([] {
              return collect_subscribe(from_items<int>({1, E(1), 2}) | retry(1));
            }),
            (items<int>{1, 1, E(1)}));
  sim_runtime sim{5};
  auto out = sim.block_on(marble(from_range(items<int>{1, E(1), 2}) |
                                 retry(2, retry_delay::constant(5ms)) |
                                 map([](int x) { return x * 10; })));
  EXPECT_EQ(out,
            (std::vector<seen<int>>{V(0, 10), V(5, 10), V(10, 10), Err<int>(10, 1), End<int>(10)}));
  EXPECT_EQ(sim.block_on(collect(empty<int>() | retry(3, retry_delay::constant(1ms)))),
            items<int>{});
  EXPECT_EQ(sim.block_on(collect(from_range(items<int>{1, 2}) | retry(0))), (items<int>{1, 2}));
}

TEST(RetryTimed, BadArgumentsCallNoFactory) {
  sim_runtime sim{6};
  auto log = std::make_shared<log_t>();
  auto f = [&] { return timed_factory{log, {items<int>{1}}, 0}; };
  for (auto bad :
       {sim.block_on(collect(retry(-1, f(), retry_delay::constant(1ms)))),
        sim.block_on(collect(retry(1, f(), retry_delay::constant(-1ms)))),
        sim.block_on(collect(retry(1, f(), retry_delay::exponential(1ms, 0.5, 1s)))),
        sim.block_on(collect(from_items<int>({1}) | retry(-2))),
        sim.block_on(collect(from_items<int>({1}) | retry(-2, retry_delay::constant(1ms))))}) {
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].error().code(), errc::invalid_argument);
  }
  EXPECT_TRUE(log->empty());
}

/// (g++ 12: no braced lists inside coroutine bodies)
timed_factory error_then_7(std::shared_ptr<log_t> log) {
  return timed_factory{std::move(log), {items<int>{E(1)}, items<int>{7}}, 0};
}

task<std::vector<seen<int>>> give_up_during_the_delay(std::shared_ptr<log_t> log) {
  auto s = retry(1, error_then_7(std::move(log)), retry_delay::constant(10ms));
  std::vector<seen<int>> out;
  // the error at 0 is swallowed; the retry is due at 10; the consumer gives up at 3
  auto t = co_await timeout(3ms, s.next());
  out.push_back({ms_of(now()), t.has_value() ? std::move(*t) : std::optional<item<int>>(E(99))});
  for (;;) {  // what is left of the delay, then the retry
    auto r = co_await s.next();
    out.push_back({ms_of(now()), r});
    if (!r) break;
  }
  co_return out;
}

TEST(RetryTimed, ANextCancelledDuringTheDelayLeavesTheRestOfTheDelay) {
  sim_runtime sim{7};
  auto log = std::make_shared<log_t>();
  auto out = sim.block_on(give_up_during_the_delay(log));
  EXPECT_EQ(out, (std::vector<seen<int>>{Err<int>(3, 99), V(10, 7), End<int>(10)}));
  EXPECT_EQ(*log, L64({0, 10}));
}

TEST(RetryTimed, ComposesWithStagesAboveAndAnAsyncSourceOnLocalRuntime) {
  auto log = std::make_shared<log_t>();
  auto out = both([log] {
    log->clear();
    return collect_subscribe(
        retry(
            3,
            timed_factory{log, {items<int>{1, E(1)}, items<int>{2, E(1)}, items<int>{3, 4, 5}}, 1},
            retry_delay::constant(2ms), true) |
        map([](int x) { return x * 10; }) | take(4));
  });
  EXPECT_EQ(out, (items<int>{10, 20, 30, 40}));
}

TEST(RetryTimed, TheFactoryMayGiveAStageChainOverAnAsyncSource) {
  // Under a delay, the attempt's stream is pulled through its own chain (map over a
  // generator); stages above retry follow each new attempt.
  sim_runtime sim{8};
  int calls = 0;
  auto s = retry(
               2,
               [&calls] {
                 const int k = calls++;
                 return async_items<int>(k == 0 ? L(1, E(1)) : L(2, 3)) |
                        map([](int x) { return x * 10; });
               },
               retry_delay::constant(4ms)) |
           filter([](int x) { return x != 20; }) | map([](int x) { return x + 1; });
  EXPECT_EQ(sim.block_on(marble(std::move(s))),
            (std::vector<seen<int>>{V(0, 11), V(4, 31), End<int>(4)}));
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace eddy_stream_test::retry_test
