// SPDX-License-Identifier: BSL-1.0
// A foreign operation completed by hand, standing for Asio and libuv in the conformance suites
// (the `foreign_wait` protocol of runtime/task_header.hpp), and a frame-destruction counter.
#pragma once
#include <atomic>
#include <mutex>

#include <eddy/eddy.hpp>

namespace eddy_test {

// A foreign operation completed by the test. `cancel` records the request (and completes at
// once with `complete_on_cancel`). An awaiter destroyed while its operation is pending is the
// bug this suite is about: it is counted.
class fake_op {
 public:
  class awaiter : eddy::detail::foreign_wait {
   public:
    explicit awaiter(fake_op* op) noexcept : foreign_wait(&on_cancel), op_(op) {}
    awaiter(const awaiter&) = delete;
    awaiter& operator=(const awaiter&) = delete;
    ~awaiter() {
      std::lock_guard<std::mutex> g(op_->m_);
      if (op_->waiting_ == this) {
        op_->waiting_ = nullptr;
        op_->destroyed_pending.fetch_add(1);
      }
      if (task_) task_->end_foreign(this);
    }
    bool await_ready() const noexcept { return false; }
    void await_suspend(eddy::coro::coroutine_handle<> h) {
      const eddy::waker w = eddy::detail::suspend_here(h);
      task_ = w.task();
      task_->begin_foreign(this);
      std::lock_guard<std::mutex> g(op_->m_);
      op_->waiting_ = this;
      op_->w_ = w;
    }
    int await_resume() {
      task_->end_foreign(this);
      return value_;
    }

   private:
    friend class fake_op;
    static void on_cancel(eddy::detail::foreign_wait* f) noexcept {
      auto* self = static_cast<awaiter*>(f);
      fake_op* op = self->op_;  // `self` may be gone once the operation completed
      op->cancels.fetch_add(1);
      op->cancel_requested.notify_one();
      if (op->complete_on_cancel) op->complete(-1);
    }
    fake_op* op_;
    eddy::detail::task_header* task_ = nullptr;
    int value_ = 0;
  };

  awaiter wait() noexcept { return awaiter{this}; }
  bool is_waiting() {
    std::lock_guard<std::mutex> g(m_);
    return waiting_ != nullptr;
  }
  // The operation's completion, from any thread: false if nobody waits.
  bool complete(int v) {
    std::lock_guard<std::mutex> g(m_);
    if (!waiting_) return false;
    waiting_->value_ = v;
    waiting_->complete();
    w_.wake();
    waiting_ = nullptr;
    return true;
  }
  // The operation's handler is destroyed uncalled: the task is aborted.
  bool drop() {
    std::lock_guard<std::mutex> g(m_);
    if (!waiting_) return false;
    waiting_->complete();
    w_.task()->abort();
    w_.wake();
    waiting_ = nullptr;
    return true;
  }

  std::atomic<int> cancels{0};
  std::atomic<int> destroyed_pending{0};
  bool complete_on_cancel = false;
  eddy::notify cancel_requested;

 private:
  std::mutex m_;
  awaiter* waiting_ = nullptr;  // under m_
  eddy::waker w_;               // under m_
};

struct drop_counter {
  std::atomic<int>* n;
  ~drop_counter() { n->fetch_add(1); }
};

}  // namespace eddy_test
