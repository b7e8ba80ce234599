// SPDX-License-Identifier: BSL-1.0
/// \file
/// The machinery of every operator that waits on more than one thing at once (several inputs,
/// or an input and a timer): `port_hub` and `port<S>` (the waits and the operator base are in
/// detail/hub.hpp).
///
/// An operator's consumer task cannot suspend in two `next()` calls at once (a task resumes at
/// one point). So each input sits in a `port`: the consumer first asks the input for its next
/// item *synchronously* (`try_visit`, no task, no lock, no allocation); only when the input has
/// no synchronous answer does the port hand the pull to a **pump task** (spawned once per input,
/// on the consumer's executor, the first time it is needed, then reused for every item). The
/// pump awaits `next()`, stores the result in the port's one-item slot with its arrival time,
/// and wakes the consumer through the `port_hub` (one lock and one consumer waker shared by all
/// the ports of an operator). So:
/// - a synchronous input costs nothing extra (`from_range | ordered_merge(...)` is a loop);
/// - an asynchronous input costs a spawn once and two wakes per item, and keeps being pulled
///   while the consumer waits for something else (another input, a timer);
/// - each port buffers at most one item (the pump pulls again only when asked): backpressure;
/// - destroying an operator's `next()` awaiter never cancels an input's `next()` (the pump owns
///   it), so generators and other non-resumable inputs survive a cancelled consumer;
/// - destroying the operator aborts its pumps (`join_handle::abort`): each in-flight `next()`
///   of an input is destroyed at its suspension point (the input's cancel-safety applies).
///
/// The trade-off against polling the inputs in turn inside the consumer (no spawn): polling
/// needs every input to be resumable after its `next()` awaiter was destroyed, which a
/// `generator` is not, and wakes the consumer for every input's every readiness change. The
/// pump costs one spawn per asynchronous input and a hand-off per asynchronous item.
#pragma once
#include <atomic>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/core/config.hpp"
#include "eddy/core/lock.hpp"
#include "eddy/core/task.hpp"
#include "eddy/runtime/sleep.hpp"
#include "eddy/runtime/spawn.hpp"
#include "eddy/stream/concept.hpp"
#include "eddy/stream/detail/wait.hpp"
#include "eddy/stream/stage.hpp"

#if EDDY_HAS_EXCEPTIONS
#include <exception>
#endif

namespace eddy::detail {

/// An intrusively reference-counted block: freed by `destroy` when the last reference goes.
class shared_block {
 public:
  using destroy_fn = void (*)(shared_block*) noexcept;
  explicit shared_block(destroy_fn d) noexcept : destroy_(d) {}
  shared_block(const shared_block&) = delete;
  shared_block& operator=(const shared_block&) = delete;

  void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy_(this);
  }

 private:
  std::atomic<std::uint32_t> refs_{1};
  destroy_fn destroy_;
};

/// A counted reference to a `shared_block` (move-only).
class block_ref {
 public:
  block_ref() noexcept = default;
  /// Adopts one reference already taken by the caller.
  explicit block_ref(shared_block* b) noexcept : b_(b) {}
  block_ref(block_ref&& o) noexcept : b_(std::exchange(o.b_, nullptr)) {}
  block_ref& operator=(block_ref&& o) noexcept {
    if (this != &o) {
      reset();
      b_ = std::exchange(o.b_, nullptr);
    }
    return *this;
  }
  ~block_ref() { reset(); }
  void reset() noexcept {
    if (b_) std::exchange(b_, nullptr)->release();
  }
  shared_block* get() const noexcept { return b_; }

 private:
  shared_block* b_ = nullptr;
};

/// The lock and the consumer's waker shared by the ports (and timers) of one operator.
class port_hub : public shared_block {
 public:
  using shared_block::shared_block;

  spin_lock lock;
  waker consumer;          ///< under `lock`: the consumer waiting in `hub_wait`
  bool signalled = false;  ///< under `lock`: a pump delivered since the consumer last waited

  /// A pump delivered: wake the consumer if it waits. Under `lock`.
  void notify_locked() noexcept {
    signalled = true;
    if (consumer) std::exchange(consumer, waker{}).wake();
  }
};

/// The part of a port that the pump task sees.
template <class S>
struct port_state {
  using value_type = stream_value_t<S>;
  explicit port_state(S src) : s(std::move(src)) {}
  port_state(port_state&&) = default;  // only before a pump exists

  S s;
  // under the hub's lock:
  bool requested = false;  ///< the consumer wants one more item
  bool ready = false;      ///< `slot` holds the pump's result (empty slot = the end)
  waker pump_waiter;       ///< the pump, waiting for a request
  std::optional<item<value_type>> slot;
  time_point arrived{};  ///< when the pump got `slot`
};

template <class S>
task<void> pump_loop(block_ref owner, port_hub* hub, port_state<S>* p);

/// One input of a multi-wait operator. Owned by the operator (inside a `shared_block` that the
/// pump also references); the consumer side (`poll`, `stop`) is used by one task at a time.
template <class S>
class port : private port_state<S> {
  using st = port_state<S>;

 public:
  using value_type = stream_value_t<S>;

  /// A port on `src`; its pump task is named `name` (a literal: the operator's name).
  explicit port(S src, const char* name = "stream pump") : st(std::move(src)), name_(name) {}
  port(port&&) = default;  // only before the first poll

