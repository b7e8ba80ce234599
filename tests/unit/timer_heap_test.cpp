// SPDX-License-Identifier: BSL-1.0
// The backends' timer heap against a reference ordering, with random removals.
#include <gtest/gtest.h>

#include <algorithm>
#include <eddy/runtime/detail/timer_heap.hpp>
#include <memory>
#include <random>
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

}  // namespace eddy_test::unit_timer_heap_test
