// SPDX-License-Identifier: BSL-1.0
// Conformance: from_broadcast and from_watch on every runtime, with the producer in another
// task (another thread on the multi-thread runtimes): every broadcast value in order (no lag
// with room), then the end; from_watch's first item, then changes in order of versions, then
// the end.
#include <vector>

#include <eddy/stream/from_broadcast.hpp>
#include <eddy/stream/from_watch.hpp>

#include "conformance/runtimes.hpp"

namespace eddy_test::conformance_channel_streams_test {

using namespace eddy;
using namespace std::chrono_literals;

template <class F>
class channel_streams : public ::testing::Test {
 protected:
  F f;
};
TYPED_TEST_SUITE(channel_streams, eddy_test::all_runtimes, eddy_test::runtime_names);

TYPED_TEST(channel_streams, from_broadcast_across_tasks) {
  auto got = this->f.block_on([]() -> task<std::vector<int>> {
    constexpr int n = 200;
    auto [tx, rx] = broadcast::channel<int>(n);  // room for all: no lag whatever the schedule
    auto s = from_broadcast(std::move(rx));
    auto producer = spawn([](broadcast::sender<int> tx) -> task<void> {
      for (int i = 0; i < n; ++i) {
        EXPECT_TRUE(tx.send(i).has_value());
        if (i % 16 == 0) co_await yield_now();
      }
    }(std::move(tx)));
    std::vector<int> out;
    while (auto it = co_await s.next()) {
      EXPECT_TRUE(it->is_value());
      if (it->is_value()) out.push_back(it->value());
    }
    (void)co_await producer;
    co_return out;
  }());
  ASSERT_EQ(got.size(), 200u);
  for (int i = 0; i < 200; ++i) EXPECT_EQ(got[static_cast<std::size_t>(i)], i);
}

TYPED_TEST(channel_streams, from_watch_across_tasks) {
  auto got = this->f.block_on([]() -> task<std::vector<int>> {
    auto [tx, rx] = watch::channel<int>(-1);
    auto s = from_watch(std::move(rx));
    auto first = co_await s.next();  // the current value, at once
    std::vector<int> out{first->value()};
    auto producer = spawn([](watch::sender<int> tx) -> task<void> {
      for (int i = 0; i < 100; ++i) {
        EXPECT_TRUE(tx.send(i).has_value());
        if (i % 8 == 0) co_await yield_now();
      }
    }(std::move(tx)));
    while (auto it = co_await s.next()) out.push_back(it->value());
    (void)co_await producer;
    co_return out;
  }());
  ASSERT_GE(got.size(), 2u);
  EXPECT_EQ(got.front(), -1);
  EXPECT_EQ(got.back(), 99);  // the last value is never skipped
  for (std::size_t i = 1; i < got.size(); ++i) EXPECT_LT(got[i - 1], got[i]);  // no repeats
}

}  // namespace eddy_test::conformance_channel_streams_test
