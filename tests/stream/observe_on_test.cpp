// SPDX-License-Identifier: BSL-1.0
// observe_on(ex): the consumer on the target runtime, the upstream pulled on its own (a
// local_runtime source and a thread_pool consumer, and the reverse: run these under TSan), the
// bounded hand-off, cancellation, bad input, and exact times when both sides are one
// sim_runtime.
#include <atomic>
#include <memory>
#include <thread>

#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::observe_on_test {
namespace {

using std::chrono::milliseconds;

TEST(ObserveOn, OneSimRuntimeIsABoundedHandOffWithExactTimes) {
  sim_runtime sim{1};
  auto out = sim.block_on([](sim_runtime* rt) -> task<std::vector<seen<int>>> {
    auto s = timed_source<int>({{10, 1}, {20, E(2)}, {30, 3}, {40, 4}, {50, std::nullopt}}) |
             observe_on(rt->get_executor(), buffer_policy::drop_oldest(2));
    auto got = co_await slow(s, 35ms);
    EXPECT_EQ(s.dropped(), 1u);  // E(2) was the oldest when 4 came at 40
    co_return got;
  }(&sim));
  EXPECT_EQ(out, (std::vector<seen<int>>{V(10, 1), V(45, 3), V(80, 4), End<int>(115)}));
}

TEST(ObserveOn, DefaultIsLosslessAndPassesEveryItemKind) {
  sim_runtime sim{2};
  auto ex = sim.get_executor();
  // Made outside any runtime: the pump runs on the consumer's runtime.
  auto s = from_range(L(1, E(2), 3)) | observe_on(ex) | map([](int x) { return x * 2; });
  EXPECT_EQ(sim.block_on(collect(std::move(s))), L(2, E(2), 6));
  EXPECT_EQ(sim.block_on(collect(from_range(L()) | observe_on(ex))), L());
  EXPECT_EQ(sim.block_on(collect_subscribe(timed_source<int>({{5, 7}}) | observe_on(ex))), L(7));
}

void expect_argument_error(const items<int>& out) {
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(out[0].is_error());
  EXPECT_EQ(out[0].error().code(), errc::invalid_argument);
}

TEST(ObserveOn, BadInputIsAnArgumentError) {
  sim_runtime sim{3};
  expect_argument_error(sim.block_on(collect(from_range(L(1)) | observe_on(executor{}))));
  expect_argument_error(sim.block_on(
      collect(from_range(L(1)) | observe_on(sim.get_executor(), buffer_policy::wait(0)))));
  // A consumer that is not on the target runtime.
  sim_runtime other{4};
  expect_argument_error(sim.block_on(collect(from_range(L(1)) | observe_on(other))));
}

#if EDDY_HAS_THREADS
struct hand_off_log {
  std::atomic<int> pulled{0};
  std::atomic<int> taken{0};
  std::atomic<int> most_ahead{0};
  std::atomic<bool> upstream_elsewhere{false};  // pulled off its runtime
  std::atomic<bool> consumer_elsewhere{false};  // an item seen off the target
};

/// 0..n-1 on runtime `home`, suspending before each; logs how far it runs ahead.
generator<int> counted(int n, executor home, hand_off_log* log) {
  for (int i = 0; i < n; ++i) {
    co_await yield_now();
    if (current_executor() != home) log->upstream_elsewhere = true;
    const int ahead = log->pulled.fetch_add(1) + 1 - log->taken.load();
    if (ahead > log->most_ahead.load()) log->most_ahead = ahead;
    co_yield i;
  }
}

template <class S>
task<long> consume_on(S s, executor target, std::thread::id not_here, hand_off_log* log) {
  long sum = 0;
  while (auto r = co_await s.next()) {
    if (current_executor() != target || std::this_thread::get_id() == not_here)
      log->consumer_elsewhere = true;
    log->taken.fetch_add(1);
    sum += r->value();
  }
  co_return sum;
}

TEST(ObserveOn, ConsumerOnAThreadPoolUpstreamOnALocalRuntime) {
  local_runtime local;
  thread_pool pool{2};
  hand_off_log log;
  const auto sum =
      local.block_on([](local_runtime* lr, thread_pool* p, hand_off_log* lg) -> task<long> {
        const executor target = p->get_executor();
        auto s = counted(2000, lr->get_executor(), lg) | observe_on(target, buffer_policy::wait(4));
        auto r = co_await spawn(target,
                                consume_on(std::move(s), target, std::this_thread::get_id(), lg));
        co_return r.value();
      }(&local, &pool, &log));
  EXPECT_EQ(sum, 1999L * 2000 / 2);
  EXPECT_FALSE(log.upstream_elsewhere);
  EXPECT_FALSE(log.consumer_elsewhere);
  // At most 4 in the ring, plus one the consumer took but has not counted yet.
  EXPECT_LE(log.most_ahead.load(), 5);
}

TEST(ObserveOn, ConsumerOnALocalRuntimeUpstreamOnAThreadPool) {
  local_runtime local;
  thread_pool pool{2};
  hand_off_log log;
  const auto sum =
      local.block_on([](local_runtime* lr, thread_pool* p, hand_off_log* lg) -> task<long> {
        const executor target = lr->get_executor();
        const executor source = p->get_executor();
        // Built on the pool: the pool is the source runtime.
        auto made = co_await spawn(source,
                                   [](executor src, executor tgt,
                                      hand_off_log* l) -> task<observe_on_stream<generator<int>>> {
                                     co_return counted(2000, src, l) | observe_on(tgt);
                                   }(source, target, lg));
        co_return co_await consume_on(std::move(made).value(), target, std::thread::id{}, lg);
      }(&local, &pool, &log));
  EXPECT_EQ(sum, 1999L * 2000 / 2);
  EXPECT_FALSE(log.upstream_elsewhere);
  EXPECT_FALSE(log.consumer_elsewhere);
  EXPECT_LE(log.most_ahead.load(), 17);
}

/// Endless on its runtime; `gone` is set when its frame is destroyed.
struct gone_flag {
  std::atomic<bool>* gone;
  ~gone_flag() { *gone = true; }
};
generator<int> endless(std::atomic<bool>* gone) {
  gone_flag f{gone};
  for (int i = 0;; ++i) {
    co_await yield_now();
    co_yield i;
  }
}

template <class S>
task<int> take_three_and_drop(S s) {
  int sum = 0;
  for (int i = 0; i < 3; ++i) sum += (co_await s.next())->value();
  co_return sum;  // `s` is destroyed here, on the pool: the pump on the local runtime stops
}

TEST(ObserveOn, DroppingTheConsumerStopsTheUpstream) {
  local_runtime local;
  thread_pool pool{2};
  std::atomic<bool> gone{false};
  local.block_on([](thread_pool* p, std::atomic<bool>* g) -> task<void> {
    auto s = endless(g) | observe_on(p->get_executor(), buffer_policy::wait(2));
    auto r = co_await spawn(p->get_executor(), take_three_and_drop(std::move(s)));
    EXPECT_EQ(r.value(), 0 + 1 + 2);
    // The abort was posted to this runtime; let it run (bounded).
    for (int i = 0; i < 1000 && !g->load(); ++i) co_await yield_now();
    EXPECT_TRUE(g->load());
  }(&pool, &gone));
  EXPECT_TRUE(gone.load());
}
/// Tells `started` when its body runs, then waits an hour on its runtime.
generator<int> stalls(notify* started) {
  started->notify_one();
  co_await sleep(std::chrono::hours(1));
  co_yield 1;
}

TEST(ObserveOn, ASourceRuntimeShutDownEndsTheConsumerWithAborted) {
  thread_pool pool{1};
  auto source = std::make_unique<local_runtime>();
  notify started;
  auto s =
      source->block_on([](executor target, notify* n) -> task<observe_on_stream<generator<int>>> {
        co_return stalls(n) | observe_on(target);
      }(pool.get_executor(), &started));
  auto consumer = spawn(pool.get_executor(), collect(std::move(s)));
  // Drive the source runtime until the consumer's first next() has started the pump there.
  source->block_on([](notify* n) -> task<void> { co_await n->notified(); }(&started));
  source.reset();  // aborts the pump, waiting in the generator's sleep
  auto out = pool.block_on([](join_handle<items<int>> h) -> task<items<int>> {
    co_return (co_await h).value();
  }(std::move(consumer)));
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(out[0].is_error());
  EXPECT_EQ(out[0].error().code(), errc::aborted);
}
#endif  // EDDY_HAS_THREADS

}  // namespace
}  // namespace eddy_stream_test::observe_on_test
