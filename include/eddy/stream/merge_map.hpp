// SPDX-License-Identifier: BSL-1.0
/// \file
/// `merge_map(f, limit)`: maps each value to an inner stream and merges up to `limit` inner
/// streams at once, in arrival order.
///
/// ```
/// source:  --a--b-----------c----|
/// f(a):      --1-----2--|
/// f(b):         --3--------4--|
/// f(c):                     --5--|
///          merge_map(f, 2)
/// output:  ----1--3--2-----4--5--|
/// ```
/// - `f(value)` returns a stream. At most `limit` inner streams run at once: while `limit` are
///   live the outer stream is not pulled (backpressure); when one ends, the next outer value is
///   taken. Inner items are emitted as they become available, the live inner streams taking
///   turns (round robin); the outer stream is asked only when no inner stream has an item now.
/// - Ties: when several inner streams have an item at the same instant, the one started first
///   goes first (as in RxJS): each time the operator found nothing available, the turns start
///   again at the oldest live inner stream.
/// - **Output timestamp: the inner items' own** (they pass unchanged).
/// - Errors of the outer stream and of every inner one pass through at once. The output ends
///   when the outer stream and every inner stream have ended. An `f` that throws (exceptions
///   on) gives an `errc::exception` error item.
/// - Buffering: one item per stream (at most `limit + 1`). Allocation: the slots once, then one
///   block per inner stream (plus its pump task when asynchronous, plus whatever `f` does).
/// - `limit <= 0`: the stream yields one `errc::invalid_argument` error and ends.
#pragma once
#include <cstddef>
#include <utility>

#include "eddy/stream/detail/count.hpp"
#include "eddy/stream/detail/flatten.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream of `merge_map`: see the file comment and stream/concept.hpp.
template <class S, class F>
class merge_map_stream
    : public detail::flatten_stream<merge_map_stream<S, F>, S, F, detail::n_slots> {
  static_assert(detail::maps_to_stream<F, S>,
                "eddy::merge_map: f(value) must be callable with the stream's value and return a "
                "stream");

 public:
  /// Made by `merge_map(...)`.
  merge_map_stream(S s, F f, detail::checked_count limit)
      : merge_map_stream::flatten_stream(std::move(s), std::move(f), limit.bad,
                                         static_cast<std::size_t>(limit.bad ? 0 : limit.n)) {}

 private:
  friend struct detail::hub_access;
};

/// `s | merge_map(f, limit)`: see the file comment.
template <class F, std::integral I>
auto merge_map(F f, I limit) {
  return detail::bind_stream<merge_map_stream, F>(
      std::move(f), detail::checked_count::make(limit, "merge_map: negative limit",
                                                "merge_map: limit must be at least 1"));
}

}  // namespace eddy
