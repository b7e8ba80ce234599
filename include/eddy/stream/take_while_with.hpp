// SPDX-License-Identifier: BSL-1.0
/// \file
/// `take_while_with(filter, pred)`: passes source values while the filter's latest value
/// satisfies `pred`; ends as soon as a filter value fails it.
///
/// ```
/// source:  --1--2-----3--4-----5--|     (numbers are timestamps)
/// filter:  -T-------T-----F---------|   (pred(f) = f)
///          source | take_while_with(filter, pred)
/// output:  --1--2-----3--4|
/// ```
/// - `pred(const F& filter_value) -> bool`, evaluated once per filter value. A source value is
///   emitted when the filter has had a value and its latest passed; a source value that comes
///   before any filter value is dropped. The first filter value that fails ends the output at
///   once (both inputs' pumps are stopped).
/// - **Output timestamp: the source value's own** (values pass unchanged).
/// - Order: timestamp order when both value types are `timestamped`, else turns (see
///   detail/hetero.hpp).
/// - Errors of either input pass through at once. The output also ends when the source ends.
///   A `pred` that throws gives an `errc::exception` error item (the gate stays as it was).
/// - Buffering: one head per input; nothing else.
#pragma once
#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/stream/detail/gate.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream of `take_while_with`: see the file comment and stream/concept.hpp.
template <class S, class F, class Pred>
class take_while_with_stream : public detail::gate_stage<take_while_with_stream<S, F, Pred>, S, F,
                                                         detail::gate_end::source> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `take_while_with(...)`.
  take_while_with_stream(S s, F f, Pred p)
      : take_while_with_stream::gate_stage(std::move(s), std::move(f)), pred_(std::move(p)) {}

 private:
  friend struct detail::hub_access;
  template <class E>
  void on_source(value_type&& s, E& e) {
    if (open_) e.value(std::move(s));
  }
  template <class E>
  bool on_gate(stream_value_t<F>&& f, E& e) {
    bool failed = false;
    detail::guarded(
        e, [&] { return static_cast<bool>(pred_(std::as_const(f))); },
        [&](bool pass) {
          if (pass)
            open_ = true;
          else
            failed = true;
        });
    return !failed;
  }

  Pred pred_;
  bool open_ = false;
};

/// `source | take_while_with(filter, pred)`: see the file comment. `filter` is moved in.
template <class F, class Pred>
  requires stream<F>
auto take_while_with(F filter, Pred pred) {
  return detail::bind_stream<take_while_with_stream, F, Pred>(std::move(filter), std::move(pred));
}

}  // namespace eddy
