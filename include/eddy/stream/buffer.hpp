// SPDX-License-Identifier: BSL-1.0
/// \file
/// `buffer(n, policy)`: lets the producer run ahead of a slow consumer by at most `n` items.
///
/// ```
/// producer (10 ms per item, pulled on demand):  0---1---2---3---4---5|
/// consumer (27 ms per item):                    takes at 10, 37, 64, 91, ...
///
/// buffer(2)  (overflow::wait, the default)
///   pulled:  0@10 1@20 2@30 ------ 3@47 ----- 4@74 ----- 5@101 ---- |@118
///   output:  0@10 ---- 1@37 ------ 2@64 ----- 3@91 ----- 4@118 ---- 5@145 |@172
/// buffer(2, overflow::drop_oldest)
///   pulled:  0@10 1@20 2@30 3@40 4@50 5@60 |@60       (2 and 3 dropped when 4, 5 came)
///   output:  0@10 1@37 4@64 5@91 |@118
/// buffer(2, overflow::drop_newest)
///   output:  0@10 1@37 2@64 3@91 |@118                 (4 and 5 dropped)
/// buffer(2, overflow::error)
///   output:  0@10 1@37 2@64 3@91 E(full)@118 |@145    (4 found it full; 5 never pulled)
/// ```
/// - A cold stage: nothing is pulled before the first `next()`. Then a pump task (spawned on
///   the consumer's runtime, see detail/feed.hpp) pulls the upstream continuously into a ring
///   of `n` items, while the consumer takes from the ring. With `overflow::wait` (the default)
///   the pump stops pulling while the ring is full and goes on when the consumer takes one:
///   lossless backpressure, and exactly `n` items pulled but not yet taken while the consumer
///   is the slower side. The dropping policies never stop the pump: a full ring drops its
///   oldest item (`drop_oldest`) or the new one (`drop_newest`); `overflow::error` cuts the
///   consumer off: it gets what the ring holds, then one `errc::full` error, then the end, and
///   the upstream is not pulled again. The policies are those of the hot sources
///   (stream/buffer_policy.hpp); `dropped()` counts what the policy dropped (under `error`, the
///   item that found the ring full).
/// - **Output timestamp: the item's own** (items pass unchanged, in order).
/// - **Errors are items**: buffered and counted like values; they end nothing.
/// - The end is delivered after everything buffered. An exception escaping the upstream's
///   `next()` becomes an `errc::exception` error item, then the end.
/// - Buffering: at most `n` items (a ring allocated once, with the shared state, when the
///   stage is made); no allocation per item. The pump is spawned once.
/// - A synchronous upstream is pulled by the pump without suspending: under a dropping policy
///   all its items arrive at the same instant (the consumer sees the newest `n`, or the first
///   `n`); the pump yields to the runtime every 1024 items in a row, so an endless synchronous
///   upstream does not starve the consumer.
/// - Cancellation: destroying the stream aborts the pump (the upstream's pending `next()` is
///   destroyed at its suspension point) and frees the ring and the upstream. A pump aborted
///   otherwise (its runtime shutting down) ends the output with an `errc::aborted` error after
///   what is buffered.
/// - `n == 0`: the stream yields one `errc::invalid_argument` error and ends (nothing pulled).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include "eddy/stream/buffer_policy.hpp"
#include "eddy/stream/detail/feed.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream of `buffer`: see the file comment and stream/concept.hpp. Movable before its
/// first `next()`; one consumer at a time.
template <class S>
class buffer_stream : public detail::hub_stage<buffer_stream<S>> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `buffer(...)`.
  buffer_stream(S s, buffer_policy p)
      : buffer_stream::hub_stage(p.valid() ? nullptr : "buffer: capacity must be at least 1"),
        in_(std::move(s), p.valid() ? p : buffer_policy{1, p.on_full}, "buffer") {}

  /// Items the policy dropped so far (see the file comment). Thread-safe.
  std::uint64_t dropped() const { return in_.dropped(); }

 private:
  friend struct detail::hub_access;
  detail::port_hub* hub() const noexcept { return in_.hub(); }

  template <class V>
  bool produce(V& v) {
    std::optional<item<value_type>> out;
    if (!in_.take(out, current_executor())) return false;
    if (!out) return this->finish(v);
    detail::visit_result(std::move(out), v);
    return true;
  }

  detail::feed<S> in_;
};

/// `s | buffer(n, on_full)`: see the file comment. `n` is the ring's capacity (0 is
/// `errc::invalid_argument`); `on_full` is what a full ring does (default: the pump waits).
inline auto buffer(std::size_t n, overflow on_full = overflow::wait) {
  return detail::bind_stream<buffer_stream>(buffer_policy{n, on_full});
}
/// `s | buffer(policy)`: the same with a `buffer_policy` (capacity and overflow rule).
inline auto buffer(buffer_policy policy) {
  return detail::bind_stream<buffer_stream>(policy);
}

}  // namespace eddy
