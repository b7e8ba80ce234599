// SPDX-License-Identifier: BSL-1.0
/// \file
/// `buffer_time(d)`: collects the values of each period of length `d` into a `std::vector`.
///
/// ```
/// time:    0    10   20   30   40   50   60
/// source:  -a-b-----c------------d--E-----|     (d = 20: periods [0,20) [20,40) [40,60) ...)
///          buffer_time(20)
/// output:  --------------[a,b,c](20)-E---[d](60)|   (the E passes at once; [20,40) was empty)
/// ```
/// - Periods are `[t0 + k*d, t0 + (k+1)*d)`, `t0` being the time of the first `next()` (or
///   synchronous pull). A value belongs to the period of its arrival time (exactly at a
///   boundary: the next period). At the end of a period that had values, the vector of them is
///   emitted (at the boundary, exactly on `sim_runtime`); **an empty period emits nothing**.
/// - `max_count` (default 1024) bounds a buffer: a buffer that reaches it is emitted at once
///   and the period goes on with an empty buffer.
/// - **Output timestamp: none of its own**: the vector holds the values unchanged (with their
///   own timestamps, if they have any); it is emitted at the end of its period.
/// - Errors pass through at once; the values buffered so far are kept. At the end of the
///   source a non-empty buffer is emitted at once, then the end.
/// - Buffering: at most `max_count` values; one vector allocation per emitted buffer.
/// - `d <= 0` or `max_count == 0`: the stream yields one `errc::invalid_argument` error and
///   ends.
#pragma once
#include <chrono>
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "eddy/stream/detail/timed.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream of `buffer_time`: see the file comment and stream/concept.hpp.
template <class S>
class buffer_time_stream : public detail::hub_stage<buffer_time_stream<S>> {
  using T = stream_value_t<S>;

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = std::vector<T>;

  /// Made by `buffer_time(...)`.
  buffer_time_stream(S s, detail::checked_duration d, std::size_t max_count)
      : buffer_time_stream::hub_stage(d.bad), in_(std::move(s)), d_(d.d), max_(max_count) {
    if (max_count == 0) this->reject("buffer_time: max_count must be at least 1");
  }

 private:
  friend struct detail::hub_access;
  detail::port_hub* hub() const noexcept { return in_.hub(); }
  bool deadline(time_point& t) const noexcept {
    if (buf_.empty()) return false;
    t = end_;
    return true;
  }

  template <class V>
  bool produce(V& v) {
    if (!started_) {
      started_ = true;
      end_ = saturating_add(now(), d_);
    }
    for (;;) {
      if (in_.fill()) {
        const time_point t = in_.arrival();
        if (t >= end_) {
          if (!buf_.empty()) return emit_now(v);
          end_ = detail::next_period(end_, d_, t);  // skip the empty periods
        }
        auto it = in_.take();
        if (it.is_error()) {
          v.error(std::move(it).error());
          return true;
        }
        if (buf_.empty()) buf_.reserve(max_ < 16 ? max_ : 16);
        buf_.push_back(std::move(it).value());
        if (buf_.size() == max_) {
          v.value(std::exchange(buf_, value_type{}));
          return true;
        }
        continue;
      }
      if (in_.ended()) {
        if (!buf_.empty()) {
          v.value(std::exchange(buf_, value_type{}));
          return true;
        }
        v.end();
        return true;
      }
      if (!buf_.empty() && now() >= end_) return emit_now(v);
      return false;
    }
  }
  template <class V>
  bool emit_now(V& v) {
    end_ = saturating_add(end_, d_);
    v.value(std::exchange(buf_, value_type{}));
    return true;
  }

  detail::timed_input<S> in_;
  duration d_;
  std::size_t max_;
  bool started_ = false;
  time_point end_{};  ///< the end of the current period
  value_type buf_;
};

/// `s | buffer_time(d)` / `s | buffer_time(d, max_count)`: see the file comment.
template <class D>
auto buffer_time(D d, std::size_t max_count = 1024) {
  static_assert(detail::is_duration<D>,
                "eddy::buffer_time: the argument must be a std::chrono::duration (e.g. 100ms)");
  return detail::bind_stream<buffer_time_stream>(
      detail::checked_duration::make(d, "buffer_time: duration must be positive"), max_count);
}

}  // namespace eddy
