// SPDX-License-Identifier: BSL-1.0
/// \file
/// `window_by_count(n)`: groups values into `std::vector<T>` windows of `n`.
///
/// ```
/// source:  --1--2--3--4--E--5--6--7--|
///          window_by_count(3)
/// output:  --------[1,2,3]--E--------[5,6,7]|    (4 was dropped by the error)
/// source:  --1--2--3--4--|
/// output:  --------[1,2,3]--[4]|                  (a partial window is flushed at the end)
/// ```
/// - An error passes through at once and clears the partial window (its values are dropped).
/// - At the end, a non-empty partial window is emitted, then the end.
/// - Buffers up to `n - 1` values. A window's vector reserves `min(n, 4 KiB worth of T)` when
///   its first value arrives (one allocation per window for small windows) and grows as values
///   arrive beyond that: any `n` is valid, `window_by_count(SIZE_MAX)` included (one window of
///   everything, emitted at the end).
/// - `n <= 0`: the stream yields one `errc::invalid_argument` error and ends.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "eddy/stream/detail/count.hpp"
#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The stream of `window_by_count`: see the file comment and stream/concept.hpp.
template <class S>
class window_by_count_stream : public detail::stage<window_by_count_stream<S>, S> {
  using T = stream_value_t<S>;

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = std::vector<T>;

  /// Made by `window_by_count(...)`.
  window_by_count_stream(S s, detail::checked_count n)
      : window_by_count_stream::stage(std::move(s)), n_(n.n), check_(n.bad) {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = false;
  template <class E>
  void pre(E& e) {
    if (check_.bad())
      check_.report(e);
    else if (ended_)
      e.end();
  }
  template <class E>
  void on_value(T&& v, E& e) {
    if (buf_.capacity() == 0)
      buf_.reserve(n_ < first_reserve ? static_cast<std::size_t>(n_) : first_reserve);
    buf_.push_back(std::move(v));
    if (buf_.size() == n_) e.value(std::exchange(buf_, value_type{}));
  }
  template <class E>
  void on_error(eddy::error&& err, E& e) {
    buf_.clear();
    e.error(std::move(err));
  }
  template <class E>
  void on_end(E& e) {
    ended_ = true;
    if (buf_.empty())
      e.end();
    else
      e.value(std::exchange(buf_, value_type{}));
  }

  /// The most a window reserves up front (then it grows as values arrive).
  static constexpr std::size_t first_reserve = sizeof(T) < 4096 ? 4096 / sizeof(T) : 1;
  std::uint64_t n_;
  detail::arg_check check_;
  value_type buf_;
  bool ended_ = false;
};

/// `s | window_by_count(n)`: see the file comment.
template <std::integral I>
auto window_by_count(I n) {
  return detail::bind_stream<window_by_count_stream>(detail::checked_count::make(
      n, "window_by_count: negative count", "window_by_count: count must be at least 1"));
}

}  // namespace eddy
