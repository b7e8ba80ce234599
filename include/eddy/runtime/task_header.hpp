// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::task_header`: the scheduling state of one spawned task (its `waker` is in
/// core/waker.hpp).
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
///
/// Cancellation (an abort, or a fired cancel scope of `timeout` / `with_cancellation`) destroys
/// the task's frames at their suspension point, at once, on the task's executor: eddy's own waits
/// deregister and give back what they held. A wait in a **foreign** operation (an Asio operation
/// through `use_task`, a libuv request) cannot be taken back that way: the operation still owns
/// buffers in the frames. Such an awaiter registers a `foreign_wait` while the operation is
/// pending, and cancellation becomes a request: the runner asks the operation to stop through
/// its own mechanism (`foreign_wait::cancel`), keeps every frame alive, and finishes the abort
/// (or the scope's cancellation) once the operation's completion has woken the task. See
/// `foreign_wait`. A task that never waits in a foreign operation pays nothing for this.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>

#include "eddy/core/coro.hpp"
#include "eddy/core/error.hpp"
#include "eddy/core/lock.hpp"
#include "eddy/core/source_location.hpp"
#include "eddy/core/waker.hpp"
#include "eddy/runtime/runtime.hpp"

namespace eddy {

namespace detail {

class promise_base;

/// A cancellation scope inside a task (used by `timeout`): when `fired` is set and the task is
/// interrupted, the runner destroys `inner` and resumes `owner`.
struct cancel_scope {
  cancel_scope* outer = nullptr;
  coro::coroutine_handle<> owner{};
  void (*cancel_inner)(cancel_scope*) noexcept = nullptr;
  std::atomic<bool> fired{false};
  bool cancelled = false;  ///< set by the runner once it has cancelled the inner work
  /// The combinator branch the scope was pushed in (recorded by `push_scope`): the runner
  /// resumes `owner` through that branch.
  branch_node* branch = nullptr;
};

/// A task's wait in a foreign asynchronous operation (see the file comment). Lives in the
/// awaiter; registered with the task only while the operation is pending.
///
/// The awaiter's side:
/// 1. `await_suspend`: `task->begin_foreign(this)` before the operation starts;
/// 2. the operation's completion, on any thread, under the awaiter's own lock (the one its
///    destructor also takes): `complete()`, then the task's `waker::wake()`; or, when the
///    operation is known never to complete (its handler was destroyed uncalled),
///    `complete()`, `task_header::abort()`, then the wake (the task is aborted);
/// 3. `await_resume` and the destructor: `task->end_foreign(this)`.
///
/// The runner's side: cancellation that finds the wait pending calls `cancel` once, on the
/// task's executor, then waits for the completion's wake before destroying any frame. `cancel`
/// asks the operation to stop (Asio: a terminal cancellation signal; libuv: `uv_cancel`,
/// stopping a read, closing the handle); it must not block, and the operation may complete
/// inline.
struct foreign_wait {
  /// What `cancel` points to.
  using cancel_fn = void (*)(foreign_wait*) noexcept;
  /// A wait whose operation is stopped by `c`.
  explicit foreign_wait(cancel_fn c) noexcept : cancel(c) {}
  foreign_wait(const foreign_wait&) = delete;
  foreign_wait& operator=(const foreign_wait&) = delete;

  /// Asks the operation to stop (called by the runner at most once per registration).
  cancel_fn cancel;
  /// The completion arrived (called before the wake that reports it). Thread-safe.
  void complete() noexcept { done_.store(true, std::memory_order_release); }
  /// True once `complete()` was called. Thread-safe.
  bool is_done() const noexcept { return done_.load(std::memory_order_acquire); }
  /// Calls `cancel` unless it was already called for this registration (runner, combinators).
  void request_cancel() noexcept {
    if (cancel_sent_) return;
    cancel_sent_ = true;
    cancel(this);
  }

  // --- owned by the task (running task only) ---
  foreign_wait* next_wait = nullptr;  ///< the task's list of pending foreign waits
  branch_node* branch = nullptr;      ///< the combinator branch that waits (null: none)
  bool cancel_sent_ = false;          ///< `cancel` was called for this registration

 private:
  std::atomic<bool> done_{false};
};

class task_header : public work_node {
  // What every wake and poll touches comes first, in the block's first 64 bytes.
  std::atomic<std::uint32_t> state_;
  std::atomic<std::uint32_t> refs_;
  executor ex_;
  coro::coroutine_handle<> leaf_;
  coro::coroutine_handle<> root_;

