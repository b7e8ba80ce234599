// SPDX-License-Identifier: BSL-1.0
/// \file
/// `emit_when(filter, pred)`: emits the source's latest value whenever a gate, re-evaluated on
/// every source and every filter value, is open.
///
/// ```
/// source:  --1-----2--------3--|        (numbers are timestamps)
/// filter:  -----T-----F--T------|       (pred(s, f) = f)
///          source | emit_when(filter, pred)
/// output:  -----1--2-----2--3--|        (the first 1 stamped 3, the second 2 stamped 7)
/// ```
/// - `pred(const T& source_value, const F& filter_value) -> bool`. On a source value `s`: the
///   latest source value becomes `s`; if the filter has had a value `f` and `pred(s, f)`, `s` is
///   emitted. On a filter value `f`: the latest filter value becomes `f`; if the source has had
///   a value `s` and `pred(s, f)`, `s` is emitted again (a copy).
/// - **Output timestamp: that of the event that caused it.** An emission caused by a source
///   value is that value, unchanged. An emission caused by a filter update repeats the latest
///   source value re-stamped with the filter value's timestamp (`restamp`, see
///   stream/timestamp.hpp) when both value types are `timestamped` (with a common timestamp
///   type), so the output never goes backwards in time; a timestamped source type without
///   `restamp` is a compile-time error. Otherwise (plain values, or a filter with no
///   timestamp) the repeat is unchanged.
/// - Order: the two inputs are taken in timestamp order when both value types are
///   `timestamped`, else in turns (see detail/hetero.hpp).
/// - Errors of either input pass through at once. The output ends when the source ends (a
///   filter that ends keeps its last value). A `pred` that throws gives an `errc::exception`
///   error item.
/// - Buffering: one head per input, the latest value of each; source values must be copyable.
#pragma once
#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/stream/detail/gate.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream of `emit_when`: see the file comment and stream/concept.hpp.
template <class S, class F, class Pred>
class emit_when_stream
    : public detail::gate_stage<emit_when_stream<S, F, Pred>, S, F, detail::gate_end::source> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;
  static_assert(!detail::restamps<value_type, stream_value_t<F>> || restampable<value_type>,
                "eddy::emit_when: the source's value type is timestamped, and a value emitted "
                "because of a filter update takes the filter's timestamp: give the type a member "
                "`void restamp(timestamp_t<T>)` (see eddy/stream/timestamp.hpp)");

  /// Made by `emit_when(...)`.
  emit_when_stream(S s, F f, Pred p)
      : emit_when_stream::gate_stage(std::move(s), std::move(f)), pred_(std::move(p)) {}

 private:
  friend struct detail::hub_access;
  template <class E>
  void on_source(value_type&& s, E& e) {
    src_ = std::move(s);
    gate(e, [&] { return value_type(*src_); });
  }
  template <class E>
  bool on_gate(stream_value_t<F>&& f, E& e) {
    flt_ = std::move(f);
    gate(e, [&] { return detail::caused_by(*src_, *flt_); });
    return true;
  }
  /// Emits `make()` when the gate is open.
  template <class E, class Make>
  void gate(E& e, Make make) {
    if (!src_ || !flt_) return;
    detail::guarded(
        e, [&] { return static_cast<bool>(pred_(std::as_const(*src_), std::as_const(*flt_))); },
        [&](bool open) {
          if (open) e.value(make());
        });
  }

  Pred pred_;
  std::optional<value_type> src_;
  std::optional<stream_value_t<F>> flt_;
};

/// `source | emit_when(filter, pred)`: see the file comment. `filter` is moved in.
template <class F, class Pred>
  requires stream<F>
auto emit_when(F filter, Pred pred) {
  return detail::bind_stream<emit_when_stream, F, Pred>(std::move(filter), std::move(pred));
}

}  // namespace eddy
