// SPDX-License-Identifier: BSL-1.0
/// \file
/// `timeout(d, awaitable)`: runs the awaitable with a deadline on the runtime clock.
///
/// `co_await timeout(d, x)` gives `std::optional<T>` (`std::optional<unit>` for void): the value
/// if `x` completed first, empty on time-out. On time-out the inner work is cancelled: its
/// frames are destroyed at their current suspension point (cancel-safe waits lose nothing) and
/// the caller resumes at exactly the deadline on `sim_runtime`. If the inner work waits in a
/// foreign operation (Asio through `use_task`, an `eddy/uv/` request), the operation is asked
/// to stop and the caller resumes, empty, once its completion has run (later than the
/// deadline); nested time-outs cancel it once and the outermost expired one reports.
///
/// - An awaiter that is ready at once (`await_ready()` true) completes without arming a timer
///   and without allocating. One that is ready at compile time (a `static constexpr`
///   `await_ready()` that is true, like `ready`) makes `timeout`'s own `await_ready` a
///   constant too, so the compiler can drop the suspension point: the `co_await` then costs
///   about what awaiting the awaiter alone costs.
/// - Otherwise the inner work runs at once, inline, until it first suspends; only then is a
///   timer armed. Work that completes without suspending never arms a timer.
/// - `d <= 0` (or a deadline already past): the inner work still gets that first run; if it
///   suspends, it is cancelled at once. A deadline that passes *during* the first run arms the
///   timer, already due: the inner work is cancelled when the runtime next fires timers, unless
///   a wake due as well comes first (a tie, below).
/// - Any duration and deadline is valid: the deadline saturates (time.hpp), and a deadline of
///   `never` (`timeout(duration::max(), x)`, `timeout(hours::max(), x)`, `timeout_at(never, x)`)
///   arms no timer: `x` runs without a time limit.
/// - Ties: the value wins when the inner work's completion is already pending when the time-out
///   is handled, that is when the wake that lets it complete arrived before the task runs again
///   after its timer fired. The inner work then gets that one resumption first; if it completes,
///   the value is returned, if it suspends again, it is cancelled. On `sim_runtime` this is
///   exact: inner work woken at the deadline's virtual instant by a timer completes, on every
///   seed (`timeout(5ms, [sleep 5ms, return])` gives the value at 5 ms). On a real clock,
///   "the same instant" means a wake already delivered when the runner looks at the fired
///   timer (for instance a timer with the same deadline: both are taken together). Work that
///   another task has still to do at that instant is not pending: which runs first follows the
///   runtime's order (on `sim_runtime`, the seed).
/// - Non-task awaitables are wrapped in a `task` (one frame allocation) unless ready at once.
/// - Any awaitable: a task, an awaiter, or anything with `operator co_await`, including ones
///   that cannot be copied or moved (`s.join()`, `h.join()`, `tok.cancelled()`) and lvalues
///   of awaitables with `operator co_await` (`co_await timeout(d, h)` with a `join_handle h`).
///   A movable temporary is moved into the awaiter; an lvalue is used in place (it must outlive
///   the `co_await`); a temporary that cannot be moved is used in place too, so the result of
///   `timeout` is awaited in the same expression (`co_await timeout(500ms, conns.join())`), as
///   usual; such a temporary, when timed out, is destroyed (and deregisters) at the end of
///   that expression. An awaiter itself (no `operator co_await`) given as a variable is a
///   compile-time error: a timed-out awaiter must be destroyed, and a variable outlives it.
#pragma once
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/core/detail/awaitable.hpp"
#include "eddy/core/task.hpp"
#include "eddy/core/unit.hpp"
#include "eddy/runtime/detail/task_timer.hpp"
#include "eddy/runtime/sleep.hpp"

