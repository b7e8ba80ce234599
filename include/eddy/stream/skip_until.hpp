// SPDX-License-Identifier: BSL-1.0
/// \file
/// `skip_until(signal)`: drops the source's values until the signal's first value, then passes
/// every source item.
///
/// ```
/// source:  --1--2--E--3--4--5--|
/// signal:  ----------x---y--------|
///          source | skip_until(signal)
/// output:  --------E--3--4--5--|
/// ```
/// - The signal's values (of any type) are never emitted; its first one opens the output for
///   good. A signal that ends without a value keeps it closed: the output ends with the source,
///   having emitted no value.
/// - **Output timestamp: the source item's own** (items pass unchanged).
/// - Order: timestamp order when both value types are `timestamped` (ties go to the source, so
///   a source value with the same timestamp as the signal's first value is dropped), else the
///   two inputs take turns (see detail/hetero.hpp).
/// - Errors of either input pass through at once, before and after the opening (as in every
///   gate operator, detail/gate.hpp): source errors are never dropped. The output ends when the
///   source ends. The signal stays subscribed until then (its later values are dropped).
/// - Buffering: one head per input; nothing else.
#pragma once
#include <utility>

#include "eddy/stream/detail/gate.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream of `skip_until`: see the file comment and stream/concept.hpp.
template <class S, class G>
class skip_until_stream
    : public detail::gate_stage<skip_until_stream<S, G>, S, G, detail::gate_end::source> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `skip_until(...)`.
  skip_until_stream(S s, G g) : skip_until_stream::gate_stage(std::move(s), std::move(g)) {}

 private:
  friend struct detail::hub_access;
  template <class E>
  void on_source(value_type&& s, E& e) {
    if (open_) e.value(std::move(s));
  }
  template <class E>
  bool on_gate(stream_value_t<G>&&, E&) {
    open_ = true;
    return true;
  }

  bool open_ = false;
};

/// `source | skip_until(signal)`: see the file comment. `signal` (a stream of any value type)
/// is moved in.
template <class G>
  requires stream<G>
auto skip_until(G signal) {
  return detail::bind_stream<skip_until_stream, G>(std::move(signal));
}

}  // namespace eddy
