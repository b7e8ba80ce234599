// SPDX-License-Identifier: BSL-1.0
/// \file
/// `shared_mutex`: a fair (FIFO) asynchronous readers–writer lock, and its RAII guards.
///
/// - `co_await m.lock()` gives a `shared_mutex::exclusive_guard` (one writer, nobody else);
///   `co_await m.lock_shared()` gives a `shared_mutex::shared_guard` (any number of readers, no
///   writer). The lock is held until the guard is destroyed or `guard.unlock()` is called.
/// - Fair, no barging: a task that cannot take the lock at once queues, and queued tasks are
///   served in the order they started waiting. A waiting writer blocks readers that come after
///   it (so writers never starve), even while other readers hold the lock. When the lock is
///   released, the head of the queue gets it: a writer alone, or the run of consecutive readers
///   at the head together. The hand-off is direct (the lock stays taken), so neither a `try_*`
///   nor a new `lock*()` can take it in between.
/// - `try_lock()` / `try_lock_shared()` never suspend: a guard that owns the lock, or an empty
///   guard (`!guard`) when the lock cannot be taken at once or tasks are waiting.
/// - Cancel-safe: a task aborted (or a `timeout` that expires) while waiting leaves the queue
///   (which may let the readers behind a leaving writer through); a lock already handed to it
///   but not yet resumed is passed on to the next waiters (or freed). The lock is never leaked.
///
/// Thread-safety: every member is thread-safe; a guard may be unlocked from any thread or task.
/// No allocation: a waiter is a node inside the awaiting coroutine's frame; every operation
/// takes one short internal spin lock.
/// Lifetime: the shared_mutex must outlive its guards and waiters; destroying it while locked
/// or waited on is a programming error (`eddy::panic`).
///
/// ```cpp
/// eddy::shared_mutex m;
/// std::map<std::string, int> table;  // protected by m
/// task<int> read(std::string k) {
///   auto g = co_await m.lock_shared();   // many readers at once
///   co_return table[k];
/// }
/// task<void> write(std::string k, int v) {
///   auto g = co_await m.lock();          // alone
///   table[k] = v;
/// }
/// ```
/// Name: `eddy::shared_mutex m{"table"}` names it in task dumps (`shared_mutex::lock 'table'`;
/// `runtime::dump`). Not copied: a string literal.
#pragma once
#include <cstddef>
#include <utility>

#include "eddy/core/lock.hpp"
#include "eddy/core/panic.hpp"
#include "eddy/runtime/detail/list_awaiter.hpp"
#include "eddy/runtime/detail/waiter_list.hpp"
#include "eddy/runtime/task_header.hpp"
#include "eddy/sync/detail/lock_hold.hpp"

namespace eddy {

class shared_mutex;

/// A fair (FIFO) asynchronous readers–writer lock (see the file comment). Thread-safe;
/// cancel-safe (the lock is never leaked); must outlive its guards and waiters.
class shared_mutex {
  struct node : detail::waiter_node {
    bool exclusive = false;  ///< a writer
    bool granted = false;    ///< under lock_: the lock was handed to this waiter
  };

 public:
  /// Holds the lock alone (from `lock()` / `try_lock()`). Move-only RAII.
  using exclusive_guard = detail::lock_hold<shared_mutex, true>;
  /// Holds the lock shared with other readers (from `lock_shared()` / `try_lock_shared()`).
  /// Move-only RAII.
  using shared_guard = detail::lock_hold<shared_mutex, false>;

  /// Awaitable returned by `lock()` (`Exclusive`) and `lock_shared()`; gives the matching guard.
  /// Movable only before it is awaited (`detail/list_awaiter.hpp`: the queue and cancel safety).
  template <bool Exclusive>
  class [[nodiscard]] lock_awaiter : detail::list_awaiter<shared_mutex, node> {
    using base = detail::list_awaiter<shared_mutex, node>;
    using base::enqueue;
    using base::node_;
    using base::owner_;
    using base::resumed;

   public:
    /// Made by `lock()` / `lock_shared()`.
    explicit lock_awaiter(shared_mutex* m) noexcept : base(m) { node_.exclusive = Exclusive; }
    /// Movable only before it is awaited (moving a suspended awaiter panics).
    lock_awaiter(lock_awaiter&& o) noexcept
        : base(std::move(o), "eddy::shared_mutex: a lock awaiter was moved while waiting"),
          acquired_(std::exchange(o.acquired_, false)) {
      node_.exclusive = Exclusive;
    }
    ~lock_awaiter() {
      if (acquired_) owner_->release_hold(Exclusive);  // acquired by await_ready, never resumed
    }