 public:
  /// What the task waits on (set by `suspend_here`; read by dumps while the task is held with
  /// `try_inspect`).
  wait_desc wait{};

 private:
  static constexpr std::int64_t not_ready = INT64_MIN;
  // What the task needs only until it completes; the room of a small result once it has (see
  // `result_space`). The runner's own fields (running task only) and, while metrics are
  // enabled, when the task last became ready (runtime clock, ns), or `not_ready`: written by
  // whoever makes it scheduled, read by the run that follows. A completed task is never
  // scheduled again, and `finish` stores the result only after its frames are gone.
  struct until_complete {
    branch_node* branch = nullptr;    // the combinator branch running now
    cancel_scope* scopes = nullptr;   // the cancel scopes, innermost first
    foreign_wait* foreign = nullptr;  // the pending foreign waits
    std::int64_t ready_ns = not_ready;
  };
  union {
    until_complete live_{};
    unsigned char result_space_[sizeof(until_complete)];
  };

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
  /// Cancellation asked a foreign operation to stop; waiting for its completion (runner only).
  static constexpr std::uint32_t draining = 1u << 9;
  /// A dump is reading the task's frames: the runner does not start it meanwhile.
  static constexpr std::uint32_t inspected = 1u << 10;
  /// A joiner has registered (`announce_joiner`): the runner takes `join_lock` when the task
  /// completes; without it, completion takes no lock.
  static constexpr std::uint32_t join_waiting = 1u << 11;

  struct vtable {
    /// Destroys the root frame, then stores the result (aborted: `errc::aborted`), in that
    /// order (see `result_space`). Returns the error the task ended with, or null.
    const error* (*finish)(task_header*, bool aborted) noexcept;
    /// Frees the whole block. Called when the last reference goes.
    void (*destroy)(task_header*) noexcept;
    /// The root frame's promise (dumps walk the frame chain from there). Only while the root
    /// frame lives (the task has not completed).
    promise_base* (*root_promise)(const task_header*) noexcept;
  };

  /// Something told when the task completes (scopes, task sets, `block_on`). Called on the
  /// task's executor, after the result is stored, before joiners are woken. `err` is null on
  /// success.
  struct observer {
    void (*on_complete)(observer*, task_header*, const error* err) noexcept;
  };

  /// What an observed task carries right in front of its header, in the same block (a task
  /// spawned without an observer has none and is `sizeof(link)` smaller): the observer and
  /// the observer's links to its other tasks.
  struct link {
    observer* obs;                ///< set at creation; read by the runner at completion
    task_header* prev = nullptr;  ///< owned by the observer, under its lock
    task_header* next = nullptr;  ///< owned by the observer, under its lock
  };
  /// Bytes a block of a header aligned to `align` reserves in front of it for a `link`.
  static constexpr std::size_t link_space(std::size_t align) noexcept {
    return (sizeof(link) + align - 1) / align * align;
  }

  /// A header whose block has a `link` in front of it when `linked` (see `link`).
  task_header(const vtable* vt, executor ex, coro::coroutine_handle<> root, std::uint32_t refs,
              bool linked = false) noexcept
      : work_node(&run_entry),
        state_(unstarted),
        refs_(refs),
        ex_(ex),
        leaf_(root),
        root_(root),
        linked_(linked),
        vt_(vt) {}
  /// Frees a copied name (`task_options::copy_name`).
  ~task_header();
  task_header(const task_header&) = delete;
  task_header& operator=(const task_header&) = delete;

  /// Gives the task its identity before `start`: the next process-wide id, the current task's
  /// id as parent, `name` (copied when `copy_name`; null: unnamed) and the spawn location.
  void identify(const char* name, bool copy_name, const source_location& loc) noexcept;

  // --- identity (set by `identify` before start; read-only afterwards, so thread-safe) ---
  /// The task's process-wide id: from 1, in spawn order (an atomic counter); 0 before
  /// `identify`.
  std::uint64_t id() const noexcept { return id_; }
  /// The id of the task that spawned it, 0 when spawned from outside any task.
  std::uint64_t parent_id() const noexcept { return parent_id_; }
  /// The task's name, or null.
  const char* name() const noexcept { return name_; }
  /// Where the task was spawned (the `spawn` call site, or the operator that spawned it).
  source_location location() const noexcept { return loc_; }

