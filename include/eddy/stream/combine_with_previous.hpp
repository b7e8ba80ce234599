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

/// The stream of `combine_with_previous`: see the file comment and stream/concept.hpp.
template <class S>
class combine_with_previous_stream : public detail::stage<combine_with_previous_stream<S>, S> {
  using T = stream_value_t<S>;

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = with_previous<T>;

  /// Made by `combine_with_previous(...)`.
  explicit combine_with_previous_stream(S s) : combine_with_previous_stream::stage(std::move(s)) {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = true;
  template <class E>
  void on_value(T&& v, E& e) {
    std::optional<T> prev = std::move(prev_);
    prev_.emplace(v);
    e.value(with_previous<T>{std::move(prev), std::move(v)});
  }

  std::optional<T> prev_;
};

/// `s | combine_with_previous()`: see the file comment.
inline auto combine_with_previous() {
  return detail::bind_stream<combine_with_previous_stream>();
}

}  // namespace eddy
