// SPDX-License-Identifier: BSL-1.0
/// \file
/// The runtime contract and `executor`.
///
/// A runtime is anything that can (1) run a piece of work soon, (2) run one at or after a
/// deadline, (3) cancel that pending deadline, and (4) tell the time. Everything else in eddy is
/// written once above these four operations. The work items are intrusive nodes owned by the
/// caller: a runtime never allocates per post and never frees a node.
///
/// Contract for implementers (see docs/runtime-authors.md):
/// - `post(n)`: thread-safe; calls `n.run(&n)` exactly once, soon, on one of the runtime's
///   threads, never inline inside `post`. The node must stay alive until then.
/// - `post_at(t, n)`: thread-safe; calls `n.run(&n)` exactly once on one of the runtime's threads
///   once `now() >= t`, unless `cancel(n)` returned true first. Timers with equal deadlines run
///   in the order they were armed.
/// - `cancel(n)`: thread-safe; true if the timer was pending and is now removed (it will never
///   run); false if `run` has been called or is about to be. After true the node is the caller's.
/// - `now()`: thread-safe; monotonic.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "eddy/core/detail/wait.hpp"
#include "eddy/core/error.hpp"
#include "eddy/core/lock.hpp"
#include "eddy/runtime/detail/metrics_cell.hpp"
#include "eddy/runtime/metrics.hpp"
#include "eddy/runtime/time.hpp"

namespace eddy {

/// An intrusive unit of work. `run` is set by the owner; `next` belongs to whichever queue holds
/// the node.
struct work_node {
  using run_fn = void (*)(work_node*) noexcept;  ///< what running the node calls
  /// A node that runs `fn(this)`.
  explicit work_node(run_fn fn = nullptr) noexcept : run(fn) {}
  work_node* next = nullptr;  ///< owned by the queue holding the node
  run_fn run;                 ///< set by the owner
};

/// An intrusive timer: `deadline` is set by `post_at`; the link fields belong to the runtime.
struct timer_node : work_node {
  using work_node::work_node;
  time_point deadline{};               ///< set by `post_at`
  timer_node* heap_child = nullptr;    ///< runtime-owned
  timer_node* heap_sibling = nullptr;  ///< runtime-owned
  timer_node* heap_prev = nullptr;     ///< runtime-owned
  std::uint64_t seq = 0;               ///< runtime-owned: arming order for equal deadlines
};

namespace detail {
class task_header;
}

class runtime;
struct task_hooks;

/// What a runtime's unhandled-error hook is told: a detached task (its `join_handle` was
/// dropped or detached before it finished) ended with an exception, so nobody can join it. A
/// callable run by `post` (runtime/post.hpp) that throws is reported the same way.
struct unhandled_error {
  /// The task's error: `errc::exception`; `message()` is the exception's `what()` and, with
  /// exceptions on, `exception()` the exception itself.
  const error& err;
  /// The task's name (`spawn(ex, t, "name")`, `task_options`), or null for an unnamed task.
  const char* task_name;
  /// The runtime the task ran on.
  runtime& rt;
};

/// The four-operation contract. Backends derive from it; users hold an `executor`.
///
/// Besides the four operations, the base class keeps the list of the runtime's live tasks
/// (maintained by the task runner, not by backends) so that a backend's destructor can shut
/// down cleanly: `abort_all_tasks()`, then run until `live_tasks() == 0`, so every remaining
/// task's destructors run on the runtime and nothing leaks.
class runtime {
 public:
  /// Runs `n.run(&n)` once, soon, on one of the runtime's threads; never inline. Thread-safe.
  virtual void post(work_node& n) noexcept = 0;
  /// Runs `n.run(&n)` once when `now() >= deadline`, unless cancelled first. Thread-safe.
  virtual void post_at(time_point deadline, timer_node& n) noexcept = 0;
  /// Removes a pending timer: true if it will never run; false if it ran or is about to.
  virtual bool cancel(timer_node& n) noexcept = 0;
  /// The runtime's monotonic clock (virtual on `sim_runtime`). Thread-safe.
  virtual time_point now() const noexcept = 0;

