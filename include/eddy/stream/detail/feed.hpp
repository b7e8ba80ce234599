// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::feed<S>`: an upstream pulled **continuously** by a pump task into a bounded buffer
/// with an overflow policy (the `hot_buffer` of the hot sources, detail/hot.hpp), read by one
/// consumer. The machinery of the decoupling operators (`buffer`, `observe_on`).
///
/// Unlike a port (detail/port.hpp), whose pump pulls one item per request, a feed's pump pulls
/// as long as the buffer has room (`overflow::wait`: it stops when the buffer is full, and the
/// consumer's take that makes room wakes it: lossless backpressure) or always (the dropping
/// policies: the buffer's policy decides what a full buffer does; `overflow::error` cuts the
/// consumer off and the pump stops pulling). So the producer runs ahead of the consumer by at
/// most the buffer's capacity.
/// - The pump is spawned by the first `take` (nothing is pulled before: the feed is cold), on
///   the executor the caller names; it resumes there (affinity), whichever thread the consumer
///   runs on: the upstream is only ever touched by the pump. The consumer waits on the hub
///   (`hub_wait`, detail/hub.hpp); the pump wakes it under the hub's lock, which posts it to its
///   own runtime.
/// - Errors are items: buffered like values. The end (or an exception escaping the upstream's
///   `next()`, which becomes an `errc::exception` error item, then the end) is queued after
///   what is buffered. A pump that cannot be spawned (out of memory) gives one
///   `errc::out_of_memory` error, then the end.
/// - A synchronous upstream is pulled without suspending; under a dropping policy the pump
///   yields to its runtime every `sync_batch` items, so that an endless upstream that never
///   suspends (synchronous, or with an always-ready `next()`) cannot starve the consumer.
/// - A pump aborted by anything else (its runtime shutting down while the consumer still reads)
///   ends the buffer with an `errc::aborted` error after what it holds, then the end.
/// - Destroying the feed aborts the pump (its in-flight `next()` is destroyed at its suspension
///   point, on the pump's runtime) and drops the consumer's reference; the shared block (the
///   upstream, the buffer) is freed with the last reference, on whichever side drops it last.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include "eddy/core/config.hpp"
#include "eddy/core/lock.hpp"
#include "eddy/core/task.hpp"
#include "eddy/runtime/sleep.hpp"
#include "eddy/runtime/spawn.hpp"
#include "eddy/stream/buffer_policy.hpp"
#include "eddy/stream/concept.hpp"
#include "eddy/stream/detail/hot.hpp"
#include "eddy/stream/detail/hub.hpp"
#include "eddy/stream/detail/port.hpp"
#include "eddy/stream/detail/wait.hpp"

#if EDDY_HAS_EXCEPTIONS
#include <exception>
#endif

namespace eddy::detail {

/// What the pump and the consumer of a feed share (see the file comment).
template <class S>
class feed_block final : public port_hub {
 public:
  using value_type = stream_value_t<S>;
  feed_block(S src, buffer_policy p) : port_hub(&destroy), s(std::move(src)), buf(p), policy(p) {}

  S s;                         ///< the pump's only, once it is spawned
  hot_buffer<value_type> buf;  ///< under `lock`
  waker pump_waiter;           ///< under `lock`: the pump, waiting for room
  const buffer_policy policy;

