// SPDX-License-Identifier: BSL-1.0
/// \file
/// `switch_map(f)`: maps each value to an inner stream and follows only the newest one.
///
/// ```
/// source:  --a---------b-------|
/// f(a):      --1--2--3--4          (cancelled when b comes)
/// f(b):                --5--6--|
///          switch_map(f)
/// output:  ----1--2--3---5--6--|
/// ```
/// - `f(value)` returns a stream; its items (values and errors) are emitted until the next
///   outer value arrives: then the current inner stream is **cancelled** (its pump is aborted,
///   so a `next()` in flight is destroyed at its suspension point; an item it had already
///   delivered but not emitted is dropped) and the new one followed.
/// - Order: items of the current inner stream that are available now go first; the outer
///   stream is asked only when the inner has nothing available. So a synchronous inner stream
///   is emitted whole before the next outer value is looked at, and values that an outer
///   stream gives all at once switch straight to the last one's inner stream (as in Rx).
/// - **Output timestamp: the inner items' own** (they pass unchanged).
/// - Errors of the outer stream and of the inner one pass through at once. The output ends
///   when the outer stream has ended and the last inner stream has ended. An `f` that throws
///   (exceptions on) gives an `errc::exception` error item.
/// - Buffering: one item per stream. Allocation: one block per inner stream (plus its pump
///   task when it is asynchronous, plus whatever `f` allocates).
#pragma once
#include <utility>

#include "eddy/stream/detail/flatten.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream of `switch_map`: see the file comment and stream/concept.hpp.
template <class S, class F>
class switch_map_stream
    : public detail::flatten_stream<switch_map_stream<S, F>, S, F, detail::one_slot> {
  static_assert(detail::maps_to_stream<F, S>,
                "eddy::switch_map: f(value) must be callable with the stream's value and return a "
                "stream");

 public:
  /// Made by `switch_map(...)`.
  switch_map_stream(S s, F f)
      : switch_map_stream::flatten_stream(std::move(s), std::move(f), nullptr) {}

 private:
  friend struct detail::hub_access;
};

/// `s | switch_map(f)`: see the file comment.
template <class F>
auto switch_map(F f) {
  return detail::bind_stream<switch_map_stream, F>(std::move(f));
}

}  // namespace eddy
