// SPDX-License-Identifier: BSL-1.0
// Sleeps armed out of order with deadlines `step` apart end in deadline order, none before its
// deadline: shared by the time conformance suite and the event-loop adapters' own suites.
#pragma once
#include <gtest/gtest.h>

#include <chrono>
#include <eddy/core/lock.hpp>
#include <eddy/core/task.hpp>
#include <eddy/runtime/join_handle.hpp>
#include <eddy/runtime/sleep.hpp>
#include <eddy/runtime/spawn.hpp>
#include <vector>

namespace eddy_test {

// A round judges the order only if every sleep was armed before its deadline (a sleep that
// starts late completes at once, in spawn order), and a round out of order is judged only if
// every task ran again within `step` of its deadline (a worker descheduled between firing a
// timer and running its task lets the next deadline's task run first). A loaded machine (a
// sanitizer build, ctest -j) can do either, so such a round is repeated with a wider margin;
// the test fails if no round could be judged, so timers that fire late and out of order every
// time still fail it. Odd sleeps are relative (`sleep(d)`), even ones absolute (`sleep_until`).
// `Runtime` has `block_on`; the sleeps may end on several threads.
template <class Runtime>
void expect_sleeps_fire_in_deadline_order(Runtime& rt, eddy::duration step) {
  struct sleep_round {
    eddy::detail::spin_lock lock;
    std::vector<int> order;  // -1: a sleep ended before its deadline
    bool armed_late = false;
    bool woke_late = false;  // a task ran again a step or more after its deadline
    void add(int i, bool late_start, bool early_end, bool late_end) {
      eddy::detail::lock_guard<eddy::detail::spin_lock> g(lock);
      if (late_start) armed_late = true;
      if (late_end) woke_late = true;
      if (early_end) order.push_back(-1);
      order.push_back(i);
    }
  };
  int judged = 0;
  for (int attempt = 1; attempt <= 20 && judged == 0; ++attempt) {
    sleep_round r;
    rt.block_on(
        [](eddy::duration margin, eddy::duration step, sleep_round* out) -> eddy::task<void> {
          std::vector<eddy::join_handle<void>> hs;
          const eddy::time_point t0 = eddy::now() + margin;
          for (int i : {5, 1, 4, 2, 3}) {
            hs.push_back(eddy::spawn([](eddy::time_point at, eddy::duration step, int i,
                                        sleep_round* out) -> eddy::task<void> {
              const bool late = eddy::now() >= at;
              if (i % 2 == 1) {
                co_await eddy::sleep(at - eddy::now());
              } else {
                co_await eddy::sleep_until(at);
              }
              const eddy::time_point woke = eddy::now();
              out->add(i, late, woke < at, woke >= at + step);
            }(t0 + i * step, step, i, out)));
          }
          for (auto& h : hs) (void)co_await h;
        }(std::chrono::milliseconds(2 * attempt), step, &r));
    const std::vector<int> in_order{1, 2, 3, 4, 5};
    if (r.armed_late || (r.woke_late && r.order != in_order)) continue;
    ++judged;
    EXPECT_EQ(r.order, in_order) << "(-1: a sleep ended early)";
  }
  EXPECT_EQ(judged, 1) << "every round armed its sleeps late, or woke a step late out of order";
}

}  // namespace eddy_test