namespace eddy {

namespace detail {

template <class T>
using optional_of = std::optional<std::conditional_t<std::is_void_v<T>, unit, T>>;

template <class T>
class timeout_task_awaiter : private cancel_scope {
 public:
  /// `relative`: `d` counts from when the awaiter starts (read the clock only then).
  timeout_task_awaiter(time_point deadline, duration d, bool relative, task<T>&& t) noexcept
      : deadline_(deadline), d_(d), relative_(relative), inner_(std::move(t)) {
    cancel_inner = &reset_inner;
  }
  timeout_task_awaiter(timeout_task_awaiter&& o) noexcept
      : deadline_(o.deadline_), d_(o.d_), relative_(o.relative_), inner_(std::move(o.inner_)) {
    cancel_inner = &reset_inner;
  }
  ~timeout_task_awaiter() {
    inner_.reset();  // nested scopes unlink themselves first
    timer_.disarm();
    if (task_) task_->remove_scope(this);
  }

  bool await_ready() const {
    if (!inner_.valid()) empty_inner();
    return false;
  }
  bool await_suspend(coro::coroutine_handle<> h) noexcept {
    task_header* t = current_task();
    const time_point start = t->get_executor().now();
    if (relative_) deadline_ = saturating_add(start, d_);
    const bool due_at_start = deadline_ <= start;  // d <= 0, or a deadline already past
    auto ih = inner_.handle();
    ih.promise().continuation_ = nullptr;
    cancel_scope* const below = t->innermost_scope();
    ih.resume();  // first run, inline, until the inner work suspends or completes
    if (ih.done()) return false;
    if (due_at_start && !t->foreign_pending()) {
      inner_.reset();
      t->discard_wakes();
      cancelled = true;
      return false;
    }
    ih.promise().continuation_ = h;
    owner = h;
    task_ = t;
    t->push_scope_above(this, below);  // scopes the first run pushed are inside this one
    if (due_at_start) {  // a foreign operation is pending: the runner cancels it (task_header.hpp)
      fired.store(true, std::memory_order_release);
      t->interrupt();
      return true;
    }
    // A deadline that passed while the first run went on still arms the timer (already due):
    // due timers fire in deadline order, then in arming order, so inner work waiting on a
    // timer due as well (a tie) is woken first and completes: the value wins.
    timer_.arm(t, deadline_, this);
    return true;
  }
  optional_of<T> await_resume() {
    timer_.disarm();
    if (task_) {
      task_->remove_scope(this);
      task_ = nullptr;
    }
    if (cancelled) return std::nullopt;
    if constexpr (std::is_void_v<T>) {
      inner_.handle().promise().take();
      return unit{};
    } else {
      return inner_.handle().promise().take();
    }
  }

 private:
  /// An empty inner task (moved-from, or its frame could not be allocated): a clear panic.
  [[noreturn]] void empty_inner() const {
    panic(inner_.out_of_memory()
              ? "eddy::timeout: the task's frame could not be allocated (out of memory)"
              : "eddy::timeout: empty (moved-from) task");
  }
  static void reset_inner(cancel_scope* s) noexcept {
    static_cast<timeout_task_awaiter*>(s)->inner_.reset();
  }
  time_point deadline_;
  duration d_;
  bool relative_;
  task<T> inner_;
  task_timer timer_;
  task_header* task_ = nullptr;
};

/// The task that awaits the awaitable held at `*p` (`H` as in `held_awaitable_t`: an lvalue is
/// awaited as an lvalue, anything else as an rvalue).
template <class H>
task<await_result_of_t<H>> await_held(std::remove_reference_t<H>* p) {
  co_return co_await static_cast<H&&>(*p);
}

/// Generic awaitables: the ready-at-once fast path, else a task wrapper around the awaitable,
/// which stays where `H` keeps it (see `held_awaitable_t`): nothing is copied or moved.
/// `Relative`: `when_` is a duration counted from the start (`timeout`), else the deadline
/// (`timeout_at`). The ready path writes nothing but the awaitable and this one time value,
/// and reads no clock.
template <class H, bool Relative>
class timeout_awaiter {
  using T = await_result_of_t<H>;
  using object = std::remove_reference_t<H>;
  using when_type = std::conditional_t<Relative, duration, time_point>;
  /// Has the awaiter members itself (no `operator co_await`): it may take the ready path.
  static constexpr bool direct =
      std::is_same_v<awaiter_ref_t<object&>, object&> && requires(object& w) { w.await_ready(); };
  /// Ready at compile time (a `static constexpr` `await_ready()` that is true): no suspension.
  static constexpr bool always_ready = [] {
    if constexpr (direct && requires { typename std::bool_constant<object::await_ready()>; })
      return object::await_ready();
    else
      return false;
  }();

