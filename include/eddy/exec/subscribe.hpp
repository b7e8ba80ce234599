// SPDX-License-Identifier: BSL-1.0
/// \file
/// `subscribe(s, on_next, on_error, token)`: consumes a stream, calling the handlers in order.
///
/// ```cpp
/// auto r = co_await eddy::subscribe(std::move(s),
///     [](int v) -> task<void> { co_await store(v); },   // or a plain function
///     [](const eddy::error& e) { log(e.message()); },
///     token);
/// ```
/// - Returns a `task<result<void>>` (lazy: nothing runs until it is awaited or spawned). It
///   ends when the stream ends or `token` is cancelled, with success; without an `on_error`
///   (the two-argument form) every error is still consumed and the first one is returned.
/// - Handlers run one at a time, in stream order, inside the subscribing task (no spawn):
///   the next item is pulled only after the handler finished (a coroutine handler is
///   awaited). `on_next(T)` or `on_next(T, const cancellation_token&)` may return `void`,
///   `result<void>`, `task<void>` or `task<result<void>>`; `on_error(error)` may return `void`
///   or `task<void>`.
/// - Errors: an error item of the stream, an error `result` of `on_next`, and (with exceptions
///   on) an exception thrown by `on_next` all go to `on_error`; the subscription goes on.
///   An exception thrown by `on_error` itself ends the subscription with that exception.
/// - Cancellation: `token.cancel()` (from any thread) interrupts a pending `next()` at once:
///   the awaiter is destroyed at its suspension point (cancel-safe sources lose nothing; a
///   `generator` ends, see generator.hpp) and `subscribe` returns. A running handler is not
///   interrupted (it may watch the token it is given); the subscription ends after it.
/// - Synchronous streams with synchronous handlers run as a plain loop (the stream's
///   `try_visit` fast path): no suspension, no allocation per item. Without a token (the forms
///   that take none) and with an `on_next` that does not take one, nothing can cancel the
///   subscription, so that loop does not check a token at all.
/// - The stream is moved into the task; the handlers are moved in too.
#pragma once
#include <atomic>
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/core/cancellation.hpp"
#include "eddy/core/result.hpp"
#include "eddy/core/task.hpp"
#include "eddy/runtime/with_cancellation.hpp"
#include "eddy/stream/concept.hpp"
#include "eddy/stream/stage.hpp"

#if EDDY_HAS_EXCEPTIONS
#include <exception>
#endif

namespace eddy {

namespace detail {

/// Marker for "no `on_error` given": errors are collected, the first one is returned.
struct collect_first_error {};

template <class R>
struct is_task : std::false_type {};
template <class X>
struct is_task<task<X>> : std::true_type {};

/// Calls `on_next` with the value (and the token, if it takes one).
template <class H, class T>
decltype(auto) call_on_next(H& h, T&& v, const cancellation_token& t) {
  if constexpr (std::is_invocable_v<H&, T&&, const cancellation_token&>) {
    return h(static_cast<T&&>(v), t);
  } else {
    return h(static_cast<T&&>(v));
  }
}

template <class H, class T>
using on_next_result_t = decltype(call_on_next(std::declval<H&>(), std::declval<T&&>(),
                                               std::declval<const cancellation_token&>()));

/// Turns a synchronous handler's return value into `result<void>`.
template <class R>
result<void> as_result(R&& r) {
  using D = std::remove_cvref_t<R>;
  if constexpr (std::is_same_v<D, result<void>>) {
    return static_cast<R&&>(r);
  } else {
    return {};
  }
}

/// Runs a synchronous `on_next`; an exception (exceptions on) becomes `errc::exception`.
template <class H, class T>
result<void> run_sync_on_next(H& h, T&& v, const cancellation_token& t) {
#if EDDY_HAS_EXCEPTIONS
  try {
#endif
    if constexpr (std::is_void_v<on_next_result_t<H, T>>) {
      call_on_next(h, static_cast<T&&>(v), t);
      return {};
    } else {
      return as_result(call_on_next(h, static_cast<T&&>(v), t));
    }
#if EDDY_HAS_EXCEPTIONS
  } catch (...) {
    return error::from_exception(std::current_exception());
  }
#endif
}

/// Awaits a task and gives its outcome as a `result` (an escaped exception becomes
/// `errc::exception`; an empty task, e.g. out of memory, becomes `errc::out_of_memory`).
template <class X>
class task_outcome {
 public:
  explicit task_outcome(task<X>&& t) noexcept : t_(std::move(t)) {}
  bool await_ready() const noexcept { return !t_.valid(); }
  coro::coroutine_handle<> await_suspend(coro::coroutine_handle<> h) noexcept {
    t_.handle().promise().continuation_ = h;
    return t_.handle();
  }
  result<void> await_resume() {
    if (!t_.valid()) return error{errc::out_of_memory};
    auto r = t_.handle().promise().take_result();
    if (!r.has_value()) return r.error();
    if constexpr (std::is_same_v<X, result<void>>) {
      return r.value();
    } else {
      return {};
    }
  }

