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
#include <cstddef>
#include <utility>
#include <vector>

#include "eddy/core/detail/chrono.hpp"
#include "eddy/stream/detail/batch.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream of `buffer_time`: see the file comment and stream/concept.hpp. Its body is
/// `detail::time_batch` (detail/batch.hpp), shared with `chunks`.
template <class S>
class buffer_time_stream : public detail::time_batch<buffer_time_stream<S>, S> {
  using base = detail::time_batch<buffer_time_stream<S>, S>;

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = typename base::value_type;

  /// Made by `buffer_time(...)`.
  buffer_time_stream(S s, detail::checked_duration d, std::size_t max_count)
      : base(std::move(s), d, max_count, detail::batch_clock::aligned,
             "buffer_time: max_count must be at least 1") {}

 private:
  friend struct detail::hub_access;
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
