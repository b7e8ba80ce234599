// SPDX-License-Identifier: BSL-1.0
/// \file
/// `observe_on(ex, policy)`: the downstream continues on another runtime; the upstream stays
/// on its own.
///
/// ```
/// runtime A (where the pipeline is built):   src: 1--2--3--|      pulled on A by a pump
///                                                  \  \  \  \      bounded hand-off (16)
/// runtime B (ex, where the consumer runs):          1--2--3--|     next() resumes on B
/// ```
/// ```cpp
/// // on runtime A (e.g. the loop that owns a socket or a sim clock):
/// auto s = std::move(src) | observe_on(pool.get_executor());
/// spawn(pool.get_executor(), consume(std::move(s)));  // the consumer task runs on the pool
/// ```
/// - eddy keeps **affinity** (a task resumes on its own runtime, docs/runtime.md): a task never
///   migrates. So the operator keeps the two sides apart instead: the upstream is pulled by a
///   pump task spawned on the **source runtime** — the one current when the stage is made
///   (`src | observe_on(ex)`), or, when it is made outside any runtime, the consumer's at its
///   first `next()` — and the consumer, a task on the **target** `ex`, takes the items from a
///   bounded buffer between them (detail/feed.hpp, the ring of `buffer`); the pump's wake
///   posts the consumer back to `ex`. Everything below `observe_on` (the upstream, its timers,
///   its `now()`) runs on the source runtime; everything above it runs on `ex`.
/// - `next()` (and `try_visit`) must be called from a task on `ex`: from anywhere else the
///   stream yields one `errc::invalid_argument` error and ends (the consumer would not be where
///   the operator promises).
/// - The hand-off's bound and overflow rule: `policy` (default `overflow::wait` with capacity
///   16: the pump stops pulling while 16 items wait for the consumer — lossless backpressure;
///   the dropping and error policies work as in `buffer`, and `dropped()` counts). The
///   upstream runs ahead of the consumer by at most the capacity.
/// - **Output timestamp: the item's own.** Errors are items and pass in order; the end comes
///   after everything buffered. An exception escaping the upstream's `next()` becomes an
///   `errc::exception` error item, then the end.
/// - Cancellation: destroying the stream (on `ex`) aborts the pump; its pending `next()` of the
///   upstream is destroyed at its suspension point on the source runtime, and the shared state
///   (the upstream and the ring) is freed by whichever side lets go last. When the source
///   runtime shuts down while the consumer still reads (its pump aborted), the consumer gets
///   what was handed over, then one `errc::aborted` error, then the end.
/// - Thread-safety: the two sides share one lock; the upstream is only touched by the pump, so
///   it need not be thread-safe. Its items are moved across (a value type that may cross
///   threads).
/// - Bad input: an empty `ex` or a capacity of 0: one `errc::invalid_argument` error, then the
///   end (nothing pulled).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include "eddy/runtime/runtime.hpp"
#include "eddy/stream/buffer_policy.hpp"
#include "eddy/stream/detail/feed.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream of `observe_on`: see the file comment and stream/concept.hpp. Movable (across
/// runtimes too) before its first `next()`; one consumer at a time.
template <class S>
class observe_on_stream : public detail::hub_stage<observe_on_stream<S>> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `observe_on(...)`: records the current runtime as the source runtime.
  observe_on_stream(S s, executor target, buffer_policy p)
      : observe_on_stream::hub_stage(bad(target, p)),
        in_(std::move(s), p.valid() ? p : buffer_policy{1, p.on_full}, "observe_on"),
        target_(target),
        source_(current_executor()) {}

  /// Items the policy dropped so far (0 under the default `overflow::wait`). Thread-safe.
  std::uint64_t dropped() const { return in_.dropped(); }

 private:
  friend struct detail::hub_access;
  static const char* bad(executor target, buffer_policy p) noexcept {
    if (!target) return "observe_on: the target executor is empty";
    if (!p.valid()) return "observe_on: capacity must be at least 1";
    return nullptr;
  }
  detail::port_hub* hub() const noexcept { return in_.hub(); }

  template <class V>
  bool produce(V& v) {
    const executor here = current_executor();
    if (here != target_) {
      this->close();
      v.error(error{errc::invalid_argument, 0,
                    "observe_on: next() must be called from a task on the target executor"});
      return true;
    }
    std::optional<item<value_type>> out;
    if (!in_.take(out, source_ ? source_ : here)) return false;
    if (!out) return this->finish(v);
    detail::visit_result(std::move(out), v);
    return true;
  }

  detail::feed<S> in_;
  executor target_;
  executor source_;
};

/// `s | observe_on(ex, policy)`: see the file comment. The consumer runs on `ex`; `s` is pulled
/// on the runtime current here; `policy` bounds the hand-off (default: wait, 16 items).
inline auto observe_on(executor ex, buffer_policy policy = buffer_policy::wait(16)) {
  return detail::bind_stream<observe_on_stream>(ex, policy);
}

}  // namespace eddy
