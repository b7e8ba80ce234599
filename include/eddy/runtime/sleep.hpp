// SPDX-License-Identifier: BSL-1.0
/// \file
/// Time inside tasks: `now()`, `sleep(d)`, `sleep_until(t)`, `yield_now()`.
///
/// All of them use the clock of the current task's runtime (virtual on `sim_runtime`).
/// A zero or negative duration, or a deadline already passed, completes at once without
/// suspending. Any duration and deadline is valid (see time.hpp): `now() + d` saturates, and
/// `sleep(hours::max())` or `sleep_until(never)` waits until the task is aborted (no timer is
/// armed). The awaiters are cancel-safe: a task aborted while sleeping disarms its timer.
#pragma once
#include "eddy/runtime/detail/task_timer.hpp"

namespace eddy {

/// The current runtime's clock. Panics outside a runtime.
time_point now() noexcept;

namespace detail {
executor require_executor(const char* what) noexcept;
}

/// Awaitable returned by `sleep_until` / `sleep`.
class [[nodiscard]] sleep_awaiter {
 public:
  /// Waits until `deadline`.
  explicit sleep_awaiter(time_point deadline) noexcept : deadline_(deadline) {}
  /// Movable before it is awaited (the timer is not moved: it is armed only while awaited).
  sleep_awaiter(sleep_awaiter&& o) noexcept : deadline_(o.deadline_) {}
  sleep_awaiter& operator=(sleep_awaiter&&) = delete;
  bool await_ready() const noexcept { return deadline_ != never && deadline_ <= now(); }
  void await_suspend(coro::coroutine_handle<> h) noexcept {
    const waker w = detail::suspend_here(h, wait_kind_, this);
    timer_.arm(w, deadline_);
  }
  void await_resume() noexcept { timer_.disarm(); }

 private:
  // Task dumps: `sleep until 1.250 s` (the runtime clock; `never`: `sleep until never`).
  static void describe(const detail::wait_kind&, const void* obj, dump_sink& out) {
    const time_point d = static_cast<const sleep_awaiter*>(obj)->deadline_;
    out << "sleep until ";
    if (d == never)
      out << "never";
    else
      out.seconds(d.time_since_epoch().count());
  }
  static constexpr detail::wait_kind wait_kind_{"sleep", &describe};

  time_point deadline_;
  detail::task_timer timer_;
};

/// Suspends until the runtime clock reaches `deadline` (`never`: until the task is aborted).
inline sleep_awaiter sleep_until(time_point deadline) noexcept {
  return sleep_awaiter{deadline};
}

/// Suspends for `d` on the runtime clock. `d <= 0` completes at once; a `d` that reaches past
/// the end of the clock (`hours::max()`, `duration::max()`) waits until the task is aborted.
template <class Rep, class Period>
sleep_awaiter sleep(std::chrono::duration<Rep, Period> d) noexcept {
  return sleep_awaiter{saturating_add(now(), d)};
}

/// Awaitable returned by `yield_now`.
class [[nodiscard]] yield_awaiter {
 public:
  bool await_ready() const noexcept { return false; }
  void await_suspend(coro::coroutine_handle<> h) noexcept {
    detail::suspend_here(h, yield_wait).request_yield();
  }
  void await_resume() noexcept {}

 private:
  static constexpr detail::wait_kind yield_wait{"yield_now", nullptr};
};

/// Lets every task that is ready now run before the caller continues (goes to the back of its
/// executor's queue).
inline yield_awaiter yield_now() noexcept {
  return {};
}

}  // namespace eddy
