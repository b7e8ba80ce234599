// SPDX-License-Identifier: BSL-1.0
/// \file
/// `tap(f)`: calls `f(value)` for each value (a side effect) and passes every item on.
///
/// ```
/// source:  --1--E--2--|
///          tap(log)          log sees 1, 2
/// output:  --1--E--2--|
/// ```
/// - `f` gets a `const T&`; errors and the end are passed on without calling it.
/// - If `f` throws (exceptions on), that value is replaced by an `errc::exception` error item.
/// - Does not buffer; one-to-one, synchronous when the upstream is.
#pragma once
#include <optional>
#include <utility>

#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The stream of `tap`: see the file comment and stream/concept.hpp.
template <class S, class F>
class tap_stream : public detail::stage<tap_stream<S, F>, S> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `tap(...)`.
  tap_stream(S s, F f) : tap_stream::stage(std::move(s)), f_(std::move(f)) {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = true;
  template <class E>
  void on_value(value_type&& v, E& e) {
    detail::guarded(
        e, [&] { static_cast<void>(f_(std::as_const(v))); }, [&] { e.value(std::move(v)); });
  }

  F f_;
};

/// `s | tap(f)`: see the file comment.
template <class F>
auto tap(F f) {
  return detail::bind_stream<tap_stream, F>(std::move(f));
}

}  // namespace eddy
