// SPDX-License-Identifier: BSL-1.0
/// \file
/// `skip_while(pred)`: drops values while `pred(value)` is true; from the first value for which
/// it is false on, passes everything (`pred` is not called again).
///
/// ```
/// source:  --1--E--2--5--3--|
///          skip_while(x < 4)
/// output:  -----E-----5--3--|
/// ```
/// - Errors pass through, also while skipping.
/// - If `pred` throws (exceptions on), that value becomes an `errc::exception` error item and
///   skipping goes on.
/// - Does not buffer.
#pragma once
#include <optional>
#include <utility>

#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The stream of `skip_while`: see the file comment and stream/concept.hpp.
template <class S, class P>
class skip_while_stream : public detail::stage<skip_while_stream<S, P>, S> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `skip_while(...)`.
  skip_while_stream(S s, P p) : skip_while_stream::stage(std::move(s)), p_(std::move(p)) {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = false;
  template <class E>
  void on_value(value_type&& v, E& e) {
    if (!skipping_) {
      e.value(std::move(v));
      return;
    }
    detail::guarded(
        e, [&] { return static_cast<bool>(p_(std::as_const(v))); },
        [&](bool skip) {
          if (!skip) {
            skipping_ = false;
            e.value(std::move(v));
          }
        });
  }

  P p_;
  bool skipping_ = true;
};

/// `s | skip_while(pred)`: see the file comment.
template <class P>
auto skip_while(P pred) {
  return detail::bind_stream<skip_while_stream, P>(std::move(pred));
}

}  // namespace eddy
