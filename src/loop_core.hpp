// SPDX-License-Identifier: BSL-1.0
// Internal: the state every adapter over a foreign event loop shares (asio_runtime,
// uv_runtime). Not a public header.
//
// A ready queue of intrusive work nodes and a timer heap, both under one spin lock. The
// backend runs them from its loop's callbacks; it only asks the foreign loop for a callback
// when the queue becomes non-empty or the earliest deadline changes, never once per item.
// The live tasks are tracked by the `runtime` base class (the task runner registers them).
#pragma once
#include <cstddef>

#include "eddy/core/lock.hpp"
#include "eddy/runtime/detail/timer_heap.hpp"
#include "eddy/runtime/detail/work_queue.hpp"
#include "eddy/runtime/task_header.hpp"

namespace eddy::detail {

class loop_core {
 public:
  loop_core() noexcept = default;
  loop_core(const loop_core&) = delete;
  loop_core& operator=(const loop_core&) = delete;

  spin_lock lock;
  work_queue queue;        ///< under lock
  std::size_t queued = 0;  ///< under lock
  timer_heap timers;       ///< under lock
  bool closing = false;    ///< under lock: shutdown has begun, the backend posts nothing more

  /// Timers armed and not yet fired or cancelled (takes the lock).
  std::size_t pending_timers() noexcept {
    lock_guard<spin_lock> g(lock);
    return timers.size();
  }

  /// Queues `n` (under lock).
  void push_locked(work_node& n) noexcept {
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

  /// One turn of a loop adapter, on its thread: the timers due at `now`, then up to `budget`
  /// ready items, taken `grab` at a time. False (nothing run) once shutdown has begun.
  bool run_cycle(time_point now, std::size_t budget, std::size_t grab) noexcept {
    work_queue due;
    {
      lock_guard<spin_lock> g(lock);
      if (closing) return false;
      take_due_locked(now, due);
    }
    run_all(due);
    while (budget > 0) {
      work_queue q;
      {
        lock_guard<spin_lock> g(lock);
        if (pop_locked(q, budget < grab ? budget : grab) == 0) break;
      }
      budget -= run_all(q);
    }
    return true;
  }

  /// Shutdown, on the calling thread (marked as the runtime's thread, the only one running its
  /// work): `abort_all()` requests abort of every live task, then the queue runs until no task
  /// is left. Aborting destroys the tasks' frames; their awaiters deregister (timers are
  /// cancelled). Work queued for other reasons runs too. A task whose abort waits for a foreign
  /// operation (`draining() > 0`, see task_header.hpp) needs that operation's completion:
  /// `drive_foreign()` runs the foreign loop a little (it may block briefly), for as long as it
  /// takes. Otherwise a task still running elsewhere (a contract breach) gets a bounded number
  /// of rounds. Afterwards remaining timers are dropped.
  template <class AbortAll, class Live, class Draining, class DriveForeign>
  void shutdown(AbortAll abort_all, Live live, Draining draining,
                DriveForeign drive_foreign) noexcept {
    {
      lock_guard<spin_lock> g(lock);
      closing = true;
    }
    for (int idle_rounds = 0; idle_rounds < 100000;) {
      abort_all();  // posts the idle ones here
      work_queue q;
      {
        lock_guard<spin_lock> g(lock);
        q.splice(queue);
        queued = 0;
      }
      if (q.empty()) {
        if (live() == 0) break;
        if (draining() > 0) {
          drive_foreign();  // the operations were asked to stop: their completions come
          continue;
        }
        ++idle_rounds;
        yield_thread();  // a task still running elsewhere (a contract breach): let it finish
        continue;
      }
      run_all(q);
    }
    lock_guard<spin_lock> g(lock);
    while (!timers.empty()) timers.pop();
  }
};

}  // namespace eddy::detail