 private:
  task<X> t_;
};

template <class H>
struct on_error_sync : std::bool_constant<!is_task<std::invoke_result_t<H&, error>>::value> {};
template <>
struct on_error_sync<collect_first_error> : std::true_type {};
template <class H>
constexpr bool on_error_is_sync = on_error_sync<H>::value;

/// Delivers an error to a synchronous `on_error` (or records it).
template <class H>
void deliver_error_sync(H& h, error&& e, std::optional<error>& first) {
  if constexpr (std::is_same_v<H, collect_first_error>) {
    if (!first) first.emplace(std::move(e));
  } else {
    static_cast<void>(h(std::move(e)));
  }
}

/// The visitor of the synchronous fast path: calls the (synchronous) handlers directly.
/// `watch`: the token may be cancelled (by `on_next` or by whoever else holds it), so `more()`
/// reads its flag before every item; without it (a token nobody can cancel) only the end stops.
template <class T, class OnNext, class OnError, bool watch>
struct subscribe_visitor {
  OnNext& on_next;
  OnError& on_error;
  const cancellation_token& token;
  std::optional<eddy::error>& first;
  const std::atomic<bool>& cancelled = token_access::flag(token);  ///< read once per item
  bool ended = false;

  void value(T&& v) {
    result<void> r = run_sync_on_next(on_next, std::move(v), token);
    if (!r.has_value()) deliver_error_sync(on_error, eddy::error(r.error()), first);
  }
  void error(eddy::error&& e) { deliver_error_sync(on_error, std::move(e), first); }
  void end() noexcept { ended = true; }
  /// For `visit_while`: until the end or the token is cancelled.
  bool more() const noexcept {
    if constexpr (watch) {
      return !ended && !cancelled.load(std::memory_order_acquire);
    } else {
      return !ended;
    }
  }
};

/// How the synchronous fast path stopped.
enum class sync_stop : unsigned char {
  ended,    ///< the stream ended
  stopped,  ///< no synchronous answer, or the token is cancelled
  again,    ///< an item was taken through `try_visit`: visit again
};

/// `on_next` for a run of the fast path. A small trivially copyable handler whose call does not
/// change it (callable as const: a lambda that is not `mutable`, capturing a few references or
/// values) runs on a local copy, so its captures stay in registers instead of being re-read
/// from the task's frame for every item (a load the compiler does not hoist: the handler's own
/// stores may alias it, and it runs on some paths only). Nothing needs copying back. Any other
/// handler (a `mutable` one keeps its state) is used in place.
template <class H, class T,
          bool = std::is_trivially_copyable_v<H> && !std::is_empty_v<H> &&
                 (sizeof(H) <= 4 * sizeof(void*)) && std::is_invocable_v<const H&, T&&>>
class run_handler {
 public:
  explicit run_handler(H& h) noexcept : local_(h) {}
  H& get() noexcept { return local_; }

 private:
  H local_;
};
template <class H, class T>
class run_handler<H, T, false> {
 public:
  explicit run_handler(H& h) noexcept : h_(h) {}
  H& get() noexcept { return h_; }

