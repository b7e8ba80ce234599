// SPDX-License-Identifier: BSL-1.0
/// \file
/// `asio_runtime`: eddy tasks on an Asio event loop the application owns (target `eddy::asio`,
/// standalone Asio).
///
/// ```cpp
/// asio::io_context io;
/// eddy::asio_runtime rt{io};                 // or asio_runtime{io, concurrency}
/// auto h = eddy::spawn(rt.get_executor(), serve());
/// io.run();                                 // from one or many threads
/// ```
///
/// - Work: ready tasks go to the runtime's own intrusive queue; the runtime posts a "drain"
///   handler to the Asio executor only when the queue needs one (at most `concurrency` drains in
///   flight), and a drain runs up to 256 items before it re-posts itself so Asio's own handlers
///   (I/O completions) keep their turn. No allocation per post.
/// - Timers: an intrusive heap in the runtime plus one `asio::steady_timer` armed at the
///   earliest deadline (cheaper than one Asio timer per eddy timer: see docs/backends-asio-uv.md).
///   `now()` is `std::chrono::steady_clock`, counted from the runtime's construction.
/// - Loop lifetime: while a task spawned on the runtime is alive (`live_tasks() > 0`), the
///   runtime holds outstanding work on the executor, so `io.run()` returns only once every task
///   has finished, like `co_spawn`.
/// - `block_on(t)`: with an `io_context`, runs it on the calling thread until `t` has finished
///   (restarting it if it was stopped); with a bare executor, waits for other threads to run
///   the loop. Called from inside any runtime it is an error (`try_block_on` gives
///   `errc::invalid_argument`, `block_on` panics).
/// - Shutdown: stop the loop (`io.stop()` or let `run` return), then destroy the runtime
///   *before* the `io_context`. The destructor aborts every live task and destroys its frames
///   on the calling thread (awaiters deregister, Asio operations awaited with `use_task` are
///   cancelled). No thread may be running the runtime's work then.
///
/// Thread-safety: `post`, `post_at`, `cancel`, `now`, `get_executor` are thread-safe.
#pragma once
#include <atomic>
#include <cstddef>

#include <asio/any_io_executor.hpp>
#include <asio/io_context.hpp>

#include "eddy/runtime/detail/block_on.hpp"

namespace eddy {

/// The eddy runtime over an Asio executor the application owns and runs (see the file comment:
/// work, timers, loop lifetime, shutdown). Thread-safe; must be destroyed before the `io_context`.
class asio_runtime final : public runtime {
 public:
  /// Over an `io_context`. `concurrency`: at most that many threads run eddy work at once
  /// (0 = `std::thread::hardware_concurrency()`); set it to the number of threads calling
  /// `io.run()`.
  explicit asio_runtime(asio::io_context& io, std::size_t concurrency = 0);
  /// Over any Asio executor (a strand, a thread pool's executor...). `block_on` then waits for
  /// other threads to run the loop.
  explicit asio_runtime(asio::any_io_executor ex, std::size_t concurrency = 0);
  /// Shuts down (see the file comment).
  ~asio_runtime();

  /// A copyable handle to this runtime, for `spawn(ex, t)`; valid while the runtime lives.
  executor get_executor() noexcept { return executor{*this}; }
  /// The Asio executor the runtime posts to.
  asio::any_io_executor get_asio_executor() const noexcept;

  /// Runs `t` to completion from outside any runtime and gives its result; `errc::invalid_argument`
  /// when called from inside a runtime. With an `io_context`, runs it on the calling thread.
  template <class T>
  result<T> try_block_on(task<T> t) {
    if (detail::inside_runtime())
      return error{errc::invalid_argument, 0, detail::block_on_inside_message};
    block_waiter w{this};
    join_handle<T> h{detail::spawn_raw(get_executor(), std::move(t), 2, &w)};
    wait(w);
    while (!h.is_finished()) detail::cpu_relax();  // `complete` is published right after
    return h.try_take();
  }
  /// `try_block_on(t)` unwrapped: `t`'s value; panics on an error (called inside a runtime).
  template <class T>
  T block_on(task<T> t) {
    if (detail::inside_runtime()) panic(detail::block_on_inside_message);
    return detail::unwrap_block_on(try_block_on(std::move(t)));
  }

  /// Aborts every live task and destroys its frames now, on the calling thread (no other thread
  /// may run the runtime's work). Idempotent; the destructor calls it. Afterwards the runtime
  /// accepts posts but never runs them.
  void shutdown() noexcept;

  void post(work_node& n) noexcept override;
  void post_at(time_point t, timer_node& n) noexcept override;
  bool cancel(timer_node& n) noexcept override;
  time_point now() const noexcept override;

  struct impl;

 private:
  struct block_waiter : detail::task_header::observer {
    explicit block_waiter(asio_runtime* r) noexcept : observer{&complete}, rt(r) {}
    static void complete(observer* o, detail::task_header*, const error*) noexcept;
    asio_runtime* rt;
    std::atomic<bool> done{false};
  };
  void wait(block_waiter& w);

  impl* p_;
};

}  // namespace eddy