 public:
  template <class A>
  timeout_awaiter(when_type when, A&& a) : when_(when), a_(std::forward<A>(a)) {}
  /// Movable before it is awaited (`when_all` / `when_any` hold their operands).
  timeout_awaiter(timeout_awaiter&& o) noexcept(std::is_nothrow_constructible_v<H, H&&>)
      : when_(o.when_), a_(static_cast<H&&>(o.a_)) {}
  timeout_awaiter& operator=(const timeout_awaiter&) = delete;
  static constexpr bool await_ready() noexcept
    requires always_ready
  {
    return true;
  }
  bool await_ready()
    requires(!always_ready)
  {
    if constexpr (direct) {
      return a_.await_ready();
    } else {
      return false;
    }
  }
  bool await_suspend(coro::coroutine_handle<> h) {
    if constexpr (Relative) {
      slow_.emplace(time_point{}, when_, true, await_held<H>(&a_));
    } else {
      slow_.emplace(when_, duration{}, false, await_held<H>(&a_));
    }
    slow_->await_ready();  // panics if the wrapper task's frame could not be allocated
    return slow_->await_suspend(h);
  }
  optional_of<T> await_resume() {
    if constexpr (direct) {
      if (!slow_) {  // ready at once: await_suspend did not run
        if constexpr (std::is_void_v<T>) {
          a_.await_resume();
          return unit{};
        } else {
          return a_.await_resume();
        }
      }
    }
    return slow_->await_resume();
  }

 private:
  when_type when_;
  H a_;  // declared before slow_: the wrapper task (which refers to it) goes first
  std::optional<timeout_task_awaiter<T>> slow_;
};

}  // namespace detail

namespace detail {
template <bool Relative, class A>
auto make_timeout(time_point deadline, duration d, A&& aw) {
  using D = std::remove_cvref_t<A>;
  if constexpr (is_task_v<D>) {
    return timeout_task_awaiter<typename D::value_type>(deadline, d, Relative, std::move(aw));
  } else {
    using object = std::remove_reference_t<A>;
    static_assert(
        !std::is_lvalue_reference_v<A> || !std::is_same_v<awaiter_ref_t<object&>, object&>,
        "eddy::timeout: pass an awaiter as a temporary (timeout(d, rx.recv())), not as "
        "a variable: a timed-out awaiter must be destroyed at its suspension point, and "
        "a variable outlives it. An awaitable with operator co_await (a join_handle) "
        "may be a variable.");
    using W = held_awaitable_t<A&&>;
    if constexpr (Relative) {
      return timeout_awaiter<W, true>(d, std::forward<A>(aw));
    } else {
      return timeout_awaiter<W, false>(deadline, std::forward<A>(aw));
    }
  }
}
}  // namespace detail

/// Runs `aw` with deadline `deadline` (runtime clock). See the file comment.
template <class A>
auto timeout_at(time_point deadline, A&& aw) {
  return detail::make_timeout<false>(deadline, duration{}, std::forward<A>(aw));
}

/// Runs `aw` for at most `d` (runtime clock), counted from when the `co_await` starts. The clock
/// is read only if `aw` is not ready at once. See the file comment.
template <class Rep, class Period, class A>
auto timeout(std::chrono::duration<Rep, Period> d, A&& aw) {
  return detail::make_timeout<true>(time_point{}, saturating_duration(d), std::forward<A>(aw));
}

/// An awaiter that is ready at once with `v` (for tests and benchmarks). Ready at compile time:
/// `await_ready` is `static constexpr`, so a `co_await` of it, or of `timeout` around it, needs
/// no suspension point.
template <class T>
class ready {
 public:
  /// Holds `v` until it is awaited.
  explicit ready(T v) : v_(std::move(v)) {}
  static constexpr bool await_ready() noexcept { return true; }
  void await_suspend(coro::coroutine_handle<>) noexcept {}
  T await_resume() { return std::move(v_); }

 private:
  T v_;
};

}  // namespace eddy
