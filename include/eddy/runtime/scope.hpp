// SPDX-License-Identifier: BSL-1.0
/// \file
/// `scope`: structured concurrency. Children spawned through a scope are joined together by
/// `co_await s.join()` and aborted together by `cancel()` or when the scope is dropped.
///
/// Policy `scope_policy::cancel_on_error` (the default) aborts the remaining children as soon as
/// one ends with an error (an exception, or a `task<result<U>>` that returned an error);
/// `scope_policy::wait_all` lets them
/// run. `join()` gives the first error, or success. Aborts caused by the scope itself are not
/// reported as the scope's error.
///
/// Cancelling aborts each child as `join_handle::abort` does: a child waiting in a foreign
/// operation (Asio through `use_task`, an `eddy/uv/` request) finishes once that operation's
/// completion has run, so `join()` returns only when no operation uses a child's frame.
///
/// Thread-safety: `spawn`, `cancel` and `join` may be called from any task on any runtime;
/// children may run on different executors. Only one task may wait in `join()` at a time.
#pragma once
#include <cstddef>

#include "eddy/core/result.hpp"
#include "eddy/runtime/spawn.hpp"

namespace eddy {

/// What a `scope` does when a child fails.
enum class scope_policy : unsigned char {
  cancel_on_error,  ///< abort the other children (the default)
  wait_all,         ///< let the other children run to completion
};

namespace detail {

class scope_state final : public task_header::observer {
 public:
  explicit scope_state(scope_policy p) noexcept;
  void add_ref() noexcept;
  void release() noexcept;
  /// Registers a child (created with this scope as its observer, already holding a reference
  /// for the scope) before it starts. Returns true if the scope was already cancelled (the
  /// caller aborts the child once started).
  bool adopt(task_header* child) noexcept;
  void cancel() noexcept;
  std::size_t live() noexcept;
  /// Records a child that could not be started (out of memory) as a child error.
  void fail(const error& e) noexcept;

  spin_lock lock;
  waker joiner;                      // under lock
  std::size_t live_ = 0;             // under lock
  bool has_error = false;            // under lock
  error first_error{errc::aborted};  // under lock
  bool cancelled = false;            // under lock

 private:
  static void on_child_complete(observer* o, task_header* t, const error* e) noexcept;
  void note_error(const error& e) noexcept;  // under lock
  task_header* children_ = nullptr;          // under lock, linked through their `link`s
  std::atomic<std::uint32_t> refs_{1};
  scope_policy policy_;
};

}  // namespace detail

namespace detail {
template <class T>
spawned<T>* spawn_prepare(executor ex, task<T>&& t, task_header::observer* scope) {
  if (!ex) spawn_misuse("eddy::scope::spawn: no executor");
  if (!t.valid()) {
    if (t.out_of_memory()) return nullptr;
    spawn_misuse("eddy::scope::spawn: empty (moved-from) task");
  }
  // References: the handle, the task, the scope. Null: no memory.
  return spawned<T>::create(ex, std::move(t), 3, scope);
}
}  // namespace detail

/// Structured concurrency: joins and cancels its children together (see the file comment).
class scope {
 public:
  /// An empty scope with policy `p`.
  explicit scope(scope_policy p = scope_policy::cancel_on_error);
  scope(const scope&) = delete;
  scope& operator=(const scope&) = delete;
  /// Aborts every child still running (they finish on their own executors).
  ~scope();

  /// Starts `t` as a child on the current executor. The child is named "scope child" and
  /// located at the caller's line (runtime/task_header.hpp, identity).
  template <class T>
  join_handle<T> spawn(task<T> t, const source_location& loc = source_location::current()) {
    return spawn(current_executor(), std::move(t), "scope child", loc);
  }
  /// Starts `t` as a child on `ex`. After `cancel()`, the child is aborted before it runs.
  template <class T>
  join_handle<T> spawn(executor ex, task<T> t,
                       const source_location& loc = source_location::current()) {
    return spawn(ex, std::move(t), "scope child", loc);
  }
  /// Starts `t` as a child on `ex`, named `name` (not copied: it must outlive the child).
  template <class T>
  join_handle<T> spawn(executor ex, task<T> t, const char* name,
                       const source_location& loc = source_location::current()) {
    return spawn(ex, std::move(t), task_options{name}, loc);
  }
  /// Starts `t` as a child on `ex`, named as `o` says (`copy_name` for a name built at run time).
  template <class T>
  join_handle<T> spawn(executor ex, task<T> t, const task_options& o,
                       const source_location& loc = source_location::current()) {
    auto* s = detail::spawn_prepare(ex, std::move(t), state_);
    if (!s) {  // out of memory: a failed child (errc::out_of_memory)
      state_->fail(error{errc::out_of_memory});
      return join_handle<T>::failed_allocation();
    }
    s->identify(o.name, o.copy_name, loc);
    const bool cancelled = state_->adopt(s);
    s->start(cancelled);  // a cancel() racing with this spawn only records the abort
    return join_handle<T>{s};
  }

  /// Aborts every running child. Idempotent; thread-safe.
  void cancel() noexcept { state_->cancel(); }
  /// Children not yet finished.
  std::size_t size() const noexcept { return state_->live(); }

  /// Awaiter of `join()`; cancel-safe (an aborted waiter deregisters).
  class join_awaiter {
   public:
    /// Used by `join()`.
    explicit join_awaiter(detail::scope_state* s) noexcept : s_(s) {}
    join_awaiter(const join_awaiter&) = delete;
    join_awaiter& operator=(const join_awaiter&) = delete;
    ~join_awaiter();
    bool await_ready() noexcept;
    bool await_suspend(coro::coroutine_handle<> h) noexcept;
    result<void> await_resume() noexcept;

   private:
    detail::scope_state* s_;
    bool registered_ = false;
  };
  /// Waits until every child has finished; gives the first child error, if any.
  join_awaiter join() noexcept { return join_awaiter{state_}; }

 private:
  detail::scope_state* state_;
};

}  // namespace eddy