  /// Tasks spawned on this runtime that have not completed. Thread-safe.
  std::size_t live_tasks() const noexcept;
  /// Live tasks whose abort (or time-out) waits for a foreign operation's completion: the
  /// operation was asked to stop and the task's frames stay alive until its handler has run
  /// (see task_header.hpp). A backend's shutdown drives its foreign loop while this is not
  /// zero. Thread-safe.
  std::size_t draining_tasks() const noexcept { return draining_.load(std::memory_order_acquire); }
  /// Operations running outside the runtime whose completion will post to it (a job of the
  /// blocking pool, `spawn_blocking`): counted by `begin_external` / `end_external`.
  /// `sim_runtime` holds its virtual clock while this is not zero and waits for them (a blocking
  /// job takes no virtual time) instead of reporting a deadlock. Thread-safe.
  std::size_t external_operations() const noexcept {
    return external_.load(std::memory_order_acquire);
  }
  /// One more external operation (see `external_operations`). Thread-safe.
  void begin_external() noexcept { external_.fetch_add(1, std::memory_order_acq_rel); }
  /// One external operation ended; call it after the wake that delivers its completion has
  /// been posted. Thread-safe.
  void end_external() noexcept { external_.fetch_sub(1, std::memory_order_acq_rel); }

  /// The function told about errors nobody can join: `fn(e, ctx)`, called on the runtime thread
  /// that ran the task, right after the task ended. Must not throw.
  using unhandled_error_hook = void (*)(const unhandled_error& e, void* ctx) noexcept;
  /// Sets the hook called when a detached task ends with an exception (see `unhandled_error`);
  /// `fn == nullptr` restores the default, `print_unhandled_error`. Thread-safe: once this
  /// returns, the previous hook is not running and is never called again (so its `ctx` may be
  /// destroyed). Must not be called from inside a hook. A task that ends with an error
  /// *value* (a `task<result<U>>` returning an error) is not reported: it chose to return it.
  void set_unhandled_error_hook(unhandled_error_hook fn, void* ctx = nullptr) noexcept;
  /// Calls the hook (or the default) with `e`. Used by the task runner; thread-safe.
  void report_unhandled_error(const unhandled_error& e) noexcept;
  /// The default hook: one line on stderr (the browser console under Emscripten), e.g.
  /// `eddy: a detached task ended with an exception: <what()>`, naming the task when it has a
  /// name.
  static void print_unhandled_error(const unhandled_error& e, void* ctx) noexcept;

  /// Task dump: writes every live task of this runtime to `out`, oldest first, one line each
  /// (id, name, spawn location, parent, state: running, ready or waiting, and what it waits
  /// on), followed by the chain of its coroutine frames from the root down to the suspension,
  /// with the source location of each `co_await` (`EDDY_TASK_FRAMES`). See
  /// docs/seeing-inside.md for an example.
  ///
  /// Thread-safe: may be called from any thread, also while the runtime's threads run tasks
  /// (a task that runs at that moment is printed as `running`, its frames unread; a task read
  /// meanwhile does not start until its lines are written). Spawns and task ends on this
  /// runtime wait while the dump runs, so `out` must not call into eddy. Allocates nothing
  /// itself. With `EDDY_TASK_DUMP=0` it writes one line saying that dumps are compiled out.
  void dump(dump_sink out) const;
  /// `dump` through `write(ctx, text)`.
  void dump(dump_sink::write_fn write, void* ctx) const { dump(dump_sink{write, ctx}); }
  /// `dump` to `f` (stdio; under Emscripten stdout and stderr are the console, on firmware
  /// newlib's semihosting streams).
  void dump(std::FILE* f) const;
  /// `dump` to stderr (the browser console under Emscripten, the semihosting console on
  /// firmware).
  void dump() const { dump(stderr); }
  /// `dump` into a string.
  std::string dump_string() const;

  /// Installs the task hooks `h` (runtime/task_hooks.hpp), or removes them (`nullptr`).
  /// Only while the runtime has no live task: before the first spawn, or once every task has
  /// ended (and none is being spawned meanwhile). Otherwise nothing changes and it returns
  /// false, so a poll never sees its `before_poll` and `after_poll` from different hooks.
  /// `h` must stay alive while installed. Thread-safe in that window (the tasks spawned
  /// afterwards see the new hooks through the post that starts them).
  bool set_task_hooks(const task_hooks* h) noexcept;
  /// The installed hooks, or null. Thread-safe.
  const task_hooks* installed_task_hooks() const noexcept {
    return hooks_.load(std::memory_order_acquire);
  }
  /// Starts (`true`) or stops collecting the metrics that cost per poll or wake (see
  /// runtime/metrics.hpp). Thread-safe, at any time; polls already under way when it changes
  /// may or may not be counted.
  void enable_metrics(bool on) noexcept;
  /// True while metrics are collected. Thread-safe.
  bool metrics_enabled() const noexcept {
    return watch_.load(std::memory_order_relaxed) & watch_metrics;
  }
  /// A snapshot of the runtime's figures (runtime/metrics.hpp says which are exact).
  /// Thread-safe, also while workers run; allocates the `workers` vector.
  runtime_metrics metrics() const;

