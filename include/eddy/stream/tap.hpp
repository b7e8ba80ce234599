// SPDX-License-Identifier: BSL-1.0
/// \file
/// `tap(f)`: calls `f(value)` for each value (a side effect) and passes every item on.
///
/// ```
/// source:  --1--E--2--|
///          tap(log)          log sees 1, 2
/// output:  --1--E--2--|
/// ```
/// - `f` gets a `const T&`; errors and the end are passed on without calling it.
/// - If `f` throws (exceptions on), that value is replaced by an `errc::exception` error item.
/// - Does not buffer; one-to-one, synchronous when the upstream is.
#pragma once
#include <optional>
#include <utility>

#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The stream made by `tap`: see the file comment and docs/operators.md for
/// its marbles and its timestamp, error and buffering rules. One consumer, one `next()` at a time,
/// not thread-safe; owns its input(s); movable only while no `next()` is in flight.
template <class S, class F>
class tap_stream : public detail::stage<tap_stream<S, F>> {
 public:
  /// The input stream's type.
  using upstream_type = S;
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `tap(...)`, which validates the arguments (see the file comment); takes ownership of
  /// the input stream(s) and functions.
  tap_stream(S s, F f) : s_(std::move(s)), f_(std::move(f)) {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = true;
  S& upstream() noexcept { return s_; }
  template <class E>
  void on_value(value_type&& v, E& e) {
    detail::guarded(
        e, [&] { static_cast<void>(f_(std::as_const(v))); }, [&] { e.value(std::move(v)); });
  }

  S s_;
  F f_;
};

namespace detail {
template <class F>
struct tap_closure : pipe_closure {
  F f;
  template <class S>
  auto apply(S&& s) && {
    return tap_stream<std::remove_cvref_t<S>, F>(std::forward<S>(s), std::move(f));
  }
};
}  // namespace detail

/// `s | tap(f)`: see the file comment.
template <class F>
auto tap(F f) {
  return detail::tap_closure<F>{{}, std::move(f)};
}

}  // namespace eddy
