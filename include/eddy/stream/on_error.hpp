// SPDX-License-Identifier: BSL-1.0
/// \file
/// `on_error(handler)`: lets `handler` consume errors.
///
/// ```
/// source:  --1--E1--2--E2--|
///          on_error(e -> e is E1)     (true: handled)
/// output:  --1------2--E2--|
/// ```
/// - `handler(const error&)` returns true when it handled the error (the error is removed from
///   the stream) or false to pass it on. Values and the end pass through.
/// - If `handler` throws (exceptions on), the error is replaced by an `errc::exception` error.
/// - Does not buffer.
#pragma once
#include <optional>
#include <utility>

#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The stream of `on_error`: see the file comment and stream/concept.hpp.
template <class S, class H>
class on_error_stream : public detail::stage<on_error_stream<S, H>, S> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `on_error(...)`.
  on_error_stream(S s, H h) : on_error_stream::stage(std::move(s)), h_(std::move(h)) {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = false;
  template <class E>
  void on_error(eddy::error&& err, E& e) {
    detail::guarded(
        e, [&] { return static_cast<bool>(h_(std::as_const(err))); },
        [&](bool handled) {
          if (!handled) e.error(std::move(err));
        });
  }

  H h_;
};

/// `s | on_error(handler)`: see the file comment.
template <class H>
auto on_error(H handler) {
  return detail::bind_stream<on_error_stream, H>(std::move(handler));
}

}  // namespace eddy
