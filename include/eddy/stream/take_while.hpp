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

/// The stream made by `take_while`: see the file comment and docs/operators.md /
/// docs/operators.md for its marbles and its timestamp, error and buffering rules. One consumer,
/// one `next()` at a time, not thread-safe; owns its input(s); movable only while no `next()` is in
/// flight.
template <class S, class P>
class take_while_stream : public detail::stage<take_while_stream<S, P>> {
 public:
  /// The input stream's type.
  using upstream_type = S;
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `take_while(...)`, which validates the arguments (see the file comment); takes
  /// ownership of the input stream(s) and functions.
  take_while_stream(S s, P p) : s_(std::move(s)), p_(std::move(p)) {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = true;
  S& upstream() noexcept { return s_; }
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

  S s_;
  P p_;
  bool done_ = false;
};

namespace detail {
template <class P>
struct take_while_closure : pipe_closure {
  P p;
  template <class S>
  auto apply(S&& s) && {
    return take_while_stream<std::remove_cvref_t<S>, P>(std::forward<S>(s), std::move(p));
  }
};
}  // namespace detail

/// `s | take_while(pred)`: see the file comment.
template <class P>
auto take_while(P pred) {
  return detail::take_while_closure<P>{{}, std::move(pred)};
}

}  // namespace eddy
