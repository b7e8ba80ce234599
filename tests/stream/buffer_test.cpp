// SPDX-License-Identifier: BSL-1.0
// buffer(n, policy): a producer running ahead of a slow consumer by exactly n (exact virtual
// times on sim_runtime), every overflow policy, errors as items, the end after the buffer, the
// empty stream, bad capacity, composition, cancellation.
#include <memory>
#include <optional>

#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::buffer_test {
namespace {

using std::chrono::milliseconds;

/// A cold producer: item i takes `per` after it is asked for; the time it is produced (pulled)
/// is logged.
generator<int> producer(int n, milliseconds per, std::vector<std::int64_t>* log) {
  for (int i = 0; i < n; ++i) {
    if (per > 0ms) co_await sleep(per);
    log->push_back(ms_of(now()));
    co_yield i;
  }
}

std::vector<std::int64_t> times(std::initializer_list<std::int64_t> t) {
  return std::vector<std::int64_t>(t);
}

TEST(Buffer, WaitLetsAnInstantProducerRunAheadByExactlyN) {
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    sim_runtime sim{seed};
    std::vector<std::int64_t> pulled;
    auto s = producer(6, 0ms, &pulled) | buffer(2);
    auto out = sim.block_on(slow(s, 10ms));
    EXPECT_EQ(out, (std::vector<seen<int>>{V(0, 0), V(10, 1), V(20, 2), V(30, 3), V(40, 4),
                                           V(50, 5), End<int>(60)}));
    // Item k + 2 is pulled the instant item k is taken: two ahead, never three.
    EXPECT_EQ(pulled, times({0, 0, 0, 10, 20, 30}));
    EXPECT_EQ(s.dropped(), 0u);
  }
}

TEST(Buffer, WithoutItTheProducerWaitsForTheConsumer) {
  sim_runtime sim{1};
  std::vector<std::int64_t> pulled;
  auto s = producer(4, 0ms, &pulled) | map([](int x) { return x; });
  sim.block_on(slow(s, 10ms));
  EXPECT_EQ(pulled, times({0, 10, 20, 30}));
}

TEST(Buffer, WaitWithASlowProducerIsLosslessBackpressure) {
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    sim_runtime sim{seed};
    std::vector<std::int64_t> pulled;
    auto s = producer(6, 10ms, &pulled) | buffer(2, overflow::wait);
    auto out = sim.block_on(slow(s, 27ms));
    EXPECT_EQ(out, (std::vector<seen<int>>{V(10, 0), V(37, 1), V(64, 2), V(91, 3), V(118, 4),
                                           V(145, 5), End<int>(172)}));
    // Pulled ahead until the ring holds 2, then one more each time the consumer takes one.
    EXPECT_EQ(pulled, times({10, 20, 30, 47, 74, 101}));
  }
}

TEST(Buffer, DropOldestKeepsTheNewestN) {
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    sim_runtime sim{seed};
    std::vector<std::int64_t> pulled;
    auto s = producer(6, 10ms, &pulled) | buffer(2, overflow::drop_oldest);
    auto out = sim.block_on(slow(s, 27ms));
    EXPECT_EQ(out, (std::vector<seen<int>>{V(10, 0), V(37, 1), V(64, 4), V(91, 5), End<int>(118)}));
    EXPECT_EQ(pulled, times({10, 20, 30, 40, 50, 60}));  // never held back
    EXPECT_EQ(s.dropped(), 2u);
  }
}

TEST(Buffer, DropNewestKeepsWhatItHad) {
  sim_runtime sim{2};
  std::vector<std::int64_t> pulled;
  auto s = producer(6, 10ms, &pulled) | buffer(buffer_policy::drop_newest(2));
  auto out = sim.block_on(slow(s, 27ms));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(10, 0), V(37, 1), V(64, 2), V(91, 3), End<int>(118)}));
  EXPECT_EQ(pulled, times({10, 20, 30, 40, 50, 60}));
  EXPECT_EQ(s.dropped(), 2u);
}

