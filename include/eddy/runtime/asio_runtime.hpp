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
#include "eddy/asio/detail/std_config_first.hpp"  // before any Asio header

#include <asio/any_io_executor.hpp>
#include <asio/io_context.hpp>

#include "eddy/asio/detail/basic_runtime.hpp"

namespace eddy {

namespace detail {
/// The standalone Asio flavour of `basic_asio_runtime`.
struct asio_flavour {
  using io_context = ::asio::io_context;            ///< The event loop.
  using any_io_executor = ::asio::any_io_executor;  ///< The type-erased executor.
};
extern template class basic_asio_runtime<asio_flavour>;
}  // namespace detail

/// The eddy runtime over an Asio executor the application owns and runs (see the file comment:
/// work, timers, loop lifetime, shutdown). Thread-safe; must be destroyed before the `io_context`.
/// Constructors: `asio_runtime{io, concurrency = 0}` over an `asio::io_context&`, or
/// `asio_runtime{ex, concurrency = 0}` over any `asio::any_io_executor` (see
/// `detail::basic_asio_runtime`, shared with `boost_asio_runtime`).
class asio_runtime final : public detail::basic_asio_runtime<detail::asio_flavour> {
 public:
  using basic_asio_runtime::basic_asio_runtime;
};

}  // namespace eddy
