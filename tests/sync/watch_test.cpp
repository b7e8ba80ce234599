// SPDX-License-Identifier: BSL-1.0
// Conformance: watch::channel on every runtime (versions, closing, copies, cancel safety, empty
// handles), plus the virtual-time cases on sim_runtime.
#include <atomic>
#include <string>
#include <utility>
#include <vector>

#include "conformance/runtimes.hpp"
#include "sync/channel_cancel_safety.hpp"

namespace eddy_test::sync_watch_test {

using namespace eddy;
using namespace std::chrono_literals;

template <class F>
class watch_conformance : public ::testing::Test {
 protected:
  F f;
};
TYPED_TEST_SUITE(watch_conformance, eddy_test::all_runtimes, eddy_test::runtime_names);

namespace {

template <class R>
bool is_err(const R& r, errc c) {
  return !r.has_value() && r.error().code() == c;
}
bool is_ok(const result<void>& r) {
  return r.has_value();
}
bool is(const result<bool>& r, bool b) {
  return r.has_value() && r.value() == b;
}

task<result<void>> wait_changed(watch::receiver<int>* rx) {
  co_return co_await rx->changed();
}

}  // namespace

TYPED_TEST(watch_conformance, initial_value_is_seen_and_unchanged) {
  auto ok = this->f.block_on([]() -> task<bool> {
    auto [tx, rx] = watch::channel<std::string>("a");
    bool good = rx.borrow() == "a" && tx.borrow() == "a" && is(rx.has_changed(), false);
    good = good && tx.receiver_count() == 1 && !tx.is_closed();
    co_return good;
  }());
  EXPECT_TRUE(ok);
}

TYPED_TEST(watch_conformance, changes_are_coalesced_and_reported_once) {
  auto ok = this->f.block_on([]() -> task<bool> {
    auto [tx, rx] = watch::channel<int>(0);
    bool good = true;
    for (int i = 1; i <= 3; ++i) good = good && tx.send(i).has_value();
    good = good && is(rx.has_changed(), true) && rx.borrow() == 3;
    good = good && is(rx.has_changed(), true);  // borrow marks nothing
    auto c = co_await rx.changed();
    good = good && is_ok(c) && is(rx.has_changed(), false) && rx.borrow() == 3;
    (void)tx.send(4);
    auto c2 = co_await rx.changed();
    good = good && is_ok(c2) && rx.borrow() == 4 && is(rx.has_changed(), false);
    co_return good;
  }());
  EXPECT_TRUE(ok);
}

TYPED_TEST(watch_conformance, changed_waits_for_a_send) {
  auto ok = this->f.block_on([]() -> task<bool> {
    auto [tx, rx] = watch::channel<int>(0);
    auto h = spawn(wait_changed(&rx));
    co_await yield_now();  // on single-thread runtimes the receiver is now waiting
    (void)tx.send(5);
    auto j = co_await h;
    co_return j.has_value() && is_ok(j.value()) && rx.borrow() == 5 && is(rx.has_changed(), false);
  }());
  EXPECT_TRUE(ok);
}

TYPED_TEST(watch_conformance, closed_after_sender_drop_unseen_change_first) {
  auto ok = this->f.block_on([]() -> task<bool> {
    auto [tx, rx] = watch::channel<int>(0);
    (void)tx.send(1);
    tx = {};
    bool good = is(rx.has_changed(), true);
    auto a = co_await rx.changed();
    auto b = co_await rx.changed();
    good = good && is_ok(a) && is_err(b, errc::closed) && rx.borrow() == 1;
    auto hc = rx.has_changed();
    good = good && !hc.has_value() && hc.error().code() == errc::closed;
    co_return good;
  }());
  EXPECT_TRUE(ok);
}

TYPED_TEST(watch_conformance, waiting_receiver_wakes_with_closed) {
  auto ok = this->f.block_on([]() -> task<bool> {
    auto [tx, rx] = watch::channel<int>(0);
    auto h = spawn(wait_changed(&rx));
    co_await yield_now();
    tx = {};
    auto j = co_await h;
    co_return j.has_value() && is_err(j.value(), errc::closed) && rx.borrow() == 0;
  }());
  EXPECT_TRUE(ok);
}

TYPED_TEST(watch_conformance, send_without_receivers_returns_value_with_closed) {
  auto ok = this->f.block_on([]() -> task<bool> {
    auto [tx, rx] = watch::channel<std::vector<int>>({1});
    rx = {};
    bool good = tx.is_closed() && tx.receiver_count() == 0;
    auto s = tx.send({2, 3});
    good = good && !s.has_value() && s.error().code() == errc::closed;
    good = good && s.returned() == std::vector<int>{2, 3};
    good = good && tx.borrow() == std::vector<int>{1};  // not stored
    // send_replace and send_modify store even with no receiver.
    auto old = tx.send_replace({4});
    good = good && old.has_value() && old.value() == std::vector<int>{1};
    auto m = tx.send_modify([](std::vector<int>& v) { v.push_back(5); });
    good = good && is_ok(m);
    auto sub = tx.subscribe();  // sees the current value as already seen
    good = good && sub.borrow() == std::vector<int>{4, 5} && is(sub.has_changed(), false);
    good = good && tx.send({6}).has_value();
    auto c = co_await sub.changed();
    good = good && is_ok(c) && sub.borrow() == std::vector<int>{6};
    co_return good;
  }());
  EXPECT_TRUE(ok);
}

TYPED_TEST(watch_conformance, receiver_copies_track_their_own_version) {
  auto ok = this->f.block_on([]() -> task<bool> {
    auto [tx, rx] = watch::channel<int>(0);
    (void)tx.send(1);
    auto copy = rx;  // copies the seen version (0): it has an unseen change too
    bool good = tx.receiver_count() == 2;
    auto a = co_await rx.changed();
    good = good && is_ok(a) && is(rx.has_changed(), false) && is(copy.has_changed(), true);
    auto b = co_await copy.changed();
    good = good && is_ok(b) && is(copy.has_changed(), false);
    auto copy2 = copy;  // seen version 1
    (void)tx.send(2);
    good = good && is(copy2.has_changed(), true) && is(rx.has_changed(), true);
    good = good && copy2.borrow_and_update() == 2 && is(copy2.has_changed(), false);
    good = good && is(copy.has_changed(), true);
    co_return good;
  }());
  EXPECT_TRUE(ok);
}

TYPED_TEST(watch_conformance, send_modify_bumps_version_and_wakes) {
  auto ok = this->f.block_on([]() -> task<bool> {
    auto [tx, rx] = watch::channel<int>(10);
    auto h = spawn(wait_changed(&rx));
    co_await yield_now();
    auto m = tx.send_modify([](int& v) { v += 5; });
    auto j = co_await h;
    co_return is_ok(m) && j.has_value() && is_ok(j.value()) && rx.borrow() == 15;
  }());
  EXPECT_TRUE(ok);
}

TYPED_TEST(watch_conformance, abort_while_waiting_marks_nothing) {
  auto ok = this->f.block_on([]() -> task<bool> {
    auto [tx, rx] = watch::channel<int>(0);
    auto h = spawn(wait_changed(&rx));
    co_await yield_now();
    h.abort();
    auto j = co_await h;
    bool good = is_err(j, errc::aborted);
    (void)tx.send(1);
    good = good && is(rx.has_changed(), true);
    auto c = co_await rx.changed();  // the receiver can wait again, nothing left registered
    good = good && is_ok(c);
    co_return good;
  }());
  EXPECT_TRUE(ok);
}

struct watch_ch {
  static auto make() { return watch::channel<int>(0); }
  static task<result<int>> recv(watch::receiver<int>* rx) {
    auto c = co_await rx->changed();
    if (!c) co_return c.error();
    co_return rx->borrow();
  }
  static void send(watch::sender<int>& tx, int v) { EXPECT_TRUE(tx.send(v).has_value()); }
  static std::vector<int> left(watch::receiver<int>& rx) {
    auto c = rx.has_changed();
    return c.has_value() && c.value() ? std::vector<int>{rx.borrow_and_update()}
                                      : std::vector<int>{};
  }
  static constexpr int items = 1;
};

TYPED_TEST(watch_conformance, abort_while_waiting_deregisters) {
  this->f.block_on(eddy_test::abort_while_waiting_deregisters<watch_ch>());
}

TYPED_TEST(watch_conformance, abort_after_wake_loses_no_change) {
  this->f.block_on(eddy_test::abort_after_wake_loses_nothing<watch_ch, TypeParam::threads>(50));
}

TYPED_TEST(watch_conformance, empty_and_moved_from_handles) {
  auto ok = this->f.block_on([]() -> task<bool> {
    auto [tx, rx] = watch::channel<int>(1);
    auto tx2 = std::move(tx);
    auto rx2 = std::move(rx);
    bool good = !tx.valid() && !rx.valid() && tx2.valid() && rx2.valid();  // NOLINT
    auto s = tx.send(9);                                                   // NOLINT
    good =
        good && !s.has_value() && s.error().code() == errc::invalid_argument && s.returned() == 9;
    auto r = tx.send_replace(3);  // NOLINT
    good = good && !r.has_value() && r.error().code() == errc::invalid_argument;
    auto m = tx.send_modify([](int&) {});  // NOLINT
    good = good && is_err(m, errc::invalid_argument);
    good = good && !tx.subscribe().valid() && tx.receiver_count() == 0 && tx.is_closed();  // NOLINT
    auto c = co_await rx.changed();                                                        // NOLINT
    good = good && is_err(c, errc::invalid_argument);
    good = good && !rx.has_changed().has_value() &&  // NOLINT
           rx.has_changed().error().code() == errc::invalid_argument;
    watch::receiver<int> copy_of_empty = rx;  // NOLINT
    good = good && !copy_of_empty.valid();
#if EDDY_HAS_EXCEPTIONS
    try {
      (void)rx.borrow();  // NOLINT
      good = false;
    } catch (const panic_error&) {
    }
    try {
      (void)tx.borrow();  // NOLINT
      good = false;
    } catch (const panic_error&) {
    }
#endif
    // The moved-to handles carry the channel on; move-assigning over a sender closes its channel.
    good = good && tx2.send(2).has_value() && rx2.borrow() == 2;
    tx2 = watch::sender<int>{};
    auto end = co_await rx2.changed();
    good = good && is_ok(end);  // the unseen send first
    auto end2 = co_await rx2.changed();
    good = good && is_err(end2, errc::closed);
    co_return good;
  }());
  EXPECT_TRUE(ok);
}

TYPED_TEST(watch_conformance, assignment_releases_the_old_channel) {
  auto ok = this->f.block_on([]() -> task<bool> {
    auto [tx1, rx1] = watch::channel<int>(1);
    auto [tx2, rx2] = watch::channel<int>(2);
    auto a = tx1.subscribe();
    bool good = tx1.receiver_count() == 2;
    a = rx2;  // copy-assign: leaves channel 1, joins channel 2 with rx2's seen version
    good = good && tx1.receiver_count() == 1 && tx2.receiver_count() == 2 && a.borrow() == 2;
    a = std::move(rx1);  // move-assign: leaves channel 2; rx1 is empty now
    good =
        good && !rx1.valid() && tx1.receiver_count() == 1 && tx2.receiver_count() == 1;  // NOLINT
    auto& self = a;
    a = self;
    a = std::move(self);
    good = good && a.valid() && a.borrow() == 1;
    a = {};
    good = good && !a.valid() && tx1.is_closed();
    tx2 = {};  // move-assign an empty sender: channel 2 closes
    auto end = co_await rx2.changed();
    good = good && is_err(end, errc::closed);
    co_return good;
  }());
  EXPECT_TRUE(ok);
}

TYPED_TEST(watch_conformance, observer_on_another_task_never_sees_a_change_twice) {
  constexpr int n = 20000;
  auto ok = this->f.block_on([]() -> task<bool> {
    auto [tx, rx] = watch::channel<int>(0);
    auto observer = spawn([](watch::receiver<int> rx) -> task<bool> {
      int last = 0;
      for (;;) {
        auto c = co_await rx.changed();
        if (!c.has_value()) co_return c.error().code() == errc::closed&& last == n;
        const int v = rx.borrow_and_update();
        if (v <= last) co_return false;  // a change reported with no newer value
        last = v;
      }
    }(std::move(rx)));
    auto producer = spawn([](watch::sender<int> tx) -> task<void> {
      for (int i = 1; i <= n; ++i) {
        (void)tx.send(i);
        if (i % 16 == 0) co_await yield_now();
      }
    }(std::move(tx)));
    auto p = co_await producer;
    auto o = co_await observer;
    co_return p.has_value() && o.has_value() && o.value();
  }());
  EXPECT_TRUE(ok);
}

// --- not runtime-typed ---

TEST(watch, timeout_on_changed_is_cancel_safe_and_exact) {
  sim_runtime sim{11};
  auto ok = sim.block_on([]() -> task<bool> {
    auto [tx, rx] = watch::channel<int>(0);
    const time_point t0 = now();
    auto r1 = co_await timeout(10ms, rx.changed());
    bool good = !r1.has_value() && now() - t0 == 10ms && is(rx.has_changed(), false);
    auto setter = spawn([](watch::sender<int> tx) -> task<void> {
      co_await sleep(5ms);
      (void)tx.send(1);
      co_await sleep(20ms);
    }(std::move(tx)));
    auto r2 = co_await timeout(10ms, rx.changed());
    good = good && r2.has_value() && is_ok(*r2) && now() - t0 == 15ms && rx.borrow() == 1;
    auto r3 = co_await timeout(10ms, rx.changed());  // nothing new: times out, marks nothing
    good = good && !r3.has_value() && now() - t0 == 25ms;
    auto r4 = co_await rx.changed();  // the setter ends at 35 ms: closed
    good = good && is_err(r4, errc::closed) && now() - t0 == 35ms;
    auto s = co_await setter;
    good = good && s.has_value();
    co_return good;
  }());
  EXPECT_TRUE(ok);
}

TEST(watch, second_waiting_changed_on_one_receiver_is_invalid_argument) {
  sim_runtime sim{5};
  auto ok = sim.block_on([]() -> task<bool> {
    auto [tx, rx] = watch::channel<int>(0);
    auto h = spawn(wait_changed(&rx));
    co_await sleep(1ms);  // virtual: h is waiting now
    auto second = co_await rx.changed();
    bool good = is_err(second, errc::invalid_argument);
    (void)tx.send(1);
    good = good && rx.borrow_and_update() == 1;  // does not mark while h waits
    auto j = co_await h;
    good = good && j.has_value() && is_ok(j.value()) && is(rx.has_changed(), false);
    co_return good;
  }());
  EXPECT_TRUE(ok);
}

}  // namespace eddy_test::sync_watch_test