  /// Posts the task for its first run. With `aborted`, the task is aborted before its body
  /// ever runs (a spawn into a cancelled scope). For a task that other threads may already
  /// signal (a scope or task set adopted it before the start).
  void start(bool aborted = false) noexcept;
  /// `start()` for a task no other thread can have seen yet (a plain `spawn`): it becomes
  /// visible when it registers with its runtime here, so its state is set with a plain store,
  /// not an atomic read-modify-write.
  void start_fresh() noexcept;
  void wake() noexcept { signal(notified); }
  /// Requests abort: the task stops at its current or next suspension point; if it waits in a
  /// foreign operation, once that operation's completion has run (see `foreign_wait`).
  void abort() noexcept { signal(notified_free_abort); }
  /// Asks the runner to look at the cancel scopes (a timeout fired).
  void interrupt() noexcept { signal(interrupted); }

  bool is_complete() const noexcept { return state_.load(std::memory_order_acquire) & complete; }
  /// The join handle is gone: an exception the task ends with from now on goes to the
  /// runtime's unhandled-error hook. Call before dropping the handle's reference.
  void mark_detached() noexcept { state_.fetch_or(detached, std::memory_order_acq_rel); }
  executor get_executor() const noexcept { return ex_; }
  /// The root frame (the spawned task's own coroutine; destroyed when the task ends).
  coro::coroutine_handle<> root() const noexcept { return root_; }
  /// The task's `link` (its observer and the observer's links), or null when it has no
  /// observer. The observer owns `prev` / `next` under its lock.
  link* observed() noexcept {
    if (!linked_) return nullptr;
    return std::launder(reinterpret_cast<link*>(reinterpret_cast<char*>(this) - sizeof(link)));
  }
  /// Removes the observed task `t` from its observer's list that starts at `head` (linked
  /// through their `link`s) and gives the list's new head. Under the observer's lock.
  static task_header* unlink(task_header* head, task_header* t) noexcept {
    link* const l = t->observed();
    if (l->prev)
      l->prev->observed()->next = l->next;
    else
      head = l->next;
    if (l->next) l->next->observed()->prev = l->prev;
    l->prev = l->next = nullptr;
    return head;
  }

