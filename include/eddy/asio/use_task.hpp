// SPDX-License-Identifier: BSL-1.0
/// \file
/// `eddy::use_task`: an Asio completion token that lets an eddy task `co_await` any Asio
/// asynchronous operation (target `eddy::asio`). The same token serves Boost.Asio operations
/// with eddy/boost_asio/use_task.hpp (target `eddy::boost_asio`), under the same contract.
///
/// ```cpp
/// asio::steady_timer t{io, 10ms};
/// std::error_code ec = co_await t.async_wait(eddy::use_task);
/// auto [ec2, n] = co_await sock.async_read_some(buf, eddy::use_task);
/// ```
///
/// - Result: the completion arguments as values, never thrown: nothing for `void()`, the
///   argument itself for one (`std::error_code`), a `std::tuple` for several.
/// - The operation starts when the task suspends. Its completion handler, on whatever thread
///   Asio runs it, stores the arguments and wakes the task through its waker: the task resumes
///   on its own runtime (any eddy runtime, not only `asio_runtime`), never inline on the Asio
///   thread.
/// - Cancellation is a request (the same rule as Asio's `co_spawn`): if the task is aborted, or
///   a `timeout`/`with_cancellation`/`scope` around the wait cancels it, while the operation is
///   pending, the awaiter emits `cancellation_type::terminal` on the operation's cancellation
///   slot and the task's frames, with every buffer the operation references, stay alive until
///   the operation's completion handler has run. Only then is the abort finished (the join
///   gives `errc::aborted`) or the time-out reported (an empty optional); the completion's
///   arguments are dropped. Frame-local buffers (`std::string buf;` with
///   `asio::dynamic_buffer(buf)`) are therefore safe.
/// - The signal is emitted through `asio::dispatch` on the operation's I/O executor when the
///   initiation exposes it (`get_executor()`, as Asio's own operations do): inline when the
///   caller already runs there, otherwise posted, so that on a strand it never races with the
///   operation's own steps. Asio's rule still applies: a composed operation (`async_read`,
///   `async_read_until`) on an `io_context` run by several threads needs a strand, as in plain
///   Asio. Operations that ignore cancellation delay the abort until they complete.
/// - The I/O object must outlive the operation: a frame-local socket or timer is fine (the frame
///   outlives the operation); one owned elsewhere must not be destroyed during the wait.
/// - If the operation's handler is destroyed without being called (its `io_context` destroyed
///   first, or stopped and never run again and then destroyed), the task is aborted: its join
///   gives `errc::aborted`.
/// - Cost: one small allocation per operation (the state shared with the handler); a task that
///   never awaits a `use_task` operation pays nothing for the cancellation protocol.
#pragma once
#include "eddy/asio/detail/std_config_first.hpp"  // before any Asio header

#include <asio/async_result.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/cancellation_type.hpp>
#include <asio/dispatch.hpp>
#include <utility>

#include "eddy/asio/detail/use_task_impl.hpp"

namespace eddy::detail {

/// The standalone Asio flavour of the `use_task` awaiter (see use_task_impl.hpp).
struct asio_token_net {
  using cancellation_signal = ::asio::cancellation_signal;  ///< Emits the cancellation.
  using cancellation_slot = ::asio::cancellation_slot;      ///< The handler's slot.
  /// Emits `cancellation_type::terminal` on `s`.
  static void emit_terminal(cancellation_signal& s) { s.emit(::asio::cancellation_type::terminal); }
  /// `asio::dispatch(ex, f)`.
  template <class Ex, class F>
  static void dispatch(const Ex& ex, F&& f) {
    ::asio::dispatch(ex, std::forward<F>(f));
  }
};

}  // namespace eddy::detail

namespace asio {

/// Asio's completion-token hook for `eddy::use_task`: an Asio async operation called with
/// `use_task` returns an eddy awaitable instead of starting at once (see the file comment).
template <class... Args>
class async_result<eddy::use_task_t, void(Args...)> {
 public:
  /// Called by Asio: packs the operation into an awaitable; the operation starts when awaited.
  template <class Initiation, class... InitArgs>
  static auto initiate(Initiation&& init, eddy::use_task_t, InitArgs&&... args) {
    return eddy::detail::make_asio_op_awaiter<eddy::detail::asio_token_net, Args...>(
        std::forward<Initiation>(init), std::forward<InitArgs>(args)...);
  }
};

}  // namespace asio
