// SPDX-License-Identifier: BSL-1.0
/// \file
/// `audit(d)`: a value opens a window of `d`; when it closes, the newest value of the window is
/// emitted (RxJS `auditTime`).
///
/// ```
/// As `value@ms` (d = 10; `|` the end):
/// source:     a@0 b@3 c@9 d@13 |@24        source:     a@0 |@2
/// audit(10):  c@10 d@23 |@24               audit(10):  a@10 |@10
/// (c is the newest of [0,10); d opens [13,23). Right: the end waits for a's window.)
/// ```
/// - **Windows.** A value arriving at `t` while no window is open opens `[t, t + d)` and is
///   held; a value arriving inside the window replaces the held one. When the window closes
///   (at `t + d`, on the runtime clock, exactly on `sim_runtime`) the held value is emitted,
///   and no window is open until the next value arrives: a value at exactly `t + d` opens the
///   next window. Decisions use arrival times, so a late consumer gets the same values.
/// - Unlike `throttle(d, throttle_mode::trailing)`, an emission opens no window: the next
///   window starts with the next value, not at the emission (`audit` emits at the end of each
///   value's own window; throttle keeps a grid of back-to-back windows while values come).
/// - **Output timestamp: the value's own** (values pass unchanged).
/// - Errors pass through at once; they open no window and neither replace nor drop the held
///   value.
/// - The end: a held value is emitted when its window closes, then the end (a rate limit holds
///   to the end); with nothing held the end comes at once. With a huge `d` (`hours::max()`:
///   "never") a held value is never emitted and the stream does not end.
/// - Buffering: the held value and one head (a pump pulls an asynchronous upstream, a timer
///   runs while a value is held; the machinery is shared with `throttle(d, mode)`, see
///   detail/rate_window.hpp). A synchronous upstream is pulled directly.
/// - `d <= 0`: the stream yields one `errc::invalid_argument` error and ends.
#pragma once
#include <utility>

#include "eddy/core/detail/chrono.hpp"
#include "eddy/stream/detail/rate_window.hpp"
#include "eddy/stream/detail/timed.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream of `audit`: see the file comment and stream/concept.hpp.
template <class S>
class audit_stream : public detail::rate_window_stream<S> {
 public:
  /// Made by `audit(d)`.
  audit_stream(S s, detail::checked_duration d)
      : detail::rate_window_stream<S>(std::move(s), d, {false, true, false}, nullptr) {}
};

/// `s | audit(d)`: see the file comment.
template <class D>
auto audit(D d) {
  static_assert(detail::is_duration<D>,
                "eddy::audit: the argument must be a std::chrono::duration (e.g. 100ms)");
  return detail::bind_stream<audit_stream>(
      detail::checked_duration::make(d, "audit: duration must be positive"));
}

}  // namespace eddy
