// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::task_header`: the scheduling state of one spawned task, and `waker`.
///
/// Every coroutine chain in eddy runs inside a spawned task (`spawn`, `block_on`). The header is
/// the only thing posted to the executor; all resumptions of the task's coroutines go through
/// it, so a task never runs on two threads at once and always resumes on its own executor.
///
/// Protocol for awaitables that suspend (the only way eddy code suspends):
/// 1. in `await_suspend(h)`: `waker w = detail::suspend_here(h);` then register `w` with the
///    primitive, under the primitive's lock;
/// 2. the primitive calls `w.wake()` exactly once, *under its lock*, when the wait is satisfied;
/// 3. the awaiter's destructor deregisters under the same lock if it was never woken, and gives
///    back anything handed to it but not consumed (cancel safety: the frame can be destroyed by
///    abort or timeout at any suspension).
#pragma once
#include <atomic>
#include <cstdint>

#include "eddy/core/coro.hpp"
#include "eddy/core/error.hpp"
#include "eddy/core/lock.hpp"
#include "eddy/runtime/runtime.hpp"

namespace eddy {

namespace detail {
class task_header;
}

/// A handle that resumes one suspended task on its own executor. Trivially copyable.
/// `wake()` is thread-safe and may be called from any thread; call it once per suspension.
class waker {
 public:
  waker() noexcept = default;
  /// A waker for the task `t` (the awaiter protocol gets one from `detail::suspend_here`).
  explicit waker(detail::task_header* t) noexcept : t_(t) {}
  /// Resumes the task on its own executor (posts it there; never runs it inline). Thread-safe;
  /// exactly once per suspension.
  void wake() const noexcept;
  /// False for a default-constructed waker.
  explicit operator bool() const noexcept { return t_ != nullptr; }
  /// True when both wake the same task.
  friend bool operator==(waker a, waker b) noexcept { return a.t_ == b.t_; }
  /// The task this waker resumes (null when empty).
  detail::task_header* task() const noexcept { return t_; }

 private:
  detail::task_header* t_ = nullptr;
};

namespace detail {

/// A cancellation scope inside a task (used by `timeout`): when `fired` is set and the task is
/// interrupted, the runner destroys `inner` and resumes `owner`.
struct cancel_scope {
  cancel_scope* outer = nullptr;
  coro::coroutine_handle<> owner{};
  void (*cancel_inner)(cancel_scope*) noexcept = nullptr;
  std::atomic<bool> fired{false};
  bool cancelled = false;  ///< set by the runner once it has cancelled the inner work
};

class task_header : public work_node {
 public:
  // state bits
  static constexpr std::uint32_t scheduled = 1u << 0;
  static constexpr std::uint32_t running = 1u << 1;
  static constexpr std::uint32_t notified = 1u << 2;
  static constexpr std::uint32_t interrupted = 1u << 3;
  static constexpr std::uint32_t complete = 1u << 4;
  static constexpr std::uint32_t abort_requested = 1u << 5;
  static constexpr std::uint32_t yielded = 1u << 6;
  static constexpr std::uint32_t unstarted = 1u << 7;  ///< signals before start() only record bits
  static constexpr std::uint32_t detached = 1u << 8;   ///< no join handle any more (see finish)

  struct vtable {
    /// Stores the result (aborted: `errc::aborted`), destroys the root frame. Returns the error
    /// the task ended with, or null.
    const error* (*finish)(task_header*, bool aborted) noexcept;
    /// Frees the whole block. Called when the last reference goes.
    void (*destroy)(task_header*) noexcept;
  };

  /// Something told when the task completes (scopes). Called on the task's executor, after the
  /// result is stored, before joiners are woken. `err` is null on success.
  struct observer {
    void (*on_complete)(observer*, task_header*, const error* err) noexcept;
  };

