// SPDX-License-Identifier: BSL-1.0
/// \file
/// `chunks(n, d)`: collects values into a `std::vector` and emits it when it holds `n` values
/// or when `d` has passed since its first value, whichever comes first (Kotlin `chunked` with a
/// time limit, Swift `chunks(ofCount:or:)`).
///
/// ```
/// source:  a(2) b(4) c(6)  d(20)  E(30)  e(36)  f(50)  |(60)     (x(t): x arrives at t ms)
///          chunks(3, 15ms)
/// output:  [a,b,c](6)  E(30)  [d](35)  [e,f](51)  |(60)
/// ```
/// (`c` fills the first chunk; `d` starts one due at 35, through which the error passes; `e`
/// arrives after that deadline and starts the next chunk, due at 51.)
/// - **The timer starts at the first value of a chunk**: a chunk whose first value arrives at
///   `t` is emitted at `t + d` (exactly, on `sim_runtime`; or when the consumer next asks, if
///   later) unless it fills to `n` values first, in which case it is emitted at once with its
///   `n`-th value. The next chunk starts with the next value, so **an empty chunk never
///   emits** and there is no timer while no value is held. A value arriving exactly at `t + d`
///   belongs to the next chunk. Decisions use the values' arrival times.
/// - **Output timestamp: none of its own** (the vector holds the values unchanged, with their
///   own timestamps if they have any).
/// - **Errors pass through at once and keep the partial chunk** and its deadline (as in
///   `buffer_time`; unlike `window_by_count`, which drops its partial window on an error).
/// - **The end** of the source emits a non-empty partial chunk at once, then the end.
/// - Buffering: at most `n` values (one vector allocation per chunk) and one head. The upstream
///   is pulled by a pump while the operator waits for a deadline (see detail/port.hpp).
/// - Shares its body with `buffer_time` (detail/batch.hpp), which emits on a fixed grid of
///   periods instead. `chunks(n, duration::max())` is `window_by_count(n)` but keeps the
///   partial chunk on an error.
/// - `n <= 0` or `d <= 0`: the stream yields one `errc::invalid_argument` error and ends.
#pragma once
#include <concepts>
#include <cstddef>
#include <limits>
#include <utility>
#include <vector>

#include "eddy/core/detail/chrono.hpp"
#include "eddy/stream/detail/batch.hpp"
#include "eddy/stream/detail/count.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream of `chunks`: see the file comment and stream/concept.hpp. Its body is
/// `detail::time_batch` (detail/batch.hpp), shared with `buffer_time`.
template <class S>
class chunks_stream : public detail::time_batch<chunks_stream<S>, S> {
  using base = detail::time_batch<chunks_stream<S>, S>;

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = typename base::value_type;

  /// Made by `chunks(...)`.
  chunks_stream(S s, detail::checked_count n, detail::checked_duration d)
      : base(std::move(s), d, clamp(n.n), detail::batch_clock::from_first,
             "chunks: count must be at least 1") {
    this->reject(n.bad);
  }

 private:
  friend struct detail::hub_access;
  static std::size_t clamp(std::uint64_t n) noexcept {
    constexpr std::uint64_t m = std::numeric_limits<std::size_t>::max();
    return static_cast<std::size_t>(n < m ? n : m);
  }
};

/// `s | chunks(n, d)`: see the file comment.
template <std::integral I, class D>
auto chunks(I n, D d) {
  static_assert(detail::is_duration<D>,
                "eddy::chunks: the second argument must be a std::chrono::duration (e.g. 100ms)");
  return detail::bind_stream<chunks_stream>(
      detail::checked_count::make(n, "chunks: negative count", "chunks: count must be at least 1"),
      detail::checked_duration::make(d, "chunks: duration must be positive"));
}

}  // namespace eddy