 private:
  H& h_;
};

/// The synchronous fast path: visits `s` while it answers at once and `token` is not
/// cancelled. Runs (`visit_while`) with one visitor, then takes what a run leaves to
/// `try_visit` (an item a wait stashed) with another, so that the run's visitor is a local kept
/// in registers (a plain function, no loop around the two: not part of the task's frame). Not
/// inlined into the task: clang would then keep the run's locals (the handler's copy, the
/// stream's end) in the coroutine frame and re-read them after every store the handler makes.
template <class T, bool watch, class S, class OnNext, class OnError>
[[gnu::noinline]] sync_stop visit_sync(S& s, OnNext& on_next, OnError& on_error,
                                       const cancellation_token& token,
                                       std::optional<eddy::error>& first) {
  using visitor = subscribe_visitor<T, OnNext, OnError, watch>;
  {
    run_handler<OnNext, T> h(on_next);
    visitor run{h.get(), on_error, token, first};
    const bool stopped = visit_while_of(s, run);
    if (run.ended) return sync_stop::ended;
    if (stopped) return sync_stop::stopped;  // cancelled
  }
  visitor one{on_next, on_error, token, first};
  if (!one.more() || !try_visit_of(s, one)) return sync_stop::stopped;
  return one.ended ? sync_stop::ended : sync_stop::again;
}

/// `on_next` can take a `T` (and, optionally, the token after it).
template <class OnNext, class T>
inline constexpr bool on_next_for = std::is_invocable_v<OnNext&, T&&> ||
                                    std::is_invocable_v<OnNext&, T&&, const cancellation_token&>;
/// `on_error` can take an `eddy::error` (or there is none).
template <class OnError>
inline constexpr bool on_error_for =
    std::is_same_v<OnError, collect_first_error> || std::is_invocable_v<OnError&, error>;

/// `watch`: `token` may be cancelled while the subscription runs (see `subscribe_visitor`).
template <class S, class OnNext, class OnError, bool watch = true>
task<result<void>> subscribe_impl(S s, OnNext on_next, OnError on_error, cancellation_token token) {
  using T = stream_value_t<S>;
  static_assert(on_next_for<OnNext, T>,
                "eddy::subscribe: on_next must be callable with the stream's value (T, or T and "
                "a const cancellation_token&)");
  static_assert(on_error_for<OnError>,
                "eddy::subscribe: on_error must be callable with an eddy::error");
  using R = on_next_result_t<OnNext, T>;
  constexpr bool sync_next = !is_task<std::remove_cvref_t<R>>::value;
  constexpr bool sync_error = on_error_is_sync<OnError>;
  std::optional<error> first;

  for (;;) {
    if constexpr (sync_next && sync_error) {
      const sync_stop st = visit_sync<T, watch>(s, on_next, on_error, token, first);
      if (st == sync_stop::ended) break;
      if (st == sync_stop::again) continue;
      if constexpr (is_stage<S>) {  // wait for the chain's source, then visit again
        if (token.is_cancelled()) break;
        if (!co_await cancellable_awaiter<source_wait<S>>(token, s)) break;  // cancelled
        continue;
      }
    }
    if (token.is_cancelled()) break;
    // No synchronous answer, or a coroutine handler: wait for the next item or the token.
    auto r = co_await cancellable_awaiter<next_of<S>>(token, s);
    if (!r || !*r) break;  // cancelled, or the end
    item<T>& it = **r;
    error err{errc::aborted};
    if (it.is_value()) {
      if constexpr (sync_next) {
        result<void> hr = run_sync_on_next(on_next, std::move(it).value(), token);
        if (hr.has_value()) continue;
        err = hr.error();
      } else {
        result<void> hr{};
#if EDDY_HAS_EXCEPTIONS
        try {
#endif
          hr = co_await task_outcome(call_on_next(on_next, std::move(it).value(), token));
#if EDDY_HAS_EXCEPTIONS
        } catch (...) {  // thrown before the coroutine handler's body started
          hr = error::from_exception(std::current_exception());
        }
#endif
        if (hr.has_value()) continue;
        err = hr.error();
      }
    } else {
      err = std::move(it).error();
    }
    if constexpr (sync_error) {
      deliver_error_sync(on_error, std::move(err), first);
    } else {
      co_await on_error(std::move(err));
    }
  }
  if (first) co_return std::move(*first);
  co_return result<void>{};
}

/// The forms without a token. The subscription's token is its own: only an `on_next` that takes
/// it can cancel it (then it is a new token, watched before every item); any other `on_next`
/// gets an empty token, which never allocates nor is cancelled, and a synchronous run does not
/// check it per item.
template <class S, class OnNext, class OnError>
task<result<void>> subscribe_own_token(S&& s, OnNext&& on_next, OnError&& on_error) {
  if constexpr (std::is_invocable_v<OnNext&, stream_value_t<S>&&, const cancellation_token&>) {
    return subscribe_impl<S, OnNext, OnError>(std::move(s), std::move(on_next), std::move(on_error),
                                              cancellation_token{});
  } else {
    return subscribe_impl<S, OnNext, OnError, false>(std::move(s), std::move(on_next),
                                                     std::move(on_error), token_access::none());
  }
}

}  // namespace detail

/// Consumes `s` until it ends or `token` is cancelled. See the file comment.
template <class S, class OnNext, class OnError>
  requires stream<S>
task<result<void>> subscribe(S s, OnNext on_next, OnError on_error, cancellation_token token) {
  return detail::subscribe_impl<S, OnNext, OnError>(std::move(s), std::move(on_next),
                                                    std::move(on_error), std::move(token));
}

/// Consumes `s` until it ends (no token: only the end, or destroying the task, stops it).
template <class S, class OnNext, class OnError>
  requires stream<S> && (!std::is_same_v<std::remove_cvref_t<OnError>, cancellation_token>)
task<result<void>> subscribe(S s, OnNext on_next, OnError on_error) {
  return detail::subscribe_own_token<S, OnNext, OnError>(std::move(s), std::move(on_next),
                                                         std::move(on_error));
}

/// Consumes `s` until it ends or `token` is cancelled; no error handler: the first error seen
/// (of the stream or of `on_next`) is returned at the end, the others are dropped.
template <class S, class OnNext>
  requires stream<S>
task<result<void>> subscribe(S s, OnNext on_next, cancellation_token token) {
  return detail::subscribe_impl<S, OnNext, detail::collect_first_error>(
      std::move(s), std::move(on_next), {}, std::move(token));
}

/// Consumes `s` until it ends; the first error seen is returned at the end.
template <class S, class OnNext>
  requires stream<S>
task<result<void>> subscribe(S s, OnNext on_next) {
  return detail::subscribe_own_token<S, OnNext, detail::collect_first_error>(
      std::move(s), std::move(on_next), detail::collect_first_error{});
}

}  // namespace eddy
