// SPDX-License-Identifier: BSL-1.0
/// \file
/// `throttle(d)` and `throttle(d, mode)`: at most one value per window of `d`.
///
/// ```
/// time:    0    10   20   30   40   50
/// source:  a--b------c----d----e--f--|      (d = 20; arrivals at 0, 5, 15, 20, 30, 40, 45)
///          throttle(20)  (= throttle(20, throttle_mode::leading))
/// output:  a------------- d--------f--|     (d at exactly 0 + 20 is accepted; f at 40 too)
///
/// The modes with a held value, as `value@ms` (d = 10; `|` the end):
/// source:                                a@0 b@3 c@9  d@22 |@25
/// throttle(10, throttle_mode::trailing):  c@10 d@32 |@32
/// throttle(10, throttle_mode::latest):    a@0 c@10 d@22 |@25
/// (trailing: c is the last of [0,10) and opens [10,20), which stays empty; d opens [22,32) and
///  holds the end until 32. latest: a at once; c closes [0,10); d at once, nothing held.)
/// ```
/// - **Windows.** After a value emitted at `t` (runtime clock), `[t, t + d)` is a window; a
///   value at exactly `t + d` is no longer in it. The modes:
///   - `leading` (`throttle(d)`): a value outside a window is emitted at once and opens one;
///     values inside it are dropped.
///   - `trailing`: a value outside a window opens one `[t, t + d)` and is held; a value inside
///     replaces the held one; when the window closes the held value is emitted (at the
///     window's end) and opens the next window. A window that closes with nothing held opens
///     none. (RxJS `throttleTime(d, s, {leading: false, trailing: true})`.)
///   - `latest` (leading and trailing): a value outside a window is emitted at once and opens
///     one; the newest value that arrived inside it is emitted when it closes and opens the
///     next. (RxJS `{leading: true, trailing: true}`.)
///   Decisions use arrival times (exact on `sim_runtime`; a late consumer gets the same values).
/// - **Output timestamp: the value's own** (values pass unchanged).
/// - Errors pass through at once; they open no window and neither replace nor drop the held
///   value.
/// - The end: `leading` passes it on at once. `trailing` and `latest` emit a held value when its
///   window closes, then end (a rate limit holds to the end); with nothing held, the end comes
///   at once. With a huge `d` (`hours::max()`: "never") a held value is never emitted and the
///   stream does not end.
/// - Buffering: `throttle(d)` none: a stage (no pump, no timer), synchronous when the upstream
///   is. `throttle(d, mode)` the held value and one head (the machinery of the time operators:
///   a pump for an asynchronous upstream, a timer while a value is held; shared with `audit`,
///   see detail/rate_window.hpp); it gives the same output as `throttle(d)` for `leading`.
/// - `d <= 0`, or a `mode` that is none of the three: the stream yields one
///   `errc::invalid_argument` error and ends.
#pragma once
#include <optional>
#include <utility>

#include "eddy/core/detail/chrono.hpp"
#include "eddy/stream/detail/rate_window.hpp"
#include "eddy/stream/detail/timed.hpp"
#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// Which values of a window `throttle(d, mode)` emits (see throttle.hpp's file comment).
enum class throttle_mode : unsigned char {
  leading,   ///< the first value, at once; the others of its window are dropped (`throttle(d)`)
  trailing,  ///< the newest value of each window, when the window closes
  latest,    ///< the first value at once, and the newest of the rest when the window closes
};

/// The stream of `throttle(d)`: see the file comment and stream/concept.hpp.
template <class S>
class throttle_stream : public detail::stage<throttle_stream<S>, S> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `throttle(...)`.
  throttle_stream(S s, detail::checked_duration d)
      : throttle_stream::stage(std::move(s)), d_(d.d), check_(d.bad) {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = false;
  template <class E>
  void pre(E& e) {
    if (check_.bad()) check_.report(e);
  }
  template <class E>
  void on_value(value_type&& v, E& e) {
    const time_point t = now();
    if (open_ && t < until_) return;
    open_ = true;
    until_ = saturating_add(t, d_);
    e.value(std::move(v));
  }

  duration d_;
  detail::arg_check check_;
  bool open_ = false;  ///< a window is (or was) open; `until_` is its end
  time_point until_{};
};

/// The stream of `throttle(d, mode)`: see the file comment and stream/concept.hpp.
template <class S>
class throttle_window_stream : public detail::rate_window_stream<S> {
 public:
  /// Made by `throttle(d, mode)`.
  throttle_window_stream(S s, detail::checked_duration d, throttle_mode mode)
      : detail::rate_window_stream<S>(std::move(s), d, rule(mode), bad_mode(mode)) {}

 private:
  static detail::rate_window_rule rule(throttle_mode m) noexcept {
    return {m != throttle_mode::trailing, m != throttle_mode::leading, true};
  }
  static const char* bad_mode(throttle_mode m) noexcept {
    const bool ok =
        m == throttle_mode::leading || m == throttle_mode::trailing || m == throttle_mode::latest;
    return ok ? nullptr : "throttle: unknown throttle_mode";
  }
};

/// `s | throttle(d)`: see the file comment.
template <class D>
auto throttle(D d) {
  static_assert(detail::is_duration<D>,
                "eddy::throttle: the argument must be a std::chrono::duration (e.g. 100ms)");
  return detail::bind_stream<throttle_stream>(
      detail::checked_duration::make(d, "throttle: duration must be positive"));
}

/// `s | throttle(d, mode)`: see the file comment.
template <class D>
auto throttle(D d, throttle_mode mode) {
  static_assert(detail::is_duration<D>,
                "eddy::throttle: the argument must be a std::chrono::duration (e.g. 100ms)");
  return detail::bind_stream<throttle_window_stream>(
      detail::checked_duration::make(d, "throttle: duration must be positive"), mode);
}

}  // namespace eddy
