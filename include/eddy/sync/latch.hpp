// SPDX-License-Identifier: BSL-1.0
/// \file
/// `latch`: a single-use countdown; tasks wait until it reaches zero (like `std::latch`).
///
/// - `latch l{n}` starts at `n >= 0` (`n < 0` panics). `latch{0}` is open from the start.
/// - `count_down(k = 1)` lowers the count by `k`; at zero every waiter is woken. It returns
///   `errc::invalid_argument` and changes nothing when `k < 0` or `k` is above the count left
///   (counting down an open latch with `k > 0` included). `count_down(0)` does nothing.
/// - `co_await l.wait()` resumes once the count is zero (at once if it already is).
/// - `try_wait()` is true once the count is zero; never suspends.
/// - `co_await l.arrive_and_wait(k = 1)` counts down by `k` *when called* (eagerly, like
///   `count_down`), then waits; it gives `result<void>`: the count-down's error if it failed
///   (then it does not wait).
/// - Cancel-safe: a task aborted while waiting just leaves the queue. Its count-down (from
///   `arrive_and_wait`) stays done: a latch counts events, and the event happened.
///
/// Thread-safety: every member is thread-safe. No allocation: a waiter is a node inside the
/// awaiting coroutine's frame. The latch must outlive its waiters (destroying it while tasks
/// wait is a programming error: `eddy::panic`).
///
/// ```cpp
/// eddy::latch started{3};
/// task<void> worker() { started.count_down().value(); /* value(): panics if over-counted */ }
/// task<void> boss() { co_await started.wait(); /* all 3 workers have started */ }
/// ```
#pragma once
#include <atomic>
#include <cstddef>
#include <utility>

#include "eddy/core/lock.hpp"
#include "eddy/core/panic.hpp"
#include "eddy/core/result.hpp"
#include "eddy/runtime/detail/list_awaiter.hpp"
#include "eddy/runtime/detail/waiter_list.hpp"
#include "eddy/runtime/task_header.hpp"

namespace eddy {

/// A single-use countdown that tasks wait on (see the file comment). Thread-safe; cancel-safe;
/// must outlive its waiters.
class latch {
 public:
  /// Awaitable returned by `wait()` (void). Movable only before it is awaited
  /// (`detail/list_awaiter.hpp`: the queue and cancel safety).
  class [[nodiscard]] wait_awaiter : detail::list_awaiter<latch> {
   public:
    /// Made by `wait()`.
    explicit wait_awaiter(latch* l) noexcept : list_awaiter(l) {}
    /// Movable only before it is awaited (moving a suspended awaiter panics).
    wait_awaiter(wait_awaiter&& o) noexcept
        : list_awaiter(std::move(o), "eddy::latch: a wait awaiter was moved while waiting") {}

    bool await_ready() const noexcept { return owner_->try_wait(); }
    bool await_suspend(coro::coroutine_handle<> h) noexcept {
      detail::lock_guard<detail::spin_lock> g(owner_->lock_);
      if (owner_->count_.load(std::memory_order_relaxed) == 0) return false;
      return enqueue(owner_->waiters_, h, wait_wait);
    }
    void await_resume() noexcept { resumed(); }
  };

  /// Awaitable returned by `arrive_and_wait(k)`: `result<void>`, the count-down's error (then
  /// it did not wait) or a value once the count is zero.
  class [[nodiscard]] arrive_awaiter {
   public:
    /// Made by `arrive_and_wait(k)`; `failed`: the count-down already failed (it will not wait).
    arrive_awaiter(latch* l, bool failed) noexcept : w_(l), failed_(failed) {}
    bool await_ready() const noexcept { return failed_ || w_.await_ready(); }
    bool await_suspend(coro::coroutine_handle<> h) noexcept { return w_.await_suspend(h); }
    result<void> await_resume() noexcept {
      w_.await_resume();
      if (failed_) return error{errc::invalid_argument, 0, bad_count};
      return {};
    }

   private:
    wait_awaiter w_;
    bool failed_;
  };

  /// A latch with count `n`; `n < 0` panics.
  explicit latch(std::ptrdiff_t n) : count_(n) {
    if (n < 0) panic("eddy::latch: the count must not be negative");
  }
  latch(const latch&) = delete;
  latch& operator=(const latch&) = delete;
  ~latch() {
    if (!waiters_.empty()) panic("eddy::latch destroyed while tasks wait for it");
  }

  /// Lowers the count by `k`, waking every waiter at zero. `errc::invalid_argument` (nothing
  /// changed) when `k < 0` or `k` is above the count left.
  result<void> count_down(std::ptrdiff_t k = 1) noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    const std::ptrdiff_t c = count_.load(std::memory_order_relaxed);
    if (k < 0 || k > c) return error{errc::invalid_argument, 0, bad_count};
    if (k == 0) return {};
    count_.store(c - k, std::memory_order_release);
    if (c == k) {
      while (auto* n = waiters_.pop_front()) n->w.wake();  // last touch of *n
    }
    return {};
  }

  /// True once the count is zero.
  bool try_wait() const noexcept { return count_.load(std::memory_order_acquire) == 0; }

  /// `co_await l.wait()`: resumes, on the task's own executor, once the count is zero.
  wait_awaiter wait() noexcept { return wait_awaiter{this}; }

  /// Counts down by `k` now, then `co_await` waits for zero. Gives the count-down's error
  /// (without waiting) if it failed.
  arrive_awaiter arrive_and_wait(std::ptrdiff_t k = 1) noexcept {
    return arrive_awaiter{this, !count_down(k).has_value()};
  }

  /// The count left (a snapshot).
  std::ptrdiff_t count() const noexcept { return count_.load(std::memory_order_acquire); }
  /// The number of tasks waiting (a snapshot, for diagnostics and tests).
  std::size_t waiter_count() const noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    return waiters_.size();
  }

 private:
  static constexpr const char* bad_count =
      "eddy::latch::count_down: negative, or more than the count left";

  friend class detail::list_awaiter<latch>;

  void cancel_wait(detail::waiter_node* n) noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    waiters_.remove(n);
  }

  mutable detail::spin_lock lock_;  ///< guards waiters_ and changes of count_
  std::atomic<std::ptrdiff_t> count_;
  detail::waiter_list waiters_;
  static constexpr detail::wait_kind wait_wait{"latch::wait", nullptr};
};

}  // namespace eddy
