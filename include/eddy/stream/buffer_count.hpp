// SPDX-License-Identifier: BSL-1.0
/// \file
/// `buffer_count(n, skip)`: buffers of `n` values as `std::vector<T>`, a new buffer starting at
/// every `skip`-th value: overlapping buffers when `skip < n`, gaps when `skip > n` (Rx
/// `bufferCount`). `buffer_count(n)` is `buffer_count(n, n)`, like `window_by_count(n)`.
///
/// ```
/// source:  --1--2--3--4--5--|
///          buffer_count(3, 1)
/// output:  --------[1,2,3]--[2,3,4]--[3,4,5]-([4,5][5])|   (partial buffers flushed at the end)
///          buffer_count(2, 3)
/// output:  -----[1,2]--------[4,5]|                       (3 falls in the gap)
/// ```
/// - Value number `k` (from 0) opens a buffer when `k % skip == 0`, and goes into every open
///   buffer; a buffer is emitted when it holds `n` values (at most one per value: the oldest).
/// - At the end, the open non-empty buffers are emitted oldest first, then the end.
/// - An error passes through at once and clears every open buffer (their values are dropped;
///   as in `window_by_count`); the next value starts counting again from 0.
/// - **Output timestamp:** whatever `std::vector<T>` carries (none); a buffer is emitted when
///   the value that completes it is pulled.
/// - Buffering: at most `ceil(n / skip)` open buffers of fewer than `n` values; overlapping
///   buffers hold copies (the newest buffer gets the move); a move-only `T` with `skip < n` is
///   an invalid argument.
/// - `n <= 0` or `skip <= 0`: the stream yields one `errc::invalid_argument` error and ends.
#pragma once
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <type_traits>
#include <utility>
#include <vector>

#include "eddy/stream/detail/count.hpp"
#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The stream of `buffer_count`: see the file comment and stream/concept.hpp.
template <class S>
class buffer_count_stream : public detail::stage<buffer_count_stream<S>, S> {
  using T = stream_value_t<S>;

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = std::vector<T>;

  /// Made by `buffer_count(...)`.
  buffer_count_stream(S s, detail::checked_count n, detail::checked_count skip)
      : buffer_count_stream::stage(std::move(s)),
        n_(n.n),
        skip_(skip.n),
        check_(n.bad      ? n.bad
               : skip.bad ? skip.bad
               : (!std::is_copy_constructible_v<T> && skip.n < n.n)
                   ? "buffer_count: overlapping buffers (skip < n) need a copyable value type"
                   : nullptr) {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = false;
  template <class E>
  void pre(E& e) {
    if (check_.bad()) {
      check_.report(e);
    } else if (ended_) {
      if (open_.empty()) {
        e.end();
        return;
      }
      value_type b = std::move(open_.front());
      open_.pop_front();
      e.value(std::move(b));
    }
  }
  template <class E>
  void on_value(T&& v, E& e) {
    if (k_ % skip_ == 0) open_.emplace_back();
    ++k_;
    if (open_.empty()) return;                        // in a gap
    if constexpr (std::is_copy_constructible_v<T>) {  // overlapping buffers (skip < n)
      for (std::size_t i = 0; i + 1 < open_.size(); ++i) open_[i].push_back(v);
    }
    open_.back().push_back(std::move(v));
    if (open_.front().size() == n_) {
      value_type b = std::move(open_.front());
      open_.pop_front();
      e.value(std::move(b));
    }
  }
  template <class E>
  void on_error(eddy::error&& err, E& e) {
    open_.clear();
    k_ = 0;
    e.error(std::move(err));
  }
  template <class E>
  void on_end(E& e) {
    ended_ = true;
    while (!open_.empty() && open_.front().empty()) open_.pop_front();
    pre(e);  // the first flushed buffer, or the end
  }

  std::uint64_t n_;
  std::uint64_t skip_;
  detail::arg_check check_;
  std::uint64_t k_ = 0;
  std::deque<value_type> open_;
  bool ended_ = false;
};

/// `s | buffer_count(n, skip)`: see the file comment.
template <std::integral I, std::integral J>
auto buffer_count(I n, J skip) {
  return detail::bind_stream<buffer_count_stream>(
      detail::checked_count::make(n, "buffer_count: negative count",
                                  "buffer_count: count must be at least 1"),
      detail::checked_count::make(skip, "buffer_count: negative skip",
                                  "buffer_count: skip must be at least 1"));
}

/// `s | buffer_count(n)`: `buffer_count(n, n)`.
template <std::integral I>
auto buffer_count(I n) {
  return buffer_count(n, n);
}

}  // namespace eddy
