// SPDX-License-Identifier: BSL-1.0
// Conformance: cancelling a task that waits in a foreign operation is a request (task_header.hpp,
// `foreign_wait`). A hand-completed operation stands for Asio and libuv: the runner must ask it
// to stop once and keep the frames alive until its completion, for an abort, a `timeout`, nested
// timeouts, an abort during a time-out, `with_cancellation`, and the runtime's destructor.
#include <atomic>
#include <thread>

#include "conformance/fake_foreign_op.hpp"
#include "conformance/runtimes.hpp"

namespace eddy_test::conformance_foreign_wait_test {

using namespace eddy;
using eddy_test::drop_counter;
using eddy_test::fake_op;
using namespace std::chrono_literals;

namespace {

task<int> wait_once(fake_op* op, std::atomic<int>* dropped) {
  drop_counter g{dropped};
  co_return co_await op->wait();
}

}  // namespace

template <class F>
class foreign_wait_conformance : public ::testing::Test {
 protected:
  F f;
};
TYPED_TEST_SUITE(foreign_wait_conformance, eddy_test::all_runtimes, eddy_test::runtime_names);

TYPED_TEST(foreign_wait_conformance, a_completion_resumes_the_task_with_its_value) {
  fake_op op;
  std::atomic<int> dropped{0};
  auto r = this->f.block_on([](fake_op* op, std::atomic<int>* d) -> task<int> {
    auto h = spawn(wait_once(op, d));
    while (!op->is_waiting()) co_await yield_now();
    op->complete(5);
    auto v = co_await h;
    auto h2 = spawn(wait_once(op, d));  // the registration was cleared: a second wait works
    while (!op->is_waiting()) co_await yield_now();
    op->complete(6);
    auto v2 = co_await h2;
    co_return v.value() * 10 + v2.value();
  }(&op, &dropped));
  EXPECT_EQ(r, 56);
  EXPECT_EQ(op.cancels.load(), 0);
}

TYPED_TEST(foreign_wait_conformance, abort_waits_for_the_completion) {
  fake_op op;
  std::atomic<int> dropped{0};
  auto r = this->f.block_on([](fake_op* op, std::atomic<int>* d) -> task<int> {
    auto h = spawn(wait_once(op, d));
    while (!op->is_waiting()) co_await yield_now();
    h.abort();
    co_await op->cancel_requested.notified();  // the runner asked the operation to stop
    for (int i = 0; i < 20; ++i) co_await yield_now();
    if (h.is_finished() || d->load() != 0) co_return 1;  // the frame must still be there
    h.abort();                                           // again: nothing more happens
    op->complete(5);
    auto v = co_await h;
    if (v.has_value() || v.error().code() != errc::aborted) co_return 2;
    co_return d->load() == 1 ? 0 : 3;
  }(&op, &dropped));
  EXPECT_EQ(r, 0);
  EXPECT_EQ(op.cancels.load(), 1);
  EXPECT_EQ(op.destroyed_pending.load(), 0);
}

TYPED_TEST(foreign_wait_conformance, a_cancel_that_completes_inline_aborts_at_once) {
  fake_op op;
  op.complete_on_cancel = true;
  std::atomic<int> dropped{0};
  auto r = this->f.block_on([](fake_op* op, std::atomic<int>* d) -> task<bool> {
    auto h = spawn(wait_once(op, d));
    while (!op->is_waiting()) co_await yield_now();
    h.abort();
    auto v = co_await h;
    co_return !v.has_value() && v.error().code() == errc::aborted && d->load() == 1;
  }(&op, &dropped));
  EXPECT_TRUE(r);
  EXPECT_EQ(op.cancels.load(), 1);
  EXPECT_EQ(op.destroyed_pending.load(), 0);
}

TYPED_TEST(foreign_wait_conformance, timeout_reports_after_the_completion) {
  fake_op op;
  std::atomic<int> dropped{0};
  auto r = this->f.block_on([](fake_op* op, std::atomic<int>* d) -> task<duration> {
    auto completer = spawn([](fake_op* op) -> task<void> {
      co_await op->cancel_requested.notified();
      co_await sleep(3ms);
      op->complete(5);
    }(op));
    const time_point t0 = now();
    auto v = co_await timeout(2ms, wait_once(op, d));
    const duration took = now() - t0;
    (void)co_await completer;
    if (v.has_value() || d->load() != 1) co_return duration{-1};
    co_return took;
  }(&op, &dropped));
  if (TypeParam::virtual_time) {
    EXPECT_EQ(r, duration(5ms));  // 2 ms to the deadline, 3 more to the completion
  } else {
    EXPECT_GE(r, duration(5ms));
  }
  EXPECT_EQ(op.cancels.load(), 1);
  EXPECT_EQ(op.destroyed_pending.load(), 0);
}

TYPED_TEST(foreign_wait_conformance, nested_timeouts_cancel_once_and_the_outer_one_wins) {
  fake_op op;
  std::atomic<int> dropped{0};
  // Real clocks get a wide margin: the outer timer must have fired before the completion.
  const std::chrono::milliseconds later = TypeParam::virtual_time ? 6ms : 60ms;
  auto r = this->f.block_on(
      [](fake_op* op, std::atomic<int>* d, std::chrono::milliseconds later) -> task<duration> {
        auto completer = spawn([](fake_op* op, std::chrono::milliseconds later) -> task<void> {
          co_await op->cancel_requested.notified();  // the inner deadline (1 ms)
          co_await sleep(later);                     // the outer one (4 ms) passes meanwhile
          op->complete(5);
        }(op, later));
        const time_point t0 = now();
        auto v =
            co_await timeout(4ms, [](fake_op* op, std::atomic<int>* d) -> task<std::optional<int>> {
              co_return co_await timeout(1ms, wait_once(op, d));
            }(op, d));
        const duration took = now() - t0;
        (void)co_await completer;
        // The outer scope cancelled everything inside it: empty, not an inner empty optional.
        if (v.has_value() || d->load() != 1) co_return duration{-1};
        co_return took;
      }(&op, &dropped, later));
  if (TypeParam::virtual_time) {
    EXPECT_EQ(r, duration(7ms));
  } else {
    EXPECT_GE(r, duration(61ms));
  }
  EXPECT_EQ(op.cancels.load(), 1);
  EXPECT_EQ(op.destroyed_pending.load(), 0);
}

TYPED_TEST(foreign_wait_conformance, an_expired_timeout_around_a_started_operation_waits_too) {
  // `timeout` runs its inner work once before it looks at the deadline; a foreign operation
  // started by that first run is cancelled through the runner like any other.
  fake_op op;
  std::atomic<int> dropped{0};
  auto r = this->f.block_on([](fake_op* op, std::atomic<int>* d) -> task<bool> {
    auto completer = spawn([](fake_op* op) -> task<void> {
      co_await op->cancel_requested.notified();
      op->complete(5);
    }(op));
    auto v = co_await timeout(0ms, wait_once(op, d));
    (void)co_await completer;
    co_return !v.has_value() && d->load() == 1;
  }(&op, &dropped));
  EXPECT_TRUE(r);
  EXPECT_EQ(op.cancels.load(), 1);
  EXPECT_EQ(op.destroyed_pending.load(), 0);
}

TYPED_TEST(foreign_wait_conformance, abort_during_a_timeouts_wait_for_the_completion) {
  fake_op op;
  std::atomic<int> dropped{0};
  auto r = this->f.block_on([](fake_op* op, std::atomic<int>* d) -> task<int> {
    auto h = spawn([](fake_op* op, std::atomic<int>* d) -> task<std::optional<int>> {
      co_return co_await timeout(1ms, wait_once(op, d));
    }(op, d));
    co_await op->cancel_requested.notified();  // the time-out asked the operation to stop
    h.abort();
    for (int i = 0; i < 20; ++i) co_await yield_now();
    if (h.is_finished() || d->load() != 0) co_return 1;
    op->complete(5);
    auto v = co_await h;
    if (v.has_value() || v.error().code() != errc::aborted) co_return 2;
    co_return d->load() == 1 ? 0 : 3;
  }(&op, &dropped));
  EXPECT_EQ(r, 0);
  EXPECT_EQ(op.cancels.load(), 1);
  EXPECT_EQ(op.destroyed_pending.load(), 0);
}

TYPED_TEST(foreign_wait_conformance, a_cancelled_token_waits_for_the_completion) {
  fake_op op;
  std::atomic<int> dropped{0};
  auto r = this->f.block_on([](fake_op* op, std::atomic<int>* d) -> task<bool> {
    cancellation_token tok;
    auto completer = spawn([](fake_op* op, cancellation_token tok) -> task<void> {
      while (!op->is_waiting()) co_await yield_now();
      tok.cancel();
      co_await op->cancel_requested.notified();
      op->complete(5);
    }(op, tok));
    auto v = co_await with_cancellation(tok, wait_once(op, d));
    (void)co_await completer;
    co_return !v.has_value() && d->load() == 1;
  }(&op, &dropped));
  EXPECT_TRUE(r);
  EXPECT_EQ(op.cancels.load(), 1);
  EXPECT_EQ(op.destroyed_pending.load(), 0);
}

TYPED_TEST(foreign_wait_conformance, an_operation_that_can_never_complete_aborts_the_task) {
  fake_op op;
  std::atomic<int> dropped{0};
  auto r = this->f.block_on([](fake_op* op, std::atomic<int>* d) -> task<bool> {
    auto h = spawn(wait_once(op, d));
    while (!op->is_waiting()) co_await yield_now();
    op->drop();  // e.g. Asio's handler destroyed with its io_context
    auto v = co_await h;
    co_return !v.has_value() && v.error().code() == errc::aborted && d->load() == 1;
  }(&op, &dropped));
  EXPECT_TRUE(r);
  EXPECT_EQ(op.cancels.load(), 0);
}

#if EDDY_HAS_THREADS && !defined(__EMSCRIPTEN__)
TYPED_TEST(foreign_wait_conformance, the_runtimes_destructor_waits_for_the_completion) {
  fake_op op;
  std::atomic<int> dropped{0};
  std::thread completer;
  {
    TypeParam g;  // a runtime of its own, destroyed with a task waiting in the operation
    g.block_on([](fake_op* op, std::atomic<int>* d) -> task<void> {
      spawn(wait_once(op, d)).detach();
      while (!op->is_waiting()) co_await yield_now();
    }(&op, &dropped));
    completer = std::thread([&op, rt = &g.rt] {
      // The completion arrives from another thread once the destructor has asked for it.
      while (rt->draining_tasks() == 0) std::this_thread::yield();
      op.complete(5);
    });
  }  // the destructor aborts the task, asks the operation to stop, and waits for it
  completer.join();
  EXPECT_EQ(dropped.load(), 1);
  EXPECT_EQ(op.cancels.load(), 1);
  EXPECT_EQ(op.destroyed_pending.load(), 0);
}
#endif

}  // namespace eddy_test::conformance_foreign_wait_test
