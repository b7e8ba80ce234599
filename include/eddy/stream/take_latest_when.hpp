// SPDX-License-Identifier: BSL-1.0
/// \file
/// `take_latest_when(trigger, pred)`: emits the source's latest value each time the trigger
/// has a value that passes `pred`.
///
/// ```
/// source:  --1--2--------3-----|        (at t = 1, 2, 6)
/// trigger: --------x--y-----z-----|     (at t = 4, 5, 7; pred passes for x and z)
///          source | take_latest_when(trigger, pred)
/// output:  --------2--------3--|        (2 stamped 4, 3 stamped 7: the triggers' times)
/// ```
/// - `pred(const F& trigger_value) -> bool`. Source values only update the latest value (they
///   are not emitted by themselves). A trigger value that passes emits a copy of the latest
///   source value; nothing if the source has had no value yet. The latest value is kept after
///   it was emitted: two passing triggers in a row emit it twice.
/// - **Output timestamp: the trigger's.** When both value types are `timestamped` (with a
///   common timestamp type), the emitted copy is re-stamped with the passing trigger's
///   timestamp (`restamp`, see stream/timestamp.hpp), so the output never goes backwards in
///   time and merges downstream in order; a timestamped source type without `restamp` is a
///   compile-time error. Otherwise (plain values, or a trigger with no timestamp) the copy is
///   emitted unchanged.
/// - Order: timestamp order when both value types are `timestamped`, else turns (see
///   detail/hetero.hpp); a source value and a trigger with the same timestamp: the source's
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

#include "eddy/stream/detail/gate.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream of `take_latest_when`: see the file comment and stream/concept.hpp.
template <class S, class F, class Pred>
class take_latest_when_stream : public detail::gate_stage<take_latest_when_stream<S, F, Pred>, S, F,
                                                          detail::gate_end::either> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;
  static_assert(!detail::restamps<value_type, stream_value_t<F>> || restampable<value_type>,
                "eddy::take_latest_when: the source's value type is timestamped, and a value "
                "emitted because of a trigger takes the trigger's timestamp: give the type a "
                "member `void restamp(timestamp_t<T>)` (see eddy/stream/timestamp.hpp)");

  /// Made by `take_latest_when(...)`.
  take_latest_when_stream(S s, F f, Pred p)
      : take_latest_when_stream::gate_stage(std::move(s), std::move(f)), pred_(std::move(p)) {}

 private:
  friend struct detail::hub_access;
  template <class E>
  void on_source(value_type&& s, E&) {
    latest_ = std::move(s);
  }
  template <class E>
  bool on_gate(stream_value_t<F>&& t, E& e) {
    if (!latest_) return true;
    detail::guarded(
        e, [&] { return static_cast<bool>(pred_(std::as_const(t))); },
        [&](bool pass) {
          if (pass) e.value(detail::caused_by(*latest_, t));
        });
    return true;
  }

  Pred pred_;
  std::optional<value_type> latest_;
};

/// `source | take_latest_when(trigger, pred)`: see the file comment. `trigger` is moved in.
template <class F, class Pred>
  requires stream<F>
auto take_latest_when(F trigger, Pred pred) {
  return detail::bind_stream<take_latest_when_stream, F, Pred>(std::move(trigger), std::move(pred));
}

}  // namespace eddy
