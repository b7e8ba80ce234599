// Internal: the state every adapter over a foreign event loop shares (asio_runtime,
// uv_runtime). Not a public header.
//
// - A ready queue of intrusive work nodes and a timer heap, both under one spin lock. The
//   backend runs them from its loop's callbacks; it only asks the foreign loop for a callback
//   when the queue becomes non-empty or the earliest deadline changes, never once per item.
// - A registry of the live tasks spawned on the runtime. The foundation has no "task started"
//   hook, so the core recognises a task header by its run function the first time it is posted,
//   and, if nobody observes it (no scope, no block_on), becomes its observer: the task is linked
//   through its `scope_prev`/`scope_next` fields (owned by the observer) and unlinked in
//   `on_complete`. The registry lets the backend keep the loop alive while tasks live and abort
//   and destroy them when the runtime shuts down.
#pragma once
#include <cstddef>
#include <vector>

#include "eddy/core/lock.hpp"
#include "eddy/runtime/task_header.hpp"
#include "eddy/runtime/timer_heap.hpp"
#include "eddy/runtime/work_queue.hpp"

namespace eddy::detail {

class loop_core {
 public:
  /// Called under `lock` when the number of live tasks goes 0 -> 1 (`busy` true) or 1 -> 0.
  using live_fn = void (*)(void* ctx, bool busy) noexcept;

  loop_core(live_fn on_live, void* ctx) noexcept
      : registry_{{&on_task_complete}, this}, on_live_(on_live), ctx_(ctx), task_run_(probe_task_run()) {}
  loop_core(const loop_core&) = delete;
  loop_core& operator=(const loop_core&) = delete;

  spin_lock lock;
  work_queue queue;          ///< under lock
  std::size_t queued = 0;    ///< under lock
  timer_heap timers;         ///< under lock
  bool closing = false;      ///< under lock: shutdown has begun, the backend posts nothing more

  /// Queues `n` (under lock); registers a task posted for the first time.
  void push_locked(work_node& n) noexcept {
    if (n.run == task_run_) {
      auto& t = static_cast<task_header&>(n);
      if (!t.obs) adopt_locked(t);
    }
    queue.push(&n);
    ++queued;
  }

  /// Moves up to `max` ready items to `out` (under lock). Returns how many.
  std::size_t pop_locked(work_queue& out, std::size_t max) noexcept {
    std::size_t k = 0;
    while (k < max) {
      work_node* n = queue.pop();
      if (!n) break;
      out.push(n);
      ++k;
    }
    queued -= k;
    return k;
  }

  /// Moves the timers due at `now` to `out` (under lock), in deadline (then arming) order.
  void take_due_locked(time_point now, work_queue& out) noexcept {
    while (!timers.empty() && timers.top()->deadline <= now) out.push(timers.pop());
  }

  /// The earliest deadline, or `time_point::max()` (under lock).
  time_point next_deadline_locked() const noexcept {
    return timers.empty() ? time_point::max() : timers.top()->deadline;
  }

  static std::size_t run_all(work_queue& q) noexcept {
    std::size_t n = 0;
    while (work_node* w = q.pop()) {
      w->run(w);
      ++n;
    }
    return n;
  }

  std::size_t live() noexcept {
    lock_guard<spin_lock> g(lock);
    return live_;
  }

  /// Aborts every live task and runs the queue until no task is left, on the calling thread
  /// (which must be marked as this runtime's thread and be the only one running its work).
  /// Aborting destroys the tasks' frames; their awaiters deregister (timers are cancelled).
  /// Work queued for other reasons runs too. Afterwards the remaining timers are dropped.
  void shutdown() noexcept {
    {
      lock_guard<spin_lock> g(lock);
      closing = true;
    }
    std::vector<task_header*> victims;
    for (int round = 0; round < 10000; ++round) {
      victims.clear();
      {
        lock_guard<spin_lock> g(lock);
        for (task_header* t = live_head_; t; t = t->scope_next) {
          t->add_ref();
          victims.push_back(t);
        }
      }
      for (task_header* t : victims) {
        t->abort();  // posts the task here if it was idle
        t->release();
      }
      work_queue q;
      {
        lock_guard<spin_lock> g(lock);
        q.splice(queue);
        queued = 0;
      }
      if (victims.empty() && q.empty()) break;
      run_all(q);
    }
    lock_guard<spin_lock> g(lock);
    while (!timers.empty()) timers.pop();
  }

 private:
  struct registry : task_header::observer {
    loop_core* core;
  };

  void adopt_locked(task_header& t) noexcept {
    t.obs = &registry_;
    t.scope_prev = nullptr;
    t.scope_next = live_head_;
    if (live_head_) live_head_->scope_prev = &t;
    live_head_ = &t;
    if (live_++ == 0) on_live_(ctx_, true);
  }

  static void on_task_complete(task_header::observer* o, task_header* t, const error*) noexcept {
    loop_core* self = static_cast<registry*>(o)->core;
    lock_guard<spin_lock> g(self->lock);
    if (t->scope_prev) t->scope_prev->scope_next = t->scope_next;
    else self->live_head_ = t->scope_next;
    if (t->scope_next) t->scope_next->scope_prev = t->scope_prev;
    t->scope_prev = t->scope_next = nullptr;
    if (--self->live_ == 0) self->on_live_(self->ctx_, false);
  }

  // The task runner's entry point, read from a header that is never started: work nodes with
  // this run function are task headers.
  static work_node::run_fn probe_task_run() noexcept {
    static constexpr task_header::vtable vt{
        [](task_header*, bool) noexcept -> const error* { return nullptr; },
        [](task_header*) noexcept {}};
    task_header probe(&vt, executor{}, coro::coroutine_handle<>{}, 1);
    return static_cast<work_node&>(probe).run;  // task_header::run() hides the field
  }

  registry registry_;
  live_fn on_live_;
  void* ctx_;
  work_node::run_fn task_run_;
  task_header* live_head_ = nullptr;  ///< under lock
  std::size_t live_ = 0;              ///< under lock
};

}  // namespace eddy::detail
