// SPDX-License-Identifier: BSL-1.0
// Conformance: when_any on every runtime: the winner's index and value, the tie rule (exact on
// sim_runtime), the synchronous-completion rule, cancel safety of the losers (recv, lock,
// acquire, send), the range form, a losing branch in a foreign operation, and an abort of the
// awaiting task.
#include <atomic>
#include <variant>
#include <vector>

#include "conformance/fake_foreign_op.hpp"
#include "conformance/runtimes.hpp"

namespace eddy_test::conformance_when_any_test {

using namespace eddy;
using eddy_test::drop_counter;
using eddy_test::fake_op;
using namespace std::chrono_literals;

namespace {

task<int> value_after(std::chrono::milliseconds d, int v) {
  co_await sleep(d);
  co_return v;
}
task<int> ready_value(int v) {
  co_return v;
}
task<int> counts_start(std::atomic<int>* started) {
  started->fetch_add(1);
  co_await sleep(std::chrono::hours::max());
  co_return -1;
}
task<void> until_cancelled(cancellation_token tok) {
  co_await tok.cancelled();
}
task<int> forever(std::atomic<int>* dropped) {
  drop_counter g{dropped};
  co_await sleep(std::chrono::hours::max());
  co_return 0;
}

task<int> wait_op(fake_op* op) {
  co_return co_await op->wait();
}

}  // namespace

template <class F>
class when_any_conformance : public ::testing::Test {
 protected:
  F f;
};
TYPED_TEST_SUITE(when_any_conformance, eddy_test::all_runtimes, eddy_test::runtime_names);

TYPED_TEST(when_any_conformance, the_first_to_complete_wins_with_its_index) {
  std::atomic<int> dropped{0};
  auto r = this->f.block_on([](std::atomic<int>* d) -> task<int> {
    auto v = co_await when_any(forever(d), value_after(1ms, 7), sleep(1h));
    static_assert(std::is_same_v<decltype(v), std::variant<int, int, unit>>);
    if (v.index() != 1 || std::get<1>(v) != 7) co_return 1;
    if (d->load() != 1) co_return 2;  // the loser was destroyed before co_await returned
    cancellation_token tok;
    // an immovable awaiter (tok.cancelled()) goes in a task
    auto c = co_await when_any(until_cancelled(tok), value_after(1ms, 3));
    if (c.index() != 1) co_return 3;
    auto h = spawn([](cancellation_token t) -> task<void> {
      co_await sleep(1ms);
      t.cancel();
    }(tok));
    auto e = co_await when_any(sleep(1h), until_cancelled(tok));
    (void)co_await h;
    co_return e.index() == 1 ? 0 : 4;
  }(&dropped));
  EXPECT_EQ(r, 0);
}

TYPED_TEST(when_any_conformance, ties_go_to_the_earlier_argument) {
  auto r = this->f.block_on([]() -> task<int> {
    auto v = co_await when_any(sleep(5ms), sleep(5ms));
    auto w = co_await when_any(value_after(3ms, 0), value_after(3ms, 1), sleep(3ms));
    co_return static_cast<int>(v.index() * 10 + w.index());
  }());
  if (TypeParam::virtual_time) {
    EXPECT_EQ(r, 0);  // same virtual instant: index 0, on every seed
  } else {
    EXPECT_TRUE(r == 0 || r == 1 || r == 2 || r == 10 || r == 11 || r == 12) << r;
  }
}

TYPED_TEST(when_any_conformance, a_synchronous_completion_means_later_branches_never_start) {
  std::atomic<int> started{0};
  auto r = this->f.block_on([](std::atomic<int>* s) -> task<int> {
    auto [tx, rx] = mpsc::channel<int>(2);
    (void)tx.try_send(4);
    auto a = co_await when_any(counts_start(s), ready_value(3), counts_start(s));
    if (a.index() != 1 || std::get<1>(a) != 3) co_return 1;
    if (s->load() != 1) co_return 2;  // the first started (and was cancelled), the last never
    auto b = co_await when_any(rx.recv(), counts_start(s));
    if (b.index() != 0 || std::get<0>(b) != std::optional<int>(4)) co_return 3;
    if (s->load() != 1) co_return 4;
    co_return 0;
  }(&started));
  EXPECT_EQ(r, 0);
}

TYPED_TEST(when_any_conformance, a_losing_recv_keeps_its_item) {
  auto r = this->f.block_on([]() -> task<int> {
    auto [tx, rx] = mpsc::channel<int>(4);
    auto v = co_await when_any(rx.recv(), sleep(1ms));
    if (v.index() != 1) co_return 1;
    (void)co_await tx.send(11);
    auto got = co_await rx.recv();  // the losing recv left no registration and took nothing
    if (got != std::optional<int>(11)) co_return 2;
    // a sender that races the deadline: the item is in the channel or in the winner, never lost
    for (int i = 0; i < 20; ++i) {
      auto h = spawn([](mpsc::sender<int> tx, int i) -> task<void> {
        co_await sleep(1ms);
        (void)co_await tx.send(i);
      }(tx, i));
      auto w = co_await when_any(rx.recv(), sleep(1ms));
      (void)co_await h;
      std::optional<int> item = w.index() == 0 ? std::get<0>(w) : co_await rx.recv();
      if (item != std::optional<int>(i)) co_return 3;
    }
    co_return 0;
  }());
  EXPECT_EQ(r, 0);
}

TYPED_TEST(when_any_conformance, a_losing_lock_holds_no_lock) {
  auto r = this->f.block_on([]() -> task<int> {
    mutex m;
    auto g = co_await m.lock();
    auto v = co_await when_any(m.lock(), sleep(1ms));
    if (v.index() != 1) co_return 1;
    if (m.waiter_count() != 0) co_return 2;
    g.unlock();
    if (!m.try_lock()) co_return 3;
    // the lock is free: the lock branch wins at once, holding the lock
    auto w = co_await when_any(m.lock(), sleep(1ms));
    if (w.index() != 0 || !std::get<0>(w).owns_lock()) co_return 4;
    co_return 0;
  }());
  EXPECT_EQ(r, 0);
}

TYPED_TEST(when_any_conformance, a_losing_acquire_keeps_no_permit) {
  auto r = this->f.block_on([]() -> task<int> {
    semaphore s{2};
    auto p = co_await s.acquire(2);
    auto v = co_await when_any(s.acquire(), s.acquire(2), sleep(1ms));
    if (v.index() != 2) co_return 1;
    { auto drop = std::move(p).value(); }
    if (s.available_permits() != 2) co_return 2;
    co_return 0;
  }());
  EXPECT_EQ(r, 0);
}

TYPED_TEST(when_any_conformance, range_form_gives_the_winners_position) {
  std::atomic<int> dropped{0};
  auto r = this->f.block_on([](std::atomic<int>* d) -> task<int> {
    std::vector<task<int>> ts;
    ts.push_back(forever(d));
    ts.push_back(value_after(1h, 20));  // far apart: on a real clock a late task sees one wake
    ts.push_back(value_after(1ms, 10));
    ts.push_back(forever(d));
    auto v = co_await when_any(std::move(ts));
    if (!v.has_value() || v.value().first != 2 || v.value().second != 10) co_return 1;
    if (d->load() != 2) co_return 2;
    auto e = co_await when_any(std::vector<task<int>>{});
    if (e.has_value() || e.error().code() != errc::invalid_argument) co_return 3;
    co_return 0;
  }(&dropped));
  EXPECT_EQ(r, 0);
}

TYPED_TEST(when_any_conformance, a_losing_foreign_operation_is_stopped_and_waited_for) {
  fake_op op;
  op.complete_on_cancel = true;  // the operation completes (with -1) when asked to stop
  auto r = this->f.block_on([](fake_op* op) -> task<int> {
    auto v = co_await when_any(wait_op(op), sleep(1ms));
    if (v.index() != 1) co_return 1;
    co_return 0;
  }(&op));
  EXPECT_EQ(r, 0);
  EXPECT_EQ(op.cancels.load(), 1);
  EXPECT_EQ(op.destroyed_pending.load(), 0);  // destroyed only after its completion ran
}

TYPED_TEST(when_any_conformance, abort_of_the_awaiting_task_cancels_every_branch) {
  std::atomic<int> dropped{0};
  auto r = this->f.block_on([](std::atomic<int>* d) -> task<int> {
    auto [tx, rx] = mpsc::channel<int>(4);
    mutex m;
    auto held = co_await m.lock();
    std::atomic<bool> in{false};
    auto h = spawn([](mpsc::receiver<int>* rx, mutex* m, std::atomic<int>* d,
                      std::atomic<bool>* in) -> task<int> {
      in->store(true);
      auto v = co_await when_any(rx->recv(), m->lock(), forever(d), sleep(1h));
      co_return static_cast<int>(v.index());
    }(&rx, &m, d, &in));
    while (!in.load() || m.waiter_count() != 1) co_await yield_now();
    h.abort();
    auto j = co_await h;
    if (j.has_value() || j.error().code() != errc::aborted) co_return 1;
    if (d->load() != 1 || m.waiter_count() != 0) co_return 2;
    held.unlock();
    if (!m.try_lock()) co_return 3;
    (void)tx.try_send(5);
    auto got = rx.try_recv();
    if (!got.has_value() || got.value() != 5) co_return 4;
    co_return 0;
  }(&dropped));
  EXPECT_EQ(r, 0);
}

TYPED_TEST(when_any_conformance, a_yielding_branch_lets_other_tasks_run) {
  auto r = this->f.block_on([]() -> task<int> {
    std::atomic<bool> flag{false};
    auto h = spawn([](std::atomic<bool>* f) -> task<void> {
      co_await yield_now();
      f->store(true);
    }(&flag));
    auto v = co_await when_any(
        [](std::atomic<bool>* f) -> task<int> {
          while (!f->load()) co_await yield_now();  // another task must run meanwhile
          co_return 1;
        }(&flag),
        sleep(1h));
    (void)co_await h;
    co_return v.index() == 0 ? 0 : 1;
  }());
  EXPECT_EQ(r, 0);
}

TYPED_TEST(when_any_conformance, yield_and_nested_combinators_inside_branches) {
  auto r = this->f.block_on([]() -> task<int> {
    auto v = co_await when_any(
        [](int n) -> task<int> {
          for (int i = 0; i < n; ++i) co_await yield_now();
          co_return n;
        }(5),
        when_all(value_after(1h, 1), when_any(sleep(1h), value_after(2ms, 2))));
    if (v.index() != 0 || std::get<0>(v) != 5) co_return 1;
    auto w = co_await when_any(
        sleep(1h), when_all(value_after(1ms, 1), when_any(sleep(1h), value_after(2ms, 2))));
    if (w.index() != 1) co_return 2;
    auto& [a, b] = std::get<1>(w);
    if (a.value() != 1 || std::get<1>(b.value()) != 2) co_return 3;
    co_return 0;
  }());
  EXPECT_EQ(r, 0);
}

}  // namespace eddy_test::conformance_when_any_test
