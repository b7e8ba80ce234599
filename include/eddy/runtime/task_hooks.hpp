// SPDX-License-Identifier: BSL-1.0
/// \file
/// `task_hooks`: functions a runtime calls as its tasks are spawned, polled, woken and end.
///
/// Install with `rt.set_task_hooks(&h)` (runtime/runtime.hpp); remove with
/// `rt.set_task_hooks(nullptr)`. Off by default: then the task runner pays one predictable
/// branch at each spawn, run, wake and end of a task (on a byte it loads from the runtime) and
/// one per resumption on a register, no call and no atomic read-modify-write.
///
/// When each hook runs (every member may be null: not called):
/// - `on_spawn(ctx, t)`: on the spawning thread, inside `spawn`, before the task can run;
/// - `before_poll(ctx, t)` / `after_poll(ctx, t)`: on the runtime's thread that resumes the task,
///   right before and right after each resumption (a *poll*: one `resume` of the task's current
///   coroutine, which runs until the task suspends again or ends). They pair up: nothing else of
///   the task runs in between on another thread;
/// - `on_wake(ctx, waker, woken)`: on the waking thread (any thread: a timer, another runtime, a
///   thread outside eddy), each time `woken` is woken; `waker` is the task whose poll woke it, or
///   an empty view (a timer, a completion from outside any task). Several may run at once;
/// - `on_terminate(ctx, t, how)`: on the runtime's thread, once, when the task has ended (after
///   its last `after_poll`), before its joiner is woken.
///
/// Thread-safety: on a runtime with several threads (thread_pool, Asio run on several threads)
/// the hooks run concurrently with each other, so they must be thread-safe; they must not
/// throw, block, spawn, or wake tasks of the same runtime. A `task_view` is valid only during
/// the call that receives it. Installing and removing: see `runtime::set_task_hooks` (only while
/// the runtime has no live task).
#pragma once
#include <cstdint>

#include "eddy/core/source_location.hpp"
#include "eddy/runtime/task_header.hpp"

namespace eddy {

/// How a task ended (`task_hooks::on_terminate`).
enum class task_end : unsigned char {
  value,      ///< returned normally (a `task<result<U>>` returning a value)
  error,      ///< a `task<result<U>>` returned an error, or the task failed with an error value
  exception,  ///< an exception escaped it (`errc::exception`)
  aborted,    ///< it was aborted (`join_handle::abort`, a cancelled scope, runtime shutdown)
};

/// A read-only view of a task, given to hooks; valid only during the hook call. Cheap to copy.
class task_view {
 public:
  /// An empty view (no task).
  constexpr task_view() noexcept = default;
  /// A view of `t` (null: empty).
  explicit task_view(const detail::task_header* t) noexcept : t_(t) {}
  /// True when it refers to a task.
  explicit operator bool() const noexcept { return t_ != nullptr; }
  /// The task's process-wide id (from 1); 0 for an empty view.
  std::uint64_t id() const noexcept { return t_ ? t_->id() : 0; }
  /// The id of the task that spawned it (0: spawned from outside any task, or an empty view).
  std::uint64_t parent_id() const noexcept { return t_ ? t_->parent_id() : 0; }
  /// The task's name, or null (unnamed, or an empty view).
  const char* name() const noexcept { return t_ ? t_->name() : nullptr; }
  /// Where the task was spawned.
  source_location location() const noexcept { return t_ ? t_->location() : source_location{}; }
  /// The task's runtime (null for an empty view).
  runtime* get_runtime() const noexcept { return t_ ? t_->get_executor().get() : nullptr; }

 private:
  const detail::task_header* t_ = nullptr;
};

/// The hooks of one runtime (see the file comment). A plain aggregate: set the members you need;
/// `ctx` is passed to each. The runtime keeps a pointer: the object must outlive its
/// installation.
struct task_hooks {
  /// Passed as the first argument of every hook.
  void* ctx = nullptr;
  /// A task was spawned (before it can run).
  void (*on_spawn)(void* ctx, task_view t) noexcept = nullptr;
  /// A task ended, `how`.
  void (*on_terminate)(void* ctx, task_view t, task_end how) noexcept = nullptr;
  /// The runner is about to resume `t`.
  void (*before_poll)(void* ctx, task_view t) noexcept = nullptr;
  /// `t`'s resumption returned (it suspended or ended).
  void (*after_poll)(void* ctx, task_view t) noexcept = nullptr;
  /// `woken` was woken, by the poll of `waker` (an empty view when no task of any runtime is
  /// running on the waking thread).
  void (*on_wake)(void* ctx, task_view waker, task_view woken) noexcept = nullptr;
};

}  // namespace eddy
