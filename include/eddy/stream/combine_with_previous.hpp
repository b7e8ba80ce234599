// SPDX-License-Identifier: BSL-1.0
/// \file
/// `combine_with_previous()`: pairs each value with the value before it.
///
/// ```
/// source:  --1------2------E--3------|
///          combine_with_previous()
/// output:  --{-,1}--{1,2}--E--{2,3}--|
/// ```
/// - Emits `with_previous<T>{previous, current}`; `previous` is empty for the first value.
/// - Errors pass through and do not change `previous`.
/// - Keeps a copy of the last value (`T` must be copyable); one-to-one.
#pragma once
#include <optional>
#include <utility>

#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// An element of `combine_with_previous`.
template <class T>
struct with_previous {
  /// The value before `current`; empty for the first value.
  std::optional<T> previous;
  /// The value just received.
  T current;
  /// Member-wise equality (when `T` has `==`).
  friend bool operator==(const with_previous& a, const with_previous& b)
    requires requires(const T& x) { x == x; }
  {
    return a.previous == b.previous && a.current == b.current;
  }
};

/// The stream made by `combine_with_previous`: see the file comment and docs/operators.md /
/// docs/operators.md for its marbles and its timestamp, error and buffering rules. One consumer,
/// one `next()` at a time, not thread-safe; owns its input(s); movable only while no `next()` is in
/// flight.
template <class S>
class combine_with_previous_stream : public detail::stage<combine_with_previous_stream<S>> {
  using T = stream_value_t<S>;

 public:
  /// The input stream's type.
  using upstream_type = S;
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = with_previous<T>;

  /// Made by `combine_with_previous(...)`, which validates the arguments (see the file comment);
  /// takes ownership of the input stream(s) and functions.
  explicit combine_with_previous_stream(S s) : s_(std::move(s)) {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = true;
  S& upstream() noexcept { return s_; }
  template <class E>
  void on_value(T&& v, E& e) {
    std::optional<T> prev = std::move(prev_);
    prev_.emplace(v);
    e.value(with_previous<T>{std::move(prev), std::move(v)});
  }

  S s_;
  std::optional<T> prev_;
};

namespace detail {
struct combine_with_previous_closure : pipe_closure {
  template <class S>
  auto apply(S&& s) const {
    return combine_with_previous_stream<std::remove_cvref_t<S>>(std::forward<S>(s));
  }
};
}  // namespace detail

/// `s | combine_with_previous()`: see the file comment.
inline auto combine_with_previous() {
  return detail::combine_with_previous_closure{};
}

}  // namespace eddy
