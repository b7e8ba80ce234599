// SPDX-License-Identifier: BSL-1.0
/// \file
/// `take_while(pred)`: passes values while `pred(value)` is true; the first value for which it
/// is false ends the stream (that value is not emitted).
///
/// ```
/// source:  --1--E--2--5--3--|
///          take_while(x < 4)
/// output:  --1--E--2--|
/// ```
/// - Errors pass through and do not end the stream. After the end the upstream is never
///   pulled again.
/// - If `pred` throws (exceptions on), that value becomes an `errc::exception` error item and
///   the stream goes on.
/// - Does not buffer; one-to-one, synchronous when the upstream is.
#pragma once
#include <optional>
#include <utility>

#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The stream of `take_while`: see the file comment and stream/concept.hpp.
template <class S, class P>
class take_while_stream : public detail::stage<take_while_stream<S, P>, S> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `take_while(...)`.
  take_while_stream(S s, P p) : take_while_stream::stage(std::move(s)), p_(std::move(p)) {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = true;
  template <class E>
  void pre(E& e) {
    if (done_) e.end();
  }
  template <class E>
  void on_value(value_type&& v, E& e) {
    detail::guarded(
        e, [&] { return static_cast<bool>(p_(std::as_const(v))); },
        [&](bool keep) {
          if (keep) {
            e.value(std::move(v));
          } else {
            done_ = true;
            e.end();
          }
        });
  }
  template <class E>
  void on_end(E& e) {
    done_ = true;
    e.end();
  }

  P p_;
  bool done_ = false;
};

/// `s | take_while(pred)`: see the file comment.
template <class P>
auto take_while(P pred) {
  return detail::bind_stream<take_while_stream, P>(std::move(pred));
}

}  // namespace eddy