  task_header(const vtable* vt, executor ex, coro::coroutine_handle<> root,
              std::uint32_t refs) noexcept
      : work_node(&run_entry), vt_(vt), ex_(ex), leaf_(root), root_(root), refs_(refs) {}

  /// Posts the task for its first run. With `aborted`, the task is aborted before its body
  /// ever runs (a spawn into a cancelled scope).
  void start(bool aborted = false) noexcept;
  void wake() noexcept { signal(notified); }
  /// Requests abort: the task stops at its current or next suspension point.
  void abort() noexcept { signal(notified_free_abort); }
  /// Asks the runner to look at the cancel scopes (a timeout fired).
  void interrupt() noexcept { signal(interrupted); }

  bool is_complete() const noexcept { return state_.load(std::memory_order_acquire) & complete; }
  /// The join handle is gone: an exception the task ends with from now on goes to the
  /// runtime's unhandled-error hook. Call before dropping the handle's reference.
  void mark_detached() noexcept { state_.fetch_or(detached, std::memory_order_acq_rel); }
  executor get_executor() const noexcept { return ex_; }

  void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) vt_->destroy(this);
  }

  // --- used by awaitables, only from inside the running task ---
  void set_leaf(coro::coroutine_handle<> h) noexcept { leaf_ = h; }
  void request_yield() noexcept { state_.fetch_or(notified | yielded, std::memory_order_acq_rel); }
  /// Drops pending wakes after the caller destroyed the frames that were waiting (the inline
  /// time-out path of `timeout`), and in `suspend_here` (see there). Only from inside the
  /// running task.
  void discard_wakes() noexcept {
    if (state_.load(std::memory_order_acquire) & (notified | yielded))
      state_.fetch_and(~(notified | yielded), std::memory_order_acq_rel);
  }
  void push_scope(cancel_scope* s) noexcept {
    s->outer = scopes_;
    scopes_ = s;
  }
  void remove_scope(cancel_scope* s) noexcept;

  // --- joining ---
  spin_lock join_lock;
  waker joiner;                       ///< under join_lock
  observer* obs = nullptr;            ///< set before start; read by the runner at completion
  task_header* scope_prev = nullptr;  ///< owned by the observing scope, under its lock
  task_header* scope_next = nullptr;  ///< owned by the observing scope, under its lock
  task_header* rt_prev = nullptr;     ///< the runtime's live-task list, under its lock
  task_header* rt_next = nullptr;     ///< the runtime's live-task list, under its lock

 private:
  static constexpr std::uint32_t notified_free_abort = abort_requested | interrupted;
  static void run_entry(work_node* n) noexcept;
  void run() noexcept;
  void signal(std::uint32_t bits) noexcept;
  bool handle_interrupt() noexcept;  // true when the task completed
  void finish(bool aborted) noexcept;
  void register_with_runtime() noexcept;
  void unregister_from_runtime() noexcept;

 public:
  /// Used by `runtime::abort_all_tasks` (under the runtime's task lock).
  static void abort_list(task_header* head) noexcept;

 private:
  const vtable* vt_;
  executor ex_;
  coro::coroutine_handle<> leaf_;
  coro::coroutine_handle<> root_;
  cancel_scope* scopes_ = nullptr;
  std::atomic<std::uint32_t> state_{unstarted};
  std::atomic<std::uint32_t> refs_;
};

/// The task running on this thread, or null outside any task.
task_header* current_task() noexcept;

/// Records `h` as the point to resume and returns the current task's waker. Panics if called
/// outside a task (eddy awaitables need a task to resume). A wake still pending from an earlier
/// registration is dropped: every registration is made after this call, so such a wake is stale
/// (an awaiter that `timeout` or `with_cancellation` cancelled but that lives on, as a temporary,
/// until the end of the caller's full-expression, and was woken meanwhile).
waker suspend_here(coro::coroutine_handle<> h) noexcept;

}  // namespace detail

inline void waker::wake() const noexcept {
  t_->wake();
}

}  // namespace eddy
