// SPDX-License-Identifier: BSL-1.0
/// \file
/// `take_until(signal)`: passes the source's items until the signal's first value, which ends
/// the output.
///
/// ```
/// source:  --1--2--E--3--4--5--|
/// signal:  -------------x---------|
///          source | take_until(signal)
/// output:  --1--2--E--3-|
/// ```
/// - The signal's value (of any type) is not emitted; it ends the output at once and both
///   inputs' pumps are stopped. A signal that ends without a value changes nothing: the output
///   then ends with the source.
/// - **Output timestamp: the source item's own** (items pass unchanged).
/// - Order: timestamp order when both value types are `timestamped` (a source value with the
///   same timestamp as the signal's value is still emitted), else the two inputs take turns
///   (see detail/hetero.hpp); a synchronous signal with a value ready ends the output after at
///   most one source item.
/// - Errors of either input pass through at once and do not end the output (as in every gate
///   operator, detail/gate.hpp).
/// - Buffering: one head per input; nothing else.
#pragma once
#include <utility>

#include "eddy/stream/detail/gate.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream of `take_until`: see the file comment and stream/concept.hpp.
template <class S, class G>
class take_until_stream
    : public detail::gate_stage<take_until_stream<S, G>, S, G, detail::gate_end::source> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `take_until(...)`.
  take_until_stream(S s, G g) : take_until_stream::gate_stage(std::move(s), std::move(g)) {}

 private:
  friend struct detail::hub_access;
  template <class E>
  void on_source(value_type&& s, E& e) {
    e.value(std::move(s));
  }
  template <class E>
  bool on_gate(stream_value_t<G>&&, E&) {
    return false;  // the signal's first value ends the output
  }
};

/// `source | take_until(signal)`: see the file comment. `signal` (a stream of any value type)
/// is moved in.
template <class G>
  requires stream<G>
auto take_until(G signal) {
  return detail::bind_stream<take_until_stream, G>(std::move(signal));
}

}  // namespace eddy