    bool await_ready() noexcept {
      detail::lock_guard<detail::spin_lock> g(owner_->lock_);
      acquired_ = owner_->try_take_locked(Exclusive);
      return acquired_;
    }
    bool await_suspend(coro::coroutine_handle<> h) noexcept {
      detail::lock_guard<detail::spin_lock> g(owner_->lock_);
      if (owner_->try_take_locked(Exclusive)) {  // freed since await_ready
        acquired_ = true;
        return false;
      }
      node_.granted = false;
      return enqueue(owner_->waiters_, h, Exclusive ? lock_wait : lock_shared_wait);
    }
    detail::lock_hold<shared_mutex, Exclusive> await_resume() noexcept {
      acquired_ = false;
      resumed();  // resumed only by a hand-off: the lock is ours
      return detail::lock_hold<shared_mutex, Exclusive>{owner_};
    }

   private:
    bool acquired_ = false;  ///< owns the lock, not yet given to a guard
  };

  shared_mutex() noexcept = default;
  /// A lock named `name` in task dumps (`shared_mutex::lock 'table'`; not copied: it must
  /// outlive the lock).
  explicit shared_mutex(const char* name) noexcept : name_(name) {}
  /// The name given at construction, or null (task dumps). Thread-safe.
  const char* name() const noexcept { return name_; }
  shared_mutex(const shared_mutex&) = delete;
  shared_mutex& operator=(const shared_mutex&) = delete;
  ~shared_mutex() {
    if (writer_ || readers_ != 0 || !waiters_.empty())
      panic("eddy::shared_mutex destroyed while locked or while tasks wait for it");
  }

  /// `co_await m.lock()` -> `exclusive_guard`. Completes at once when nobody holds the lock and
  /// nobody waits; otherwise queues (FIFO) and resumes, on the task's own executor, owning the
  /// lock alone.
  lock_awaiter<true> lock() noexcept { return lock_awaiter<true>{this}; }
  /// `co_await m.lock_shared()` -> `shared_guard`. Completes at once when no writer holds the
  /// lock and nobody waits; otherwise queues (FIFO, behind any waiting writer) and resumes, on
  /// the task's own executor, sharing the lock with the other readers.
  lock_awaiter<false> lock_shared() noexcept { return lock_awaiter<false>{this}; }

  /// Takes the lock alone if nobody holds it and nobody waits; never suspends. Empty guard on
  /// failure.
  exclusive_guard try_lock() noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    return try_take_locked(true) ? exclusive_guard{this} : exclusive_guard{};
  }
  /// Takes the lock shared if no writer holds it and nobody waits; never suspends. Empty guard
  /// on failure.
  shared_guard try_lock_shared() noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    return try_take_locked(false) ? shared_guard{this} : shared_guard{};
  }

  /// Whether a writer (a guard or a hand-off) holds the lock (a snapshot, for diagnostics).
  bool is_locked() const noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    return writer_;
  }
  /// How many readers hold the lock (a snapshot, for diagnostics and tests).
  std::size_t reader_count() const noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    return readers_;
  }
  /// The number of tasks waiting (a snapshot, for diagnostics and tests).
  std::size_t waiter_count() const noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    return waiters_.size();
  }

 private:
  template <class, bool>
  friend class detail::lock_hold;
  friend class detail::list_awaiter<shared_mutex, node>;

  /// Under lock_: takes the lock at once if it is free enough and nobody waits (no barging).
  bool try_take_locked(bool exclusive) noexcept {
    if (writer_ || !waiters_.empty()) return false;
    if (exclusive) {
      if (readers_ != 0) return false;
      writer_ = true;
    } else {
      ++readers_;
    }
    return true;
  }
  /// Gives back one hold (a guard's, or one handed to a waiter that never resumed).
  void release_hold(bool exclusive) noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    release_locked(exclusive);
  }
  void release_locked(bool exclusive) noexcept {
    if (exclusive)
      writer_ = false;
    else
      --readers_;
    grant_locked();
  }
  /// Under lock_: hands the lock to the head of the queue while it can be served: one writer
  /// when the lock is free, or every consecutive reader while no writer holds it.
  void grant_locked() noexcept {
    while (auto* n = static_cast<node*>(waiters_.front())) {
      if (writer_) return;
      if (n->exclusive) {
        if (readers_ != 0) return;
        writer_ = true;
      } else {
        ++readers_;
      }
      waiters_.pop_front();
      n->granted = true;
      n->w.wake();  // last touch of *n
    }
  }
  /// The waiting awaiter at `n` goes away without having resumed (abort, timeout).
  void cancel_wait(node* n) noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    if (waiters_.remove(n))
      grant_locked();  // a writer leaving the head may let the readers behind it through
    else if (n->granted)
      release_locked(n->exclusive);  // handed to us but never used: pass it on
  }

  mutable detail::spin_lock lock_;  ///< guards everything below and the nodes' `granted`
  bool writer_ = false;             ///< a writer holds the lock
  std::size_t readers_ = 0;         ///< readers holding the lock
  detail::waiter_list waiters_;
  const char* name_ = nullptr;
  static constexpr detail::wait_kind lock_wait{"shared_mutex::lock",
                                               &detail::describe_named<shared_mutex>};
  static constexpr detail::wait_kind lock_shared_wait{"shared_mutex::lock_shared",
                                                      &detail::describe_named<shared_mutex>};
};

}  // namespace eddy
