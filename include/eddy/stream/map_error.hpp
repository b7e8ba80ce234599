// SPDX-License-Identifier: BSL-1.0
/// \file
/// `map_error(f)`: replaces every error `e` by `f(e)`.
///
/// ```
/// source:  --1--E--2--|
///          map_error(e -> E')
/// output:  --1--E'-2--|
/// ```
/// - `f(error) -> error`. Values and the end pass through.
/// - If `f` throws (exceptions on), the error becomes an `errc::exception` error.
/// - Does not buffer; one-to-one.
#pragma once
#include <optional>
#include <utility>

#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The stream made by `map_error`: see the file comment and docs/operators.md
/// for its marbles and its timestamp, error and buffering rules. One consumer, one `next()` at a
/// time, not thread-safe; owns its input(s); movable only while no `next()` is in flight.
template <class S, class F>
class map_error_stream : public detail::stage<map_error_stream<S, F>> {
 public:
  /// The input stream's type.
  using upstream_type = S;
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `map_error(...)`, which validates the arguments (see the file comment); takes
  /// ownership of the input stream(s) and functions.
  map_error_stream(S s, F f) : s_(std::move(s)), f_(std::move(f)) {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = true;
  S& upstream() noexcept { return s_; }
  template <class E>
  void on_value(value_type&& v, E& e) {
    e.value(std::move(v));
  }
  template <class E>
  void on_error(eddy::error&& err, E& e) {
    detail::guarded(
        e, [&] { return eddy::error(f_(std::move(err))); },
        [&](eddy::error&& mapped) { e.error(std::move(mapped)); });
  }

  S s_;
  F f_;
};

namespace detail {
template <class F>
struct map_error_closure : pipe_closure {
  F f;
  template <class S>
  auto apply(S&& s) && {
    return map_error_stream<std::remove_cvref_t<S>, F>(std::forward<S>(s), std::move(f));
  }
};
}  // namespace detail

/// `s | map_error(f)`: see the file comment.
template <class F>
auto map_error(F f) {
  return detail::map_error_closure<F>{{}, std::move(f)};
}

}  // namespace eddy