 private:
  static void destroy(shared_block* b) noexcept { delete static_cast<feed_block*>(b); }
};

/// Items after which the pump of a dropping feed yields to its runtime.
inline constexpr std::size_t sync_batch = 1024;

/// The pump of a feed (see the file comment).
template <class S>
task<void> feed_loop(block_ref owner, feed_block<S>* b) {
  using T = stream_value_t<S>;
  // Destroyed before it finished (an abort: by the feed's owner, or by the pump's runtime
  // shutting down): the consumer, if any is left, gets `errc::aborted` then the end instead of
  // waiting for ever. `owner`, a parameter, outlives it.
  struct abort_guard {
    feed_block<S>* b;
    bool finished = false;
    ~abort_guard() {
      if (finished) return;
      lock_guard<spin_lock> g(b->lock);
      b->buf.end(error{errc::aborted, 0, "eddy: the stream's pump was aborted"});
      b->notify_locked();
    }
  } guard{b};
  const bool waits = b->policy.on_full == overflow::wait;
  std::size_t since_yield = 0;
  for (bool last = false; !last;) {
    if (waits)
      co_await locked_wait(
          b->lock, b->pump_waiter, [b] { return !b->buf.blocks(); }, stream_waits::pump_room);
    std::optional<item<T>> r;
    bool ended = false;
    bool threw = false;
    head_visitor<T> hv{r, ended};
    const bool sync = try_visit_of(b->s, hv);
    if (!sync) {
#if EDDY_HAS_EXCEPTIONS
      try {
#endif
        r = co_await b->s.next();
#if EDDY_HAS_EXCEPTIONS
      } catch (...) {
        r.emplace(error::from_exception(std::current_exception()));
        threw = true;
      }
#endif
    }
    {
      lock_guard<spin_lock> g(b->lock);
      bool look = true;
      if (r) look = b->buf.offer(std::move(*r));
      if (!r || threw) b->buf.end();  // after a throw the upstream is not pulled again
      last = !r || threw || b->buf.finished();
      if (look || last) b->notify_locked();
    }
    // Counted whatever the path: an upstream whose `next()` is always ready never suspends
    // the pump either, and would starve the consumer just as a synchronous one.
    ++since_yield;
    if (!last && !waits && since_yield >= sync_batch) {
      since_yield = 0;
      co_await yield_now();
    }
  }
  guard.finished = true;
  static_cast<void>(owner);
}

/// The consumer's side of a feed. Move-only; one consumer at a time.
template <class S>
class feed {
 public:
  using value_type = stream_value_t<S>;
  using block_type = feed_block<S>;

  /// Allocates the shared block (the upstream moves into it). Pulls nothing. The pump task is
  /// named `name` (a literal: the operator's name).
  feed(S s, buffer_policy p, const char* name = "stream pump")
      : b_(new block_type(std::move(s), p)), name_(name) {}
  /// Only before the first `take`.
  feed(feed&& o) noexcept : b_(std::exchange(o.b_, nullptr)), name_(o.name_) {}
  feed& operator=(feed&&) = delete;
  /// Aborts the pump and drops the consumer's reference (see the file comment).
  ~feed() {
    if (!b_) return;
    pump_.abort();
    b_->release();
  }

  port_hub* hub() const noexcept { return b_; }

  /// The next buffered item into `out`, or the end (`out` left empty): true; false when
  /// nothing is there yet (the pump, spawned on `ex` the first time, will wake the hub).
  bool take(std::optional<item<value_type>>& out, executor ex) {
    if (!started_) start(ex);
    lock_guard<spin_lock> g(b_->lock);
    bool was_full = false;
    if (!b_->buf.take(out, was_full)) return false;
    if (was_full && b_->pump_waiter) std::exchange(b_->pump_waiter, waker{}).wake();
    return true;
  }
  /// Items the policy dropped so far. Thread-safe.
  std::uint64_t dropped() const {
    lock_guard<spin_lock> g(b_->lock);
    return b_->buf.dropped();
  }

 private:
  void start(executor ex) {
    started_ = true;
    b_->add_ref();  // the pump's
    pump_ = spawn(ex, feed_loop<S>(block_ref(b_), b_), name_);
    if (!pump_.valid()) {
      lock_guard<spin_lock> g(b_->lock);
      b_->buf.end(error{errc::out_of_memory, 0, "eddy: no memory for a stream pump"});
    }
  }

  block_type* b_;
  const char* name_;
  bool started_ = false;
  join_handle<void> pump_;
};

}  // namespace eddy::detail
