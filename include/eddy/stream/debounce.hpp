// SPDX-License-Identifier: BSL-1.0
/// \file
/// `debounce(d)`: emits a value only once `d` has passed without a newer value (trailing).
///
/// ```
/// time:    0    10   20   30   40   50   60   70
/// source:  a----b---------c---------------d--|       (d = 15)
///          debounce(15)
/// output:  ----------b(25)-----c(45)---------d(70)|   (d is flushed at the end, at once)
/// ```
/// - A value `v` arriving at `t` becomes the pending value, due at `t + d`; a newer value
///   arriving before `t + d` replaces it (and restarts the wait). A value arriving at exactly
///   `t + d` does not: the pending one is emitted first (it was quiet for `d`). Decisions use
///   the values' arrival times, so the output is exact even if the consumer runs late.
/// - **Output timestamp: the value's own** (values pass unchanged); it is emitted at `t + d`
///   on the runtime clock (exactly, on `sim_runtime`), or when the consumer next asks if later.
/// - Errors pass through at once; they neither restart the wait nor discard the pending value.
/// - At the end of the source the pending value, if any, is emitted at once, then the end.
/// - Buffering: the pending value and one head. The upstream is pulled by a pump while the
///   operator waits for the deadline (see detail/port.hpp); a synchronous upstream is pulled
///   directly (all its values arrive at the same instant, so only the last is emitted).
/// - `d <= 0`: the stream yields one `errc::invalid_argument` error and ends.
#pragma once
#include <chrono>
#include <optional>
#include <utility>

#include "eddy/stream/detail/timed.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream of `debounce`: see the file comment and stream/concept.hpp.
template <class S>
class debounce_stream : public detail::hub_stage<debounce_stream<S>> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `debounce(...)`.
  debounce_stream(S s, detail::checked_duration d)
      : debounce_stream::hub_stage(d.bad), in_(std::move(s)), d_(d.d) {}

 private:
  friend struct detail::hub_access;
  detail::port_hub* hub() const noexcept { return in_.hub(); }
  bool deadline(time_point& t) const noexcept {
    if (!pending_) return false;
    t = due_;
    return true;
  }

  template <class V>
  bool produce(V& v) {
    for (;;) {
      if (in_.fill()) {
        if (pending_ && in_.arrival() >= due_) return flush(v);
        auto it = in_.take();
        if (it.is_error()) {
          v.error(std::move(it).error());
          return true;
        }
        pending_.emplace(std::move(it).value());
        due_ = saturating_add(in_.arrival(), d_);
        continue;
      }
      if (in_.ended()) {
        if (pending_) return flush(v);
        v.end();
        return true;
      }
      if (pending_ && now() >= due_) return flush(v);
      return false;
    }
  }
  template <class V>
  bool flush(V& v) {
    value_type x = std::move(*pending_);
    pending_.reset();
    v.value(std::move(x));
    return true;
  }

  detail::timed_input<S> in_;
  duration d_;
  std::optional<value_type> pending_;
  time_point due_{};
};

/// `s | debounce(d)`: see the file comment.
template <class D>
auto debounce(D d) {
  static_assert(detail::is_duration<D>,
                "eddy::debounce: the argument must be a std::chrono::duration (e.g. 100ms)");
  return detail::bind_stream<debounce_stream>(
      detail::checked_duration::make(d, "debounce: duration must be positive"));
}

}  // namespace eddy
