// SPDX-License-Identifier: BSL-1.0
// The backends' timer queue against a reference ordering, with random removals, and pushes,
// pops and removals interleaved over deadlines that spread from nanoseconds to the end of time
// (the near heap, the wheel and the far heap, and the moves between them).
#include <gtest/gtest.h>

#include <algorithm>
#include <eddy/runtime/detail/timer_heap.hpp>
#include <memory>
#include <random>
#include <set>
#include <utility>
#include <vector>

namespace eddy_test::unit_timer_heap_test {

using eddy::duration;
using eddy::time_point;
using eddy::timer_node;

TEST(timer_heap, pops_in_deadline_then_arming_order_with_removals) {
  std::mt19937_64 rng(123);
  for (int round = 0; round < 50; ++round) {
    eddy::detail::timer_heap h;
    const int n = 1 + static_cast<int>(rng() % 300);
    std::vector<std::unique_ptr<timer_node>> nodes;
    std::vector<std::pair<std::int64_t, int>> expected;  // (deadline, arming index)
    for (int i = 0; i < n; ++i) {
      nodes.push_back(std::make_unique<timer_node>());
      const auto d = static_cast<std::int64_t>(rng() % 50);
      nodes.back()->deadline = time_point{duration{d}};
      h.push(nodes.back().get());
      expected.emplace_back(d, i);
    }
    // Remove a random third.
    for (int i = 0; i < n; ++i) {
      if (rng() % 3 == 0) {
        EXPECT_TRUE(h.remove(nodes[i].get()));
        EXPECT_FALSE(h.remove(nodes[i].get()));
        expected.erase(
            std::find_if(expected.begin(), expected.end(), [&](auto& p) { return p.second == i; }));
      }
    }
    std::sort(expected.begin(), expected.end());
    ASSERT_EQ(h.size(), expected.size());
    for (auto& [d, i] : expected) {
      timer_node* t = h.pop();
      ASSERT_EQ(t, nodes[i].get());
      EXPECT_FALSE(h.contains(t));
    }
    EXPECT_TRUE(h.empty());
  }
}

namespace {
// A deadline from one of several scales: within a slot, within the wheel, beyond it, far in
// the past or future, and the ends of the clock.
std::int64_t some_deadline(std::mt19937_64& rng, std::int64_t now) {
  constexpr std::int64_t slot = std::int64_t{1} << eddy::detail::timer_heap::slot_bits;
  switch (rng() % 8) {
    case 0:
      return now + static_cast<std::int64_t>(rng() % 1000);
    case 1:
      return now + static_cast<std::int64_t>(rng() % (50 * slot));
    case 2:
      return now +
             static_cast<std::int64_t>(rng() % (4 * eddy::detail::timer_heap::slot_count * slot));
    case 3:
      return now + static_cast<std::int64_t>(rng() % (std::int64_t{1} << 50));
    case 4:
      return now - static_cast<std::int64_t>(rng() % (10 * slot));  // already due
    case 5:
      return INT64_MAX;  // saturated: "never"
    case 6:
      return INT64_MIN + static_cast<std::int64_t>(rng() % 3);
    default:
      return now + static_cast<std::int64_t>(rng() % slot);
  }
}
}  // namespace

TEST(timer_heap, interleaved_pushes_pops_and_removals_over_every_scale) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 40; ++round) {
    eddy::detail::timer_heap h;
    std::vector<std::unique_ptr<timer_node>> nodes;
    std::set<std::pair<std::int64_t, int>> armed;  // (deadline, arming index)
    std::int64_t now = static_cast<std::int64_t>(rng() % 1'000'000'000'000);
    const int ops = 2000;
    for (int op = 0; op < ops; ++op) {
      const unsigned what = static_cast<unsigned>(rng() % 10);
      if (what < 5 || armed.empty()) {  // arm a new timer
        nodes.push_back(std::make_unique<timer_node>());
        const std::int64_t d = some_deadline(rng, now);
        nodes.back()->deadline = time_point{duration{d}};
        h.push(nodes.back().get());
        armed.emplace(d, static_cast<int>(nodes.size() - 1));
      } else if (what < 8) {  // the first one fires
        ASSERT_EQ(h.top(), nodes[static_cast<std::size_t>(armed.begin()->second)].get());
        timer_node* t = h.pop();
        ASSERT_EQ(t, nodes[static_cast<std::size_t>(armed.begin()->second)].get());
        EXPECT_FALSE(h.contains(t));
        if (armed.begin()->first > now && armed.begin()->first < INT64_MAX / 2)
          now = armed.begin()->first;  // time moves on to it
        armed.erase(armed.begin());
      } else {  // a random armed one is cancelled
        auto it = armed.begin();
        std::advance(it, static_cast<long>(rng() % armed.size()));
        timer_node* t = nodes[static_cast<std::size_t>(it->second)].get();
        ASSERT_TRUE(h.contains(t));
        EXPECT_TRUE(h.remove(t));
        EXPECT_FALSE(h.remove(t));
        armed.erase(it);
      }
      ASSERT_EQ(h.size(), armed.size());
      ASSERT_EQ(h.empty(), armed.empty());
      if (!armed.empty()) {
        ASSERT_EQ(h.top(), nodes[static_cast<std::size_t>(armed.begin()->second)].get());
      }
    }
    while (!armed.empty()) {
      ASSERT_EQ(h.pop(), nodes[static_cast<std::size_t>(armed.begin()->second)].get());
      armed.erase(armed.begin());
    }
    EXPECT_EQ(h.pop(), nullptr);
    EXPECT_TRUE(h.empty());
  }
}

}  // namespace eddy_test::unit_timer_heap_test
