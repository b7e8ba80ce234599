// SPDX-License-Identifier: BSL-1.0
/// \file
/// `on_start(f)`: calls `f()` once, at the first `next()`, before the upstream is pulled.
///
/// ```
/// source:   --1--E--2--|
///           on_start(f)      f runs at the first next()
/// output:   --1--E--2--|
/// ```
/// - Every item passes unchanged. Building or moving the stream does not call `f`; only the
///   first pull does (a stream that is never pulled never calls it).
/// - If `f` throws (exceptions on), an `errc::exception` error item is emitted first and the
///   upstream follows as usual.
/// - Does not buffer; one-to-one, synchronous when the upstream is.
#pragma once
#include <type_traits>
#include <utility>

#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The stream of `on_start`: see the file comment and stream/concept.hpp.
template <class S, class F>
class on_start_stream : public detail::stage<on_start_stream<S, F>, S> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `on_start(...)`.
  on_start_stream(S s, F f) : on_start_stream::stage(std::move(s)), f_(std::move(f)) {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = true;
  template <class E>
  void pre(E& e) {
    if (started_) return;
    started_ = true;
    detail::guarded(
        e, [&] { static_cast<void>(f_()); }, [] {});
  }

  F f_;
  bool started_ = false;
};

/// `s | on_start(f)`: see the file comment. `f()` takes no argument.
template <class F>
auto on_start(F f) {
  static_assert(std::is_invocable_v<F&>, "eddy::on_start: f must be callable with no argument");
  return detail::bind_stream<on_start_stream, F>(std::move(f));
}

}  // namespace eddy
