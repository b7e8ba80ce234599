// SPDX-License-Identifier: BSL-1.0
/// \file
/// `with_cancellation(token, awaitable)`: awaits `awaitable` unless `token` is cancelled first.
///
/// `co_await with_cancellation(t, x)` gives `std::optional<R>` (`std::optional<unit>` for void):
/// the result of `x`, or empty when `t` was cancelled before `x` completed. `subscribe` uses it
/// to race each `next()` against its token.
///
/// - Cancelled already: completes at once, empty, without starting `x`.
/// - `x` ready at once: no registration, no allocation.
/// - Otherwise a `cancellation_callback` is registered (in this awaiter, no allocation) and a
///   cancel scope pushed on the task (the mechanism `timeout` uses): when the token is
///   cancelled, from any thread, the task is interrupted and, on its own executor, `x`'s
///   awaiter is destroyed at its suspension point (its waits deregister and it gives back what
///   it held, by the awaiter protocol) and the caller resumes at once with an empty result.
///   It does not wait for `x` to make progress, except for a foreign operation (Asio through
///   `use_task`, an `eddy/uv/` request): that one is asked to stop and the caller resumes once
///   its completion has run (runtime/task_header.hpp).
/// - If `x` completes in the same instant the token is cancelled, either may win; nothing is
///   lost either way (a value handed to the destroyed awaiter is given back by it).
/// - Must be awaited inside an eddy task.
/// - Any awaitable, including ones that cannot be copied or moved (`s.join()`, `h.join()`,
///   `tok.cancelled()`), and lvalues of awaitables with `operator co_await` (a `join_handle`): a
///   movable temporary is moved into the awaiter; an lvalue is used in place (it must outlive
///   the `co_await`); a temporary that cannot be moved is used in place too, so the result is
///   awaited in the same expression (`co_await with_cancellation(t, s.join())`); cancelled, it
///   is destroyed (and deregisters) at the end of that expression. An awaiter itself given as a
///   variable is a compile-time error (a cancelled awaiter must be destroyed).
#pragma once
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/core/cancellation.hpp"
#include "eddy/core/detail/awaitable.hpp"
#include "eddy/core/unit.hpp"
#include "eddy/runtime/task_header.hpp"

namespace eddy {

namespace detail {

/// Races the awaiter held in an `Inner` (an `awaitable_holder`-like type, constructed in place
/// from `args`) against a token. See the file comment.
template <class Inner>
class cancellable_awaiter : private cancel_scope {
  using R = decltype(std::declval<Inner&>().await_resume());
  using result_type = std::optional<std::conditional_t<std::is_void_v<R>, unit, R>>;

 public:
  template <class... A>
  explicit cancellable_awaiter(const cancellation_token& t, A&&... args) : token_(t) {
    cancel_inner = &reset_inner;
    inner_.construct(std::forward<A>(args)...);
    live_ = true;
  }
  cancellable_awaiter(const cancellable_awaiter&) = delete;
  cancellable_awaiter& operator=(const cancellable_awaiter&) = delete;
  ~cancellable_awaiter() {
    disarm();
    if (live_) inner_.destroy();
  }

  bool await_ready() {
    if (token_.is_cancelled()) {
      drop_inner();
      return true;
    }
    return inner_->await_ready();
  }

  template <class P>
  coro::coroutine_handle<> await_suspend(coro::coroutine_handle<P> h) {
    task_ = current_task();
    owner = h;
    task_->push_scope(this);
    cb_.construct(token_, &on_cancel, this);
    armed_ = true;
    if (fired.load(std::memory_order_acquire)) {  // cancelled meanwhile: the callback ran inline
      disarm();
      drop_inner();
      return h;
    }
    return suspend_to_handle(*inner_, h);
  }

  result_type await_resume() {
    disarm();
    if (!live_) return std::nullopt;  // cancelled (by the runner, or before it started)
    if constexpr (std::is_void_v<R>) {
      inner_->await_resume();
      drop_inner();
      return unit{};
    } else {
      result_type r(std::in_place, inner_->await_resume());
      drop_inner();
      return r;
    }
  }

 private:
  static void on_cancel(void* self) noexcept {
    auto* a = static_cast<cancellable_awaiter*>(self);
    a->fired.store(true, std::memory_order_release);
    a->task_->interrupt();
  }
  /// Called by the task runner (on the task's executor) when the scope fired.
  static void reset_inner(cancel_scope* s) noexcept {
    static_cast<cancellable_awaiter*>(s)->drop_inner();
  }
  void drop_inner() noexcept {
    if (!live_) return;
    live_ = false;
    inner_.destroy();
  }
  void disarm() noexcept {
    if (armed_) {
      armed_ = false;
      cb_.destroy();  // after this the callback is not running and never runs
    }
    if (task_) {
      task_->remove_scope(this);
      task_ = nullptr;
    }
  }

  cancellation_token token_;
  manual_lifetime<Inner> inner_;
  manual_lifetime<cancellation_callback<>> cb_;
  task_header* task_ = nullptr;
  bool live_ = false;
  bool armed_ = false;
};

}  // namespace detail

/// See the file comment.
template <class A>
auto with_cancellation(const cancellation_token& token, A&& aw) {
  using H = detail::held_awaitable_t<A&&>;
  static_assert(
      !std::is_lvalue_reference_v<A> || !detail::direct_awaiter<std::remove_reference_t<A>>,
      "eddy::with_cancellation: pass an awaiter as a temporary, not as a variable: a "
      "cancelled awaiter must be destroyed at its suspension point, and a variable "
      "outlives it. An awaitable with operator co_await (a join_handle) may be a "
      "variable.");
  return detail::cancellable_awaiter<detail::awaitable_holder<H>>(token, std::in_place,
                                                                  std::forward<A>(aw));
}

}  // namespace eddy
