// SPDX-License-Identifier: BSL-1.0
// Conformance: broadcast::channel on every runtime (values, lag counts, closing, subscribers,
// cancel safety, empty handles), plus the virtual-time cases on sim_runtime.
#include <atomic>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "conformance/runtimes.hpp"
#include "sync/channel_cancel_safety.hpp"

namespace eddy_test::sync_broadcast_test {

using namespace eddy;
using namespace std::chrono_literals;

template <class F>
class broadcast_conformance : public ::testing::Test {
 protected:
  F f;
};
TYPED_TEST_SUITE(broadcast_conformance, eddy_test::all_runtimes, eddy_test::runtime_names);

namespace {

template <class T>
bool is_err(const result<T>& r, errc c, std::uint64_t count = 0) {
  return !r.has_value() && r.error().code() == c && r.error().count() == count;
}
template <class T>
bool is_val(const result<T>& r, const T& v) {
  return r.has_value() && r.value() == v;
}

/// Counts live instances and copies, to check who copies and when values are released.
struct tracked {
  static inline std::atomic<int> live{0};
  static inline std::atomic<int> copies{0};
  static void reset() {
    live = 0;
    copies = 0;
  }
  int v;
  explicit tracked(int x) noexcept : v(x) { ++live; }
  tracked(const tracked& o) noexcept : v(o.v) {
    ++live;
    ++copies;
  }
  tracked(tracked&& o) noexcept : v(o.v) { ++live; }
  tracked& operator=(const tracked&) = delete;
  ~tracked() { --live; }
};

task<result<int>> recv_one(broadcast::receiver<int>* rx) {
  co_return co_await rx->recv();
}

}  // namespace

TYPED_TEST(broadcast_conformance, every_receiver_sees_every_value_in_order) {
  auto ok = this->f.block_on([]() -> task<bool> {
    auto [tx, rx1] = broadcast::channel<int>(8);
    auto rx2 = tx.subscribe();
    bool good = true;
    for (int i = 1; i <= 5; ++i) {
      auto s = tx.send(i);
      good = good && s.has_value() && s.value() == 2;
    }
    for (int i = 1; i <= 5; ++i) {
      auto a = co_await rx1.recv();
      auto b = co_await rx2.recv();
      good = good && is_val(a, i) && is_val(b, i);
    }
    good = good && is_err(rx1.try_recv(), errc::empty) && is_err(rx2.try_recv(), errc::empty);
    co_return good;
  }());
  EXPECT_TRUE(ok);
}

TYPED_TEST(broadcast_conformance, recv_waits_for_a_send) {
  auto r = this->f.block_on([]() -> task<result<int>> {
    auto [tx, rx] = broadcast::channel<int>(4);
    auto h = spawn(recv_one(&rx));
    co_await yield_now();  // on single-thread runtimes the receiver is now waiting
    auto s = tx.send(7);
    EXPECT_TRUE(s.has_value());
    auto got = co_await h;
    co_return got.value();
  }());
  EXPECT_TRUE(is_val(r, 7));
}

TYPED_TEST(broadcast_conformance, lagged_gives_exact_count_then_oldest_retained) {
  auto ok = this->f.block_on([]() -> task<bool> {
    auto [tx, rx] = broadcast::channel<int>(4);
    for (int i = 0; i < 10; ++i) (void)tx.send(i);
    bool good = true;
    auto lag = co_await rx.recv();
    good = good && is_err(lag, errc::lagged, 6);  // 0..5 were overwritten
    for (int i = 6; i < 10; ++i) {
      auto v = co_await rx.recv();
      good = good && is_val(v, i);
    }
    good = good && is_err(rx.try_recv(), errc::empty);
    tx = {};
    auto end = co_await rx.recv();
    good = good && is_err(end, errc::closed);
    co_return good;
  }());
  EXPECT_TRUE(ok);
}

TYPED_TEST(broadcast_conformance, repeated_lags_add_up) {
  auto ok = this->f.block_on([]() -> task<bool> {
    auto [tx, rx] = broadcast::channel<int>(2);
    bool good = true;
    for (int i = 0; i < 5; ++i) (void)tx.send(i);  // retained: 3 4
    auto a = co_await rx.recv();
    good = good && is_err(a, errc::lagged, 3);
    auto b = co_await rx.recv();
    good = good && is_val(b, 3);
    for (int i = 5; i < 8; ++i) (void)tx.send(i);  // rx at 4; retained: 6 7
    auto c = co_await rx.recv();
    good = good && is_err(c, errc::lagged, 2);  // 4 and 5
    auto d = co_await rx.recv();
    auto e = co_await rx.recv();
    good = good && is_val(d, 6) && is_val(e, 7);
    co_return good;
  }());
  EXPECT_TRUE(ok);
}

TYPED_TEST(broadcast_conformance, keeps_exactly_cap_values) {
  auto ok = this->f.block_on([]() -> task<bool> {
    bool good = true;
    for (std::size_t cap : {1u, 3u, 5u, 6u, 1000u}) {
      auto [tx, rx] = broadcast::channel<int>(cap);
      good = good && tx.capacity() == cap;
      const int n = static_cast<int>(cap);
      for (int i = 0; i < n; ++i) (void)tx.send(i);
      good = good && rx.len() == cap && tx.len() == cap;
      for (int i = 0; i < n; ++i) good = good && is_val(rx.try_recv(), i);  // no lag at cap
      for (int i = 0; i < n + 1; ++i) (void)tx.send(100 + i);               // one too many
      good = good && is_err(rx.try_recv(), errc::lagged, 1);
      for (int i = 1; i < n + 1; ++i) good = good && is_val(rx.try_recv(), 100 + i);
      good = good && is_err(rx.try_recv(), errc::empty);
    }
    co_return good;
  }());
  EXPECT_TRUE(ok);
}

TYPED_TEST(broadcast_conformance, late_subscriber_sees_only_later_values) {
  auto ok = this->f.block_on([]() -> task<bool> {
    auto [tx, rx] = broadcast::channel<int>(4);
    (void)tx.send(1);
    (void)tx.send(2);
    auto late = tx.subscribe();
    auto later = rx.resubscribe();
    bool good = is_err(late.try_recv(), errc::empty) && is_err(later.try_recv(), errc::empty);
    (void)tx.send(3);
    good = good && is_val(late.try_recv(), 3) && is_val(later.try_recv(), 3);
    good = good && is_val(rx.try_recv(), 1) && is_val(rx.try_recv(), 2) && is_val(rx.try_recv(), 3);
    // Lag is counted from the subscription, not from the channel's start.
    for (int i = 4; i < 10; ++i) (void)tx.send(i);  // late at 3 (after 3), retained 6..9
    good = good && is_err(late.try_recv(), errc::lagged, 2);
    co_return good;
  }());
  EXPECT_TRUE(ok);
}

TYPED_TEST(broadcast_conformance, closed_after_last_sender_and_everything_seen) {
  auto ok = this->f.block_on([]() -> task<bool> {
    auto [tx, rx] = broadcast::channel<int>(4);
    auto tx2 = tx;
    (void)tx.send(1);
    (void)tx2.send(2);
    tx = {};
    bool good = is_val(rx.try_recv(), 1) && is_val(rx.try_recv(), 2);
    good = good && is_err(rx.try_recv(), errc::empty);  // tx2 still lives
    (void)tx2.send(3);
    (void)tx2.send(4);
    tx2 = {};
    auto a = co_await rx.recv();
    auto b = co_await rx.recv();
    auto c = co_await rx.recv();
    good = good && is_val(a, 3) && is_val(b, 4) && is_err(c, errc::closed);
    good = good && is_err(rx.try_recv(), errc::closed);  // and stays closed
    auto again = rx.resubscribe();
    good = good && is_err(again.try_recv(), errc::closed);
    co_return good;
  }());
  EXPECT_TRUE(ok);
}

TYPED_TEST(broadcast_conformance, lag_is_reported_before_closed) {
  auto ok = this->f.block_on([]() -> task<bool> {
    auto [tx, rx] = broadcast::channel<int>(1);
    (void)tx.send(1);
    (void)tx.send(2);
    tx = {};
    auto a = co_await rx.recv();
    auto b = co_await rx.recv();
    auto c = co_await rx.recv();
    co_return is_err(a, errc::lagged, 1) && is_val(b, 2) && is_err(c, errc::closed);
  }());
  EXPECT_TRUE(ok);
}

TYPED_TEST(broadcast_conformance, waiting_receiver_wakes_with_closed) {
  auto r = this->f.block_on([]() -> task<result<int>> {
    auto [tx, rx] = broadcast::channel<int>(4);
    auto h = spawn(recv_one(&rx));
    co_await yield_now();
    tx = {};
    auto got = co_await h;
    co_return got.value();
  }());
  EXPECT_TRUE(is_err(r, errc::closed));
}

TYPED_TEST(broadcast_conformance, send_without_receivers_returns_value_with_closed) {
  auto ok = this->f.block_on([]() -> task<bool> {
    auto [tx2, rx2] = broadcast::channel<std::vector<int>>(2);
    rx2 = {};
    bool good = tx2.receiver_count() == 0;
    auto s = tx2.send(std::vector<int>{1, 2, 3});
    good = good && !s.has_value() && s.error().code() == errc::closed;
    good = good && s.returned() == std::vector<int>{1, 2, 3};
    good = good && tx2.len() == 0;
    auto sub = tx2.subscribe();  // a new receiver sees values sent from now on
    good = good && tx2.receiver_count() == 1;
    auto s2 = tx2.send(std::vector<int>{4});
    good = good && s2.has_value() && s2.value() == 1;
    auto v = co_await sub.recv();
    good = good && v.has_value() && v.value() == std::vector<int>{4};
    co_return good;
  }());
  EXPECT_TRUE(ok);
}

TYPED_TEST(broadcast_conformance, receiver_copy_continues_from_same_position) {
  auto ok = this->f.block_on([]() -> task<bool> {
    auto [tx, rx] = broadcast::channel<int>(4);
    (void)tx.send(1);
    (void)tx.send(2);
    bool good = is_val(rx.try_recv(), 1);
    auto copy = rx;  // at 2
    good = good && tx.receiver_count() == 2;
    good = good && is_val(rx.try_recv(), 2) && is_err(rx.try_recv(), errc::empty);
    good = good && is_val(copy.try_recv(), 2);
    (void)tx.send(3);
    good = good && is_val(copy.try_recv(), 3) && is_val(rx.try_recv(), 3);
    // A copy of a lagging receiver lags by the same count.
    for (int i = 4; i < 10; ++i) (void)tx.send(i);  // both at 4; retained 6..9
    auto lagging = rx;
    good = good && is_err(lagging.try_recv(), errc::lagged, 2) &&
           is_err(rx.try_recv(), errc::lagged, 2);
    co_return good;
  }());
  EXPECT_TRUE(ok);
}

TYPED_TEST(broadcast_conformance, try_recv_never_suspends) {
  auto ok = this->f.block_on([]() -> task<bool> {
    auto [tx, rx] = broadcast::channel<int>(1);
    bool good = is_err(rx.try_recv(), errc::empty);
    (void)tx.send(1);
    good = good && is_val(rx.try_recv(), 1);
    (void)tx.send(2);
    (void)tx.send(3);
    good = good && is_err(rx.try_recv(), errc::lagged, 1) && is_val(rx.try_recv(), 3);
    tx = {};
    good = good && is_err(rx.try_recv(), errc::closed);
    co_return good;
  }());
  EXPECT_TRUE(ok);
}

TYPED_TEST(broadcast_conformance, values_are_released_once_every_receiver_has_them) {
  auto ok = this->f.block_on([]() -> task<bool> {
    tracked::reset();
    bool good = true;
    {
      auto [tx, rx] = broadcast::channel<tracked>(4);
      (void)tx.send(tracked{1});
      good = good && tracked::live == 1;
      {
        auto v = co_await rx.recv();
        good = good && v.has_value() && v.value().v == 1;
      }
      // One receiver: moved out, never copied, and the slot no longer holds it.
      good = good && tracked::copies == 0 && tracked::live == 0;

      auto rx2 = tx.subscribe();
      (void)tx.send(tracked{2});
      (void)tx.send(tracked{3});
      good = good && tracked::live == 2;
      good = good && rx.try_recv().has_value() && rx.try_recv().has_value();
      good = good && tracked::copies == 2 && tracked::live == 2;  // rx2 still to read them
      good = good && tx.len() == 2 && rx2.len() == 2 && rx.len() == 0;
      good = good && rx2.try_recv().has_value();  // the last reader gets the value moved
      good = good && tracked::copies == 2 && tracked::live == 1 && tx.len() == 1;
      rx2 = {};  // dropping a receiver releases its claim
      good = good && tracked::live == 0 && tx.len() == 0;

      (void)tx.send(tracked{4});
      rx = {};  // no receiver left: nothing retained
      good = good && tracked::live == 0;
    }
    good = good && tracked::live == 0;
    co_return good;
  }());
  EXPECT_TRUE(ok);
}

TYPED_TEST(broadcast_conformance, abort_while_waiting_consumes_nothing) {
  auto ok = this->f.block_on([]() -> task<bool> {
    auto [tx, rx] = broadcast::channel<int>(4);
    auto h = spawn(recv_one(&rx));
    co_await yield_now();
    h.abort();
    auto j = co_await h;  // nothing was sent: it cannot have completed
    bool good = is_err(j, errc::aborted);
    auto s = tx.send(5);
    good = good && s.has_value() && s.value() == 1;
    // The receiver goes on where it was, and can wait again.
    good = good && is_val(rx.try_recv(), 5);
    auto h2 = spawn(recv_one(&rx));
    co_await yield_now();
    (void)tx.send(6);
    auto j2 = co_await h2;
    good = good && j2.has_value() && is_val(j2.value(), 6);
    co_return good;
  }());
  EXPECT_TRUE(ok);
}

struct broadcast_ch {
  static auto make() { return broadcast::channel<int>(4); }
  static task<result<int>> recv(broadcast::receiver<int>* rx) { co_return co_await rx->recv(); }
  static void send(broadcast::sender<int>& tx, int v) { EXPECT_TRUE(tx.send(v).has_value()); }
  static std::vector<int> left(broadcast::receiver<int>& rx) {
    std::vector<int> out;
    for (auto t = rx.try_recv(); t.has_value(); t = rx.try_recv()) out.push_back(t.value());
    return out;
  }
  static constexpr int items = 2;
};

TYPED_TEST(broadcast_conformance, abort_while_waiting_deregisters) {
  this->f.block_on(eddy_test::abort_while_waiting_deregisters<broadcast_ch>());
}

TYPED_TEST(broadcast_conformance, abort_after_wake_loses_nothing) {
  this->f.block_on(eddy_test::abort_after_wake_loses_nothing<broadcast_ch, TypeParam::threads>(50));
}

TYPED_TEST(broadcast_conformance, empty_and_moved_from_handles) {
  auto ok = this->f.block_on([]() -> task<bool> {
    auto [tx, rx] = broadcast::channel<int>(2);
    auto tx2 = std::move(tx);
    auto rx2 = std::move(rx);
    bool good = !tx.valid() && !rx.valid() && tx2.valid() && rx2.valid();  // NOLINT
    auto s = tx.send(9);                                                   // NOLINT
    good =
        good && !s.has_value() && s.error().code() == errc::invalid_argument && s.returned() == 9;
    good = good && !tx.subscribe().valid() && tx.receiver_count() == 0 && tx.len() == 0;  // NOLINT
    good = good && tx.capacity() == 0;                                                    // NOLINT
    auto r = co_await rx.recv();                                                          // NOLINT
    good =
        good && is_err(r, errc::invalid_argument) && is_err(rx.try_recv(), errc::invalid_argument);
    good = good && !rx.resubscribe().valid() && rx.len() == 0;  // NOLINT
    broadcast::receiver<int> copy_of_empty = rx;                // NOLINT
    good = good && !copy_of_empty.valid();
    broadcast::sender<int> empty_sender;
    auto empty_copy = empty_sender;
    good = good && !empty_copy.valid();
    // The moved-to handles carry the channel on.
    good = good && tx2.receiver_count() == 1;
    (void)tx2.send(1);
    good = good && is_val(rx2.try_recv(), 1);
    // Assigning over a live handle releases it: rx2 replaced by an empty one closes the channel.
    rx2 = broadcast::receiver<int>{};
    auto s2 = tx2.send(2);
    good = good && !s2.has_value() && s2.error().code() == errc::closed;
    co_return good;
  }());
  EXPECT_TRUE(ok);
}

TYPED_TEST(broadcast_conformance, assignment_releases_the_old_channel) {
  auto ok = this->f.block_on([]() -> task<bool> {
    auto [tx1, rx1] = broadcast::channel<int>(2);
    auto [tx2, rx2] = broadcast::channel<int>(2);
    auto a = tx1.subscribe();
    bool good = tx1.receiver_count() == 2;
    a = rx2;  // copy-assign: leaves channel 1, joins channel 2 at rx2's position
    good = good && tx1.receiver_count() == 1 && tx2.receiver_count() == 2;
    a = std::move(rx1);  // move-assign: leaves channel 2; rx1 is empty now
    good =
        good && !rx1.valid() && tx1.receiver_count() == 1 && tx2.receiver_count() == 1;  // NOLINT
    auto& self = a;
    a = self;             // self copy-assign keeps the handle
    a = std::move(self);  // self move-assign too
    good = good && a.valid() && tx1.receiver_count() == 1;
    (void)tx1.send(1);
    good = good && is_val(a.try_recv(), 1);
    a = {};  // back to empty: channel 1 has no receiver left
    good = good && !a.valid() && tx1.receiver_count() == 0;
    auto tx3 = tx2;
    tx3 = tx1;  // copy-assign a sender: channel 2 keeps tx2
    tx2 = {};   // now channel 2's last sender is gone
    auto end = co_await rx2.recv();
    good = good && is_err(end, errc::closed);
    tx1 = std::move(tx3);
    good = good && !tx3.valid() && tx1.valid();  // NOLINT
    co_return good;
  }());
  EXPECT_TRUE(ok);
}

TYPED_TEST(broadcast_conformance, lossless_stream_across_tasks_with_backpressure) {
  // A producer task that waits while the slowest receiver's backlog is high never lags anyone.
  constexpr int n = 20000;
  constexpr std::size_t cap = 16;
  auto ok = this->f.block_on([]() -> task<bool> {
    auto [tx, rx] = broadcast::channel<int>(cap);
    std::vector<broadcast::receiver<int>> rxs;
    rxs.push_back(tx.subscribe());
    rxs.push_back(tx.subscribe());
    rxs.push_back(std::move(rx));
    std::vector<join_handle<bool>> hs;
    for (auto& r : rxs) {
      hs.push_back(spawn([](broadcast::receiver<int>* r) -> task<bool> {
        int expected = 0;
        for (;;) {
          auto v = co_await r->recv();
          if (!v.has_value()) co_return v.error().code() == errc::closed&& expected == n;
          if (v.value() != expected) co_return false;
          ++expected;
        }
      }(&r)));
    }
    auto producer = spawn([](broadcast::sender<int> tx) -> task<void> {
      for (int i = 0; i < n; ++i) {
        while (tx.len() >= cap) co_await yield_now();
        (void)tx.send(i);
      }
    }(std::move(tx)));
    auto p = co_await producer;
    bool good = p.has_value();
    for (auto& h : hs) {
      auto r = co_await h;
      good = good && r.has_value() && r.value();
    }
    co_return good;
  }());
  EXPECT_TRUE(ok);
}

// --- not runtime-typed ---

TEST(broadcast, capacity_zero_is_a_clear_error) {
  auto r = broadcast::try_channel<int>(0);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), errc::invalid_argument);
  auto good = broadcast::try_channel<int>(3);
  ASSERT_TRUE(good.has_value());
  EXPECT_EQ(good.value().first.capacity(), 3u);
  auto huge = broadcast::try_channel<int>(static_cast<std::size_t>(-1));
  EXPECT_FALSE(huge.has_value());
