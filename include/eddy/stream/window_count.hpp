// SPDX-License-Identifier: BSL-1.0
/// \file
/// `window_count(n)`: splits a stream into consecutive windows of `n` values, each window a
/// stream of its own (a stream of streams, Rx `windowCount`).
///
/// ```
/// source:   --1--2--3--E--4--5--|
///           std::move(source) | window_count(2)
/// outer:    --W0----W1----E--W2-|        (Wk opens with its first value; E = the error)
/// W0:       --1--2|
/// W1:       --------3--------4|          (the error does not count and does not close it)
/// W2:       -----------------------5--|  (the last, partial window ends with the source)
/// ```
/// - `s | window_count(n, p)` moves `s` in and returns a stream of `window_stream<S>`. Window
///   `k` holds values `k*n .. k*n + n - 1` of the source; it appears on the outer stream when
///   its first value arrives (so **an empty window never appears**: an empty source gives an
///   outer stream that just ends) and **ends right after its `n`-th value**. The end of the
///   source ends the current (partial) window, then the outer stream.
/// - **Errors go to the outer stream only** and count as no value: the current window goes on
///   (as in `group_by`, whose machinery this is: `window_count` is `group_by` with the value's
///   index / `n` as the key, each group closing after `n` values).
/// - **Buffering bound and policy**: each window buffers at most `p.capacity` values (default
///   64) with overflow policy `p.on_full` (buffer_policy.hpp); the outer stream buffers at most
///   `p.capacity` windows (always waiting). **A consumer that does not drain a window**: under
///   `overflow::wait` (the default) a full window stops the pulling of the source until it is
///   read (so read each window as it comes, e.g. `concat_map`, or the windows concurrently,
///   e.g. `merge_map`); a dropping policy drops values of that window (counted by the window's
///   `dropped()`) and never holds the source back; `buffer_policy::fail` cuts the window off
///   with one `errc::full` error.
/// - **A window dropped unread** (its stream destroyed) discards what it buffered, and the rest
///   of its `n` values are discarded as they arrive (no new window opens for them); the next
///   window opens at the next multiple of `n`. Dropping the outer stream destroys the windows
///   it had not handed out; the windows handed out go on to their end.
/// - Pull-driven (no task of its own; an asynchronous source is pulled through a pump task):
///   whichever stream (outer or window) asks while its buffer is empty pulls the source.
///   Thread-safety: the outer stream and the windows may be consumed from different tasks and
///   runtimes (each one consumer at a time).
/// - **Output timestamps**: values pass unchanged; a window appears when its first value does.
/// - Cost: one allocation for the shared state, one per window (its node and ring); per value
///   a scan of the windows not yet destroyed (a consumer that keeps every window alive makes
///   it longer).
/// - Unlike `window_by_count(n)`, which emits each window as one `std::vector<T>` once it is
///   complete (and drops a partial window on an error), `window_count` hands a window out at
///   its first value and its values as they arrive, with a bounded buffer instead of a vector.
/// - `n <= 0` or `p.capacity == 0`: the outer stream yields one `errc::invalid_argument` error
///   and ends; the source is never pulled.
#pragma once
#include <concepts>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "eddy/stream/detail/count.hpp"
#include "eddy/stream/group_by.hpp"
#include "eddy/stream/map.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

namespace detail {

/// The key of `window_count`: the value's index divided by `n`. Used by one task at a time (the
/// group_by state's role holder).
struct window_index {
  std::uint64_t n;
  std::uint64_t i = 0;
  template <class T>
  std::uint64_t operator()(const T&) noexcept {
    return i++ / n;
  }
};

/// The outer stream's map: a group's stream (the key is the window's number).
struct window_of {
  template <class G>
  auto operator()(G&& g) const {
    return std::move(g.stream);
  }
};

}  // namespace detail

/// One window of `window_count`: a stream of up to `n` values (a `group_stream`; see
/// group_by.hpp for its members: `dropped()`, moving, destroying). See window_count.hpp.
template <class S>
using window_stream = group_stream<S, detail::window_index>;

/// The outer stream of `window_count`: a stream of `window_stream<S>` and the source's errors.
/// See window_count.hpp.
template <class S>
using window_count_stream = map_stream<grouped<S, detail::window_index>, detail::window_of>;

/// `s | window_count(n)` / `s | window_count(n, policy)`: see the file comment.
template <std::integral I>
auto window_count(I n, buffer_policy policy = {}) {
  const detail::checked_count c = detail::checked_count::make(
      n, "window_count: negative count", "window_count: count must be at least 1");
  return detail::pipe_with([c, policy]<class S>(S&& s) {
    using D = std::remove_cvref_t<S>;
    detail::group_mode m{c.n, true, c.bad};
    if (!m.bad && !policy.valid()) m.bad = "window_count: capacity must be at least 1";
    return window_count_stream<D>(
        grouped<D, detail::window_index>(D(std::forward<S>(s)), detail::window_index{c.n ? c.n : 1},
                                         group_by_options{policy, ~std::size_t{0}}, m),
        detail::window_of{});
  });
}

}  // namespace eddy
