// SPDX-License-Identifier: BSL-1.0
/// \file
/// `window_time(d)`: splits a stream into windows of `d`: each window is itself a stream of the
/// values of one period, delivered as they arrive.
///
/// ```
/// time:    0    10   20   30   40   50   60
/// source:  -a-b-----c------------d--E--|        (d = 20: periods [0,20) [20,40) [40,60))
///          window_time(20)
/// output:  -W1--------------------W2-----|      (no window for the empty period [20,40))
/// W1:      -a-b-----c--|(20)
/// W2:                             d--E--|(55)
/// ```
/// - Periods are `[t0 + k*d, t0 + (k+1)*d)`, `t0` being the time of the first `next()` of the
///   outer stream. The outer stream emits a `time_window<S>` when the first value of a period
///   arrives (**an empty period emits nothing**); the window is a stream of that value and of
///   every later value of the same period, each as soon as it arrives, and ends at the end of
///   the period (exactly at the boundary on `sim_runtime`) or when the source ends.
/// - **Output timestamp: the values' own** (they pass unchanged, with no delay).
/// - Errors: an error that arrives while a window is being read goes into that window (in order
///   with its values); one that arrives between windows, or in the skipped rest of a period,
///   goes to the outer stream. Neither ends anything. The outer stream ends when the source
///   ends.
/// - Consumption: the outer stream and its windows share one input and are consumed by one
///   task, one `next()` at a time (read a window, then ask for the next one). Asking the outer
///   stream for the next window closes the current one: the rest of its period is skipped (its
///   values are dropped, and no second window opens for that period). Two `next()` calls in
///   flight at once (outer and window, in different tasks) is a programming error: it panics.
/// - Buffering: one head; nothing is copied. One allocation for the shared state.
/// - `d <= 0`: the stream yields one `errc::invalid_argument` error and ends.
#pragma once
#include <atomic>
#include <cstdint>
#include <optional>
#include <utility>

#include "eddy/core/detail/chrono.hpp"
#include "eddy/stream/detail/timed.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

template <class S>
class time_window;
template <class S>
class window_time_stream;

namespace detail {

/// The state shared by the outer stream and its windows. Used by one `next()` at a time.
template <class S>
class window_state final : public port_hub {
 public:
  using T = stream_value_t<S>;
  window_state(S s, duration period) : port_hub(&destroy), up(std::move(s)), d(period) {}

  port<S> up;
  duration d;
  std::optional<item<T>> head;
  time_point arrival{};
  bool ended = false;
  bool started = false;
  time_point t0{};
  std::uint64_t id = 0;  ///< the current window (0: none yet)
  bool open = false;     ///< the current window is open
  time_point end{};      ///< the end of the current window's period
  std::atomic<bool> busy{false};

  bool fill() {
    if (head) return true;
    if (ended) return false;
    head_visitor<T> hv{head, ended};
    if (up.poll(*this, *this, hv) && !ended) arrival = up.from_pump() ? up.arrival() : now();
    return head.has_value();
  }
  item<T> take() {
    item<T> r = std::move(*head);
    head.reset();
    return r;
  }
  time_point period_end(time_point t) const noexcept { return next_period(t0, d, t); }

  /// Marks a `next()` in flight (panics on a second one).
  struct busy_scope {
    window_state* s;
    explicit busy_scope(window_state* st) : s(st) {
      bool waiting = false;
      {
        lock_guard<spin_lock> g(s->lock);
        waiting = static_cast<bool>(s->consumer);
      }
      if (waiting || s->busy.exchange(true, std::memory_order_acquire)) {
        panic(
            "eddy::window_time: the outer stream and its windows must be consumed one next() at a "
            "time");
      }
    }
    ~busy_scope() { s->busy.store(false, std::memory_order_release); }
  };

 private:
  static void destroy(shared_block* b) noexcept { delete static_cast<window_state*>(b); }
};

}  // namespace detail

