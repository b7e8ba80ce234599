// SPDX-License-Identifier: BSL-1.0
/// \file
/// Running eddy tasks from Asio code (target `eddy::asio`): `asio_await(join_handle, token)`
/// and `to_awaitable(executor, task)`.
///
/// ```cpp
/// asio::awaitable<void> session(eddy::executor ex) {
///   eddy::result<int> r = co_await eddy::to_awaitable(ex, compute());      // or:
///   eddy::result<int> r2 = co_await eddy::asio_await(eddy::spawn(ex, compute()));
/// }
/// ```
///
/// - `asio_await(h, token)` is an Asio asynchronous operation with signature
///   `void(eddy::result<T>)` (any completion token; `asio::use_awaitable` by default). It joins
///   the task from a small eddy task on the task's own executor, then posts the handler to the
///   handler's associated executor (never inline on an eddy thread). Outstanding work is held
///   on that executor meanwhile. An empty handle completes with `errc::invalid_argument`.
/// - Cancellation: a signal on the handler's cancellation slot (e.g. the awaitable is
///   cancelled, or an `||` operator lost) aborts the eddy task; the operation then completes
///   with `errc::aborted` (or the value, if the task finished first).
/// - `to_awaitable(ex, t)` spawns `t` on `ex` when the awaitable starts and awaits it as above.
///   Needs exceptions (Asio's awaitables do).
/// - Boost.Asio has the same bridge as `boost_asio_await` / `to_boost_awaitable`
///   (eddy/boost_asio/awaitable.hpp), from the same implementation.
#pragma once
#include "eddy/asio/detail/std_config_first.hpp"  // before any Asio header

#include <asio/associated_cancellation_slot.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/awaitable.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>
#include <utility>

#include "eddy/asio/detail/awaitable_impl.hpp"

namespace eddy {

namespace detail {
/// The Asio flavour of the awaitable bridge (see awaitable_impl.hpp).
struct asio_bridge_net {
  /// `post(ex, f)`.
  template <class Ex, class F>
  static void post(const Ex& ex, F&& f) {
    ::asio::post(ex, std::forward<F>(f));
  }
  /// The handler's associated executor.
  template <class H>
  static auto executor_of(const H& h) {
    return ::asio::get_associated_executor(h);
  }
  /// Outstanding work on the handler's associated executor while the join is pending.
  template <class H>
  static auto work_guard(const H& h) {
    return ::asio::make_work_guard(h);
  }
  /// The handler's associated cancellation slot.
  template <class H>
  static auto cancellation_slot_of(const H& h) {
    return ::asio::get_associated_cancellation_slot(h);
  }
};
}  // namespace detail

/// Joins `h` as an Asio asynchronous operation `void(eddy::result<T>)`. See the file comment.
template <class T, class CompletionToken = ::asio::use_awaitable_t<>>
auto asio_await(join_handle<T> h, CompletionToken&& token = {}) {
  return ::asio::async_initiate<CompletionToken, void(result<T>)>(
      detail::asio_join_initiation<detail::asio_bridge_net, T>{}, token, std::move(h));
}

/// Spawns `t` on `ex` when awaited and gives its result. See the file comment.
template <class T>
::asio::awaitable<result<T>> to_awaitable(executor ex, task<T> t) {
  co_return co_await asio_await(spawn(ex, std::move(t)), ::asio::use_awaitable);
}

}  // namespace eddy
