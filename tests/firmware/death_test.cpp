// SPDX-License-Identifier: BSL-1.0
// Runs that must end in eddy::panic (no exceptions: a message, then abort): the harness runs the
// "death" suite only when it is named, and ctest passes it when the message appears.
#include <eddy/core/arena.hpp>
#include <eddy/runtime.hpp>

#include "harness.hpp"

using namespace eddy;

namespace {
[[gnu::noinline]] task<int> big_frame(int seed) {
  int buf[750];  // lives across the suspension: a 3 KiB frame
  for (int i = 0; i < 750; ++i) buf[i] = i * seed;
  co_await yield_now();
  int sum = 0;
  for (int v : buf) sum += v;
  co_return sum;
}
}  // namespace

FW_TEST(death, co_await_of_a_task_that_could_not_be_allocated_panics) {
  static static_arena<2048> small;
  small.install();
  local_runtime rt{&fwtest::fake_clock, &fwtest::fake_idle};
  rt.block_on([]() -> task<void> {
    auto t = big_frame(1);
    CHECK(t.out_of_memory());
    co_await std::move(t);  // panics: "... out of memory"
    CHECK(false);           // not reached
  }());
}

FW_TEST(death, timeout_of_a_task_that_could_not_be_allocated_panics) {
  static static_arena<2048> small;
  small.install();
  local_runtime rt{&fwtest::fake_clock, &fwtest::fake_idle};
  rt.block_on([]() -> task<void> {
    auto r = co_await timeout(std::chrono::milliseconds(5), big_frame(1));  // panics
    CHECK(false);
    (void)r;
  }());
}