  /// If the input's next item is available now, calls exactly one of `v.value`, `v.error`,
  /// `v.end` and returns true. Otherwise makes sure a pull is under way (spawning the pump
  /// the first time; `owner` is the block that keeps this port alive) and returns false.
  template <class V>
  bool poll(port_hub& hub, shared_block& owner, V& v) {
    if (!ended_ && !outstanding_) [[likely]] {  // the synchronous path, kept small to inline
      if (try_visit_of(this->s, v)) {
        from_pump_ = false;
        return true;
      }
      request(hub, owner);
      return false;
    }
    return poll_pump(hub, v);
  }

  /// True when the last item `poll` gave came from the pump; its arrival time is then
  /// `arrival()`. (A synchronous answer arrived "now".)
  bool from_pump() const noexcept { return from_pump_; }
  time_point arrival() const noexcept { return last_arrival_; }
  /// A pull is under way (the pump has a request the consumer has not collected).
  bool outstanding() const noexcept { return outstanding_; }
  /// Aborts the pump (it stops at its current suspension point). Consumer side; idempotent.
  void stop() noexcept { pump_.abort(); }
  /// The input, for synchronous use while no pull is outstanding.
  S& stream() noexcept { return this->s; }

 private:
  /// `poll` once the input has ended or a pull is outstanding: the end, or the pump's result.
  template <class V>
  [[gnu::noinline]] bool poll_pump(port_hub& hub, V& v) {
    if (ended_) {
      v.end();
      return true;
    }
    std::optional<item<value_type>> r;
    {
      lock_guard<spin_lock> g(hub.lock);
      if (!this->ready) return false;
      this->ready = false;
      r = std::move(this->slot);
      this->slot.reset();
      last_arrival_ = this->arrived;
    }
    outstanding_ = false;
    from_pump_ = true;
    if (!r) ended_ = true;
    visit_result(std::move(r), v);
    return true;
  }

  [[gnu::noinline]] void request(port_hub& hub, shared_block& owner) {
    outstanding_ = true;
    if (!pump_.valid()) {
      this->requested = true;  // published to the pump by spawn's post
      owner.add_ref();
      pump_ = spawn(current_executor(), pump_loop<S>(block_ref(&owner), &hub, this), name_);
      if (!pump_.valid()) {  // out of memory: the pump never runs; report it, then end
        this->requested = false;
        this->ready = true;
        this->slot.emplace(error{errc::out_of_memory, 0, "eddy: no memory for a stream pump"});
        pump_failed_ = true;
      }
      return;
    }
    if (pump_failed_) {
      lock_guard<spin_lock> g(hub.lock);
      this->ready = true;  // an empty slot: the end
      return;
    }
    lock_guard<spin_lock> g(hub.lock);
    this->requested = true;
    if (this->pump_waiter) std::exchange(this->pump_waiter, waker{}).wake();
  }

  template <class X>
  friend task<void> pump_loop(block_ref, port_hub*, port_state<X>*);

  // consumer side
  bool outstanding_ = false;
  bool ended_ = false;
  bool from_pump_ = false;
  bool pump_failed_ = false;
  time_point last_arrival_{};
  join_handle<void> pump_;
  const char* name_;
};

/// The pump task of one input: on each request, one `next()` into the slot.
template <class S>
task<void> pump_loop(block_ref owner, port_hub* hub, port_state<S>* p) {
  using T = stream_value_t<S>;
  for (bool last = false; !last;) {
    co_await locked_wait(
        hub->lock, p->pump_waiter, [p] { return p->requested; }, stream_waits::pump_request);
    std::optional<item<T>> r;
#if EDDY_HAS_EXCEPTIONS
    bool threw = false;
    try {
#endif
      r = co_await p->s.next();
#if EDDY_HAS_EXCEPTIONS
    } catch (...) {
      r.emplace(error::from_exception(std::current_exception()));
      threw = true;
    }
    if (threw) {  // the error now, then the end at the next request
      const time_point t = now();
      {
        lock_guard<spin_lock> g(hub->lock);
        p->slot = std::move(r);
        p->ready = true;
        p->requested = false;
        p->arrived = t;
        hub->notify_locked();
      }
      co_await locked_wait(
          hub->lock, p->pump_waiter, [p] { return p->requested; }, stream_waits::pump_request);
      r.reset();
    }
#endif
    last = !r;
    const time_point t = now();
    lock_guard<spin_lock> g(hub->lock);
    p->slot = std::move(r);
    p->ready = true;
    p->requested = false;
    p->arrived = t;
    hub->notify_locked();
  }
  static_cast<void>(owner);
}

/// When the item a port's last `poll` gave arrived: the pump's arrival time, or `now()` for a
/// synchronous answer.
template <class S>
time_point port_arrival(const port<S>& p) {
  return p.from_pump() ? p.arrival() : now();
}

/// A `port_hub` that owns `Ports` (a tuple or vector of ports), freed with the last reference.
template <class Ports>
class port_block final : public port_hub {
 public:
  template <class... A>
  explicit port_block(A&&... a) : port_hub(&destroy), ports(std::forward<A>(a)...) {}
  Ports ports;

 private:
  static void destroy(shared_block* b) noexcept { delete static_cast<port_block*>(b); }
};

/// A visitor that stores a `poll`ed item into `head`, or records the end in `ended`.
template <class T>
struct head_visitor {
  std::optional<item<T>>& head;
  bool& ended;
  template <class U>
  void value(U&& v) {
    head.emplace(std::forward<U>(v));
  }
  void error(eddy::error&& e) { head.emplace(std::move(e)); }
  void end() noexcept { ended = true; }
};

}  // namespace eddy::detail
