// SPDX-License-Identifier: BSL-1.0
// sim_runtime's deadlock report: the `errc::deadlock` error of `try_block_on` carries the task
// dump taken when the simulator found nothing to run, so a deadlock reads as who waits on whom.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include <eddy/eddy.hpp>

namespace eddy_test::unit_sim_deadlock_report_test {

using namespace eddy;
using namespace std::chrono_literals;

namespace {

// Joins its arguments (operator+ on strings trips g++ 12's -Wrestrict false positive).
template <class... S>
std::string cat(const S&... parts) {
  std::string r;
  (r.append(std::string_view(parts)), ...);
  return r;
}

// Takes `first`, lets the other task take its first lock, then waits for `second`.
task<void> lock_both(mutex* first, mutex* second) {
  auto g1 = co_await first->lock();
  co_await sleep(1ms);
  auto g2 = co_await second->lock();
}

// The line of `report` about the task named `name`.
std::string line_of(std::string_view report, std::string_view name) {
  const std::size_t at = report.find(cat("'", name, "' spawned at "));
  if (at == std::string_view::npos) return {};
  const std::size_t begin = report.rfind('\n', at) + 1;
  return std::string(report.substr(begin, report.find('\n', at) - begin));
}

std::string id_of(const std::string& line) {
  return line.substr(5, line.find(' ', 5) - 5);
}

}  // namespace

TEST(sim_deadlock_report, lists_who_waits_on_whom) {
  mutex a{"a"};
  mutex b{"b"};
  sim_runtime sim{7};
  result<void> r = sim.try_block_on([](mutex* a, mutex* b) -> task<void> {
    auto first = spawn(lock_both(a, b), "first");
    auto second = spawn(lock_both(b, a), "second");
    (void)co_await first;
    (void)co_await second;
  }(&a, &b));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), errc::deadlock);
  const std::string report = r.error().message();
  SCOPED_TRACE(report);
  EXPECT_EQ(report.rfind("sim_runtime: deadlock (nothing ready, no timer, root unfinished)", 0),
            0u);
  EXPECT_EQ(report, sim.deadlock_report());
  EXPECT_TRUE(report.find("eddy task dump: 3 live tasks\n") != std::string::npos);
  const std::string first = line_of(report, "first");
  const std::string second = line_of(report, "second");
  ASSERT_FALSE(first.empty() || second.empty());
  EXPECT_TRUE(
      first.ends_with(cat(": waiting on mutex::lock 'b' (held by task ", id_of(second), ")")))
      << first;
  EXPECT_TRUE(
      second.ends_with(cat(": waiting on mutex::lock 'a' (held by task ", id_of(first), ")")))
      << second;
  // The root task waits for the first of them.
  EXPECT_TRUE(report.find(cat(": waiting on join of task ", id_of(first), "\n")) !=
              std::string::npos);
}

TEST(sim_deadlock_report, empty_until_a_deadlock) {
  sim_runtime sim;
  EXPECT_STREQ(sim.deadlock_report(), "");
  sim.block_on([]() -> task<void> { co_await sleep(1s); }());
  EXPECT_STREQ(sim.deadlock_report(), "");
}

}  // namespace eddy_test::unit_sim_deadlock_report_test
