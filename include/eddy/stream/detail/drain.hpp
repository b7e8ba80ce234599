// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::drain<S, Store>`: a stream pulled **continuously** by a pump task into a store that
/// the consumer empties at its own pace, for the decoupling stages (`conflate`). Unlike a port
/// (detail/port.hpp), whose pump pulls one item per request, the drain's pump pulls again as
/// soon as the store has taken the last item, whether or not the consumer is asking.
///
/// - The store (`Store`, under the block's lock) decides what it keeps: the pump calls
///   `store.accepts(item)` and, while that is false, waits (lossless backpressure: the upstream
///   is not pulled); then `store.put(std::move(item))` and wakes the consumer. A consumer that
///   takes something the pump may be waiting for calls `wake_producer_locked()`.
/// - `ended` (under the lock) says the pump is done: the upstream ended, after everything the
///   store holds. An exception from the upstream's `next()` (exceptions on) becomes an
///   `errc::exception` error item, then the end.
/// - A synchronous upstream (`try_visit`) is pulled directly. After each item the pump yields
///   (`yield_now`: one post) so that the consumer and other tasks run: an upstream that never
///   suspends (a synchronous range, a generator that only yields) cannot starve the runtime.
///   Which of such items a waiting consumer sees depends on the scheduler (on `sim_runtime`,
///   the seed). (A next() that completes without the scheduler, by symmetric transfer, cannot
///   be told from one that suspended, hence a yield after every item.)
/// - The pump is spawned on the consumer's executor at the first `start()` (the operator's
///   first `next()`); destroying the drain aborts it (an in-flight `next()` of the upstream is
///   destroyed at its suspension point) and frees the block once the pump is gone.
/// - The consumer waits with `hub_wait` on `hub()` (the block is a `port_hub`), like the other
///   multi-wait operators (`hub_stage`).
#pragma once
#include <optional>
#include <utility>

#include "eddy/core/config.hpp"
#include "eddy/core/lock.hpp"
#include "eddy/core/task.hpp"
#include "eddy/runtime/sleep.hpp"
#include "eddy/runtime/spawn.hpp"
#include "eddy/stream/concept.hpp"
#include "eddy/stream/detail/port.hpp"
#include "eddy/stream/detail/wait.hpp"

#if EDDY_HAS_EXCEPTIONS
#include <exception>
#endif

namespace eddy::detail {

/// The block shared by a drain's consumer and its pump. See the file comment.
template <class S, class Store>
class drain_block final : public port_hub {
 public:
  drain_block(S src, Store st) : port_hub(&destroy), s(std::move(src)), store(std::move(st)) {}

  S s;  ///< the upstream: the pump's alone once it runs
  // under `lock`:
  Store store;
  bool ended = false;  ///< the pump is done (the end comes after what `store` holds)
  waker producer;      ///< the pump, waiting until `store` accepts its item

  /// Wakes the pump if it waits for the store. Under `lock`.
  void wake_producer_locked() noexcept {
    if (producer) std::exchange(producer, waker{}).wake();
  }

 private:
  static void destroy(shared_block* b) noexcept { delete static_cast<drain_block*>(b); }
};

/// The pump task: pulls `b->s` into `b->store` until the end.
template <class S, class Store>
task<void> drain_loop(block_ref owner, drain_block<S, Store>* b) {
  using T = stream_value_t<S>;
  for (bool last = false; !last;) {
    std::optional<item<T>> r;
    store_visitor<T> sv{r};
    if (!try_visit_of(b->s, sv)) {
#if EDDY_HAS_EXCEPTIONS
      try {
#endif
        r = co_await b->s.next();
#if EDDY_HAS_EXCEPTIONS
      } catch (...) {  // the error now, then the end
        r.emplace(error::from_exception(std::current_exception()));
        last = true;
      }
#endif
    }
    if (!r) break;
    co_await locked_wait(
        b->lock, b->producer, [b, &r] { return b->store.accepts(*r); }, stream_waits::pump_room);
    {
      lock_guard<spin_lock> g(b->lock);
      b->store.put(std::move(*r));
      b->notify_locked();
    }
    if (!last) co_await yield_now();
  }
  lock_guard<spin_lock> g(b->lock);
  b->ended = true;
  b->notify_locked();
  static_cast<void>(owner);
}

/// The consumer's side of a drain (owned by the operator). See the file comment.
template <class S, class Store>
class drain {
 public:
  using block_type = drain_block<S, Store>;

  /// The pump task is named `name` (a literal: the operator's name).
  drain(S s, Store st, const char* name = "stream pump")
      : b_(new block_type(std::move(s), std::move(st))), name_(name) {}
  /// Only before `start()`.
  drain(drain&& o) noexcept
      : b_(std::exchange(o.b_, nullptr)),
        name_(o.name_),
        pump_(std::move(o.pump_)),
        started_(o.started_),
        failed_(o.failed_) {}
  drain& operator=(drain&&) = delete;
  ~drain() {
    if (!b_) return;
    pump_.abort();
    b_->release();
  }

  /// Where the pump wakes the consumer.
  port_hub* hub() const noexcept { return b_; }
  /// The shared block: its `lock`, `store`, `ended`, `wake_producer_locked()`.
  block_type& block() noexcept { return *b_; }
  /// Spawns the pump on the current executor the first time. False when it could not be
  /// spawned (out of memory): the drain then never delivers anything.
  bool start() {
    if (started_) return !failed_;
    started_ = true;
    b_->add_ref();
    pump_ = spawn(current_executor(), drain_loop<S, Store>(block_ref(b_), b_), name_);
    failed_ = !pump_.valid();
    return !failed_;
  }

 private:
  block_type* b_;
  const char* name_;
  join_handle<void> pump_;
  bool started_ = false;
  bool failed_ = false;
};

}  // namespace eddy::detail
