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

/// The stream made by `filter`: see the file comment and docs/operators.md
/// for its marbles and its timestamp, error and buffering rules. One consumer, one `next()` at a
/// time, not thread-safe; owns its input(s); movable only while no `next()` is in flight.
template <class S, class P>
class filter_stream : public detail::stage<filter_stream<S, P>> {
 public:
  /// The input stream's type.
  using upstream_type = S;
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `filter(...)`, which validates the arguments (see the file comment); takes ownership
  /// of the input stream(s) and functions.
  filter_stream(S s, P p) : s_(std::move(s)), p_(std::move(p)) {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = false;
  S& upstream() noexcept { return s_; }
  detail::frame_cache& cache() noexcept { return cache_; }
  template <class E>
  void on_value(value_type&& v, E& e) {
    detail::guarded(
        e, [&] { return static_cast<bool>(p_(std::as_const(v))); },
        [&](bool keep) {
          if (keep) e.value(std::move(v));
        });
  }

  S s_;
  P p_;
  detail::frame_cache cache_;
};

namespace detail {
template <class P>
struct filter_closure : pipe_closure {
  P p;
  template <class S>
  auto apply(S&& s) && {
    return filter_stream<std::remove_cvref_t<S>, P>(std::forward<S>(s), std::move(p));
  }
};
}  // namespace detail

/// `s | filter(pred)`: see the file comment.
template <class P>
auto filter(P pred) {
  return detail::filter_closure<P>{{}, std::move(pred)};
}

}  // namespace eddy
