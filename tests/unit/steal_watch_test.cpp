// SPDX-License-Identifier: BSL-1.0
// When an idle thread_pool worker may steal (detail::steal_watch): only work whose owner has not
// got through it within the delay, again at once while the owner is still behind after a
// steal, and never from a queue that keeps moving. (The pool itself, under threads:
// tests/stress/thread_pool_stress_test.cpp.)
#include <gtest/gtest.h>

#include <cstdint>
#include <eddy/runtime/detail/steal_watch.hpp>

namespace eddy_test::unit_steal_watch_test {

using eddy::detail::steal_watch;
using verdict = steal_watch::verdict;
constexpr std::int64_t d = steal_watch::delay_ns;

TEST(steal_watch, an_empty_queue_is_idle_and_not_watched) {
  steal_watch w;
  EXPECT_EQ(w.look(0, 0, 0), verdict::idle);
  EXPECT_FALSE(w.watching());
  EXPECT_EQ(w.look(0, 7, 5 * d), verdict::idle);  // however long, whatever it removed
}

TEST(steal_watch, work_that_does_not_move_is_stolen_after_the_delay) {
  steal_watch w;
  const std::int64_t t0 = 1'000'000;
  EXPECT_EQ(w.look(3, 10, t0), verdict::wait);  // new work: the watch begins
  EXPECT_TRUE(w.watching());
  EXPECT_EQ(w.recheck(), t0 + d);
  EXPECT_EQ(w.look(3, 10, t0 + d - 1), verdict::wait);
  EXPECT_EQ(w.look(3, 12, t0 + d), verdict::steal);  // 2 of the 3 taken: still behind
}

TEST(steal_watch, a_queue_whose_owner_gets_through_it_is_never_stolen) {
  steal_watch w;
  std::int64_t t = 0;
  std::size_t removed = 0;
  EXPECT_EQ(w.look(4, removed, t), verdict::wait);
  // The owner keeps taking what it had, more slowly than the delay in all, but each look comes
  // after it got through the size seen when the watch began.
  for (int i = 0; i < 100; ++i) {
    t += d / 2;
    removed += 4;
    EXPECT_EQ(w.look(4, removed, t), verdict::wait) << i;
    EXPECT_EQ(w.recheck(), t + d) << i;  // each turnover starts the watch again
  }
}

TEST(steal_watch, a_queue_that_empties_starts_a_new_watch_when_work_returns) {
  steal_watch w;
  EXPECT_EQ(w.look(2, 0, 0), verdict::wait);
  EXPECT_EQ(w.look(0, 2, d / 2), verdict::idle);
  EXPECT_FALSE(w.watching());
  EXPECT_EQ(w.look(1, 2, d + 1), verdict::wait);  // not `steal`: the new work is young
  EXPECT_EQ(w.recheck(), d + 1 + d);
  EXPECT_EQ(w.look(1, 2, 2 * d + 1), verdict::steal);
}

TEST(steal_watch, after_a_steal_the_thief_takes_more_at_once_while_the_owner_is_behind) {
  steal_watch w;
  EXPECT_EQ(w.look(100, 0, 0), verdict::wait);
  ASSERT_EQ(w.look(100, 1, d), verdict::steal);
  w.stole(50, 51, d);                                 // took 50; the owner still has 50
  EXPECT_EQ(w.look(50, 60, d + 10), verdict::steal);  // it got through 9 of them: behind
  w.stole(25, 85, d + 10);
  // The owner got through all 25 left: no longer behind, so the watch starts over.
  EXPECT_EQ(w.look(30, 110, d + 20), verdict::wait);
  EXPECT_EQ(w.recheck(), d + 20 + d);
}

TEST(steal_watch, counts_that_wrap_around_still_measure_progress) {
  steal_watch w;
  const std::size_t near_max = ~std::size_t{0} - 1;
  EXPECT_EQ(w.look(3, near_max, 0), verdict::wait);
  EXPECT_EQ(w.look(3, near_max + 3, d), verdict::wait);  // wrapped to 1: 3 taken, a turnover
  EXPECT_EQ(w.look(3, near_max + 4, 2 * d), verdict::steal);
}

}  // namespace eddy_test::unit_steal_watch_test
