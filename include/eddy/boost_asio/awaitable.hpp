// SPDX-License-Identifier: BSL-1.0
/// \file
/// Running eddy tasks from Boost.Asio code (target `eddy::boost_asio`):
/// `boost_asio_await(join_handle, token)` and `to_boost_awaitable(executor, task)`.
///
/// ```cpp
/// boost::asio::awaitable<void> session(eddy::executor ex) {
///   eddy::result<int> r = co_await eddy::to_boost_awaitable(ex, compute());      // or:
///   eddy::result<int> r2 = co_await eddy::boost_asio_await(eddy::spawn(ex, compute()));
/// }
/// ```
///
/// The same implementation and contract as `asio_await` / `to_awaitable` for standalone Asio
/// (eddy/asio/awaitable.hpp), under other names because the awaitable types differ:
/// - `boost_asio_await(h, token)` is a Boost.Asio asynchronous operation with signature
///   `void(eddy::result<T>)` (any completion token; `boost::asio::use_awaitable` by default). It
///   joins the task from a small eddy task on the task's own executor, then posts the handler to
///   the handler's associated executor (never inline on an eddy thread), holding outstanding
///   work there meanwhile. An empty handle completes with `errc::invalid_argument`.
/// - Cancellation: a signal on the handler's cancellation slot (the awaitable is cancelled, an
///   `||` operator lost) aborts the eddy task; the operation then completes with `errc::aborted`
///   (or the value, if the task finished first).
/// - `to_boost_awaitable(ex, t)` spawns `t` on `ex` when the awaitable starts and awaits it as
///   above. Needs exceptions (Boost.Asio's awaitables do).
#pragma once
#include "eddy/asio/detail/std_config_first.hpp"  // before any Asio header

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <utility>

#include "eddy/asio/detail/awaitable_impl.hpp"

namespace eddy {

namespace detail {
/// The Boost.Asio flavour of the awaitable bridge (see awaitable_impl.hpp).
struct boost_asio_bridge_net {
  /// `post(ex, f)`.
  template <class Ex, class F>
  static void post(const Ex& ex, F&& f) {
    ::boost::asio::post(ex, std::forward<F>(f));
  }
  /// The handler's associated executor.
  template <class H>
  static auto executor_of(const H& h) {
    return ::boost::asio::get_associated_executor(h);
  }
  /// Outstanding work on the handler's associated executor while the join is pending.
  template <class H>
  static auto work_guard(const H& h) {
    return ::boost::asio::make_work_guard(h);
  }
  /// The handler's associated cancellation slot.
  template <class H>
  static auto cancellation_slot_of(const H& h) {
    return ::boost::asio::get_associated_cancellation_slot(h);
  }
};
}  // namespace detail

/// Joins `h` as a Boost.Asio asynchronous operation `void(eddy::result<T>)`. See the file comment.
template <class T, class CompletionToken = ::boost::asio::use_awaitable_t<>>
auto boost_asio_await(join_handle<T> h, CompletionToken&& token = {}) {
  return ::boost::asio::async_initiate<CompletionToken, void(result<T>)>(
      detail::asio_join_initiation<detail::boost_asio_bridge_net, T>{}, token, std::move(h));
}

/// Spawns `t` on `ex` when awaited and gives its result. See the file comment.
template <class T>
::boost::asio::awaitable<result<T>> to_boost_awaitable(executor ex, task<T> t) {
  co_return co_await boost_asio_await(spawn(ex, std::move(t)), ::boost::asio::use_awaitable);
}

}  // namespace eddy
