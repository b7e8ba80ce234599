// SPDX-License-Identifier: BSL-1.0
/// \file
/// `boost_asio_runtime`: eddy tasks on a Boost.Asio event loop the application owns (target
/// `eddy::boost_asio`, Boost 1.81 or later).
///
/// ```cpp
/// boost::asio::io_context io;
/// eddy::boost_asio_runtime rt{io};           // or boost_asio_runtime{io, concurrency}
/// auto h = eddy::spawn(rt.get_executor(), serve());
/// io.run();                                 // from one or many threads
/// ```
///
/// The same implementation as `asio_runtime` (eddy/runtime/asio_runtime.hpp), instantiated for
/// Boost.Asio's types, so everything said there holds here word for word:
/// - Work: the runtime's own intrusive queue, drained by handlers posted to the Boost.Asio
///   executor only when needed (at most `concurrency` in flight, 256 items each). No allocation
///   per post.
/// - Timers: an intrusive heap plus one `boost::asio::steady_timer` armed at the earliest
///   deadline. `now()` is `std::chrono::steady_clock`, counted from the runtime's construction.
/// - Loop lifetime: live tasks hold outstanding work, so `io.run()` returns once every task
///   has finished, like `boost::asio::co_spawn`.
/// - `block_on(t)`: with an `io_context`, runs it on the calling thread until `t` has finished;
///   with a bare executor, waits for other threads to run the loop. An error inside a runtime.
/// - Shutdown: stop the loop, then destroy the runtime *before* the `io_context`; the
///   destructor aborts every live task and destroys its frames on the calling thread
///   (Boost.Asio operations awaited with `eddy::use_task` are cancelled and their completions
///   run first).
///
/// Thread-safety: `post`, `post_at`, `cancel`, `now`, `get_executor` are thread-safe.
/// Both Asio flavours may live in one program, each with its own runtimes.
#pragma once
#include "eddy/asio/detail/std_config_first.hpp"  // before any Asio header

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>

#include "eddy/asio/detail/basic_runtime.hpp"

namespace eddy {

namespace detail {
/// The Boost.Asio flavour of `basic_asio_runtime`.
struct boost_asio_flavour {
  using io_context = ::boost::asio::io_context;            ///< The event loop.
  using any_io_executor = ::boost::asio::any_io_executor;  ///< The type-erased executor.
};
extern template class basic_asio_runtime<boost_asio_flavour>;
}  // namespace detail

/// The eddy runtime over a Boost.Asio executor the application owns and runs (see the file
/// comment). Thread-safe; must be destroyed before the `io_context`. Constructors:
/// `boost_asio_runtime{io, concurrency = 0}` over a `boost::asio::io_context&`, or
/// `boost_asio_runtime{ex, concurrency = 0}` over any `boost::asio::any_io_executor` (see
/// `detail::basic_asio_runtime`, shared with `asio_runtime`).
class boost_asio_runtime final : public detail::basic_asio_runtime<detail::boost_asio_flavour> {
 public:
  using basic_asio_runtime::basic_asio_runtime;
};

}  // namespace eddy
