// SPDX-License-Identifier: BSL-1.0
// Seeing inside on emscripten_runtime in its real mode (main returns; node's event loop pumps
// the work): task identity, metrics on the browser clock, and a trace recorded by the
// trace_recorder's hooks. The exit code is 3 until the checks have run.
#include <emscripten.h>
#include <emscripten/eventloop.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <eddy/eddy.hpp>
#include <eddy/runtime/emscripten_runtime.hpp>
#include <eddy/runtime/trace_recorder.hpp>
#include <string>

#include "../support/loop_check.hpp"

using namespace eddy;
using namespace std::chrono_literals;
using loop_test::check;
using loop_test::report;
using loop_test::set_exit_code;

namespace {
emscripten_runtime* rt = nullptr;
trace_recorder* rec = nullptr;

task<int> consume(mpsc::receiver<int> rx) {
  int sum = 0;
  while (auto v = co_await rx.recv()) sum += *v;
  co_return sum;
}

task<std::uint64_t> parent_of_me() {
  co_await sleep(2ms);  // a wake through a JS timeout
  co_return detail::current_task()->parent_id();
}

task<void> root() {
  const std::uint64_t me = detail::current_task()->id();
  auto p = spawn(parent_of_me(), "child");
  auto [tx, rx] = mpsc::channel<int>(1);
  auto c = spawn(consume(std::move(rx)), "consumer");
  for (int i = 1; i <= 5; ++i) (void)co_await tx.send(i);
  { auto drop = std::move(tx); }
  auto sum = co_await c;
  auto parent = co_await p;
  check(sum.value() == 15, "the consumer got 1..5");
  check(parent.value() == me, "a child's parent is the task that spawned it");
  check(rt->metrics().pending_timers == 0, "no timer pending once the sleep is over");
}

void finish(void*) {
  check(rec->detach(), "the recorder detaches once every task has ended");
  const runtime_metrics m = rt->metrics();
  // start() spawns two (its wrapper and the root), the root two more.
  check(m.spawned == 4 && m.live_tasks == 0, "metrics: 4 spawned, none live");
  check(m.polls > 4 && m.polls == rec->polls(), "metrics and hooks saw the same polls");
  check(m.wakes >= 5, "metrics: the channel and the timer woke tasks");
  std::uint64_t runs = 0;
  for (std::uint64_t n : m.schedule_latency) runs += n;
  check(runs >= 4, "schedule latency: at least one entry per task");
  const std::string json = rec->to_json();
  check(json.find("\"name\":\"consumer\"") != std::string::npos, "the trace names the consumer");
  check(json.find("\"ph\":\"s\"") != std::string::npos, "the trace has wake flows");
  check(rec->dropped() == 0, "nothing dropped");
  delete rec;
  delete rt;
  report("seeing inside");
}
}  // namespace

int main() {
  set_exit_code(3);
  rt = new emscripten_runtime;
  rt->enable_metrics(true);
  rec = new trace_recorder{4096};
  check(rec->attach(*rt), "the recorder attaches before the first spawn");
  rt->start(root(), [](result<void>&& r) {
    check(r.has_value(), "the root task finished");
    emscripten_set_timeout(&finish, 0, nullptr);  // after the root's task has fully ended
  });
  return 0;
}
