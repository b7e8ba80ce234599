// SPDX-License-Identifier: BSL-1.0
// Task dumps in the browser's model: emscripten_runtime driven by node's event loop, main()
// returned. A task blocked on a named channel and a sleeping one are listed with what they wait
// on; `rt->dump()` prints the dump to the console (stderr). The exit code is 3 until the root
// task reports.
#include <emscripten.h>
#include <emscripten/eventloop.h>

#include <chrono>
#include <cstdio>
#include <eddy/eddy.hpp>
#include <eddy/runtime/emscripten_runtime.hpp>
#include <string>

#include "../support/loop_check.hpp"

using namespace eddy;
using namespace std::chrono_literals;
using loop_test::check;
using loop_test::report;
using loop_test::set_exit_code;

namespace {
emscripten_runtime* rt = nullptr;

task<void> consume(mpsc::receiver<int> rx) {
  for (;;) {
    auto v = co_await rx.recv();
    if (!v) break;
  }
}

task<void> nap() {
  co_await sleep(10s);
}

task<void> root() {
  auto ch = mpsc::channel<int>(4, "jobs");
  mpsc::sender<int> tx = std::move(ch.first);
  mpsc::receiver<int> rx = std::move(ch.second);
  auto c = spawn(consume(std::move(rx)), "consumer");
  auto s = spawn(nap(), "sleeper");
  std::string d;
  for (int i = 0; i < 100; ++i) {  // until both wait; bounded
    d = rt->dump_string();
    const std::size_t first = d.find(": waiting on ");
    if (first != std::string::npos && d.find(": waiting on ", first + 1) != std::string::npos)
      break;
    co_await yield_now();
  }
  rt->dump();  // to the console
  // The root task, the runtime's own task that started it (`start`), the consumer, the sleeper.
  check(d.find("eddy task dump: 4 live tasks\n") == 0, "the dump counts four live tasks");
  check(d.find("'consumer' spawned at ") != std::string::npos &&
            d.find(": waiting on mpsc::recv on channel 'jobs'\n") != std::string::npos,
        "the consumer waits on the channel 'jobs'");
  check(d.find("'sleeper' spawned at ") != std::string::npos &&
            d.find(": waiting on sleep until ") != std::string::npos,
        "the sleeper waits on its sleep");
  check(d.find(": running (the caller)\n") != std::string::npos, "the root task is running");
  { mpsc::sender<int> last = std::move(tx); }
  s.abort();
  (void)co_await c;
  (void)co_await s;
}

void shut_down(void*) {
  delete rt;
  rt = nullptr;
  report("task dump");
}
}  // namespace

int main() {
  set_exit_code(3);
  rt = new emscripten_runtime;
  rt->start(root(), [](result<void>&& r) {
    check(r.has_value(), "the root task finished");
    emscripten_set_timeout(&shut_down, 0, nullptr);
  });
  return 0;
}
