// SPDX-License-Identifier: BSL-1.0
/// \file
/// `mutex`: a fair (FIFO) asynchronous lock, and its RAII `mutex_guard`.
///
/// - `co_await m.lock()` gives a `mutex_guard`; the lock is held until the guard is destroyed or
///   `guard.unlock()` is called. Uncontended, it completes without suspending (one atomic CAS).
/// - FIFO, no barging: tasks that had to wait get the lock in the order they started waiting.
///   `unlock()` hands the lock directly to the first waiter (it stays locked), so neither
///   `try_lock()` nor a new `lock()` can take it in between.
/// - `try_lock()` never suspends: a guard that owns the lock, or an empty guard (`!guard`) when
///   the lock is held or tasks are waiting.
/// - Cancel-safe: a task aborted (or a `timeout` that expires) while waiting leaves the queue;
///   if the lock had already been handed to it, its awaiter passes it on to the next waiter (or
///   frees it). The lock is never leaked.
///
/// Thread-safety: every member is thread-safe; a guard may be unlocked from any thread or task.
/// No allocation: a waiter is a node inside the awaiting coroutine's frame.
/// Lifetime: the mutex must outlive its guards and waiters; destroying it while locked or waited
/// on is a programming error (`eddy::panic`).
/// Name: `eddy::mutex m{"state"}` names it in task dumps (`mutex::lock 'state' (held by task
/// 12)`, see `runtime::dump`); the name is not copied (a string literal, or outliving the mutex).
///
/// ```cpp
/// eddy::mutex m;
/// long counter = 0;  // protected by m
/// task<void> add() {
///   auto g = co_await m.lock();
///   ++counter;
/// }  // g unlocks here
/// ```
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "eddy/core/lock.hpp"
#include "eddy/core/panic.hpp"
#include "eddy/runtime/detail/list_awaiter.hpp"
#include "eddy/runtime/detail/waiter_list.hpp"
#include "eddy/runtime/task_header.hpp"
#include "eddy/sync/detail/lock_hold.hpp"

namespace eddy {

class mutex;

/// Owns a locked `mutex` (or nothing); move-only RAII (`detail/lock_hold.hpp`): destroying it,
/// or `unlock()`, hands the lock to the first waiter or frees it. `owns_lock()`, `get_mutex()`.
using mutex_guard = detail::lock_hold<mutex, true>;

/// A fair (FIFO) asynchronous lock (see the file comment). Thread-safe; cancel-safe (the lock
/// is never leaked); must outlive its guards and waiters.
class mutex {
  static constexpr std::uint8_t locked_bit = 1;  ///< someone owns the lock
  static constexpr std::uint8_t queued_bit = 2;  ///< the waiter list is non-empty (implies locked)

  struct node : detail::waiter_node {
    bool granted = false;  ///< under lock_: the lock was handed to this waiter
  };

 public:
  /// Awaitable returned by `lock()`; gives a `mutex_guard`. Movable only before it is awaited
  /// (`detail/list_awaiter.hpp`: the queue and cancel safety).
  class [[nodiscard]] lock_awaiter : detail::list_awaiter<mutex, node> {
   public:
    /// Made by `lock()`.
    explicit lock_awaiter(mutex* m) noexcept : list_awaiter(m) {}
    /// Movable only before it is awaited (moving a suspended awaiter panics).
    lock_awaiter(lock_awaiter&& o) noexcept
        : list_awaiter(std::move(o), "eddy::mutex: a lock awaiter was moved while waiting"),
          acquired_(std::exchange(o.acquired_, false)) {}
    ~lock_awaiter() {
      if (acquired_) owner_->unlock_raw();  // acquired by await_ready but never resumed
    }

    bool await_ready() noexcept {
      acquired_ = owner_->try_lock_raw();
      return acquired_;
    }
    bool await_suspend(coro::coroutine_handle<> h) noexcept {
      detail::lock_guard<detail::spin_lock> g(owner_->lock_);
      std::uint8_t s = owner_->state_.load(std::memory_order_relaxed);
      for (;;) {
        if (s == 0) {  // freed since await_ready, nobody queued: take it
          if (owner_->state_.compare_exchange_weak(s, locked_bit, std::memory_order_acquire,
                                                   std::memory_order_relaxed)) {
            acquired_ = true;
            return false;
          }
        } else if ((s & queued_bit) ||
                   owner_->state_.compare_exchange_weak(
                       s, s | queued_bit, std::memory_order_relaxed, std::memory_order_relaxed)) {
          break;  // locked and marked queued: the owner's unlock takes the slow path
        }
      }
      return enqueue(owner_->waiters_, h, lock_wait);
    }
    mutex_guard await_resume() noexcept {
      acquired_ = false;
      resumed();  // resumed only by a hand-off: the lock is ours
      owner_->note_holder();
      return mutex_guard{owner_};
    }

