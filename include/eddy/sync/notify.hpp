// SPDX-License-Identifier: BSL-1.0
/// \file
/// `notify`: wakes one waiting task, or every task waiting right now (tokio's `Notify`).
///
/// - `co_await n.notified()` waits for a notification (void).
/// - `notify_one()` wakes the first waiter (FIFO); with nobody waiting it stores one permit
///   instead, which the next `notified()` consumes at once. At most one permit is stored:
///   repeated `notify_one()` calls with nobody waiting store just one.
/// - `notify_waiters()` wakes every task waiting at the moment of the call and stores nothing;
///   a `notified()` that starts later waits for the next notification.
/// - Cancel-safe: a waiter aborted (or timed out) before it resumed leaves the queue; if it had
///   been picked by `notify_one()`, it passes the notification on to the next waiter (or stores
///   the permit), so a `notify_one()` is never lost. A notification from `notify_waiters()` is
///   not passed on (it stores nothing by definition).
///
/// Thread-safety: every member is thread-safe. No allocation: a waiter is a node inside the
/// awaiting coroutine's frame. The notify must outlive its waiters (destroying it while tasks
/// wait is a programming error: `eddy::panic`).
///
/// ```cpp
/// eddy::notify ready;
/// task<void> consumer() { co_await ready.notified(); /* ... */ }
/// void producer() { ready.notify_one(); }  // before or after consumer() waits: never lost
/// ```
#pragma once
#include <atomic>
#include <cstddef>
#include <utility>

#include "eddy/core/lock.hpp"
#include "eddy/core/panic.hpp"
#include "eddy/runtime/detail/list_awaiter.hpp"
#include "eddy/runtime/detail/waiter_list.hpp"
#include "eddy/runtime/task_header.hpp"

namespace eddy {

/// Wakes one waiting task (`notify_one`, storing one permit if nobody waits) or every current
/// waiter (`notify_waiters`); see the file comment. Thread-safe; cancel-safe; must outlive its
/// waiters.
class notify {
  enum class how : unsigned char { none, one, all };
  struct node : detail::waiter_node {
    how by = how::none;  ///< under lock_: which call woke this waiter
  };

 public:
  /// Awaitable returned by `notified()`. Movable only before it is awaited
  /// (`detail/list_awaiter.hpp`: the queue and cancel safety).
  class [[nodiscard]] notified_awaiter : detail::list_awaiter<notify, node> {
   public:
    /// Made by `notified()`.
    explicit notified_awaiter(notify* n) noexcept : list_awaiter(n) {}
    /// Movable only before it is awaited (moving a suspended awaiter panics).
    notified_awaiter(notified_awaiter&& o) noexcept
        : list_awaiter(std::move(o), "eddy::notify: a notified awaiter was moved while waiting"),
          consumed_(std::exchange(o.consumed_, false)) {}
    ~notified_awaiter() {
      if (consumed_) owner_->notify_one();  // took the permit in await_ready but never resumed
    }

    bool await_ready() noexcept {
      consumed_ = owner_->take_permit();
      return consumed_;
    }
    bool await_suspend(coro::coroutine_handle<> h) noexcept {
      detail::lock_guard<detail::spin_lock> g(owner_->lock_);
      if (owner_->take_permit()) return false;
      node_.by = how::none;
      return enqueue(owner_->waiters_, h, notified_wait);
    }
    void await_resume() noexcept {
      consumed_ = false;
      resumed();
    }

   private:
    bool consumed_ = false;  ///< took the stored permit, not yet resumed
  };

  notify() noexcept = default;
  notify(const notify&) = delete;
  notify& operator=(const notify&) = delete;
  ~notify() {
    if (!waiters_.empty()) panic("eddy::notify destroyed while tasks wait for it");
  }

  /// `co_await n.notified()`: resumes, on the task's own executor, after a notification (at
  /// once if a permit is stored).
  notified_awaiter notified() noexcept { return notified_awaiter{this}; }

  /// Wakes the first waiter, or stores one permit if nobody waits.
  void notify_one() noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    notify_one_locked();
  }

  /// Wakes every task waiting now; stores nothing.
  void notify_waiters() noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    while (auto* n = static_cast<node*>(waiters_.pop_front())) {
      n->by = how::all;
      n->w.wake();  // last touch of *n
    }
  }

  /// The number of tasks waiting (a snapshot, for diagnostics and tests).
  std::size_t waiter_count() const noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    return waiters_.size();
  }
  /// Whether a permit is stored (a snapshot, for diagnostics and tests).
  bool has_permit() const noexcept { return permit_.load(std::memory_order_acquire); }

 private:
  friend class detail::list_awaiter<notify, node>;

  bool take_permit() noexcept {
    return permit_.load(std::memory_order_relaxed) &&
           permit_.exchange(false, std::memory_order_acq_rel);
  }
  void notify_one_locked() noexcept {
    if (auto* n = static_cast<node*>(waiters_.pop_front())) {
      n->by = how::one;
      n->w.wake();  // last touch of *n
    } else {
      permit_.store(true, std::memory_order_release);
    }
  }
  void cancel_wait(node* n) noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    if (!waiters_.remove(n) && n->by == how::one) notify_one_locked();  // pass it on
  }

  mutable detail::spin_lock lock_;  ///< guards waiters_, the nodes' `by`, and permit stores
  std::atomic<bool> permit_{false};
  detail::waiter_list waiters_;
  static constexpr detail::wait_kind notified_wait{"notify::notified", nullptr};
};

}  // namespace eddy
