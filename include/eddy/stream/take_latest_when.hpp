// SPDX-License-Identifier: BSL-1.0
/// \file
/// `take_latest_when(trigger, pred)`: emits the source's latest value each time the trigger
/// has a value that passes `pred`.
///
/// ```
/// source:  --1--2--------3-----|        (numbers are timestamps)
/// trigger: --------x--y-----z-----|     (pred passes for x and z)
///          source | take_latest_when(trigger, pred)
/// output:  --------2--------3--|
/// ```
/// - `pred(const F& trigger_value) -> bool`. Source values only update the latest value (they
///   are not emitted by themselves). A trigger value that passes emits a copy of the latest
///   source value; nothing if the source has had no value yet. The latest value is kept after
///   it was emitted: two passing triggers in a row emit it twice.
/// - **Output timestamp: the source value's own** (emitted unchanged; not the trigger's).
/// - Order: timestamp order when both value types are `timestamped`, else turns (see
///   detail_hetero.hpp); a source value and a trigger with the same timestamp: the source's
///   goes first (it is listed first), so the trigger sees it.
/// - Errors of either input pass through at once. The output ends when the source or the
///   trigger ends (nothing new could be emitted after either; items already available are
///   taken first). A `pred` that throws gives an `errc::exception` error item.
/// - Buffering: one head per input and the latest source value (copyable).
#pragma once
#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/stream/detail_hetero.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream made by `take_latest_when`: see the file comment and docs/operators.md /
/// docs/operators-multi-input.md for its marbles and its timestamp, error and buffering rules. One
/// consumer, one `next()` at a time, not thread-safe; owns its input(s); movable only while no
/// `next()` is in flight.
template <class S, class F, class Pred>
class take_latest_when_stream {
  using inputs = detail::hetero_inputs<S, F>;

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `take_latest_when(...)`, which validates the arguments (see the file comment); takes
  /// ownership of the input stream(s) and functions.
  take_latest_when_stream(S s, F f, Pred p)
      : in_(std::move(s), std::move(f)), pred_(std::move(p)) {}

  /// The next element: an awaitable of `std::optional<item<value_type>>` (empty at the end).
  /// One `next()` at a time; cancel-safe (see stream/concept.hpp).
  auto next() { return detail::hub_next<take_latest_when_stream>(*this); }
  /// Synchronous fast path (see stream/concept.hpp): when the next element is ready without
  /// suspending, hands it to `v` and returns true; else returns false and consumes nothing.
  template <class V>
  bool try_visit(V& v) {
    return produce(v);
  }

 private:
  friend struct detail::hub_access;
  detail::port_hub* hub() const noexcept { return in_.hub(); }
  bool deadline(time_point&) const noexcept { return false; }
  detail::frame_cache& cache() noexcept { return cache_; }

  template <class V>
  bool produce(V& v) {
    if (done_) {
      v.end();
      return true;
    }
    for (;;) {
      in_.fill();
      const std::size_t i = in_.pick();
      if (i == inputs::none) {
        if (!in_.ended(0) && !in_.ended(1)) return false;
        done_ = true;
        in_.stop_all();
        v.end();
        return true;
      }
      detail::tracking_emitter<V> e{v};
      if (i == 0) {
        auto it = in_.template take<0>();
        if (it.is_error())
          e.error(std::move(it).error());
        else
          latest_ = std::move(it).value();
      } else {
        auto it = in_.template take<1>();
        if (it.is_error()) {
          e.error(std::move(it).error());
        } else if (latest_) {
          auto t = std::move(it).value();
          detail::guarded(
              e, [&] { return static_cast<bool>(pred_(std::as_const(t))); },
              [&](bool pass) {
                if (pass) e.value(value_type(*latest_));
              });
        }
      }
      if (e.emitted) return true;
    }
  }

  inputs in_;
  Pred pred_;
  std::optional<value_type> latest_;
  bool done_ = false;
  detail::frame_cache cache_;
};

namespace detail {
template <class F, class Pred>
struct take_latest_when_closure : pipe_closure {
  F trigger;
  Pred pred;
  template <class A>
  auto apply(A&& a) && {
    using D = std::remove_cvref_t<A>;
    return take_latest_when_stream<D, F, Pred>(D(std::forward<A>(a)), std::move(trigger),
                                               std::move(pred));
  }
};
}  // namespace detail

/// `source | take_latest_when(trigger, pred)`: see the file comment. `trigger` is moved in.
template <class F, class Pred>
  requires stream<F>
auto take_latest_when(F trigger, Pred pred) {
  return detail::take_latest_when_closure<F, Pred>{{}, std::move(trigger), std::move(pred)};
}

}  // namespace eddy
