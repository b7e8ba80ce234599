// SPDX-License-Identifier: BSL-1.0
/// \file
/// `qt_runtime`: eddy tasks on the Qt 6 event loop of one thread (target `eddy::qt`).
///
/// ```cpp
/// QCoreApplication app{argc, argv};
/// eddy::qt_runtime rt;                      // the event loop of this (the main) thread
/// auto h = eddy::spawn(rt.get_executor(), serve());
/// return app.exec();                        // or a QEventLoop, or rt.block_on(main_task())
/// ```
///
/// - Work runs on the runtime's thread (the one that constructed it), inside Qt's event
///   dispatch. The runtime keeps its own intrusive queue and asks Qt for one callback per batch:
///   the first post after the queue was drained posts one event (`QCoreApplication::postEvent`)
///   to a context object living in that thread; later posts only queue until that event has
///   been handled. The event objects are preallocated in the runtime (two cells, reused): no
///   allocation per post or per wake. Avoid nested event loops inside eddy work (a modal dialog
///   in a task): they hold up the runtime's own posts (see docs/backend-qt.md). A callback
///   runs up to 256 items; if more are ready it posts the next event, so Qt's own events (input,
///   sockets, timers) keep their turn.
/// - Timers: an intrusive heap plus one `QTimer` (`Qt::PreciseTimer`, single shot) armed at the
///   earliest deadline. Qt timers have millisecond resolution: the timer is rounded up and the
///   runtime checks each deadline against its own clock, so nothing runs early. `now()` is
///   `std::chrono::steady_clock`, counted from the runtime's construction.
/// - Loop lifetime: the runtime does not keep `exec()` running or make it return; the
///   application decides when its loop ends (`QCoreApplication::quit()`).
/// - `block_on(t)`: runs a `QEventLoop` on the calling thread until `t` has finished (Qt's
///   other events are handled meanwhile). Call it on the runtime's thread while no event loop
///   runs there (before `exec()`, in a test, in `main`). Refused (`try_block_on` gives
///   `errc::invalid_argument`, `block_on` panics) inside any eddy runtime or task, on another
///   thread, and inside a running Qt event loop of the thread (a slot, a timer callback):
///   there, spawn the task and `co_await` or connect to its end instead.
/// - Shutdown: on the runtime's thread: the destructor aborts every live task and destroys its
///   frames there, then drops the pending timers and the context object (and with it any
///   event still queued in Qt). A `QCoreApplication` must exist from construction to
///   destruction.
///
/// Thread-safety: `post`, `post_at`, `cancel`, `now`, `get_executor`, `in_loop_thread` are
/// thread-safe; construct, destroy, `block_on` and `shutdown` on the runtime's thread.
#pragma once
#include <atomic>

#include "eddy/runtime/detail/block_on.hpp"

namespace eddy {

/// The eddy runtime over the Qt event loop of the thread that constructs it (see the file
/// comment). Posting is thread-safe; construct, destroy and `block_on` on that thread.
class qt_runtime final : public runtime, public detail::block_on_base<qt_runtime> {
 public:
  /// On the calling thread's Qt event loop. A `QCoreApplication` (or `QGuiApplication`,
  /// `QApplication`) must exist; without one this panics.
  qt_runtime();
  /// Shuts down (see the file comment).
  ~qt_runtime();
  qt_runtime(const qt_runtime&) = delete;
  qt_runtime& operator=(const qt_runtime&) = delete;

  /// A copyable handle to this runtime, for `spawn(ex, t)`; valid while the runtime lives.
  executor get_executor() noexcept { return executor{*this}; }
  /// True on the runtime's thread (the one that constructed it). Thread-safe.
  bool in_loop_thread() const noexcept;

  /// Aborts every live task and destroys its frames now, on the runtime's thread (outside its
  /// work). Idempotent; the destructor calls it. Afterwards posts are accepted, never run.
  void shutdown() noexcept;

  void post(work_node& n) noexcept override;
  void post_at(time_point t, timer_node& n) noexcept override;
  bool cancel(timer_node& n) noexcept override;
  time_point now() const noexcept override;

  struct impl;

 private:
  void add_backend_metrics(runtime_metrics& m) const override;  // pending timers
  struct block_waiter : detail::task_header::observer {
    block_waiter() noexcept : observer{&complete} {}
    static void complete(observer* o, detail::task_header*, const error*) noexcept;
    std::atomic<bool> done{false};
    void* loop = nullptr;  // the QEventLoop of wait(), runtime thread only
  };
  // `block_on` refuses and waits for its root here (detail::block_on_base):
  friend detail::block_on_base<qt_runtime>;
  const char* block_refusal() const noexcept;  // see the file comment
  block_waiter root_waiter() noexcept { return {}; }
  void wait(block_waiter& w);  // a QEventLoop until `w` is done

  impl* p_;
};

}  // namespace eddy