  void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  /// Drops a reference; the last one frees the task. Only holders add references, so a holder
  /// that sees a count of one is the last and skips the read-modify-write.
  void release() noexcept {
    if (refs_.load(std::memory_order_acquire) == 1 ||
        refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
      vt_->destroy(this);
  }

  // --- used by awaitables, only from inside the running task ---
  void set_leaf(coro::coroutine_handle<> h) noexcept { leaf_ = h; }
  void request_yield() noexcept { state_.fetch_or(notified | yielded, std::memory_order_acq_rel); }
  /// True while a `yield_now` of the running task waits to be honoured (combinators stop
  /// resuming branches then, so that the task really goes to the back of the queue).
  bool yield_pending() const noexcept { return state_.load(std::memory_order_acquire) & yielded; }
  /// Drops pending wakes after the caller destroyed the frames that were waiting (the inline
  /// time-out path of `timeout`), and in `suspend_here` (see there). Only from inside the
  /// running task.
  void discard_wakes() noexcept {
    if (state_.load(std::memory_order_acquire) & (notified | yielded))
      state_.fetch_and(~(notified | yielded), std::memory_order_acq_rel);
  }
  void push_scope(cancel_scope* s) noexcept {
    s->branch = live_.branch;
    s->outer = live_.scopes;
    live_.scopes = s;
  }
  /// The innermost cancel scope (the stack's top), or null.
  cancel_scope* innermost_scope() const noexcept { return live_.scopes; }
  /// Pushes `s` right above `below` (a scope on the stack, or null for the bottom): scopes
  /// pushed after `below` stay inside `s`. For a scope whose inner work ran before it was
  /// pushed (`timeout` runs its inner work once, inline, first).
  void push_scope_above(cancel_scope* s, cancel_scope* below) noexcept;
  void remove_scope(cancel_scope* s) noexcept;
  /// Registers the pending foreign wait `f` (see `foreign_wait`). A task suspended at one point
  /// has at most one; a task in `when_all` / `when_any` has at most one per branch.
  void begin_foreign(foreign_wait* f) noexcept {
    f->branch = live_.branch;
    f->cancel_sent_ = false;
    f->next_wait = live_.foreign;
    live_.foreign = f;
  }
  /// Deregisters `f` (no-op if it is not registered).
  void end_foreign(foreign_wait* f) noexcept {
    for (foreign_wait** p = &live_.foreign; *p; p = &(*p)->next_wait) {
      if (*p == f) {
        *p = f->next_wait;
        f->next_wait = nullptr;
        return;
      }
    }
  }
  /// True while a registered foreign wait has not completed.
  bool foreign_pending() const noexcept {
    for (foreign_wait* f = live_.foreign; f; f = f->next_wait)
      if (!f->is_done()) return true;
    return false;
  }
  /// The registered foreign waits (a list through `foreign_wait::next_wait`).
  foreign_wait* foreign_waits() const noexcept { return live_.foreign; }

  /// The combinator branch whose code runs now (null: none). Set by `when_all` / `when_any`
  /// around each branch they resume; `suspend_here` attributes a suspension to it.
  branch_node* current_branch() const noexcept { return live_.branch; }
  /// See `current_branch` (combinators only).
  void set_current_branch(branch_node* b) noexcept { live_.branch = b; }

  /// The root frame's promise (the frame chain of dumps starts there). Only while the task
  /// has not completed.
  promise_base* root_promise() const noexcept { return vt_->root_promise(this); }
  /// Dumps: holds the task so that it does not run while its frames are read. False when it
  /// runs (or has completed): then nothing of it but the header may be read. Call under the
  /// locks of the runtime's task list; `end_inspect` afterwards.
  bool try_inspect() noexcept;
  /// Releases the hold of `try_inspect`.
  void end_inspect() noexcept { state_.fetch_and(~inspected, std::memory_order_release); }
  /// The state bits (dumps: running, ready or waiting).
  std::uint32_t state_bits() const noexcept { return state_.load(std::memory_order_acquire); }

  // --- joining ---
  /// Guards `joiner`. The joiner's side: under the lock, `announce_joiner()`, then (when it
  /// says so) store the joiner's waker; the runner wakes it under the lock.
  spin_lock join_lock;
  /// Tells the runner that a joiner waits (under `join_lock`, before storing `joiner`). False
  /// when the task has completed meanwhile: then the joiner must not wait.
  bool announce_joiner() noexcept {
    return !(state_.fetch_or(join_waiting, std::memory_order_acq_rel) & complete);
  }

 protected:
  /// The result's state in `spawned<T>`, kept here where the header has room: `result_stored`
  /// once the runner has stored it (before `complete` is published), with `result_ok` when it
  /// is a value rather than an error; `result_taken` once the owner has moved it out (the
  /// owner's side only).
  static constexpr std::uint8_t result_stored = 1, result_taken = 2, result_ok = 4;
  std::uint8_t result_flags_ = 0;
  /// Bytes, and alignment, of the room a completed task's result may take in the header.
  static constexpr std::size_t result_space_size = sizeof(until_complete);
  static constexpr std::size_t result_space_align = alignof(until_complete);
  /// That room: `spawned<T>` keeps its result here when it fits, so that the block is no larger
  /// than the header. Usable only from `vtable::finish`, once the task's frames are destroyed
  /// (destroying the frames of an aborted task still updates its cancel scopes and foreign
  /// waits), until the block is freed.
  void* result_space() noexcept { return result_space_; }

 private:
  bool owns_name_ = false;  // name_ is a copy (frame allocator, strlen + 1 bytes)
  bool linked_;             // a `link` precedes the header in its block

 public:
  waker joiner;  ///< under join_lock
  /// The links of the runtime's live-task list (of its part for `id()`), under the lock of
  /// that part.
  task_header* rt_prev = nullptr;  ///< the newer neighbour
  task_header* rt_next = nullptr;  ///< the older neighbour

 private:
  static constexpr std::uint32_t notified_free_abort = abort_requested | interrupted;
  static void run_entry(work_node* n) noexcept;
  void run() noexcept;
  template <bool Watched>
  void run_as(runtime* rt, std::uint8_t watch) noexcept;
  void run_watched(runtime* rt, std::uint8_t watch) noexcept;
  template <bool Watched>
  bool resume_leaf(runtime* rt, std::uint8_t watch, detail::metrics_cell* cell) noexcept;
  void signal(std::uint32_t bits) noexcept;
  template <bool Watched>
  void signal_as(std::uint32_t bits, std::uint32_t s, runtime* rt, std::uint8_t watch) noexcept;
  void signal_watched(std::uint32_t bits, std::uint32_t s, runtime* rt,
                      std::uint8_t watch) noexcept;
  bool handle_interrupt() noexcept;  // true when the task completed
  bool handle_drain() noexcept;      // a wake while draining; true when the task completed
  void set_draining(bool on) noexcept;
  void finish(bool aborted) noexcept;
  void register_with_runtime() noexcept;
  void post_first_run() noexcept;  // the rest of a start once the state is set
  void unregister_from_runtime() noexcept;
  // Instrumentation (runtime::set_task_hooks, enable_metrics): called only when the runtime's
  // watch byte is not zero, out of line so that the runner's fast path stays small.
  void watched_start(runtime* rt, std::uint8_t watch) noexcept;
  void watched_wake(runtime* rt, std::uint8_t watch) noexcept;
  void watched_finish(runtime* rt, bool aborted, const error* err) noexcept;
  detail::metrics_cell* watched_run_begin(runtime* rt, std::uint8_t watch) noexcept;
  std::int64_t watched_poll_begin(runtime* rt, std::uint8_t watch) noexcept;
  void watched_poll_end(runtime* rt, std::uint8_t watch, detail::metrics_cell* cell,
                        std::int64_t t0) noexcept;
  void stamp_ready(runtime* rt) noexcept;

 public:
  /// The run loops (local_runtime, thread_pool): starts loading what running the queued node
  /// `n` will touch, while the node before it runs. `n` is the next node to run, in a queue the
  /// caller owns; its first line was asked for by the call one node earlier. When `n` is a
  /// task: the rest of its header, then the first two lines of its root frame; then the first
  /// line of the node after `n`. Reads only what does not change while `n` is queued (`run`,
  /// `root()`, `next`). A burst of spawned tasks has left the cache by the time the loop reaches
  /// them: without this, each waits for its block and then for its frame (W5 on one thread:
  /// 10 ns of 225 per task).
  static void prefetch_queued(const work_node* n) noexcept {
    if (n->run == &run_entry) {
      const auto* t = static_cast<const task_header*>(n);
      const char* b = reinterpret_cast<const char*>(t);
      for (std::size_t off = 64; off < sizeof(task_header); off += 64)
        __builtin_prefetch(b + off, 1);  // the rest of the header (a small result lives in it)
      const char* f = static_cast<const char*>(t->root_.address());
      __builtin_prefetch(f, 1);
      __builtin_prefetch(f + 64, 1);
    }
    if (const work_node* after = n->next) __builtin_prefetch(after, 1);
  }

  /// Used by `runtime::abort_all_tasks` (under the lock of the part of the task list that holds
  /// `head`).
  static void abort_list(task_header* head) noexcept;

 private:
  const vtable* vt_;
  std::uint64_t id_ = 0;
  std::uint64_t parent_id_ = 0;
  const char* name_ = nullptr;
  source_location loc_{};
};

/// The task running on this thread, or null outside any task.
task_header* current_task() noexcept;

/// Task dumps: `join of task 7` (`obj`: the joined task's header).
void describe_join(const wait_kind& k, const void* obj, dump_sink& out);
/// The wait of `co_await join_handle`.
inline constexpr wait_kind join_wait{"join", &describe_join};

/// The id of the task running on this thread, 0 outside any task (task dumps: who holds a lock).
std::uint64_t current_task_id() noexcept;

/// Records `h` as the point to resume and returns the current task's waker. Panics if called
/// outside a task (eddy awaitables need a task to resume). A wake still pending from an earlier
/// registration is dropped: every registration is made after this call, so such a wake is stale
/// (an awaiter that `timeout` or `with_cancellation` cancelled but that lives on, as a temporary,
/// until the end of the caller's full-expression, and was woken meanwhile). Inside a branch of
/// `when_all` / `when_any`, `h` is recorded in the branch, only the branch's pending wake is
/// dropped, and the waker names the branch.
waker suspend_here(coro::coroutine_handle<> h, const wait_kind* kind, const void* obj) noexcept;

/// `suspend_here` that records what the suspension waits on, for task dumps: `kind` (static),
/// and `obj` passed to its `describe` (see core/detail/wait.hpp). With `EDDY_TASK_DUMP=0` the
/// record is compiled out.
inline waker suspend_here(coro::coroutine_handle<> h, const wait_kind& kind = generic_wait,
                          const void* obj = nullptr) noexcept {
#if EDDY_TASK_DUMP
  return suspend_here(h, &kind, obj);
#else
  (void)kind;
  (void)obj;
  return suspend_here(h, nullptr, nullptr);
#endif
}

}  // namespace detail

inline void waker::wake() const noexcept {
  if (b_) detail::notify_branch(b_);
  t_->wake();
}

inline void waker::request_yield() const noexcept {
  if (b_) detail::notify_branch(b_);
  t_->request_yield();
}

}  // namespace eddy
