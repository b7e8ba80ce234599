// SPDX-License-Identifier: BSL-1.0
// Sources over sync channels: from_broadcast (a lag is an errc::lagged item with the exact count,
// then the stream goes on; closed is the end) and from_watch (the current value first, then each
// change, skipping a burst's intermediate values; the sender gone is the end). Both by next()
// and through subscribe's synchronous fast path, with cancel safety of a next() that times out.
#include <optional>
#include <string>

#include <eddy/stream/from_broadcast.hpp>
#include <eddy/stream/from_watch.hpp>

#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::from_broadcast_watch_test {

using namespace eddy;
using namespace std::chrono_literals;

template <class F>
class channel_sources : public ::testing::Test {
 protected:
  F f;
};
TYPED_TEST_SUITE(channel_sources, op_runtimes, eddy_test::runtime_names);

namespace {
item<int> lagged(std::uint64_t n) {
  return item<int>(error{errc::lagged, n});
}
}  // namespace

// ---------------------------------------------------------------- from_broadcast
TYPED_TEST(channel_sources, from_broadcast_a_lag_is_an_item_then_it_goes_on) {
  auto out = this->f.block_on([]() -> task<items<int>> {
    auto [tx, rx] = broadcast::channel<int>(2);
    for (int i = 1; i <= 4; ++i) EXPECT_TRUE(tx.send(i).has_value());  // keeps [3, 4]
    auto s = from_broadcast(std::move(rx));
    items<int> got;
    auto a = co_await s.next();  // 1 and 2 were overwritten
    got.push_back(std::move(*a));
    auto b = co_await s.next();
    got.push_back(std::move(*b));
    for (int i = 5; i <= 9; ++i) EXPECT_TRUE(tx.send(i).has_value());  // keeps [8, 9]
    tx = broadcast::sender<int>{};  // the last sender is gone: the end after what is retained
    auto rest = co_await collect(std::move(s));
    got.insert(got.end(), rest.begin(), rest.end());
    co_return got;
  }());
  // 3 was read; 4..7 were overwritten before the next read; 8, 9 retained; then the end.
  EXPECT_EQ(out, (items<int>{lagged(2), 3, lagged(4), 8, 9}));
}

TYPED_TEST(channel_sources, from_broadcast_follows_a_producer_to_the_end) {
  auto run = [this](bool fast_path) {
    return this->f.block_on([](bool fast_path) -> task<items<int>> {
      auto [tx, rx] = broadcast::channel<int>(16);
      auto producer = spawn([](broadcast::sender<int> tx) -> task<void> {
        for (int i = 0; i < 6; ++i) {
          EXPECT_TRUE(tx.send(i).has_value());
          if (i % 2 == 0) co_await sleep(1ms);
        }
      }(std::move(tx)));
      auto s = from_broadcast(std::move(rx)) | map([](int x) { return x * 10; });
      items<int> got;  // (no co_await inside ?: : g++ 12 mishandles its temporaries)
      if (fast_path)
        got = co_await collect_subscribe(std::move(s));
      else
        got = co_await collect(std::move(s));
      (void)co_await producer;
      co_return got;
    }(fast_path));
  };
  EXPECT_EQ(run(false), (items<int>{0, 10, 20, 30, 40, 50}));
  EXPECT_EQ(run(true), (items<int>{0, 10, 20, 30, 40, 50}));
}

TYPED_TEST(channel_sources, from_broadcast_lag_through_the_fast_path_and_an_empty_receiver) {
  auto out = this->f.block_on([]() -> task<items<int>> {
    auto [tx, rx] = broadcast::channel<int>(1);
    EXPECT_TRUE(tx.send(1).has_value());
    EXPECT_TRUE(tx.send(2).has_value());
    tx = broadcast::sender<int>{};
    co_return co_await collect_subscribe(from_broadcast(std::move(rx)));
  }());
  EXPECT_EQ(out, (items<int>{lagged(1), 2}));
  auto empty = this->f.block_on(collect(from_broadcast(broadcast::receiver<int>{})));
  ASSERT_EQ(empty.size(), 1u);  // one error, then the end (no endless errors)
  EXPECT_EQ(empty[0].error().code(), errc::invalid_argument);
}

