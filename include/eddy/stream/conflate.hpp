// SPDX-License-Identifier: BSL-1.0
/// \file
/// `conflate()`: decouples a fast producer from a slow consumer by keeping only the newest
/// value (as Kotlin's `conflate`).
///
/// ```
/// source:  1-2-3-4-|           (one character = 5 ms)
///          conflate()          (the consumer is busy 25 ms after each item it gets)
/// output:  1----3----4----|    (2 is dropped: 3 replaced it before the consumer asked)
/// ```
/// - The upstream is pulled **continuously** by a pump task (see detail/drain.hpp), also
///   while the consumer is busy; the newest value waits in one slot, and a newer value
///   replaces it (the older one is dropped and counted: `dropped()`). When the consumer asks,
///   it gets the value in the slot at once, or waits for the next one.
/// - **Errors are never conflated away**: an error waits in its own slot and is delivered in
///   stream order with the newest value (a value that came before the error first, then the
///   error, then a value that came after it). While one error is undelivered the upstream is
///   not pulled after a second error (the pump waits), so nothing is lost silently.
/// - The end: the pending value (and error) are delivered first, then the end.
/// - **Output timestamp: the value's own** (values pass unchanged); a value is emitted when
///   the consumer asks, or when it arrives if the consumer is already waiting.
/// - Buffering: one value and one error. Allocation: one shared block and one pump task,
///   at the first `next()`.
/// - The pump yields after each item (one post), so an upstream that never suspends (a
///   synchronous range, an endless generator) cannot starve the runtime; a consumer that waits
///   sees some of its values, which ones depending on the scheduler, and always the last one.
/// - Destroying the stream aborts the pump (an in-flight `next()` of the upstream is destroyed
///   at its suspension point); what the slots hold is dropped with it.
/// - No arguments, so no bad input. If the pump cannot be spawned (out of memory) the stream
///   yields one `errc::out_of_memory` error and ends.
#pragma once
#include <cstdint>
#include <optional>
#include <utility>

#include "eddy/core/lock.hpp"
#include "eddy/stream/detail/drain.hpp"
#include "eddy/stream/detail/hub.hpp"
#include "eddy/stream/detail/latest_slot.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream of `conflate`: see the file comment and stream/concept.hpp.
template <class S>
class conflate_stream : public detail::hub_stage<conflate_stream<S>> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `conflate()`.
  explicit conflate_stream(S s) : d_(std::move(s), detail::latest_slot<value_type>{}, "conflate") {}

  /// Values dropped so far because a newer one replaced them. Thread-safe (the pump counts
  /// them, possibly on another thread).
  std::uint64_t dropped() {
    auto& b = d_.block();
    detail::lock_guard<detail::spin_lock> g(b.lock);
    return b.store.dropped();
  }

 private:
  friend struct detail::hub_access;
  detail::port_hub* hub() const noexcept { return d_.hub(); }

  template <class V>
  bool produce(V& v) {
    if (!d_.start()) {
      this->close();
      v.error(error{errc::out_of_memory, 0, "eddy: no memory for conflate's pump"});
      return true;
    }
    std::optional<value_type> x;
    std::optional<error> e;
    bool end = false;
    {
      auto& b = d_.block();
      detail::lock_guard<detail::spin_lock> g(b.lock);
      auto& st = b.store;
      if (st.error_next()) {
        e.emplace(st.take_error());
        b.wake_producer_locked();
      } else if (st.has_value()) {
        x.emplace(st.take_value());
      } else {
        end = b.ended;
      }
    }
    if (e) {
      v.error(std::move(*e));
      return true;
    }
    if (x) {
      v.value(std::move(*x));
      return true;
    }
    if (end) return this->finish(v);
    return false;
  }

  detail::drain<S, detail::latest_slot<value_type>> d_;
};

/// `s | conflate()`: see the file comment.
inline auto conflate() {
  return detail::bind_stream<conflate_stream>();
}

}  // namespace eddy
