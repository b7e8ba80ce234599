// SPDX-License-Identifier: BSL-1.0
/// \file
/// `subscribe_latest(s, on_next, on_error, token, policy)`: consumes a stream, handling only the
/// newest value while the handler is busy.
///
/// ```
/// source:   -1-2-3-4-5---------6------|
/// handler:   [--1--------][--5--] [--6--]      (policy finish)
/// handler:   [-1(cancelled)[5]     [--6--]      (policy cancel: 2 cancels 1's token, ...)
/// ```
/// - At most one handler call runs at a time, inside the subscribing task. Values that arrive
///   meanwhile overwrite a single "latest" slot (intermediate values are dropped); when the
///   call ends the latest value, if any, is handled next. With `latest_policy::finish` (the
///   default) the running call completes (1..5 arriving with 1 in flight gives [1, 5]); with
///   `latest_policy::cancel` the running call's token is cancelled as soon as a newer value
///   arrives (the handler sees it if it takes `(T, const cancellation_token&)`; it still
///   decides when to return).
/// - Errors of the stream are never dropped: each one is handed to `on_error` in stream order
///   relative to the latest value (the pull waits while one error is still undelivered), and
///   a newer error does not cancel a running call. Handler results and exceptions go to
///   `on_error` as in `subscribe`.
/// - The stream is pulled by one task spawned on the current executor (`spawn`), so it keeps
///   being pulled while the handler runs; that works on every runtime. On a thread pool the
///   pull and the handler may run in parallel (the stream is used only by the pull task).
/// - Ends when the stream ends (after the last latest value is handled) or when `token` is
///   cancelled (at once if waiting; after the running call returns otherwise): the pull task
///   is aborted (cancel-safe) and joined. Returns `task<result<void>>`: success, or, without an
///   `on_error`, the first error. Destroying the task aborts the pull task too.
/// - Allocation: one shared block and one spawned task per subscription; with
///   `latest_policy::cancel`, one child token per handler call.
#pragma once
#include <atomic>
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/core/lock.hpp"
#include "eddy/exec/subscribe.hpp"
#include "eddy/runtime/spawn.hpp"
#include "eddy/stream/detail/latest_slot.hpp"
#include "eddy/stream/detail/wait.hpp"

namespace eddy {

/// What `subscribe_latest` does with a running handler call when a newer value arrives.
enum class latest_policy : unsigned char {
  finish,  ///< let it complete; the newest value is handled after it
  cancel,  ///< cancel its token at once
};

namespace detail {

template <class T>
class latest_state {
 public:
  void release() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  spin_lock lock;
  latest_slot<T> slot;                         ///< newest value and one error not handled yet
  bool ended = false;                          ///< the pull task is done
  waker consumer;                              ///< the subscriber, waiting for something to do
  waker producer;                              ///< the pull task, waiting for `err` to be taken
  std::optional<cancellation_token> inflight;  ///< policy cancel: the running call's token

  /// Wakes `w` (if set) and clears it. Under `lock`.
  static void wake(waker& w) noexcept {
    if (w) std::exchange(w, waker{}).wake();
  }