   private:
    bool acquired_ = false;  ///< owns the lock, not yet given to a guard
  };

  mutex() noexcept = default;
  /// A mutex named `name` in task dumps (not copied: it must outlive the mutex).
  explicit mutex(const char* name) noexcept : name_(name) {}
  mutex(const mutex&) = delete;
  mutex& operator=(const mutex&) = delete;
  ~mutex() {
    if (state_.load(std::memory_order_acquire) != 0)
      panic("eddy::mutex destroyed while locked or while tasks wait for it");
  }

  /// `co_await m.lock()` -> `mutex_guard`. Completes at once when free and nobody waits;
  /// otherwise queues (FIFO) and resumes, on the task's own executor, owning the lock.
  lock_awaiter lock() noexcept { return lock_awaiter{this}; }

  /// Takes the lock if it is free and nobody waits; never suspends. Empty guard on failure.
  mutex_guard try_lock() noexcept {
    if (!try_lock_raw()) return mutex_guard{};
    note_holder();
    return mutex_guard{this};
  }

  /// The name given at construction, or null. Thread-safe.
  const char* name() const noexcept { return name_; }

  /// Whether some guard or hand-off owns the lock (a snapshot, for diagnostics and tests).
  bool is_locked() const noexcept { return state_.load(std::memory_order_acquire) & locked_bit; }

  /// The number of tasks waiting (a snapshot, for diagnostics and tests). Takes the inner lock.
  std::size_t waiter_count() const noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    return waiters_.size();
  }

 private:
  friend mutex_guard;
  friend class detail::list_awaiter<mutex, node>;

  void release_hold(bool) noexcept { unlock_raw(); }

  // Task dumps: who took the lock last (0: outside a task, or dumps compiled out).
  void note_holder() noexcept {
#if EDDY_TASK_DUMP
    holder_.store(detail::current_task_id(), std::memory_order_relaxed);
#endif
  }
  static void describe_lock(const detail::wait_kind& k, const void* o, dump_sink& out) {
    const auto* m = static_cast<const mutex*>(o);
    out << k.what;
    out.name(m->name_);
    if (const std::uint64_t h = m->holder_.load(std::memory_order_relaxed); h && m->is_locked())
      out << " (held by task " << h << ')';
  }
  static constexpr detail::wait_kind lock_wait{"mutex::lock", &describe_lock};

  bool try_lock_raw() noexcept {
    std::uint8_t expected = 0;
    return state_.compare_exchange_strong(expected, locked_bit, std::memory_order_acquire,
                                          std::memory_order_relaxed);
  }
  void unlock_raw() noexcept {
    std::uint8_t expected = locked_bit;
    if (state_.compare_exchange_strong(expected, 0, std::memory_order_release,
                                       std::memory_order_relaxed))
      return;
    detail::lock_guard<detail::spin_lock> g(lock_);
    hand_off_locked();
  }
  /// Under lock_, by the current owner: give the lock to the first waiter, or free it.
  void hand_off_locked() noexcept {
    auto* n = static_cast<node*>(waiters_.pop_front());
    if (!n) {
      state_.store(0, std::memory_order_release);
      return;
    }
    if (waiters_.empty()) state_.store(locked_bit, std::memory_order_release);
    n->granted = true;
    n->w.wake();  // last touch of *n
  }
  /// The waiting awaiter at `n` goes away without having resumed (abort, timeout).
  void cancel_wait(node* n) noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    if (waiters_.remove(n)) {
      if (waiters_.empty())
        state_.fetch_and(static_cast<std::uint8_t>(~queued_bit), std::memory_order_relaxed);
    } else if (n->granted) {
      hand_off_locked();  // the lock was handed to us but never used: pass it on
    }
  }

  std::atomic<std::uint8_t> state_{0};
  mutable detail::spin_lock lock_;  ///< guards waiters_ and the nodes' `granted`
  detail::waiter_list waiters_;
  const char* name_ = nullptr;
  std::atomic<std::uint64_t> holder_{0};
};

}  // namespace eddy
