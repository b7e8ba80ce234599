// SPDX-License-Identifier: BSL-1.0
// Conformance: task hooks and runtime metrics on every runtime.
#include <chrono>
#include <string>

#include "conformance/counting_hooks.hpp"
#include "conformance/runtimes.hpp"

namespace eddy_test::conformance_task_hooks_test {

using namespace eddy;
using namespace std::chrono_literals;

template <class F>
class hooks_conformance : public ::testing::Test {
 protected:
  F f;
};
TYPED_TEST_SUITE(hooks_conformance, eddy_test::all_runtimes, eddy_test::runtime_names);

namespace {
task<int> sum_of(mpsc::receiver<int> rx) {
  int sum = 0;
  while (auto v = co_await rx.recv()) sum += *v;
  co_return sum;
}
task<void> nap() {
  co_await sleep(1000h);
}
task<void> channel_and_abort() {
  auto [tx, rx] = mpsc::channel<int>(1);
  auto consumer = spawn(sum_of(std::move(rx)), "consumer");
  for (int i = 1; i <= 3; ++i) (void)co_await tx.send(i);
  { auto drop = std::move(tx); }
  auto sum = co_await consumer;
  EXPECT_EQ(sum.value(), 6);
  auto sleeper = spawn(nap(), "sleeper");
  co_await yield_now();
  sleeper.abort();
  (void)co_await sleeper;
}
}  // namespace

TYPED_TEST(hooks_conformance, hooks_see_every_spawn_poll_wake_and_end) {
  runtime& rt = *this->f.ex().get();
  EXPECT_EQ(rt.installed_task_hooks(), nullptr);  // off by default
  eddy_test::counting_hooks c;
  ASSERT_TRUE(rt.set_task_hooks(&c.h));
  this->f.block_on(channel_and_abort());
  EXPECT_EQ(c.spawns.load(), 3);  // the root, consumer, sleeper
  EXPECT_EQ(c.ends.load(), 3);
  EXPECT_EQ(c.ended_how(task_end::value), 2);
  EXPECT_EQ(c.ended_how(task_end::aborted), 1);
  EXPECT_EQ(c.before.load(), c.after.load());
  EXPECT_GE(c.before.load(), 4);
  EXPECT_GE(c.wakes_by_task.load(), 1);  // the sends wake the consumer
  EXPECT_FALSE(c.bad_pairing.load());
  EXPECT_TRUE(rt.set_task_hooks(nullptr));
  const int before = c.before.load();
  this->f.block_on(channel_and_abort());  // removed: not called any more
  EXPECT_EQ(c.before.load(), before);
}

TYPED_TEST(hooks_conformance, metrics_count_while_enabled) {
  runtime& rt = *this->f.ex().get();
  this->f.block_on(channel_and_abort());
  runtime_metrics m = rt.metrics();
  EXPECT_FALSE(m.enabled);
  EXPECT_EQ(m.spawned, 3u);  // always counted
  EXPECT_EQ(m.live_tasks, 0u);
  EXPECT_EQ(m.polls, 0u);  // only while enabled
  EXPECT_EQ(m.wakes, 0u);

  rt.enable_metrics(true);
  const std::size_t timers = this->f.block_on([](runtime* r) -> task<std::size_t> {
    auto h = spawn(nap());
    std::size_t seen = 0;
    for (int i = 0; i < 10000 && seen == 0; ++i) {  // until the sleeper has armed its timer
      co_await yield_now();
      seen = r->metrics().pending_timers;
    }
    h.abort();
    (void)co_await h;
    co_return seen;
  }(&rt));
  EXPECT_EQ(timers, 1u);
  this->f.block_on(channel_and_abort());
  m = rt.metrics();
  EXPECT_TRUE(m.enabled);
  EXPECT_EQ(m.spawned, 8u);
  EXPECT_EQ(m.live_tasks, 0u);
  EXPECT_EQ(m.pending_timers, 0u);
  EXPECT_GE(m.polls, 8u);
  EXPECT_GE(m.wakes, 2u);
  std::uint64_t runs = 0;
  for (std::uint64_t n : m.schedule_latency) runs += n;
  EXPECT_GE(runs, 5u);  // at least each task's first run
  const bool pool = std::string(TypeParam::name).rfind("pool", 0) == 0;
  EXPECT_EQ(m.workers.size(), pool ? static_cast<std::size_t>(TypeParam::threads) : 0u);
  std::uint64_t worker_polls = 0;
  for (const worker_metrics& w : m.workers) worker_polls += w.polls;
  if (pool) {
    EXPECT_EQ(worker_polls, m.polls);  // every poll runs on a worker
  }

  rt.enable_metrics(false);
  this->f.block_on(channel_and_abort());
  EXPECT_EQ(rt.metrics().polls, m.polls);
  EXPECT_EQ(rt.metrics().spawned, 11u);
}

}  // namespace eddy_test::conformance_task_hooks_test
