// SPDX-License-Identifier: BSL-1.0
/// \file
/// `glib_runtime`: eddy tasks on a GLib `GMainContext` the application owns (target
/// `eddy::glib`).
///
/// ```cpp
/// GMainContext* ctx = g_main_context_new();     // or g_main_context_default()
/// GMainLoop* loop = g_main_loop_new(ctx, FALSE);
/// {
///   eddy::glib_runtime rt{ctx};
///   auto h = eddy::spawn(rt.get_executor(), serve(loop));  // calls g_main_loop_quit at the end
///   g_main_loop_run(loop);
/// }                                   // destroy the runtime with the loop not running
/// g_main_loop_unref(loop);
/// g_main_context_unref(ctx);
/// ```
///
/// - One custom `GSource`, attached to the context at construction, runs all of the runtime's
///   work: whoever iterates the context (`g_main_loop_run`, `g_main_context_iteration`,
///   `block_on`) runs eddy's tasks on its thread. A post is an intrusive queue push; a post from
///   outside the runtime's dispatch also wakes the context (`g_main_context_wakeup`), once per
///   batch, not per item. A dispatch runs up to 1024 items, then lets the context turn (other
///   sources of the same priority get their go). No allocation per post.
/// - Timers: an intrusive heap plus the source's ready time (`g_source_set_ready_time`, in
///   microseconds of `g_get_monotonic_time`) at the earliest deadline, rounded up; the runtime
///   checks deadlines against its own clock, so nothing runs early, and `eddy::never` never
///   arms the source. `now()` is `std::chrono::steady_clock`, counted from the construction.
/// - The context is the one given, never the thread-default or global default context.
/// - `block_on(t)`: iterates the context (`g_main_context_iteration`) on the calling thread until
///   `t` has finished. Call it where the context may be iterated (no other thread is running
///   it), never from inside the context's dispatch (any source's callback) or from inside an eddy
///   runtime: that is an error (`try_block_on` gives `errc::invalid_argument`, `block_on`
///   panics).
/// - Shutdown: on the thread that iterates the context, with no loop running it: the destructor
///   aborts every live task and destroys its frames, then destroys the source and releases its
///   reference to the context.
///
/// Thread-safety: `post`, `post_at`, `cancel`, `now`, `get_executor` are thread-safe; all other
/// members belong to the thread that iterates the context.
#pragma once
#include <glib.h>

#include "eddy/runtime/detail/block_on.hpp"

namespace eddy {

/// The eddy runtime over a `GMainContext` the application owns and iterates (see the file
/// comment). Posting is thread-safe; construct, destroy and `block_on` where the context is
/// iterated.
class glib_runtime final : public runtime, public detail::block_on_base<glib_runtime> {
 public:
  /// Attaches the runtime's source to `ctx` (not null; a reference is held until destruction) at
  /// `priority` (GLib's: lower runs first).
  explicit glib_runtime(GMainContext* ctx, int priority = G_PRIORITY_DEFAULT);
  /// Shuts down and detaches the source (see the file comment).
  ~glib_runtime();
  glib_runtime(const glib_runtime&) = delete;
  glib_runtime& operator=(const glib_runtime&) = delete;

  /// A copyable handle to this runtime, for `spawn(ex, t)`; valid while the runtime lives.
  executor get_executor() noexcept { return executor{*this}; }
  /// The context the runtime's source is attached to (not owned by the caller). Thread-safe.
  GMainContext* context() const noexcept;

  /// Aborts every live task and destroys its frames now, on the calling thread (no loop running
  /// the context). Idempotent; the destructor calls it. Afterwards posts are accepted, never run.
  void shutdown() noexcept;

  void post(work_node& n) noexcept override;
  void post_at(time_point t, timer_node& n) noexcept override;
  bool cancel(timer_node& n) noexcept override;
  time_point now() const noexcept override;

  struct impl;

 private:
  void add_backend_metrics(runtime_metrics& m) const override;  // pending timers
  bool in_dispatch() const noexcept;  // a source of the context is dispatching on this thread
  // `block_on` refuses and waits for its root here (detail::block_on_base):
  friend detail::block_on_base<glib_runtime>;
  const char* block_refusal() const noexcept {  // inside a runtime, or the context's dispatch
    return detail::inside_runtime() || in_dispatch() ? detail::block_on_inside_message : nullptr;
  }
  detail::done_flag root_waiter() noexcept { return {}; }
  void wait(detail::done_flag& w);  // iterates the context until `w` is set

  impl* p_;
};

}  // namespace eddy
