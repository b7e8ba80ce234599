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

/// The stream made by `skip_while`: see the file comment and docs/operators.md /
/// docs/operators.md for its marbles and its timestamp, error and buffering rules. One consumer,
/// one `next()` at a time, not thread-safe; owns its input(s); movable only while no `next()` is in
/// flight.
template <class S, class P>
class skip_while_stream : public detail::stage<skip_while_stream<S, P>> {
 public:
  /// The input stream's type.
  using upstream_type = S;
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `skip_while(...)`, which validates the arguments (see the file comment); takes
  /// ownership of the input stream(s) and functions.
  skip_while_stream(S s, P p) : s_(std::move(s)), p_(std::move(p)) {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = false;
  S& upstream() noexcept { return s_; }
  detail::frame_cache& cache() noexcept { return cache_; }
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

  S s_;
  P p_;
  bool skipping_ = true;
  detail::frame_cache cache_;
};

namespace detail {
template <class P>
struct skip_while_closure : pipe_closure {
  P p;
  template <class S>
  auto apply(S&& s) && {
    return skip_while_stream<std::remove_cvref_t<S>, P>(std::forward<S>(s), std::move(p));
  }
};
}  // namespace detail

/// `s | skip_while(pred)`: see the file comment.
template <class P>
auto skip_while(P pred) {
  return detail::skip_while_closure<P>{{}, std::move(pred)};
}

}  // namespace eddy
