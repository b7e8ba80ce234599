// SPDX-License-Identifier: BSL-1.0
/// \file
/// `thread_pool{n}`: a runtime with n worker threads (hosted builds only).
///
/// - Work is shared by all workers; timers live in one heap and are fired by whichever worker
///   is free when they are due (a sleeping worker waits until the earliest deadline).
/// - What a task posts (spawns, wakes) while it runs on a worker reaches the other workers when
///   its poll returns to the worker's loop, or in batches of 64 while it keeps running; a post
///   into the worker's empty queue reaches them at once. A poll that runs long therefore holds
///   back at most 63 of its posts from the other workers until it returns. A worker takes up
///   to 16 items from its queue at a time (never more than half of it); those run on it.
/// - An idle worker takes work from another worker's queue only once that worker has not got
///   through it for 100 us (then half of it, at most 64 items, and more at once while the
///   owner is still behind). Tasks that hand work to each other (a channel's producers and its
///   consumer) thus stay on one worker and pay no cache-line transfer per message, while work
///   queued behind a task that runs long (a computation, a blocking call) still moves to an
///   idle worker after at most that delay. A sleeping worker is woken by posts from outside the
///   pool, by a new earliest timer, and when a worker's queue gains a backlog (two or more
///   items); a single item posted behind a poll that never returns waits for it.
/// - A task never runs on two workers at once, and always resumes on this pool (affinity is per
///   runtime, not per thread).
/// - `block_on(t)` blocks the calling thread (not a pool thread: that is a clear error) until `t`
///   has finished on the pool.
/// - `thread_pool{0}` panics (throws `panic_error` when exceptions are on).
///
/// The destructor stops and joins the workers; work still queued is dropped, so let tasks
/// finish first. All members are thread-safe.
#pragma once
#include <cstddef>
#include <memory>

#include "eddy/core/config.hpp"
#include "eddy/runtime/detail/block_on.hpp"

#if !EDDY_HAS_THREADS
#error "eddy/runtime/thread_pool.hpp needs threads (EDDY_HAS_THREADS)"
#endif

namespace eddy {

namespace detail {
/// Blocks a non-runtime thread until a task completes (block_on on threaded runtimes).
class blocking_observer final : public task_header::observer {
 public:
  blocking_observer() noexcept;
  ~blocking_observer();
  void wait() noexcept;

 private:
  static void done(observer* o, task_header*, const error*) noexcept;
  struct impl;
  impl* p_;
};
}  // namespace detail

/// A runtime with a fixed number of worker threads (see the file comment).
class thread_pool final : public runtime, public detail::block_on_base<thread_pool> {
 public:
  /// Starts `threads` workers; 0 panics.
  explicit thread_pool(std::size_t threads);
  /// Aborts the tasks still alive, lets the workers finish them, then joins the workers.
  ~thread_pool();

  /// This runtime as an executor (for `spawn(ex, t)`).
  executor get_executor() noexcept { return executor{*this}; }
  /// The number of worker threads.
  std::size_t size() const noexcept;

  void post(work_node& n) noexcept override;
  void post_at(time_point t, timer_node& n) noexcept override;
  bool cancel(timer_node& n) noexcept override;
  time_point now() const noexcept override;

 private:
  // `block_on` blocks this thread on its root here (detail::block_on_base):
  friend detail::block_on_base<thread_pool>;
  detail::blocking_observer root_waiter() noexcept { return {}; }
  static void wait(detail::blocking_observer& w) noexcept { w.wait(); }
  // Pending timers and the workers (queue depth, steals, polls, from their own cells).
  void add_backend_metrics(runtime_metrics& m) const override;
  detail::metrics_cell& metrics_cell_here() noexcept override;  // the worker's own cell
  struct impl;
  std::unique_ptr<impl> p_;
};

}  // namespace eddy
