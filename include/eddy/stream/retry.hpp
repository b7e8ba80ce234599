// SPDX-License-Identifier: BSL-1.0
/// \file
/// `retry(n, factory)`: a stream from `factory()` that, on an error, drops the current stream
/// and subscribes to a fresh `factory()`, up to `n` times.
///
/// ```
/// factory() gives:  --1--2--E        (the first time)
///                   --1--2--3--|     (the second time)
/// retry(1, factory)
/// output:           --1--2-----1--2--3--|
/// ```
/// - The first `n` errors are swallowed (each one re-subscribes); later errors pass through
///   like any item and the current stream goes on. `n == 0` passes every error through.
/// - `factory()` is called lazily (at the first `next()`), then once per retry. If it throws
///   (exceptions on), that becomes an `errc::exception` error item and the stream ends.
/// - A negative `n`: the stream yields one `errc::invalid_argument` error and ends.
/// - Buffers nothing; holds one upstream at a time.
#pragma once
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/stream/detail/count.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The stream of `retry`: see the file comment and stream/concept.hpp.
template <class F>
class retry_stream
    : public detail::stage_base<retry_stream<F>, std::remove_cvref_t<std::invoke_result_t<F&>>> {
  using S = std::remove_cvref_t<std::invoke_result_t<F&>>;

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `retry(...)`.
  retry_stream(detail::checked_count n, F f) : left_(n.n), check_(n.bad), f_(std::move(f)) {}
  /// Move; only while no `next()` is in flight (the moved-from stream may only be destroyed
  /// or assigned).
  retry_stream(retry_stream&&) = default;

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = false;
  S& upstream() noexcept { return *s_; }
  template <class E>
  void pre(E& e) {
    if (check_.bad()) {
      check_.report(e);
      return;
    }
    if (dead_) {
      e.end();
      return;
    }
    if (!s_ || resubscribe_) {
      resubscribe_ = false;
      s_.reset();
      detail::guarded(
          e, [&] { s_.emplace(f_()); }, [] {});
      if (!s_) dead_ = true;  // the factory threw: the error was emitted, the end follows
    }
  }
  template <class E>
  void on_error(eddy::error&& err, E& e) {
    if (left_ == 0) {
      e.error(std::move(err));
      return;
    }
    --left_;
    resubscribe_ = true;  // done in `pre`, outside any call into the current upstream
  }

  std::uint64_t left_;
  detail::arg_check check_;
  F f_;
  std::optional<S> s_;
  bool resubscribe_ = false;
  bool dead_ = false;
};

/// See the file comment.
template <std::integral I, class F>
auto retry(I n, F factory) {
  return retry_stream<F>(detail::checked_count::make(n, "retry: negative count"),
                         std::move(factory));
}

}  // namespace eddy