#if EDDY_HAS_EXCEPTIONS
  EXPECT_THROW((void)broadcast::channel<int>(0), panic_error);
#endif
}

TEST(broadcast, timeout_on_recv_is_cancel_safe_and_exact) {
  sim_runtime sim{7};
  auto ok = sim.block_on([]() -> task<bool> {
    auto [tx, rx] = broadcast::channel<int>(4);
    const time_point t0 = now();
    auto r1 = co_await timeout(10ms, rx.recv());
    bool good = !r1.has_value() && now() - t0 == 10ms;
    // The timed-out wait left nothing behind: the next value goes to the receiver as usual.
    (void)tx.send(1);
    good = good && is_val(rx.try_recv(), 1);
    // A value arriving before the deadline wins, at exactly its virtual time.
    auto sender_task = spawn([](broadcast::sender<int> tx) -> task<void> {
      co_await sleep(5ms);
      (void)tx.send(2);
      co_await sleep(100ms);
    }(tx));
    const time_point t1 = now();
    auto r2 = co_await timeout(10ms, rx.recv());
    good = good && r2.has_value() && is_val(*r2, 2) && now() - t1 == 5ms;
    // Time out again with the other sender alive, then that sender sends: nothing was lost.
    auto r3 = co_await timeout(10ms, rx.recv());
    good = good && !r3.has_value() && now() - t1 == 15ms;
    (void)tx.send(3);
    auto r4 = co_await rx.recv();
    good = good && is_val(r4, 3);
    auto done = co_await sender_task;
    good = good && done.has_value();
    co_return good;
  }());
  EXPECT_TRUE(ok);
}

TEST(broadcast, second_waiting_recv_on_one_receiver_is_invalid_argument) {
  sim_runtime sim{3};
  auto ok = sim.block_on([]() -> task<bool> {
    auto [tx, rx] = broadcast::channel<int>(4);
    auto h = spawn(recv_one(&rx));
    co_await sleep(1ms);  // virtual: h is waiting now
    auto second = co_await rx.recv();
    bool good =
        is_err(second, errc::invalid_argument) && is_err(rx.try_recv(), errc::invalid_argument);
    (void)tx.send(4);
    auto j = co_await h;  // the waiting one got the value
    good = good && j.has_value() && is_val(j.value(), 4);
    good = good && is_err(rx.try_recv(), errc::empty);
    co_return good;
  }());
  EXPECT_TRUE(ok);
}

}  // namespace eddy_test::sync_broadcast_test