 private:
  std::atomic<int> refs_{2};  // the subscriber and the pull task
};

template <class T>
struct latest_ref {
  latest_state<T>* st;
  ~latest_ref() { st->release(); }
};

/// The pull task: moves the stream's items into the state.
template <class S, class T>
task<void> latest_pull(S s, latest_state<T>* st, latest_policy policy) {
  latest_ref<T> ref{st};
  std::optional<error> failure;
#if EDDY_HAS_EXCEPTIONS
  try {
#endif
    for (;;) {
      auto r = co_await s.next();
      if (!r) break;
      if (r->is_value()) {
        std::optional<cancellation_token> stale;
        {
          lock_guard<spin_lock> g(st->lock);
          st->slot.put_value(std::move(*r).value());
          if (policy == latest_policy::cancel) stale = std::exchange(st->inflight, std::nullopt);
          latest_state<T>::wake(st->consumer);
        }
        if (stale) stale->cancel();
      } else {
        co_await locked_wait(st->lock, st->producer, [st] { return !st->slot.has_error(); });
        lock_guard<spin_lock> g(st->lock);
        st->slot.put_error(std::move(*r).error());
        latest_state<T>::wake(st->consumer);
      }
    }
#if EDDY_HAS_EXCEPTIONS
  } catch (...) {  // the stream threw: report it as the last error
    failure.emplace(error::from_exception(std::current_exception()));
  }
  if (failure) co_await locked_wait(st->lock, st->producer, [st] { return !st->slot.has_error(); });
#endif
  lock_guard<spin_lock> g(st->lock);
  if (failure) st->slot.put_error(std::move(*failure));
  st->ended = true;
  latest_state<T>::wake(st->consumer);
}

template <class S, class OnNext, class OnError>
task<result<void>> subscribe_latest_impl(S s, OnNext on_next, OnError on_error,
                                         cancellation_token token, latest_policy policy) {
  using T = stream_value_t<S>;
  static_assert(on_next_for<OnNext, T>,
                "eddy::subscribe_latest: on_next must be callable with the stream's value (T, or T "
                "and a const cancellation_token&)");
  static_assert(on_error_for<OnError>,
                "eddy::subscribe_latest: on_error must be callable with an eddy::error");
  using R = on_next_result_t<OnNext, T>;
  constexpr bool sync_next = !is_task<std::remove_cvref_t<R>>::value;
  constexpr bool sync_error = on_error_is_sync<OnError>;
  constexpr bool wants_token = std::is_invocable_v<OnNext&, T&&, const cancellation_token&>;

  struct owner {
    latest_state<T>* st = new latest_state<T>;
    join_handle<void> pull;
    ~owner() {
      pull.abort();
      st->release();
    }
  } o;
  o.pull = spawn(latest_pull(std::move(s), o.st, policy), "subscribe_latest");
  latest_state<T>* st = o.st;
  auto has_work = [st] { return !st->slot.empty() || st->ended; };
  std::optional<error> first;

  for (;;) {
    auto w = co_await cancellable_awaiter<locked_wait<decltype(has_work)>>(token, st->lock,
                                                                           st->consumer, has_work);
    if (!w) break;  // cancelled
    std::optional<T> v;
    std::optional<error> e;
    bool ended = false;
    {
      lock_guard<spin_lock> g(st->lock);
      if (st->slot.error_next()) {
        e.emplace(st->slot.take_error());
        latest_state<T>::wake(st->producer);
      } else if (st->slot.has_value()) {
        v.emplace(st->slot.take_value());
      }
      ended = st->ended && st->slot.empty();
    }
    std::optional<cancellation_token> call_token;
    if (v && policy == latest_policy::cancel && wants_token) {
      call_token.emplace(token.child());
      bool newer = false;
      {
        lock_guard<spin_lock> g(st->lock);
        newer = st->slot.has_value();  // arrived while the token was being made
        if (!newer) st->inflight = *call_token;
      }
      if (newer) call_token->cancel();
    }
    if (v) {
      const cancellation_token& t = call_token ? *call_token : token;
      result<void> hr{};
      if constexpr (sync_next) {
        hr = run_sync_on_next(on_next, std::move(*v), t);
      } else {
#if EDDY_HAS_EXCEPTIONS
        try {
#endif
          hr = co_await task_outcome(call_on_next(on_next, std::move(*v), t));
#if EDDY_HAS_EXCEPTIONS
        } catch (...) {
          hr = error::from_exception(std::current_exception());
        }
#endif
      }
      if (call_token) {
        std::optional<cancellation_token> done;
        {
          lock_guard<spin_lock> g(st->lock);
          done = std::exchange(st->inflight, std::nullopt);
        }
      }
      if (!hr.has_value()) e.emplace(hr.error());
    }
    if (e) {
      if constexpr (sync_error) {
        deliver_error_sync(on_error, std::move(*e), first);
      } else {
        co_await on_error(std::move(*e));
      }
    }
    if (ended) break;
    if (token.is_cancelled()) break;
  }
  o.pull.abort();
  auto pr = co_await o.pull;
  static_cast<void>(pr);
  if (first) co_return std::move(*first);
  co_return result<void>{};
}

}  // namespace detail

/// See the file comment.
template <class S, class OnNext, class OnError>
  requires stream<S>
task<result<void>> subscribe_latest(S s, OnNext on_next, OnError on_error, cancellation_token token,
                                    latest_policy policy = latest_policy::finish) {
  return detail::subscribe_latest_impl<S, OnNext, OnError>(
      std::move(s), std::move(on_next), std::move(on_error), std::move(token), policy);
}

/// Without an error handler: the first error is returned at the end.
template <class S, class OnNext>
  requires stream<S>
task<result<void>> subscribe_latest(S s, OnNext on_next, cancellation_token token,
                                    latest_policy policy = latest_policy::finish) {
  return detail::subscribe_latest_impl<S, OnNext, detail::collect_first_error>(
      std::move(s), std::move(on_next), {}, std::move(token), policy);
}

}  // namespace eddy
