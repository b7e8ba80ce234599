// SPDX-License-Identifier: BSL-1.0
/// \file
/// `distinct_until_changed_by(eq)`: drops a value when `eq(previous, value)` is true, where
/// `previous` is the last value emitted.
///
/// ```
/// source:  --1--1--E--1--2--2--1--|
///          distinct_until_changed_by(==)
/// output:  --1-----E-----2-----1--|
/// ```
/// - The first value is always emitted. Errors pass through and do not reset `previous`.
/// - Keeps a copy of the last emitted value (`T` must be copyable).
/// - If `eq` throws (exceptions on), that value becomes an `errc::exception` error item and
///   `previous` is unchanged.
#pragma once
#include <optional>
#include <utility>

#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The stream made by `distinct_until_changed`: see the file comment and docs/operators.md /
/// docs/operators.md for its marbles and its timestamp, error and buffering rules. One consumer,
/// one `next()` at a time, not thread-safe; owns its input(s); movable only while no `next()` is in
/// flight.
template <class S, class Eq>
class distinct_until_changed_stream : public detail::stage<distinct_until_changed_stream<S, Eq>> {
 public:
  /// The input stream's type.
  using upstream_type = S;
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `distinct_until_changed(...)`, which validates the arguments (see the file comment);
  /// takes ownership of the input stream(s) and functions.
  distinct_until_changed_stream(S s, Eq eq) : s_(std::move(s)), eq_(std::move(eq)) {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = false;
  S& upstream() noexcept { return s_; }
  detail::frame_cache& cache() noexcept { return cache_; }
  template <class E>
  void on_value(value_type&& v, E& e) {
    if (!last_) {
      last_.emplace(v);
      e.value(std::move(v));
      return;
    }
    detail::guarded(
        e, [&] { return static_cast<bool>(eq_(std::as_const(*last_), std::as_const(v))); },
        [&](bool same) {
          if (same) return;
          *last_ = v;
          e.value(std::move(v));
        });
  }

  S s_;
  Eq eq_;
  std::optional<value_type> last_;
  detail::frame_cache cache_;
};

namespace detail {
template <class Eq>
struct distinct_closure : pipe_closure {
  Eq eq;
  template <class S>
  auto apply(S&& s) && {
    return distinct_until_changed_stream<std::remove_cvref_t<S>, Eq>(std::forward<S>(s),
                                                                     std::move(eq));
  }
};
}  // namespace detail

/// `s | distinct_until_changed_by(eq)`: see the file comment. `eq(previous, current)` returns
/// true when the two count as the same.
template <class Eq>
auto distinct_until_changed_by(Eq eq) {
  return detail::distinct_closure<Eq>{{}, std::move(eq)};
}

}  // namespace eddy