 protected:
  runtime() = default;
  ~runtime() = default;
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  /// Requests abort of every live task (each stops at its current suspension point, on this
  /// runtime). Thread-safe; call it from the backend's destructor before draining.
  void abort_all_tasks() noexcept;

  /// Backends add what only they know to a snapshot: `pending_timers`, and `workers` (with the
  /// workers' own cells: `detail::accumulate`). Called by `metrics()`, on any thread.
  virtual void add_backend_metrics(runtime_metrics& m) const;
  /// The cell the calling thread counts into while metrics are enabled (the runner calls it
  /// once per run of a task): the runtime's own by default; a backend with per-worker cells
  /// returns the worker's.
  virtual detail::metrics_cell& metrics_cell_here() noexcept { return cell_; }

  /// A bit of the byte the runner checks: task hooks are installed.
  static constexpr std::uint8_t watch_hooks = 1;
  /// A bit of the byte the runner checks: metrics are enabled.
  static constexpr std::uint8_t watch_metrics = 2;

 private:
  friend class detail::task_header;
  // The live-task list, split by task id so that threads that spawn and end tasks at the same
  // time rarely take the same lock (hosted builds: 8 parts, each on its own cache line).
  struct alignas(EDDY_HAS_THREADS ? 64 : alignof(std::uint64_t)) task_list {
    mutable detail::spin_lock lock;
    detail::task_header* head = nullptr;  // newest first; under lock
    std::size_t live = 0;                 // under lock
    std::uint64_t spawned = 0;            // under lock
  };
  static constexpr std::size_t task_lists = EDDY_HAS_THREADS ? 8 : 1;
  task_list& list_of(std::uint64_t task_id) noexcept { return lists_[task_id % task_lists]; }
  void lock_lists() const noexcept;          // every part, in order
  void unlock_lists() const noexcept;        // every part
  std::size_t live_locked() const noexcept;  // live tasks in all parts; under lock_lists
  task_list lists_[task_lists];
  detail::spin_lock hook_lock_;
  unhandled_error_hook hook_ = nullptr;       // under hook_lock_; null: print_unhandled_error
  void* hook_ctx_ = nullptr;                  // under hook_lock_
  std::atomic<std::uint32_t> hook_calls_{0};  // hook calls in flight
  std::atomic<std::size_t> draining_{0};      // tasks waiting for a cancelled foreign operation
  std::atomic<std::size_t> external_{0};      // operations outside the runtime (blocking pool)
  std::atomic<std::uint8_t> watch_{0};        // watch_hooks | watch_metrics: what the runner calls
  std::atomic<const task_hooks*> hooks_{nullptr};  // set only while no task is live
  detail::metrics_cell cell_;  // counters of threads without a cell of their own
};

/// A copyable, comparable, type-erased reference to a runtime. It does not own the runtime: the
/// runtime must outlive every task and executor that refers to it. A default-constructed
/// executor refers to nothing (`!ex`).
class executor {
 public:
  /// An executor that refers to nothing.
  constexpr executor() noexcept = default;
  /// Refers to `rt` (implicit: a runtime converts to its executor).
  constexpr executor(runtime& rt) noexcept : rt_(&rt) {}

  /// The runtime's four operations (see `runtime`). Undefined on an empty executor.
  ///@{
  void post(work_node& n) const noexcept { rt_->post(n); }
  void post_at(time_point t, timer_node& n) const noexcept { rt_->post_at(t, n); }
  bool cancel(timer_node& n) const noexcept { return rt_->cancel(n); }
  time_point now() const noexcept { return rt_->now(); }
  ///@}

  /// True when it refers to a runtime.
  explicit operator bool() const noexcept { return rt_ != nullptr; }
  /// The runtime referred to, or null.
  runtime* get() const noexcept { return rt_; }
  /// Equal when they refer to the same runtime.
  friend bool operator==(executor a, executor b) noexcept { return a.rt_ == b.rt_; }

 private:
  runtime* rt_ = nullptr;
};

/// The executor running the caller: the current task's, else the runtime whose thread this is,
/// else an empty executor.
executor current_executor() noexcept;

namespace detail {
/// Runtimes call this on each of their threads while they run work (restored on exit), so that
/// `current_executor()` works in plain work items too. Returns the previous value.
runtime* set_thread_runtime(runtime* rt) noexcept;
runtime* thread_runtime() noexcept;
}  // namespace detail

}  // namespace eddy
