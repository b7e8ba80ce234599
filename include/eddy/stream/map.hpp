// SPDX-License-Identifier: BSL-1.0
/// \file
/// `map(f)`: applies `f` to every value.
///
/// ```
/// source:  --1----2----E----3--|
///          map(x * 10)
/// output:  --10---20---E----30-|
/// ```
/// - Values become `f(value)`; errors pass through unchanged; the end passes through.
/// - If `f` throws (exceptions on), that item becomes an `errc::exception` error item.
/// - Does not buffer; synchronous when the upstream is (one-to-one: it never suspends itself).
#pragma once
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The stream made by `map`: see the file comment and docs/operators.md for
/// its marbles and its timestamp, error and buffering rules. One consumer, one `next()` at a time,
/// not thread-safe; owns its input(s); movable only while no `next()` is in flight.
template <class S, class F>
class map_stream : public detail::stage<map_stream<S, F>> {
  using In = stream_value_t<S>;

 public:
  /// The input stream's type.
  using upstream_type = S;
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = std::remove_cvref_t<std::invoke_result_t<F&, In&&>>;

  /// Made by `map(...)`, which validates the arguments (see the file comment); takes ownership of
  /// the input stream(s) and functions.
  map_stream(S s, F f) : s_(std::move(s)), f_(std::move(f)) {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = true;
  S& upstream() noexcept { return s_; }
  template <class E>
  void on_value(In&& v, E& e) {
    detail::guarded(
        e, [&]() -> value_type { return f_(std::move(v)); },
        [&](value_type&& out) { e.value(std::move(out)); });
  }

  S s_;
  F f_;
};

namespace detail {
template <class F>
struct map_closure : pipe_closure {
  F f;
  template <class S>
  auto apply(S&& s) && {
    return map_stream<std::remove_cvref_t<S>, F>(std::forward<S>(s), std::move(f));
  }
};
}  // namespace detail

/// `s | map(f)`: see the file comment.
template <class F>
auto map(F f) {
  return detail::map_closure<F>{{}, std::move(f)};
}

}  // namespace eddy
