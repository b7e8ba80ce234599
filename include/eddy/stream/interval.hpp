// SPDX-License-Identifier: BSL-1.0
/// \file
/// `interval(d)`: a source of `0, 1, 2, ...`, one every `d` on the runtime clock.
///
/// ```
/// interval(10)
/// time:    0    10   20   30
/// output:  -----0----1----2----...
/// ```
/// - Tick `k` is due at `t0 + (k+1)*d`, `t0` being the time of the first `next()` (or
///   synchronous pull): exactly then on `sim_runtime`, at or after it elsewhere. Ticks never
///   drift: a consumer that comes late gets every overdue tick at once, in order (no tick is
///   lost), then the schedule goes on.
/// - Values are `std::uint64_t` tick numbers (`| stamp()` adds the time). Never ends, never
///   fails (combine with `take`, `take_while_with`, ...).
/// - `next()` is a timer wait in the consumer's task (no pump, no allocation); destroying it
///   disarms the timer and loses nothing. `try_visit` answers when a tick is already due.
/// - `d <= 0`: the stream yields one `errc::invalid_argument` error and ends.
#pragma once
#include <cstdint>
#include <optional>
#include <utility>

#include "eddy/core/detail/chrono.hpp"
#include "eddy/runtime/sleep.hpp"
#include "eddy/stream/detail/timed.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The stream of `interval`: see the file comment and stream/concept.hpp.
class interval_stream {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = std::uint64_t;

  /// Made by `interval(...)`.
  explicit interval_stream(detail::checked_duration d) : d_(d.d), check_(d.bad) {}

  /// The awaiter of `next()`. Destroying it while suspended deregisters its waits and gives back
  /// what it was handed (cancel-safe); the stream stays usable.
  class awaiter {
   public:
    /// Made by `next()`.
    explicit awaiter(interval_stream* s) noexcept : s_(s) {}
    /// Movable until it suspends (e.g. into `timeout`, which asks `await_ready` first).
    awaiter(awaiter&& o) noexcept : s_(o.s_) {}
    awaiter& operator=(awaiter&&) = delete;
    bool await_ready() {
      detail::store_visitor<value_type> st{out_};
      return s_->try_visit(st);
    }
    void await_suspend(coro::coroutine_handle<> h) noexcept {
      sleep_.emplace(s_->due_);
      sleep_->await_suspend(h);
    }
    std::optional<item<value_type>> await_resume() {
      if (sleep_) {
        sleep_->await_resume();
        detail::store_visitor<value_type> st{out_};
        s_->try_visit(st);
      }
      return std::move(out_);
    }

   private:
    interval_stream* s_;
    std::optional<item<value_type>> out_;
    std::optional<sleep_awaiter> sleep_;
  };

  /// The next element: an awaitable of `std::optional<item<value_type>>` (empty at the end).
  /// One `next()` at a time; cancel-safe (see stream/concept.hpp).
  awaiter next() noexcept { return awaiter(this); }

  /// Answers when the stream has an argument error or a tick is due.
  template <class V>
  bool try_visit(V& v) {
    if (check_.bad()) {
      detail::tracking_emitter<V> e{v};
      check_.report(e);
      return true;
    }
    const time_point t = now();
    if (!started_) {
      started_ = true;
      due_ = saturating_add(t, d_);
    }
    if (t < due_) return false;
    due_ = saturating_add(due_, d_);
    v.value(n_++);
    return true;
  }

 private:
  duration d_;
  detail::arg_check check_;
  bool started_ = false;
  time_point due_{};
  std::uint64_t n_ = 0;
};

/// `interval(d)`: see the file comment.
template <class Rep, class Period>
interval_stream interval(std::chrono::duration<Rep, Period> d) {
  return interval_stream(detail::checked_duration::make(d, "interval: duration must be positive"));
}

}  // namespace eddy
