// SPDX-License-Identifier: BSL-1.0
/// \file
/// `sample(d)`: at the end of every period of length `d`, emits the latest value that arrived
/// during that period, if any.
///
/// ```
/// time:    0    10   20   30   40   50
/// source:  -a-b-----c------------d--|      (d = 20: periods [0,20) [20,40) [40,60))
///          sample(20)
/// output:  ----------c(20)-----------|      (nothing at 40: [20,40) was empty;
///                                            d is dropped by the end at 55)
/// ```
/// - Periods are `[t0 + k*d, t0 + (k+1)*d)`, `t0` being the time of the first `next()` (or
///   synchronous pull). A value belongs to the period of its arrival time (a value arriving
///   exactly at a boundary belongs to the next period). At the end of a period that had a
///   value, its latest value is emitted (at the boundary, exactly on `sim_runtime`; later if
///   the consumer asks later). A period without a value emits nothing.
/// - **Output timestamp: the value's own** (the sampled value passes unchanged).
/// - Errors pass through at once and do not affect the latest value.
/// - At the end of the source the pending value is **dropped** (nothing is sampled after the
///   end) and the end comes at once. A period that closes at the very instant the source ends
///   is still sampled (decided on arrival times, so the tie does not depend on scheduling).
/// - Buffering: the latest value and one head.
/// - `d <= 0`: the stream yields one `errc::invalid_argument` error and ends.
#pragma once
#include <optional>
#include <utility>

#include "eddy/core/detail/chrono.hpp"
#include "eddy/stream/detail/timed.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream of `sample`: see the file comment and stream/concept.hpp.
template <class S>
class sample_stream : public detail::hub_stage<sample_stream<S>> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `sample(...)`.
  sample_stream(S s, detail::checked_duration d)
      : sample_stream::hub_stage(d.bad), in_(std::move(s)), d_(d.d) {}

 private:
  friend struct detail::hub_access;
  detail::port_hub* hub() const noexcept { return in_.hub(); }
  bool deadline(time_point& t) const noexcept {
    if (!latest_) return false;
    t = tick_;
    return true;
  }

  template <class V>
  bool produce(V& v) {
    if (!started_) {
      started_ = true;
      tick_ = saturating_add(now(), d_);
    }
    for (;;) {
      if (in_.fill()) {
        const time_point t = in_.arrival();
        if (t >= tick_) {
          if (latest_) return emit_now(v);
          tick_ = detail::next_period(tick_, d_, t);  // skip the empty periods
        }
        auto it = in_.take();
        if (it.is_error()) {
          v.error(std::move(it).error());
          return true;
        }
        latest_.emplace(std::move(it).value());
        continue;
      }
      if (in_.ended()) {
        // A period that closed no later than the end is still sampled (exact at a tie).
        if (latest_ && in_.arrival() >= tick_) return emit_now(v);
        latest_.reset();
        v.end();
        return true;
      }
      if (latest_ && now() >= tick_) return emit_now(v);
      return false;
    }
  }
  template <class V>
  bool emit_now(V& v) {
    value_type x = std::move(*latest_);
    latest_.reset();
    tick_ = saturating_add(tick_, d_);
    v.value(std::move(x));
    return true;
  }

  detail::timed_input<S> in_;
  duration d_;
  bool started_ = false;
  time_point tick_{};  ///< the end of the current period
  std::optional<value_type> latest_;
};

/// `s | sample(d)`: see the file comment.
template <class D>
auto sample(D d) {
  static_assert(detail::is_duration<D>,
                "eddy::sample: the argument must be a std::chrono::duration (e.g. 100ms)");
  return detail::bind_stream<sample_stream>(
      detail::checked_duration::make(d, "sample: duration must be positive"));
}

}  // namespace eddy
