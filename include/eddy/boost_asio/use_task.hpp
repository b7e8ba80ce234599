// SPDX-License-Identifier: BSL-1.0
/// \file
/// `eddy::use_task` for Boost.Asio operations (target `eddy::boost_asio`): the same token as for
/// standalone Asio (eddy/asio/use_task.hpp), with Boost.Asio's `async_result` specialised for it.
///
/// ```cpp
/// boost::asio::steady_timer t{io, 10ms};
/// boost::system::error_code ec = co_await t.async_wait(eddy::use_task);
/// auto [ec2, n] = co_await boost::asio::async_read_until(sock, buf, '\n', eddy::use_task);
/// ```
///
/// The contract is the one of eddy/asio/use_task.hpp, word for word (one implementation serves
/// both): the completion arguments as values (nothing, one value, or a `std::tuple`); the task
/// resumes on its own runtime (any eddy runtime), never inline on the Boost.Asio thread; an
/// abort, `timeout`, `with_cancellation` or `scope` cancel while the operation is pending emits
/// `boost::asio::cancellation_type::terminal` on the operation's cancellation slot (dispatched
/// on its I/O executor) and keeps the task's frames alive until the completion handler has run,
/// then the join gives `errc::aborted`; a handler destroyed uncalled aborts the task. One small
/// allocation per operation. Thread-safety: the awaiter is awaited once, by one task.
#pragma once
#include "eddy/asio/detail/std_config_first.hpp"  // before any Asio header

#include <boost/asio/async_result.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/dispatch.hpp>
#include <utility>

#include "eddy/asio/detail/use_task_impl.hpp"

namespace eddy::detail {

/// The Boost.Asio flavour of the `use_task` awaiter (see use_task_impl.hpp).
struct boost_asio_token_net {
  using cancellation_signal = ::boost::asio::cancellation_signal;  ///< Emits the cancellation.
  using cancellation_slot = ::boost::asio::cancellation_slot;      ///< The handler's slot.
  /// Emits `cancellation_type::terminal` on `s`.
  static void emit_terminal(cancellation_signal& s) {
    s.emit(::boost::asio::cancellation_type::terminal);
  }
  /// `boost::asio::dispatch(ex, f)`.
  template <class Ex, class F>
  static void dispatch(const Ex& ex, F&& f) {
    ::boost::asio::dispatch(ex, std::forward<F>(f));
  }
};

}  // namespace eddy::detail

namespace boost::asio {

/// Boost.Asio's completion-token hook for `eddy::use_task`: an operation called with
/// `use_task` returns an eddy awaitable instead of starting at once (see the file comment).
template <class... Args>
class async_result<eddy::use_task_t, void(Args...)> {
 public:
  /// Called by Boost.Asio: packs the operation into an awaitable; it starts when awaited.
  template <class Initiation, class... InitArgs>
  static auto initiate(Initiation&& init, eddy::use_task_t, InitArgs&&... args) {
    return eddy::detail::make_asio_op_awaiter<eddy::detail::boost_asio_token_net, Args...>(
        std::forward<Initiation>(init), std::forward<InitArgs>(args)...);
  }
};

}  // namespace boost::asio
