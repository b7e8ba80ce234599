// SPDX-License-Identifier: BSL-1.0
// Task hooks in detail on local_runtime: how tasks end, who wakes whom, when hooks may be set.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include <eddy/eddy.hpp>

#include "conformance/counting_hooks.hpp"

namespace eddy_test::unit_task_hooks_test {

using namespace eddy;

namespace {
struct wake_log {
  std::vector<std::uint64_t> wakers, woken, polled;
  task_hooks h;
  wake_log() {
    h.ctx = this;
    h.on_wake = [](void* c, task_view waker, task_view woken) noexcept {
      static_cast<wake_log*>(c)->wakers.push_back(waker.id());
      static_cast<wake_log*>(c)->woken.push_back(woken.id());
    };
    h.before_poll = [](void* c, task_view t) noexcept {
      static_cast<wake_log*>(c)->polled.push_back(t.id());
    };
  }
};
}  // namespace

TEST(task_hooks, terminate_reports_how_each_task_ended) {
  local_runtime rt;
  eddy_test::counting_hooks c;
  ASSERT_TRUE(rt.set_task_hooks(&c.h));
  rt.block_on([]() -> task<void> {
    (void)co_await spawn([]() -> task<int> { co_return 1; }());
    (void)co_await spawn([]() -> task<result<int>> { co_return error{errc::user}; }());
#if EDDY_HAS_EXCEPTIONS
    (void)co_await spawn([]() -> task<void> {
      throw std::runtime_error("x");
      co_return;
    }());
#endif
    auto h = spawn([]() -> task<void> { co_await sleep(std::chrono::hours(1)); }());
    co_await yield_now();
    h.abort();
    (void)co_await h;
  }());
  EXPECT_EQ(c.ended_how(task_end::value), 2);  // the int task and the root
  EXPECT_EQ(c.ended_how(task_end::error), 1);
  EXPECT_EQ(c.ended_how(task_end::exception), EDDY_HAS_EXCEPTIONS ? 1 : 0);
  EXPECT_EQ(c.ended_how(task_end::aborted), 1);
  EXPECT_EQ(c.spawns.load(), c.ends.load());
  EXPECT_FALSE(c.bad_pairing.load());
}

TEST(task_hooks, on_wake_names_the_waking_task_and_the_woken_one) {
  local_runtime rt;
  wake_log log;
  ASSERT_TRUE(rt.set_task_hooks(&log.h));
  std::uint64_t producer_id = 0, consumer_id = 0;
  rt.block_on([](std::uint64_t* pid, std::uint64_t* cid) -> task<void> {
    auto [tx, rx] = mpsc::channel<int>(1);
    auto consumer =
        spawn([](mpsc::receiver<int> r) -> task<void> { (void)co_await r.recv(); }(std::move(rx)));
    *cid = consumer.id();
    *pid = detail::current_task()->id();
    co_await yield_now();  // the consumer waits in recv now
    (void)co_await tx.send(1);
    (void)co_await consumer;
  }(&producer_id, &consumer_id));
  bool found = false;
  for (std::size_t i = 0; i < log.woken.size(); ++i)
    found = found || (log.woken[i] == consumer_id && log.wakers[i] == producer_id);
  EXPECT_TRUE(found);
  // the consumer is polled after its wake: the edge leads to a poll
  EXPECT_GE(std::count(log.polled.begin(), log.polled.end(), consumer_id), 2);
}

TEST(task_hooks, set_only_while_no_task_is_live) {
  local_runtime rt;
  eddy_test::counting_hooks c;
  rt.block_on([](runtime* r, task_hooks* h) -> task<void> {
    EXPECT_FALSE(r->set_task_hooks(h));  // this task is live: refused, nothing changes
    EXPECT_EQ(r->installed_task_hooks(), nullptr);
    co_return;
  }(&rt, &c.h));
  EXPECT_TRUE(rt.set_task_hooks(&c.h));
  EXPECT_EQ(rt.installed_task_hooks(), &c.h);
  EXPECT_EQ(c.spawns.load(), 0);
  EXPECT_TRUE(rt.set_task_hooks(nullptr));
}

TEST(task_hooks, schedule_latency_buckets_are_log2) {
  EXPECT_EQ(detail::latency_bucket(0), 0u);
  EXPECT_EQ(detail::latency_bucket(1), 1u);
  EXPECT_EQ(detail::latency_bucket(2), 2u);
  EXPECT_EQ(detail::latency_bucket(3), 2u);
  EXPECT_EQ(detail::latency_bucket(1024), 11u);
  EXPECT_EQ(detail::latency_bucket(~std::uint64_t{0}), runtime_metrics::latency_buckets - 1);
  EXPECT_EQ(runtime_metrics::bucket_floor_ns(11), 1024u);
}

TEST(task_hooks, sim_latency_is_exact_on_virtual_time) {
  sim_runtime sim{1};
  sim.enable_metrics(true);
  sim.block_on([]() -> task<void> {
    co_await sleep(std::chrono::milliseconds(5));  // timer wake at 5 ms, resumed at 5 ms
  }());
  const runtime_metrics m = sim.metrics();
  EXPECT_EQ(m.schedule_latency[0], 2u);  // spawn and wake, both at once in virtual time
  EXPECT_EQ(m.busy.count(), 0);
  EXPECT_EQ(m.polls, 2u);
  EXPECT_EQ(m.wakes, 1u);
}

// A finished task's join handle may outlive its runtime: aborting it then must not read the
// runtime (the hooks' watch byte is read only for tasks that have not finished). Under ASan
// this read was a heap-use-after-free.
TEST(task_hooks, abort_of_a_finished_task_after_its_runtime_is_gone) {
  auto* rt = new local_runtime;
  join_handle<int> h = rt->block_on(
      []() -> task<join_handle<int>> { co_return spawn([]() -> task<int> { co_return 7; }()); }());
  delete rt;  // the child ends first (it runs or is aborted)
  ASSERT_TRUE(h.is_finished());
  h.abort();  // a no-op on a finished task
  const result<int> r = h.try_take();
  EXPECT_TRUE(r.has_value() ? r.value() == 7 : r.error().code() == errc::aborted);
}

}  // namespace eddy_test::unit_task_hooks_test
