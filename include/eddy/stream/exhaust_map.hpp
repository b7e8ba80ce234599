// SPDX-License-Identifier: BSL-1.0
/// \file
/// `exhaust_map(f)`: maps a value to an inner stream and, while that inner stream runs,
/// ignores the outer values (as RxJS `exhaustMap`).
///
/// ```
/// source:  --a-----b-----------c---|
/// f(a):      --1--2--3|
/// f(b):                              (dropped: f(a) is live)
/// f(c):                        --4-|
///          exhaust_map(f)
/// output:  ----1--2--3-----------4-|
/// ```
/// - `f(value)` returns a stream; its items (values and errors) are emitted to its end. An
///   outer value that arrives while that inner stream runs is **dropped** (`f` is not called;
///   `dropped()` counts it); the first outer value after the inner's end starts the next inner
///   stream.
/// - **Decided on arrival times**: an outer value is dropped when it arrived before the live
///   inner stream's end arrived, so the result does not depend on when the consumer runs (an
///   outer value and the inner's end both waiting for a late consumer are judged by their
///   times). The outer stream is pulled whenever the inner has no item available now (its
///   available items go first). A value arriving at the very instant the inner ends starts
///   the next inner if the operator sees the end first, which at a tie is up to the runtime
///   (on `sim_runtime`, the seed; see testing-with-sim.md).
/// - **Output timestamp: the inner items' own** (they pass unchanged).
/// - Errors of the outer stream and of the inner one pass through at once (an outer error is
///   never dropped and does not end the inner). The output ends when the outer stream has
///   ended and the live inner stream, if any, has ended. An `f` that throws (exceptions on)
///   gives an `errc::exception` error item.
/// - Buffering: one item per stream (two). Allocation: one block per inner stream started (plus
///   its pump task when it is asynchronous, plus whatever `f` allocates); none for a dropped
///   value.
/// - Destroying the stream aborts the pumps of the outer and the inner stream (an in-flight
///   `next()` of either is destroyed at its suspension point).
#pragma once
#include <cstdint>
#include <utility>

#include "eddy/stream/detail/flatten.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream of `exhaust_map`: see the file comment and stream/concept.hpp.
template <class S, class F>
class exhaust_map_stream
    : public detail::flatten_stream<exhaust_map_stream<S, F>, S, F, detail::exhaust_slot> {
  static_assert(detail::maps_to_stream<F, S>,
                "eddy::exhaust_map: f(value) must be callable with the stream's value and return a "
                "stream");

 public:
  /// Made by `exhaust_map(...)`.
  exhaust_map_stream(S s, F f)
      : exhaust_map_stream::flatten_stream(std::move(s), std::move(f), nullptr) {}

  /// Outer values dropped so far because an inner stream was live. Read it from the task that
  /// consumes the stream (not thread-safe), between `next()` calls.
  std::uint64_t dropped() const noexcept { return this->slot_policy().dropped(); }

 private:
  friend struct detail::hub_access;
};

/// `s | exhaust_map(f)`: see the file comment.
template <class F>
auto exhaust_map(F f) {
  return detail::bind_stream<exhaust_map_stream, F>(std::move(f));
}

}  // namespace eddy
