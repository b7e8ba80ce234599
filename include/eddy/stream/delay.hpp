// SPDX-License-Identifier: BSL-1.0
/// \file
/// `delay(d)`: shifts every value later by `d`, keeping their order.
///
/// ```
/// time:    0    10   20   30   40   50
/// source:  a----b--E------c--|             (d = 25; the source ends at 35)
///          delay(25)
/// output:  --------E-a----b-------c|       (a at 25, b at 35, c at 55, the end right after c)
/// ```
/// - A value arriving at `t` (when the pump received it, or `now()` for a synchronous answer)
///   is emitted at `t + d` on the runtime clock (exactly, on `sim_runtime`; later only if the
///   consumer asks later). Values keep their order.
/// - **Output timestamp: the value's own** (values pass unchanged, only later).
/// - Errors pass through at once (ahead of values still being delayed).
/// - The end comes right after the last delayed value: never earlier, and not later than that
///   (or than the source's own end, when the source ends after the last value is due).
/// - Buffering: at most `max_pending` values wait (default 1024, one ring allocated at
///   construction). While the ring is full the source is not pulled (backpressure): a value
///   that could not be taken yet "arrives" when it is taken.
/// - `d <= 0` or `max_pending == 0`: the stream yields one `errc::invalid_argument` error and
///   ends.
#pragma once
#include <cstddef>
#include <optional>
#include <utility>

#include "eddy/core/detail/chrono.hpp"
#include "eddy/stream/detail/timed.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream of `delay`: see the file comment and stream/concept.hpp.
template <class S>
class delay_stream : public detail::hub_stage<delay_stream<S>> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `delay(...)`.
  delay_stream(S s, detail::checked_duration d, std::size_t max_pending)
      : delay_stream::hub_stage(d.bad), in_(std::move(s)), d_(d.d) {
    if (max_pending == 0) this->reject("delay: max_pending must be at least 1");
    if (!this->rejected_args()) q_ = detail::item_ring<entry>(max_pending);
  }

 private:
  struct entry {
    value_type v;
    time_point due;
  };
  friend struct detail::hub_access;
  detail::port_hub* hub() const noexcept { return in_.hub(); }
  bool deadline(time_point& t) noexcept {
    if (q_.empty()) return false;
    t = q_.front().due;
    return true;
  }

  template <class V>
  bool produce(V& v) {
    while (!q_.full() && in_.fill()) {
      auto it = in_.take();
      if (it.is_error()) {
        v.error(std::move(it).error());
        return true;
      }
      q_.push(entry{std::move(it).value(), saturating_add(in_.arrival(), d_)});
    }
    if (!q_.empty()) {
      if (now() < q_.front().due) return false;
      v.value(q_.pop().v);
      return true;
    }
    if (in_.ended()) {
      v.end();
      return true;
    }
    return false;
  }

  detail::timed_input<S> in_;
  duration d_;
  detail::item_ring<entry> q_;
};

/// `s | delay(d)` / `s | delay(d, max_pending)`: see the file comment.
template <class D>
auto delay(D d, std::size_t max_pending = 1024) {
  static_assert(detail::is_duration<D>,
                "eddy::delay: the argument must be a std::chrono::duration (e.g. 100ms)");
  return detail::bind_stream<delay_stream>(
      detail::checked_duration::make(d, "delay: duration must be positive"), max_pending);
}

}  // namespace eddy
