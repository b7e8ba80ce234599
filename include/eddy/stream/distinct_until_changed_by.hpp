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
/// - `eq` sees the values whole: for `stamped<T>`/`sequenced<T>` it gets the wrappers,
///   timestamps included (compare `.value` to drop repeats whatever their time). A dropped
///   value leaves `previous` as it was, so the first of a run keeps its timestamp.
/// - Keeps a copy of the last emitted value (`T` must be copyable).
/// - If `eq` throws (exceptions on), that value becomes an `errc::exception` error item and
///   `previous` is unchanged.
#pragma once
#include <optional>
#include <utility>

#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The stream of `distinct_until_changed`: see the file comment and stream/concept.hpp.
template <class S, class Eq>
class distinct_until_changed_stream
    : public detail::stage<distinct_until_changed_stream<S, Eq>, S> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `distinct_until_changed(...)`.
  distinct_until_changed_stream(S s, Eq eq)
      : distinct_until_changed_stream::stage(std::move(s)), eq_(std::move(eq)) {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = false;
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

  Eq eq_;
  std::optional<value_type> last_;
};

/// `s | distinct_until_changed_by(eq)`: see the file comment. `eq(previous, current)` returns
/// true when the two count as the same.
template <class Eq>
auto distinct_until_changed_by(Eq eq) {
  return detail::bind_stream<distinct_until_changed_stream, Eq>(std::move(eq));
}

}  // namespace eddy
