// SPDX-License-Identifier: BSL-1.0
/// \file
/// `skip(n)`: drops the first `n` items, then passes everything.
///
/// ```
/// source:  --1--E--2--3--|
///          skip(2)
/// output:  --------2--3--|
/// ```
/// - Errors count as items (a skipped error is dropped). `skip(0)` passes everything.
/// - A negative `n`: the stream yields one `errc::invalid_argument` error and ends.
/// - Does not buffer.
#pragma once
#include <cstdint>
#include <optional>
#include <utility>

#include "eddy/stream/detail_count.hpp"
#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The stream made by `skip`: see the file comment and docs/operators.md for
/// its marbles and its timestamp, error and buffering rules. One consumer, one `next()` at a time,
/// not thread-safe; owns its input(s); movable only while no `next()` is in flight.
template <class S>
class skip_stream : public detail::stage<skip_stream<S>> {
 public:
  /// The input stream's type.
  using upstream_type = S;
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `skip(...)`, which validates the arguments (see the file comment); takes ownership of
  /// the input stream(s) and functions.
  skip_stream(S s, detail::checked_count n) : s_(std::move(s)), left_(n.n), check_(n.bad) {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = false;
  S& upstream() noexcept { return s_; }
  detail::frame_cache& cache() noexcept { return cache_; }
  template <class E>
  void pre(E& e) {
    check_.report(e);
  }
  template <class E>
  void on_value(value_type&& v, E& e) {
    if (left_ > 0)
      --left_;
    else
      e.value(std::move(v));
  }
  template <class E>
  void on_error(eddy::error&& err, E& e) {
    if (left_ > 0)
      --left_;
    else
      e.error(std::move(err));
  }

  S s_;
  std::uint64_t left_;
  detail::arg_check check_;
  detail::frame_cache cache_;
};

namespace detail {
struct skip_closure : pipe_closure {
  checked_count n;
  template <class S>
  auto apply(S&& s) const {
    return skip_stream<std::remove_cvref_t<S>>(std::forward<S>(s), n);
  }
};
}  // namespace detail

/// `s | skip(n)`: see the file comment.
template <std::integral I>
auto skip(I n) {
  return detail::skip_closure{{}, detail::checked_count::make(n, "skip: negative count")};
}

}  // namespace eddy
