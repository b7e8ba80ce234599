// SPDX-License-Identifier: BSL-1.0
// A real-clock check shared by the event-loop adapters (Asio, libuv, GLib, Qt): sleeps armed
// out of order with deadlines `step` apart end in deadline order, none before its deadline.
#pragma once
#include <gtest/gtest.h>

#include <chrono>
#include <eddy/core/task.hpp>
#include <eddy/runtime/join_handle.hpp>
#include <eddy/runtime/sleep.hpp>
#include <eddy/runtime/spawn.hpp>
#include <vector>

namespace eddy_test {

// A round judges the order only if every sleep was armed before its deadline: a sleep that
// starts late completes at once, in spawn order. A loaded machine (a sanitizer build, ctest
// -j) can delay the first run of the spawned tasks past a deadline, so such a round is
// repeated with a wider margin; the test fails if no round could be judged.
template <class Runtime>
void expect_sleeps_fire_in_deadline_order(Runtime& rt, eddy::duration step) {
  struct sleep_round {
    std::vector<int> order;  // -1: a sleep ended before its deadline
    bool armed_late = false;
  };
  int judged = 0;
  for (int attempt = 1; attempt <= 20 && judged == 0; ++attempt) {
    auto r = rt.block_on([](eddy::duration margin, eddy::duration step) -> eddy::task<sleep_round> {
      sleep_round out;
      std::vector<eddy::join_handle<void>> hs;
      const eddy::time_point t0 = eddy::now() + margin;
      for (int i : {5, 1, 4, 2, 3}) {
        hs.push_back(
            eddy::spawn([](eddy::time_point at, int i, sleep_round* out) -> eddy::task<void> {
              if (eddy::now() >= at) out->armed_late = true;
              co_await eddy::sleep_until(at);
              if (eddy::now() < at) out->order.push_back(-1);
              out->order.push_back(i);
            }(t0 + i * step, i, &out)));
      }
      for (auto& h : hs) (void)co_await h;
      co_return out;
    }(std::chrono::milliseconds(2 * attempt), step));
    if (r.armed_late) continue;
    ++judged;
    EXPECT_EQ(r.order, (std::vector<int>{1, 2, 3, 4, 5})) << "(-1: a sleep ended early)";
  }
  EXPECT_EQ(judged, 1) << "every round armed its sleeps after their deadlines";
}

}  // namespace eddy_test
