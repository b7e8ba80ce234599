// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::task_timer`: a timer owned by a suspended task's awaiter. When it fires it wakes the
/// task, or (in scope mode) marks a `cancel_scope` fired and interrupts the task. `disarm()`
/// guarantees that afterwards the runtime no longer holds the node and the fire routine is not
/// running, so the awaiter's frame may be destroyed.
#pragma once
#include <atomic>

#include "eddy/core/lock.hpp"
#include "eddy/runtime/task_header.hpp"

namespace eddy::detail {

class task_timer : private timer_node {
 public:
  task_timer() noexcept : timer_node(&fire) {}
  task_timer(const task_timer&) = delete;
  task_timer& operator=(const task_timer&) = delete;
  ~task_timer() { disarm(); }

  /// Arms the timer for `task` on its executor. With `scope` non-null, firing sets
  /// `scope->fired` and interrupts the task instead of waking it. A deadline `at` of `never`
  /// arms nothing (the timer would never fire).
  void arm(task_header* task, time_point at, cancel_scope* scope = nullptr) noexcept {
    arm(waker{task}, at, scope);
  }
  /// As above, waking `w` (which may name a combinator branch) when not in scope mode.
  void arm(waker w, time_point at, cancel_scope* scope = nullptr) noexcept {
    w_ = w;
    scope_ = scope;
    if (at == never) return;
    ex_ = w.task()->get_executor();
    done_.store(false, std::memory_order_relaxed);
    armed_ = true;
    ex_.post_at(at, *this);
  }
  /// Cancels the timer or waits for its fire routine to finish. Idempotent.
  void disarm() noexcept {
    if (!armed_) return;
    armed_ = false;
    if (ex_.cancel(*this)) return;
    while (!done_.load(std::memory_order_acquire)) cpu_relax();
  }

 private:
  static void fire(work_node* n) noexcept {
    auto* self = static_cast<task_timer*>(n);
    if (self->scope_) {
      self->scope_->fired.store(true, std::memory_order_release);
      self->w_.task()->interrupt();
    } else {
      self->w_.wake();
    }
    self->done_.store(true, std::memory_order_release);  // last touch of *self
  }

  waker w_;
  cancel_scope* scope_ = nullptr;
  executor ex_;
  std::atomic<bool> done_{false};
  bool armed_ = false;
};

}  // namespace eddy::detail
