// SPDX-License-Identifier: BSL-1.0
/// \file
/// `filter(pred)`: keeps the values for which `pred(value)` is true.
///
/// ```
/// source:  --1--2--3--E--4--|
///          filter(is_even)
/// output:  -----2-----E--4--|
/// ```
/// - Errors always pass through; the end passes through.
/// - If `pred` throws (exceptions on), that value becomes an `errc::exception` error item.
/// - Does not buffer. When the upstream suspends, the pull loop runs in a frame allocated once
///   per stream and reused.
#pragma once
#include <optional>
#include <utility>

#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The stream of `filter`: see the file comment and stream/concept.hpp.
template <class S, class P>
class filter_stream : public detail::stage<filter_stream<S, P>, S> {
  static_assert(
      requires(P& p, const stream_value_t<S>& v) { static_cast<bool>(p(v)); },
      "eddy::filter: the predicate must take a const T& and return something "
      "convertible to bool");

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `filter(...)`.
  filter_stream(S s, P p) : filter_stream::stage(std::move(s)), p_(std::move(p)) {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = false;
  static constexpr bool run_through = true;
  template <class E>
  void on_value(value_type&& v, E& e) {
    detail::guarded(
        e, [&] { return static_cast<bool>(p_(std::as_const(v))); },
        [&](bool keep) {
          if (keep) e.value(std::move(v));
        });
  }

  P p_;
};

/// `s | filter(pred)`: see the file comment.
template <class P>
auto filter(P pred) {
  return detail::bind_stream<filter_stream, P>(std::move(pred));
}

}  // namespace eddy
