// SPDX-License-Identifier: BSL-1.0
/// \file
/// `throttle(d)`: emits a value, then ignores values for `d` (leading).
///
/// ```
/// time:    0    10   20   30   40   50
/// source:  a--b------c----d----e--f--|      (d = 20; arrivals at 0, 5, 15, 20, 30, 40, 45)
///          throttle(20)
/// output:  a------------- d--------f--|     (d at exactly 0 + 20 is accepted; f at 40 too)
/// ```
/// - After a value emitted at `t` (runtime clock, `now()` when the value passes), values in
///   `[t, t + d)` are dropped; a value at exactly `t + d` or later is emitted and starts a new
///   window. The first value is always emitted.
/// - **Output timestamp: the value's own** (values pass unchanged).
/// - Errors pass through at once and do not open or close a window. The end passes through.
/// - Buffering: none. A stage (no pump, no timer): synchronous when the upstream is.
/// - `d <= 0`: the stream yields one `errc::invalid_argument` error and ends.
#pragma once
#include <chrono>
#include <optional>
#include <utility>

#include "eddy/stream/detail/timed.hpp"
#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The stream of `throttle`: see the file comment and stream/concept.hpp.
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

/// `s | throttle(d)`: see the file comment.
template <class D>
auto throttle(D d) {
  static_assert(detail::is_duration<D>,
                "eddy::throttle: the argument must be a std::chrono::duration (e.g. 100ms)");
  return detail::bind_stream<throttle_stream>(
      detail::checked_duration::make(d, "throttle: duration must be positive"));
}

}  // namespace eddy