TYPED_TEST(channel_sources, from_broadcast_next_that_times_out_consumes_nothing) {
  auto out = this->f.block_on([]() -> task<items<int>> {
    auto [tx, rx] = broadcast::channel<int>(4);
    auto s = from_broadcast(std::move(rx));
    auto none = co_await timeout(1ms, s.next());
    EXPECT_FALSE(none.has_value());
    EXPECT_TRUE(tx.send(7).has_value());
    tx = broadcast::sender<int>{};
    co_return co_await collect(std::move(s));
  }());
  EXPECT_EQ(out, L(7));
}

// ---------------------------------------------------------------- from_watch
TYPED_TEST(channel_sources, from_watch_gives_the_current_value_first_at_once) {
  this->f.block_on([]() -> task<void> {
    auto [tx, rx] = watch::channel<std::string>("initial");
    EXPECT_TRUE(tx.send("current").has_value());  // before the stream exists
    auto s = from_watch(std::move(rx));
    auto aw = s.next();
    EXPECT_TRUE(aw.await_ready());  // the first item never waits
    auto first = aw.await_resume();
    EXPECT_TRUE(first && first->is_value());
    if (first && first->is_value()) {
      EXPECT_EQ(first->value(), "current");
    }
    // no duplicate: the next item is the next change
    auto none = co_await timeout(1ms, s.next());
    EXPECT_FALSE(none.has_value());
    EXPECT_TRUE(tx.send("changed").has_value());
    auto second = co_await s.next();
    EXPECT_TRUE(second && second->is_value());
    if (second && second->is_value()) {
      EXPECT_EQ(second->value(), "changed");
    }
  }());
}

TYPED_TEST(channel_sources, from_watch_skips_a_burst_and_ends_when_the_sender_is_gone) {
  auto out = this->f.block_on([]() -> task<items<int>> {
    auto [tx, rx] = watch::channel<int>(0);
    auto s = from_watch(std::move(rx));
    items<int> got;
    auto a = co_await s.next();
    got.push_back(std::move(*a));  // 0
    for (int i = 1; i <= 3; ++i) EXPECT_TRUE(tx.send(i).has_value());
    auto b = co_await s.next();  // only the latest of the burst
    got.push_back(std::move(*b));
    EXPECT_TRUE(tx.send(4).has_value());
    tx = watch::sender<int>{};  // gone after an unseen change: 4, then the end
    auto rest = co_await collect(std::move(s));
    got.insert(got.end(), rest.begin(), rest.end());
    co_return got;
  }());
  EXPECT_EQ(out, (items<int>{0, 3, 4}));
}

TYPED_TEST(channel_sources, from_watch_follows_a_producer_through_the_fast_path) {
  auto out = this->f.block_on([]() -> task<items<int>> {
    auto [tx, rx] = watch::channel<int>(100);
    auto producer = spawn([](watch::sender<int> tx) -> task<void> {
      for (int i = 1; i <= 3; ++i) {
        co_await sleep(1ms);
        (void)tx.send(100 + i);  // the last may find the stream gone (take(3))
        co_await sleep(1ms);
      }
    }(std::move(tx)));
    auto got = co_await collect_subscribe(from_watch(std::move(rx)) | take(3));
    (void)co_await producer;
    co_return got;
  }());
  EXPECT_EQ(out, (items<int>{100, 101, 102}));
  auto empty = this->f.block_on(collect(from_watch(watch::receiver<int>{})));
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_EQ(empty[0].error().code(), errc::invalid_argument);
}

}  // namespace eddy_stream_test::from_broadcast_watch_test
