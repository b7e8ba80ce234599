// SPDX-License-Identifier: BSL-1.0
// Seeing inside on the firmware image: task identity, task hooks and runtime metrics on
// local_runtime with a fake clock and on sim_runtime (no threads, no exceptions, no RTTI).
#include "harness.hpp"

#include <cstring>

#include <eddy/runtime/metrics.hpp>
#include <eddy/runtime/task_hooks.hpp>
#include <eddy/sync/mpsc.hpp>

using namespace eddy;
using namespace std::chrono_literals;

namespace {
struct counts {
  int spawns = 0, ends = 0, before = 0, after = 0, wakes = 0, aborted = 0;
  bool paired = true;
  bool in_poll = false;
};

task_hooks counting(counts* c) {
  task_hooks h;
  h.ctx = c;
  h.on_spawn = [](void* x, task_view) noexcept { ++static_cast<counts*>(x)->spawns; };
  h.on_terminate = [](void* x, task_view, task_end how) noexcept {
    ++static_cast<counts*>(x)->ends;
    if (how == task_end::aborted) ++static_cast<counts*>(x)->aborted;
  };
  h.before_poll = [](void* x, task_view) noexcept {
    auto* c = static_cast<counts*>(x);
    if (c->in_poll) c->paired = false;
    c->in_poll = true;
    ++c->before;
  };
  h.after_poll = [](void* x, task_view) noexcept {
    auto* c = static_cast<counts*>(x);
    if (!c->in_poll) c->paired = false;
    c->in_poll = false;
    ++c->after;
  };
  h.on_wake = [](void* x, task_view, task_view) noexcept { ++static_cast<counts*>(x)->wakes; };
  return h;
}

task<std::uint64_t> my_parent() {
  co_return detail::current_task()->parent_id();
}

task<int> named_line() {
  const detail::task_header* t = detail::current_task();
  co_return t->name() && std::strcmp(t->name(), "named") == 0
      ? static_cast<int>(t->location().line())
      : -1;
}

task<int> consume(mpsc::receiver<int> rx) {
  int sum = 0;
  while (auto v = co_await rx.recv()) sum += *v;
  co_return sum;
}

task<void> work(runtime* rt, std::size_t* timers_seen) {
  auto [tx, rx] = mpsc::channel<int>(1);
  auto c = spawn(consume(std::move(rx)), "consumer");
  for (int i = 1; i <= 4; ++i) (void)co_await tx.send(i);
  { auto drop = std::move(tx); }
  auto r = co_await c;
  CHECK_EQ(r.value(), 10);
  auto sleeper = spawn([]() -> task<void> { co_await sleep(1000h); }());
  co_await sleep(1ms);  // the sleeper has armed its timer by now
  *timers_seen = rt->metrics().pending_timers;
  sleeper.abort();
  (void)co_await sleeper;
}
}  // namespace

FW_TEST(seeing_inside, identity) {
  fwtest::for_each_runtime([](auto& rt) {
    rt.block_on([]() -> task<void> {
      const std::uint64_t me = detail::current_task()->id();
      auto h = spawn(my_parent(), "child");
      CHECK(h.id() > me);
      auto r = co_await h;
      CHECK(r.value() == me);
      const int line2 = __LINE__ + 1;
      auto g = spawn(named_line(), "named");
      auto line_seen = co_await g;
      CHECK_EQ(line_seen.value(), line2);
    }());
  });
}

FW_TEST(seeing_inside, hooks_and_metrics) {
  fwtest::for_each_runtime([](auto& rt) {
    counts c;
    const task_hooks h = counting(&c);
    CHECK(rt.set_task_hooks(&h));
    rt.enable_metrics(true);
    std::size_t timers = 0;
    rt.block_on(work(&rt, &timers));
    CHECK(rt.set_task_hooks(nullptr));
    CHECK_EQ(c.spawns, 3);
    CHECK_EQ(c.ends, 3);
    CHECK_EQ(c.aborted, 1);
    CHECK_EQ(c.before, c.after);
    CHECK(c.paired);
    CHECK(c.wakes >= 4);
    CHECK_EQ(static_cast<long long>(timers), 1);
    const runtime_metrics m = rt.metrics();
    CHECK(m.enabled);
    CHECK_EQ(static_cast<long long>(m.spawned), 3);
    CHECK_EQ(static_cast<long long>(m.live_tasks), 0);
    CHECK_EQ(static_cast<long long>(m.pending_timers), 0);
    CHECK_EQ(static_cast<long long>(m.polls), c.before);
    CHECK(m.wakes >= 4);
    std::uint64_t runs = 0;
    for (std::uint64_t n : m.schedule_latency) runs += n;
    CHECK(runs >= 3);
  });
}
