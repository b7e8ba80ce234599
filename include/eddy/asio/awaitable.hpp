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
#pragma once
#include <asio/associated_cancellation_slot.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/awaitable.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>
#include <atomic>
#include <utility>

#include "eddy/core/lock.hpp"
#include "eddy/runtime/spawn.hpp"

namespace eddy {

namespace detail {

template <class T>
struct asio_join_state {
  explicit asio_join_state(join_handle<T>&& handle) noexcept : h(std::move(handle)) {}
  spin_lock lock;
  join_handle<T> h;   // awaited by the joiner task; aborted by the canceller
  bool done = false;  // under lock: the join finished, abort is pointless
  std::atomic<int> refs{1};
  void add_ref() noexcept { refs.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
};

template <class T>
class asio_join_canceller {
 public:
  explicit asio_join_canceller(asio_join_state<T>* s) noexcept : s_(s) { s_->add_ref(); }
  asio_join_canceller(const asio_join_canceller&) = delete;
  asio_join_canceller& operator=(const asio_join_canceller&) = delete;
  ~asio_join_canceller() { s_->release(); }
  void operator()(asio::cancellation_type_t) noexcept {
    lock_guard<spin_lock> g(s_->lock);
    if (!s_->done) s_->h.abort();
  }

 private:
  asio_join_state<T>* s_;
};

template <class Handler, class R>
void asio_complete(Handler handler, R r) {
  auto ex = asio::get_associated_executor(handler);
  asio::post(ex, [handler = std::move(handler), r = std::move(r)]() mutable {
    std::move(handler)(std::move(r));
  });
}

template <class T, class Handler>
task<void> asio_join_task(asio_join_state<T>* s, Handler handler) {
  auto work = asio::make_work_guard(handler);
  result<T> r = co_await s->h;
  {
    lock_guard<spin_lock> g(s->lock);
    s->done = true;
  }
  s->release();
  asio_complete(std::move(handler), std::move(r));
}

template <class T>
struct asio_join_initiation {
  template <class Handler>
  void operator()(Handler&& handler, join_handle<T> h) const {
    if (!h.valid()) {
      asio_complete(std::forward<Handler>(handler), result<T>(error{errc::invalid_argument}));
      return;
    }
    const executor ex = h.get_executor();
    auto* s = new asio_join_state<T>(std::move(h));
    auto slot = asio::get_associated_cancellation_slot(handler);
    if (slot.is_connected()) slot.template emplace<asio_join_canceller<T>>(s);
    spawn(ex, asio_join_task<T>(s, std::forward<Handler>(handler))).detach();
  }
};

}  // namespace detail

/// Joins `h` as an Asio asynchronous operation `void(eddy::result<T>)`. See the file comment.
template <class T, class CompletionToken = asio::use_awaitable_t<>>
auto asio_await(join_handle<T> h, CompletionToken&& token = {}) {
  return asio::async_initiate<CompletionToken, void(result<T>)>(detail::asio_join_initiation<T>{},
                                                                token, std::move(h));
}

/// Spawns `t` on `ex` when awaited and gives its result. See the file comment.
template <class T>
asio::awaitable<result<T>> to_awaitable(executor ex, task<T> t) {
  co_return co_await asio_await(spawn(ex, std::move(t)), asio::use_awaitable);
}

}  // namespace eddy
