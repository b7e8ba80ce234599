// SPDX-License-Identifier: BSL-1.0
// Task dumps on the firmware target (no threads, no exceptions): what each task waits on, on
// every firmware runtime; the dump is printed over semihosting. With EDDY_TASK_DUMP=0 the dump
// says that it is compiled out.
#include <cstdio>
#include <string>

#include <eddy/sync.hpp>

#include "harness.hpp"

using namespace std::chrono_literals;

namespace {

// No `while (co_await rx.recv()) {}`: g++ 12 miscompiled that loop here (the task never ran).
eddy::task<void> consume(eddy::mpsc::receiver<int> rx) {
  for (;;) {
    auto v = co_await rx.recv();
    if (!v) break;
  }
}

eddy::task<void> take(eddy::mutex* m) {
  auto g = co_await m->lock();
}

eddy::task<void> scenario(eddy::runtime* rt, std::string* out) {
  eddy::mutex m{"state"};
  auto ch = eddy::mpsc::channel<int>(2, "jobs");
  eddy::mpsc::sender<int> tx = std::move(ch.first);
  eddy::mpsc::receiver<int> rx = std::move(ch.second);
  auto held = co_await m.lock();
  auto c = eddy::spawn(consume(std::move(rx)), "consumer");
  auto t = eddy::spawn(take(&m), "taker");
  // Until both wait (sim runs ready work in a seeded order); bounded.
  for (int i = 0; i < 100; ++i) {
    *out = rt->dump_string();
    const std::size_t first = out->find(": waiting on ");
    if (first != std::string::npos && out->find(": waiting on ", first + 1) != std::string::npos)
      break;
    co_await eddy::yield_now();
  }
  rt->dump(stdout);  // over semihosting
  { eddy::mpsc::sender<int> last = std::move(tx); }
  held.unlock();
  (void)co_await c;
  (void)co_await t;
}

bool has(const std::string& s, const char* part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

FW_TEST(task_dump, names_what_each_task_waits_on) {
  fwtest::for_each_runtime([](auto& rt) {
    std::string d;
    rt.block_on(scenario(&rt, &d));
#if EDDY_TASK_DUMP
    CHECK(d.rfind("eddy task dump: 3 live tasks\n", 0) == 0);
    CHECK(has(d, "'consumer' spawned at "));
    CHECK(has(d, ": waiting on mpsc::recv on channel 'jobs'\n"));
    CHECK(has(d, ": waiting on mutex::lock 'state' (held by task "));
    CHECK(has(d, ": running (the caller)\n"));
#else
    CHECK(has(d, "compiled out (EDDY_TASK_DUMP=0)"));
#endif
  });
}