TEST(Buffer, ErrorPolicyCutsOffWithFullThenEnds) {
  sim_runtime sim{3};
  std::vector<std::int64_t> pulled;
  auto s = producer(6, 10ms, &pulled) | buffer(2, overflow::error);
  auto out = sim.block_on(slow(s, 27ms));
  ASSERT_EQ(out.size(), 6u);
  EXPECT_EQ(out[3], V(91, 3));
  ASSERT_TRUE(out[4].it && out[4].it->is_error());
  EXPECT_EQ(out[4].ms, 118);
  EXPECT_EQ(out[4].it->error().code(), errc::full);
  EXPECT_EQ(out[5], End<int>(145));
  EXPECT_EQ(pulled, times({10, 20, 30, 40, 50}));  // not pulled after the cut
  EXPECT_EQ(s.dropped(), 1u);
}

TEST(Buffer, ErrorsAreBufferedLikeValues) {
  {
    sim_runtime sim{4};
    auto s = timed_source<int>({{0, E(1)}, {1, E(2)}, {2, E(3)}, {3, 4}}) | buffer(2);
    auto out = sim.block_on(slow(s, 10ms));
    EXPECT_EQ(out, (std::vector<seen<int>>{Err<int>(0, 1), Err<int>(10, 2), Err<int>(20, 3),
                                           V(30, 4), End<int>(40)}));
  }
  {
    // Errors take room like values: E2 is the oldest when 4 comes, and is dropped.
    sim_runtime sim{4};
    auto s = timed_source<int>({{0, 1}, {1, E(2)}, {2, E(3)}, {3, 4}}) |
             buffer(2, overflow::drop_oldest);
    auto out = sim.block_on(slow(s, 10ms));
    EXPECT_EQ(out, (std::vector<seen<int>>{V(0, 1), Err<int>(10, 3), V(20, 4), End<int>(30)}));
    EXPECT_EQ(s.dropped(), 1u);
  }
}

TEST(Buffer, PassesEveryItemKindFromAnySource) {
  check_all(
      L(1, E(2), 3, 4), [](auto s) { return std::move(s) | buffer(2); }, L(1, E(2), 3, 4));
  check_all(
      L(), [](auto s) { return std::move(s) | buffer(3); }, L());
  // A synchronous source arrives all at once: the dropping policies keep the newest / first n.
  sim_runtime sim{1};
  EXPECT_EQ(sim.block_on(collect(from_range(L(1, 2, 3, 4, 5)) | buffer(2, overflow::drop_oldest))),
            L(4, 5));
  EXPECT_EQ(sim.block_on(collect(from_range(L(1, 2, 3, 4, 5)) | buffer(2, overflow::drop_newest))),
            L(1, 2));
}

/// 0, 1, 2, ... for ever, each value ready at once (a synchronous source that never ends; no
/// `std::views::iota`: the wasm build's libc++ has no <ranges>).
struct naturals {
  int i = 0;
  struct awaiter {
    std::optional<item<int>> r;
    bool await_ready() const noexcept { return true; }
    void await_suspend(coro::coroutine_handle<>) const noexcept {}
    std::optional<item<int>> await_resume() { return std::move(r); }
  };
  awaiter next() { return {std::optional<item<int>>(item<int>(i++))}; }
};

TEST(Buffer, AnEndlessSynchronousSourceDoesNotStarveTheConsumer) {
  // Under a dropping policy the pump never waits; it yields every 1024 synchronous items.
  sim_runtime sim{7};
  auto got = sim.block_on([]() -> task<items<int>> {
    auto s = naturals{} | buffer(4, overflow::drop_oldest);
    items<int> out;
    for (int i = 0; i < 3; ++i) out.push_back(*co_await s.next());
    EXPECT_GT(s.dropped(), 0u);
    co_return out;
  }());
  ASSERT_EQ(got.size(), 3u);
  EXPECT_LT(got[0].value(), got[1].value());
  EXPECT_LT(got[1].value(), got[2].value());
}

