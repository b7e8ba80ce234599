// SPDX-License-Identifier: BSL-1.0
// A time-out whose deadline passes while its inner work makes its first run: the inner work's
// own timer, due at the same deadline, still fires first (the tie rule), so the value wins.
// Deterministic: a user clock that moves 1 ms forward at every read.
#include <gtest/gtest.h>

#include <chrono>
#include <eddy/eddy.hpp>

namespace eddy_test::unit_timeout_late_deadline_test {

using namespace eddy;
using namespace std::chrono_literals;

namespace {

std::int64_t g_reads = 0;

// Each read is 1 ms later than the one before.
time_point ticking_clock() noexcept {
  return time_point{std::chrono::milliseconds(g_reads++)};
}

}  // namespace

TEST(timeout_late_deadline, inner_work_due_at_the_same_deadline_wins) {
  g_reads = 0;
  local_runtime rt{&ticking_clock};
  const std::optional<int> r = rt.block_on([]() -> task<std::optional<int>> {
    // now() = t, deadline t + 2 ms. The inner sleep reads t + 1 ms (not due: it suspends and
    // arms its timer); any later read is at or past the deadline.
    const time_point d = now() + 2ms;
    co_return co_await timeout_at(d, [](time_point d) -> task<int> {
      co_await sleep_until(d);
      co_return 7;
    }(d));
  }());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, 7);
}

TEST(timeout_late_deadline, inner_work_not_due_is_cancelled) {
  g_reads = 0;
  local_runtime rt{&ticking_clock};
  bool finished = false;
  const std::optional<int> r = rt.block_on([](bool* finished) -> task<std::optional<int>> {
    const time_point d = now() + 2ms;
    co_return co_await timeout_at(d, [](time_point d, bool* finished) -> task<int> {
      co_await sleep_until(d + 1h);
      *finished = true;
      co_return 7;
    }(d, finished));
  }(&finished));
  EXPECT_FALSE(r.has_value());
  EXPECT_FALSE(finished);
}

}  // namespace eddy_test::unit_timeout_late_deadline_test
