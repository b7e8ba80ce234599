// SPDX-License-Identifier: BSL-1.0
// Conformance: oneshot channels on every runtime.
#include <atomic>
#include <memory>
#include <string>

#include "conformance/runtimes.hpp"
#include "sync/channel_cancel_safety.hpp"

namespace eddy_test::sync_oneshot_test {

using namespace eddy;
using namespace std::chrono_literals;

template <class F>
class oneshot_conformance : public ::testing::Test {
 protected:
  F f;
};
TYPED_TEST_SUITE(oneshot_conformance, eddy_test::all_runtimes, eddy_test::runtime_names);

namespace {
template <class R>
errc code_of(const R& r) {
  return r.has_value() ? errc{} : r.error().code();
}

task<result<int>> await_rx(oneshot::receiver<int> rx) {
  co_return co_await rx;
}
}  // namespace

TYPED_TEST(oneshot_conformance, send_before_await) {
  auto r = this->f.block_on([]() -> task<result<std::string>> {
    auto [tx, rx] = oneshot::channel<std::string>();
    EXPECT_FALSE(tx.is_closed());
    auto s = tx.send("hi");
    EXPECT_TRUE(s.has_value());
    EXPECT_FALSE(tx.valid());  // consumed
    co_return co_await rx;
  }());
  EXPECT_EQ(r.value(), "hi");
}

TYPED_TEST(oneshot_conformance, await_then_send_wakes_the_receiver) {
  auto r = this->f.block_on([]() -> task<int> {
    auto [tx, rx] = oneshot::channel<int>();
    auto h = spawn(await_rx(std::move(rx)));
    co_await yield_now();
    co_await yield_now();
    EXPECT_TRUE(tx.send(7).has_value());
    auto v = co_await h;
    co_return v.value().value();
  }());
  EXPECT_EQ(r, 7);
}

TYPED_TEST(oneshot_conformance, sender_dropped_without_sending_is_closed) {
  auto ok = this->f.block_on([]() -> task<bool> {
    {  // receiver waiting when the sender goes
      auto [tx, rx] = oneshot::channel<int>();
      auto h = spawn(await_rx(std::move(rx)));
      co_await yield_now();
      tx = oneshot::sender<int>{};
      auto r = co_await h;
      EXPECT_EQ(code_of(r.value()), errc::closed);
    }
    {  // sender already gone
      auto [tx, rx] = oneshot::channel<int>();
      { auto gone = std::move(tx); }
      auto t = rx.try_recv();
      EXPECT_EQ(code_of(t), errc::closed);
      auto r = co_await rx;
      EXPECT_EQ(code_of(r), errc::closed);
    }
    co_return true;
  }());
  EXPECT_TRUE(ok);
}

TYPED_TEST(oneshot_conformance, send_after_receiver_gone_hands_value_back) {
  this->f.block_on([]() -> task<void> {
    auto [tx, rx] = oneshot::channel<std::unique_ptr<int>>();
    rx = oneshot::receiver<std::unique_ptr<int>>{};
    EXPECT_TRUE(tx.is_closed());
    auto s = tx.send(std::make_unique<int>(5));
    EXPECT_EQ(code_of(s), errc::closed);
    if (!s.has_value()) {
      EXPECT_EQ(*s.inner(), 5);
    }
    co_return;
  }());
}

TYPED_TEST(oneshot_conformance, close_refuses_later_send_but_keeps_earlier_value) {
  this->f.block_on([]() -> task<void> {
    {
      auto [tx, rx] = oneshot::channel<int>();
      rx.close();
      rx.close();  // idempotent
      auto s = tx.send(1);
      EXPECT_EQ(code_of(s), errc::closed);
      if (!s.has_value()) {
        EXPECT_EQ(s.inner(), 1);
      }
      auto r = co_await rx;
      EXPECT_EQ(code_of(r), errc::closed);
    }
    {
      auto [tx, rx] = oneshot::channel<int>();
      EXPECT_TRUE(tx.send(2).has_value());
      rx.close();
      auto r = co_await rx;
      EXPECT_EQ(r.value(), 2);
    }
    {  // close while the sender is still alive: the await does not hang
      auto [tx, rx] = oneshot::channel<int>();
      rx.close();
      EXPECT_TRUE(tx.is_closed());
      auto r = co_await rx;
      EXPECT_EQ(code_of(r), errc::closed);
    }
  }());
}

TYPED_TEST(oneshot_conformance, moved_from_and_used_handles_are_defined) {
  this->f.block_on([]() -> task<void> {
    auto [tx, rx] = oneshot::channel<int>();
    auto t = rx.try_recv();
    EXPECT_EQ(code_of(t), errc::empty);
    auto tx2 = std::move(tx);
    auto moved = tx.send(1);  // NOLINT(bugprone-use-after-move): the point of the test
    EXPECT_EQ(code_of(moved), errc::invalid_argument);
    if (!moved.has_value()) {
      EXPECT_EQ(moved.inner(), 1);
    }
    EXPECT_TRUE(tx.is_closed());
    EXPECT_TRUE(tx2.send(2).has_value());
    auto twice = tx2.send(3);
    EXPECT_EQ(code_of(twice), errc::invalid_argument);
    if (!twice.has_value()) {
      EXPECT_EQ(twice.inner(), 3);
    }
    auto rx2 = std::move(rx);
    auto r0 = co_await rx;  // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(code_of(r0), errc::invalid_argument);
    EXPECT_EQ(code_of(rx.try_recv()), errc::invalid_argument);
    rx.close();
    auto r1 = co_await rx2;
    EXPECT_EQ(r1.value(), 2);
    auto r2 = co_await rx2;  // the value was taken
    EXPECT_EQ(code_of(r2), errc::invalid_argument);
    EXPECT_EQ(code_of(rx2.try_recv()), errc::invalid_argument);
  }());
}

TYPED_TEST(oneshot_conformance, try_recv_gives_the_value) {
  this->f.block_on([]() -> task<void> {
    auto [tx, rx] = oneshot::channel<int>();
    EXPECT_TRUE(tx.send(4).has_value());
    auto t = rx.try_recv();
    EXPECT_EQ(t.value(), 4);
    co_return;
  }());
}

struct oneshot_ch {
  static auto make() { return oneshot::channel<int>(); }
  static task<result<int>> recv(oneshot::receiver<int>* rx) { co_return co_await *rx; }
  static void send(oneshot::sender<int>& tx, int v) { EXPECT_TRUE(tx.send(v).has_value()); }
  static std::vector<int> left(oneshot::receiver<int>& rx) {
    auto t = rx.try_recv();
    return t.has_value() ? std::vector<int>{t.value()} : std::vector<int>{};
  }
  static constexpr int items = 1;
};

TYPED_TEST(oneshot_conformance, abort_before_send_deregisters) {
  this->f.block_on(eddy_test::abort_while_waiting_deregisters<oneshot_ch>());
}

TYPED_TEST(oneshot_conformance, abort_after_wake_keeps_the_value) {
  this->f.block_on(eddy_test::abort_after_wake_loses_nothing<oneshot_ch, TypeParam::threads>(20));
}

TYPED_TEST(oneshot_conformance, timeout_loses_nothing) {
  auto ok = this->f.block_on([]() -> task<bool> {
    auto [tx, rx] = oneshot::channel<int>();
    const auto t0 = now();
    auto r = co_await timeout(3ms, rx.recv());
    EXPECT_FALSE(r.has_value());
    if constexpr (TypeParam::virtual_time) {
      EXPECT_EQ(now() - t0, 3ms);
    } else {
      EXPECT_GE(now() - t0, 3ms);
    }
    EXPECT_TRUE(tx.send(8).has_value());
    auto v = co_await rx;
    co_return v.value() == 8;
  }());
  EXPECT_TRUE(ok);
}

TYPED_TEST(oneshot_conformance, second_concurrent_await_is_invalid_argument) {
  auto ok = this->f.block_on([]() -> task<bool> {
    auto [tx, rx] = oneshot::channel<int>();
    std::atomic<bool> started{false};
    auto h = spawn([](oneshot::receiver<int>* rx, std::atomic<bool>* started) -> task<int> {
      started->store(true);
      auto r = co_await *rx;
      co_return r.has_value() ? r.value() : (r.error().code() == errc::invalid_argument ? -2 : -3);
    }(&rx, &started));
    while (!started.load()) co_await yield_now();
    // On two threads the first waiter may not be registered yet: then this await is the one
    // that waits, and the spawned task gets invalid_argument. Exactly one of them gets 3.
    auto second = spawn([](oneshot::receiver<int>* rx) -> task<int> {
      auto r = co_await *rx;
      co_return r.has_value() ? r.value() : (r.error().code() == errc::invalid_argument ? -2 : -3);
    }(&rx));
    if constexpr (TypeParam::threads == 1) {
      auto s = co_await second;
      EXPECT_EQ(s.value(), -2);
      EXPECT_TRUE(tx.send(3).has_value());
      auto r = co_await h;
      co_return r.value() == 3;
    } else {
      while (!second.is_finished() && !h.is_finished()) co_await yield_now();
      EXPECT_TRUE(tx.send(3).has_value());
      auto a = co_await h;
      auto b = co_await second;
      const int x = a.value(), y = b.value();
      co_return (x == 3 && y == -2) || (x == -2 && y == 3);
    }
  }());
  EXPECT_TRUE(ok);
}

TYPED_TEST(oneshot_conformance, value_destroyed_when_never_received) {
  auto token = std::make_shared<int>(1);
  this->f.block_on([](std::shared_ptr<int> t) -> task<void> {
    auto [tx, rx] = oneshot::channel<std::shared_ptr<int>>();
    EXPECT_TRUE(tx.send(std::move(t)).has_value());
    co_return;
  }(token));
  EXPECT_EQ(token.use_count(), 1);
}

TEST(oneshot, replies_across_runtimes_keep_affinity) {
  thread_pool pool{2};
  local_runtime local;
  constexpr int rounds = 500;
  auto ok = local.block_on([](executor pool_ex, executor self) -> task<bool> {
    bool ok = true;
    for (int i = 0; i < rounds; ++i) {
      auto [tx, rx] = oneshot::channel<int>();
      auto h = spawn(pool_ex, [](oneshot::sender<int> tx, int i, executor pool_ex) -> task<bool> {
        co_await yield_now();
        const bool on_pool = current_executor() == pool_ex;
        auto s = tx.send(i * 2);
        co_return on_pool&& s.has_value();
      }(std::move(tx), i, pool_ex));
      auto r = co_await rx;
      ok = ok && r.value() == i * 2 && current_executor() == self;
      auto j = co_await h;
      ok = ok && j.value() && current_executor() == self;
    }
    co_return ok;
  }(pool.get_executor(), local.get_executor()));
  EXPECT_TRUE(ok);
}

}  // namespace eddy_test::sync_oneshot_test