/// One window of `window_time`: a stream of the values (and errors) of one period.
template <class S>
class time_window : public detail::hub_stage<time_window<S>> {
  using state = detail::window_state<S>;

 public:
  /// The type of the values of the window.
  using value_type = stream_value_t<S>;

  /// Move; only while no `next()` is in flight.
  time_window(time_window&& o) noexcept
      : time_window::hub_stage(std::move(o)), s_(std::exchange(o.s_, nullptr)), id_(o.id_) {}
  /// Move assignment (releases this window first); only while no `next()` is in flight.
  time_window& operator=(time_window&& o) noexcept {
    if (this != &o) {
      if (s_) s_->release();
      s_ = std::exchange(o.s_, nullptr);
      id_ = o.id_;
    }
    return *this;
  }
  time_window(const time_window&) = delete;
  ~time_window() {
    if (s_) s_->release();
  }

 private:
  friend class window_time_stream<S>;
  friend struct detail::hub_access;
  time_window(state* s, std::uint64_t id) noexcept : s_(s), id_(id) { s_->add_ref(); }

  detail::port_hub* hub() const noexcept { return s_; }
  bool deadline(time_point& t) const noexcept {
    if (!live()) return false;
    t = s_->end;
    return true;
  }
  bool live() const noexcept { return s_ && s_->id == id_ && s_->open; }

  template <class V>
  bool produce(V& v) {
    if (!live()) {
      v.end();
      return true;
    }
    typename state::busy_scope busy(s_);
    if (s_->fill()) {
      if (s_->arrival >= s_->end) return close(v);
      detail::visit_result(std::optional<item<value_type>>(s_->take()), v);
      return true;
    }
    if (s_->ended || now() >= s_->end) return close(v);
    return false;
  }
  template <class V>
  bool close(V& v) {
    s_->open = false;
    v.end();
    return true;
  }

  state* s_;
  std::uint64_t id_;
};

/// The stream of `window_time`: see the file comment and stream/concept.hpp.
template <class S>
class window_time_stream : public detail::hub_stage<window_time_stream<S>> {
  using state = detail::window_state<S>;
  using T = stream_value_t<S>;

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = time_window<S>;

  /// Made by `window_time(...)`.
  window_time_stream(S s, detail::checked_duration d)
      : window_time_stream::hub_stage(d.bad), s_(new state(std::move(s), d.d)) {}
  /// Move; only while no `next()` is in flight (the moved-from stream may only be destroyed
  /// or assigned).
  window_time_stream(window_time_stream&& o) noexcept
      : window_time_stream::hub_stage(std::move(o)), s_(std::exchange(o.s_, nullptr)) {}
  window_time_stream& operator=(window_time_stream&&) = delete;
  ~window_time_stream() {
    if (!s_) return;
    s_->up.stop();
    s_->release();
  }

 private:
  friend struct detail::hub_access;
  detail::port_hub* hub() const noexcept { return s_; }

  template <class V>
  bool produce(V& v) {
    typename state::busy_scope busy(s_);
    if (!s_->started) {
      s_->started = true;
      s_->t0 = now();
    }
    s_->open = false;  // asking for the next window closes the current one
    while (s_->fill()) {
      if (s_->head->is_error()) {
        v.error(s_->take().error());
        return true;
      }
      if (s_->id != 0 && s_->arrival < s_->end) {  // the skipped rest of the current period
        s_->take();
        continue;
      }
      ++s_->id;
      s_->open = true;
      s_->end = s_->period_end(s_->arrival);
      v.value(time_window<S>(s_, s_->id));
      return true;
    }
    if (s_->ended) {
      v.end();
      return true;
    }
    return false;
  }

  state* s_;
};

/// `s | window_time(d)`: see the file comment.
template <class D>
auto window_time(D d) {
  static_assert(detail::is_duration<D>,
                "eddy::window_time: the argument must be a std::chrono::duration (e.g. 100ms)");
  return detail::bind_stream<window_time_stream>(
      detail::checked_duration::make(d, "window_time: duration must be positive"));
}

}  // namespace eddy
