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

/// The stream of `map_error`: see the file comment and stream/concept.hpp.
template <class S, class F>
class map_error_stream : public detail::stage<map_error_stream<S, F>, S> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `map_error(...)`.
  map_error_stream(S s, F f) : map_error_stream::stage(std::move(s)), f_(std::move(f)) {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = true;
  template <class E>
  void on_error(eddy::error&& err, E& e) {
    detail::guarded(
        e, [&] { return eddy::error(f_(std::move(err))); },
        [&](eddy::error&& mapped) { e.error(std::move(mapped)); });
  }

  F f_;
};

/// `s | map_error(f)`: see the file comment.
template <class F>
auto map_error(F f) {
  return detail::bind_stream<map_error_stream, F>(std::move(f));
}

}  // namespace eddy