/// A source that counts how often it is pulled.
struct counting_source {
  int* pulls;
  plain_source<int> inner{L(1, 2)};
  auto next() {
    ++*pulls;
    return inner.next();
  }
};

TEST(Buffer, ZeroCapacityIsAnArgumentErrorAndPullsNothing) {
  sim_runtime sim{5};
  int pulls = 0;
  auto out = sim.block_on(marble(counting_source{&pulls} | buffer(0)));
  ASSERT_EQ(out.size(), 2u);
  ASSERT_TRUE(out[0].it && out[0].it->is_error());
  EXPECT_EQ(out[0].it->error().code(), errc::invalid_argument);
  EXPECT_EQ(out[1], End<int>(0));
  EXPECT_EQ(pulls, 0);
}

TEST(Buffer, ComposesWithOperatorsAnyStreamAndSubscribe) {
  sim_runtime sim{6};
  auto s = timed_source<int>({{0, 1}, {5, 2}, {10, 3}}) | buffer(4) |
           map([](int x) { return x * 10; }) | filter([](int x) { return x != 20; });
  EXPECT_EQ(sim.block_on(collect_subscribe(std::move(s))), (items<int>{10, 30}));
  auto t = any_stream<int>(timed_source<int>({{0, 1}, {5, 2}})) | buffer(1) | buffer(1);
  EXPECT_EQ(sim.block_on(collect(std::move(t))), (items<int>{1, 2}));
}

/// Counts its destruction (a generator's local).
struct alive_flag {
  bool* gone;
  ~alive_flag() { *gone = true; }
};
generator<int> endless(bool* gone) {
  alive_flag f{gone};
  for (int i = 0;; ++i) {
    co_await sleep(10ms);
    co_yield i;
  }
}

TEST(Buffer, DroppingTheStreamMidwayStopsTheUpstream) {
  sim_runtime sim{7};
  bool gone = false;
  sim.block_on([](bool* g) -> task<void> {
    {
      auto s = endless(g) | buffer(3);
      auto a = co_await s.next();
      auto b = co_await s.next();
      EXPECT_TRUE(a && b && b->value() == 1);
      EXPECT_EQ(ms_of(now()), 20);
    }  // the pump is waiting in the generator's sleep: aborted, the generator destroyed
    co_await yield_now();
    EXPECT_TRUE(*g);
  }(&gone));
  EXPECT_TRUE(gone);
  EXPECT_EQ(ms_of(sim.now()), 20);  // the generator's pending sleep never ran
}

TEST(Buffer, ACancelledNextLosesNothing) {
  sim_runtime sim{8};
  auto out = sim.block_on([]() -> task<items<int>> {
    auto s = timed_source<int>({{10, 1}, {20, 2}, {30, std::nullopt}}) | buffer(2);
    items<int> got;
    auto none = co_await timeout(5ms, s.next());
    EXPECT_FALSE(none.has_value());
    while (auto r = co_await s.next()) got.push_back(std::move(*r));
    EXPECT_EQ(ms_of(now()), 30);
    co_return got;
  }());
  EXPECT_EQ(out, (items<int>{1, 2}));
}

#if EDDY_HAS_EXCEPTIONS
generator<int> throws_after_one() {
  co_await yield_now();
  co_yield 1;
  throw std::runtime_error("boom");
}

TEST(Buffer, AnExceptionFromTheUpstreamIsAnErrorItemThenTheEnd) {
  sim_runtime sim{9};
  auto out = sim.block_on(collect(throws_after_one() | buffer(2)));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], item<int>(1));
  ASSERT_TRUE(out[1].is_error());
  EXPECT_EQ(out[1].error().code(), errc::exception);
}
#endif

}  // namespace
}  // namespace eddy_stream_test::buffer_test
