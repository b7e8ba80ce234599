// SPDX-License-Identifier: BSL-1.0
// Conformance: oneshot::sender::closed() on every runtime: completes once the receiver is
// dropped or closed (at once when it already is, or for an empty sender), wakes a waiting server
// from another task or thread, several waiters, and cancel safety (a timed-out or aborted wait
// leaves nothing behind and the sender still sends).
#include <atomic>
#include <optional>

#include <eddy/sync/oneshot.hpp>

#include "conformance/runtimes.hpp"

namespace eddy_test::conformance_oneshot_closed_test {

using namespace eddy;
using namespace std::chrono_literals;

template <class F>
class oneshot_closed : public ::testing::Test {
 protected:
  F f;
};
TYPED_TEST_SUITE(oneshot_closed, eddy_test::all_runtimes, eddy_test::runtime_names);

namespace {

// A server: works (yields) until its caller leaves, then reports how it ended.
task<int> serve_until_closed(oneshot::sender<int> tx, std::atomic<bool>* waiting) {
  waiting->store(true);
  co_await tx.closed();
  co_return tx.send(1).has_value() ? 1 : 2;  // 2: the send fails, as closed() promised
}

}  // namespace

TYPED_TEST(oneshot_closed, completes_at_once_when_already_closed_or_empty) {
  this->f.block_on([]() -> task<void> {
    {
      auto [tx, rx] = oneshot::channel<int>();
      { auto gone = std::move(rx); }
      EXPECT_TRUE(tx.is_closed());
      co_await tx.closed();  // no suspension needed
    }
    {
      auto [tx, rx] = oneshot::channel<int>();
      rx.close();
      co_await tx.closed();
      EXPECT_FALSE(tx.send(5).has_value());
    }
    {
      auto [tx, rx] = oneshot::channel<int>();
      EXPECT_TRUE(tx.send(3).has_value());  // tx is used up (empty)
      co_await tx.closed();
      auto r = co_await rx;
      EXPECT_EQ(r.value(), 3);
      oneshot::sender<int> empty;
      co_await empty.closed();
    }
  }());
}

TYPED_TEST(oneshot_closed, a_waiting_server_wakes_when_the_receiver_is_dropped) {
  this->f.block_on([]() -> task<void> {
    auto [tx, rx] = oneshot::channel<int>();
    std::atomic<bool> waiting{false};
    auto server = spawn(serve_until_closed(std::move(tx), &waiting));
    while (!waiting.load()) co_await yield_now();
    for (int i = 0; i < 3; ++i) co_await yield_now();
    EXPECT_FALSE(server.is_finished());  // the caller is still there
    { auto gone = std::move(rx); }       // the caller leaves
    auto r = co_await server;
    EXPECT_EQ(r.value(), 2);
  }());
}

TYPED_TEST(oneshot_closed, close_wakes_every_waiter) {
  this->f.block_on([]() -> task<void> {
    auto [tx, rx] = oneshot::channel<int>();
    std::atomic<int> woke{0};
    auto waiter = [](oneshot::sender<int>* tx, std::atomic<int>* woke) -> task<void> {
      co_await tx->closed();
      woke->fetch_add(1);
    };
    auto a = spawn(waiter(&tx, &woke));
    auto b = spawn(waiter(&tx, &woke));
    for (int i = 0; i < 5; ++i) co_await yield_now();
    EXPECT_EQ(woke.load(), 0);
    rx.close();
    (void)co_await a;
    (void)co_await b;
    EXPECT_EQ(woke.load(), 2);
    // the value was refused: closed() means a send can only fail now
    auto s = tx.send(9);
    EXPECT_FALSE(s.has_value());
    if (!s.has_value()) {
      EXPECT_EQ(s.error(), errc::closed);
    }
  }());
}

TYPED_TEST(oneshot_closed, a_timed_out_or_aborted_wait_leaves_the_sender_usable) {
  this->f.block_on([]() -> task<void> {
    auto [tx, rx] = oneshot::channel<int>();
    std::optional<unit> r = co_await timeout(1ms, tx.closed());
    EXPECT_FALSE(r.has_value());  // the receiver is still there
    auto h = spawn([](oneshot::sender<int>* tx) -> task<void> { co_await tx->closed(); }(&tx));
    for (int i = 0; i < 3; ++i) co_await yield_now();
    h.abort();
    auto hr = co_await h;
    EXPECT_FALSE(hr.has_value());
    EXPECT_TRUE(tx.send(7).has_value());  // no waiter left behind
    auto v = co_await rx;
    EXPECT_EQ(v.value(), 7);
  }());
}

TYPED_TEST(oneshot_closed, the_receiver_dropped_on_another_task_while_the_server_works) {
  // The reply pattern: the server races its work against closed() and stops early.
  this->f.block_on([]() -> task<void> {
    auto [tx, rx] = oneshot::channel<int>();
    auto server = spawn([](oneshot::sender<int> tx) -> task<int> {
      int steps = 0;
      while (!tx.is_closed()) {  // cheap poll between work steps ...
        ++steps;
        co_await yield_now();
      }
      co_await tx.closed();  // ... and the awaitable completes at once afterwards
      co_return steps;
    }(std::move(tx)));
    auto caller = spawn([](oneshot::receiver<int> rx) -> task<void> {
      for (int i = 0; i < 4; ++i) co_await yield_now();
      rx.close();
      co_return;
    }(std::move(rx)));
    (void)co_await caller;
    auto steps = co_await server;    // it stopped (after any number of steps: the caller may
    EXPECT_TRUE(steps.has_value());  // close before the server first runs, on two threads)
  }());
}

}  // namespace eddy_test::conformance_oneshot_closed_test
