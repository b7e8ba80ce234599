// SPDX-License-Identifier: BSL-1.0
/// \file
/// `uv_runtime`: eddy tasks on a libuv loop the application owns (target `eddy::uv`).
///
/// ```cpp
/// uv_loop_t loop;
/// uv_loop_init(&loop);
/// {
///   eddy::uv_runtime rt{&loop};
///   auto h = eddy::spawn(rt.get_executor(), serve());
///   uv_run(&loop, UV_RUN_DEFAULT);
/// }                                  // destroying the runtime closes its handles...
/// uv_run(&loop, UV_RUN_DEFAULT);     // ...whose close callbacks run here, as with any handle
/// uv_loop_close(&loop);
/// ```
///
/// - Work runs on the loop's thread, in the runtime's callbacks. A post from another thread
///   goes through `uv_async_send` (coalesced: one send per batch, not per item); a post from the
///   loop thread inside the runtime's callbacks only queues. A callback runs up to 1024 items;
///   if more are ready, a `uv_idle_t` keeps the loop turning without blocking. No allocation
///   per post.
/// - Timers: an intrusive heap plus one `uv_timer_t` armed at the earliest deadline (libuv
///   timers have millisecond resolution: the timer is rounded up, and the runtime checks the
///   deadline against its own clock, so nothing runs early). `now()` is
///   `std::chrono::steady_clock`, counted from the runtime's construction.
/// - Loop lifetime: while a task spawned on the runtime is alive (`live_tasks() > 0`) or a timer
///   is pending, the runtime's handles keep `uv_run` from returning.
/// - `block_on(t)`: runs `uv_run(loop, UV_RUN_ONCE)` on the calling thread until `t` has
///   finished. Call it on the loop's thread, never from a libuv callback. Called from inside
///   any eddy runtime it is an error (`try_block_on` gives `errc::invalid_argument`, `block_on`
///   panics).
/// - Shutdown: on the loop's thread, with `uv_run` not running: the destructor aborts every
///   live task and destroys its frames, then `uv_close`s its handles; run the loop once more
///   before `uv_loop_close` so their close callbacks free the runtime's state.
///
/// Thread-safety: `post`, `post_at`, `cancel`, `now`, `get_executor` are thread-safe; all other
/// members belong to the loop's thread.
#pragma once
#include <uv.h>

#include <cstddef>

#include "eddy/runtime/detail/block_on.hpp"

namespace eddy {

/// The eddy runtime over a libuv loop the application owns and runs (see the file comment).
/// Posting is thread-safe; construct, destroy and `block_on` on the loop's thread.
class uv_runtime final : public runtime, public detail::block_on_base<uv_runtime> {
 public:
  /// Over `loop` (initialised, not owned). Call on the loop's thread.
  explicit uv_runtime(uv_loop_t* loop);
  /// Shuts down and closes the runtime's handles (see the file comment).
  ~uv_runtime();

  /// A copyable handle to this runtime, for `spawn(ex, t)`; valid while the runtime lives.
  executor get_executor() noexcept { return executor{*this}; }
  /// The libuv loop this runtime runs on (not owned).
  uv_loop_t* loop() const noexcept;
  /// True on the loop's thread (the one that constructed the runtime), where libuv may be
  /// called. Thread-safe.
  bool in_loop_thread() const noexcept;

  /// Aborts every live task and destroys its frames now, on the loop's thread (`uv_run` not
  /// running). Idempotent; the destructor calls it. Afterwards posts are accepted, never run.
  void shutdown() noexcept;

  void post(work_node& n) noexcept override;
  void post_at(time_point t, timer_node& n) noexcept override;
  bool cancel(timer_node& n) noexcept override;
  time_point now() const noexcept override;

  struct impl;

 private:
  void add_backend_metrics(runtime_metrics& m) const override;  // pending timers
  // `block_on` waits for its root here (detail::block_on_base):
  friend detail::block_on_base<uv_runtime>;
  detail::done_flag root_waiter() noexcept { return {}; }
  void wait(detail::done_flag& w);  // uv_run(UV_RUN_ONCE) until `w` is set

  impl* p_;
};

}  // namespace eddy
