// SPDX-License-Identifier: BSL-1.0
/// \file
/// The consumer side of every operator that waits on more than one thing at once (see
/// detail/port.hpp for the ports and their pumps): `hub_wait`, `hub_next<Op>` and the operator
/// base `hub_stage<Op>`.
///
/// `hub_wait` suspends the consumer until a pump delivers something or an optional deadline on
/// the runtime clock passes (a timer armed in the awaiter; exactly one wake either way).
/// `hub_next<Op>` is the `next()` awaiter of such operators: it calls `op.produce(v)` (emit at
/// most one item now, else make sure pulls are under way) and, when nothing came, waits with
/// `hub_wait(op.hub(), op.deadline())` in a loop frame allocated once per operator.
///
/// `hub_stage<Op>` is the base of those operators (CRTP, like `stage` for single-input ones): it
/// gives `next()` and `try_visit()`, owns the loop frame's cache, and settles the two terminal
/// states before `produce` is called: bad arguments (one `errc::invalid_argument` error, then the
/// end, without touching an input) and an output that has ended (`finish`: the end, again and
/// again). An operator supplies, privately, befriending `hub_access`:
/// - `template <class V> bool produce(V& v)`: emit at most one item into `v` now (one of
///   `v.value`, `v.error`, `v.end`) and return true, or make sure the pulls it needs are under
///   way and return false;
/// - `port_hub* hub()`: where its pumps (and timers) wake it;
/// - optionally `bool deadline(time_point& t)`: a wake-up time while it waits (default: none);
/// - optionally `template <class V> bool run(V& v)`: the run form of `produce` (the contract of
///   `visit_while`, stream/concept.hpp), called only while the output is running.
#pragma once
#include <atomic>
#include <optional>
#include <utility>

#include "eddy/core/lock.hpp"
#include "eddy/core/panic.hpp"
#include "eddy/runtime/sleep.hpp"
#include "eddy/stream/concept.hpp"
#include "eddy/stream/detail/port.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy::detail {

/// Suspends the consumer until a pump delivers (`hub.signalled`) or `deadline` passes.
/// Exactly one wake per suspension: the pump and the timer both clear `hub.consumer` under the
/// hub's lock before waking. Cancel-safe: the destructor disarms the timer and deregisters.
class hub_wait : private timer_node {
 public:
  /// A null `deadline`, or `never`, waits for the pump alone (no timer).
  hub_wait(port_hub* h, const time_point* until) noexcept
      : timer_node(&fire), h_(h), has_deadline_(until != nullptr && *until != never) {
    if (has_deadline_) deadline_ = *until;
  }
  hub_wait(const hub_wait&) = delete;
  hub_wait& operator=(const hub_wait&) = delete;
  ~hub_wait() { finish(); }

  bool await_ready() {
    {
      lock_guard<spin_lock> g(h_->lock);
      if (h_->signalled) {
        h_->signalled = false;
        return true;
      }
    }
    return has_deadline_ && now() >= deadline_;
  }
  bool await_suspend(coro::coroutine_handle<> c) {
    lock_guard<spin_lock> g(h_->lock);
    if (h_->signalled) {
      h_->signalled = false;
      return false;
    }
    static constexpr wait_kind kind{"stream: the consumer waits for its inputs", nullptr};
    me_ = suspend_here(c, kind);
    h_->consumer = me_;
    if (has_deadline_) {
      ex_ = me_.task()->get_executor();
      armed_ = true;
      ex_.post_at(deadline_, *this);
    }
    return true;
  }
  void await_resume() noexcept { finish(); }

 private:
  void finish() noexcept {
    if (armed_) {
      armed_ = false;
      if (!ex_.cancel(*this)) {
        while (!done_.load(std::memory_order_acquire)) cpu_relax();
      }
    }
    if (me_) {
      lock_guard<spin_lock> g(h_->lock);
      if (h_->consumer == me_) h_->consumer = waker{};
      me_ = waker{};
    }
  }
  static void fire(work_node* n) noexcept {
    auto* self = static_cast<hub_wait*>(n);
    {
      lock_guard<spin_lock> g(self->h_->lock);
      if (self->me_ && self->h_->consumer == self->me_) {
        self->h_->consumer = waker{};
        self->me_.wake();
      }
    }
    self->done_.store(true, std::memory_order_release);  // last touch of *self
  }

  port_hub* h_;
  time_point deadline_{};
  bool has_deadline_;
  bool armed_ = false;
  waker me_;
  executor ex_;
  std::atomic<bool> done_{false};
};

template <class Op>
class hub_stage;

/// The door to an operator's private `produce`, `hub` and `deadline`: operators declare
/// `friend struct detail::hub_access;`.
struct hub_access {
  /// `op.produce(v)` once the base's terminal states are settled (see `hub_stage`).
  template <class Op, class V>
  static bool produce(Op& op, V& v) {
    hub_stage<Op>& base = op;
    if (base.state_ != hub_stage<Op>::running) return base.settle(v);
    return op.produce(v);
  }
  /// The run form (see stream/concept.hpp): `op.run(v)` while the output is running, for an
  /// operator that has one; otherwise `produce` item after item.
  template <class Op, class V>
  static bool visit_while(Op& op, V& v) {
    if constexpr (requires { op.run(v); }) {
      hub_stage<Op>& base = op;
      if (base.state_ == hub_stage<Op>::running) return op.run(v);
    }
    while (v.more()) {
      if (!produce(op, v)) return false;
    }
    return true;
  }
  template <class Op>
  static port_hub* hub(Op& op) noexcept {
    return op.hub();
  }
  template <class Op>
  static bool deadline(Op& op, time_point& t) {
    return op.deadline(t);
  }
  template <class Op>
  static frame_cache& cache(Op& op) noexcept {
    hub_stage<Op>& base = op;
    return base.cache_;
  }
  // The hooks of the gate operators (detail/gate.hpp).
  template <class Op, class T, class E>
  static void on_source(Op& op, T&& v, E& e) {
    op.on_source(std::forward<T>(v), e);
  }
  template <class Op, class T, class E>
  static bool on_gate(Op& op, T&& g, E& e) {
    return op.on_gate(std::forward<T>(g), e);
  }
};

/// The `next()` awaiter of a multi-wait operator `Op` (see the file comment).
template <class Op>
class hub_next {
  using Out = typename Op::value_type;

 public:
  explicit hub_next(Op& op) noexcept : op_(&op) {}
  /// Movable before it suspended (e.g. into `timeout`).
  hub_next(hub_next&& o) : op_(o.op_), out_(std::move(o.out_)), frame_(std::move(o.frame_)) {}
  hub_next& operator=(hub_next&&) = delete;

  bool await_ready() {
    store_visitor<Out> st{out_};
    return hub_access::produce(*op_, st);
  }
  template <class P>
  coro::coroutine_handle<> await_suspend(coro::coroutine_handle<P> h) {
    return frame_.start(loop(hub_access::cache(*op_), this), h);
  }
  std::optional<item<Out>> await_resume() {
    frame_.rethrow();
    return std::move(out_);
  }

 private:
  static pump_handle loop(frame_cache&, hub_next* self) {
    for (;;) {
      time_point t{};
      const bool timed = hub_access::deadline(*self->op_, t);
      co_await hub_wait(hub_access::hub(*self->op_), timed ? &t : nullptr);
      store_visitor<Out> st{self->out_};
      if (hub_access::produce(*self->op_, st)) co_return;
    }
  }

  Op* op_;
  std::optional<item<Out>> out_;
  loop_frame frame_;
};

/// Base of the multi-wait operator streams (CRTP). See the file comment.
template <class Op>
class hub_stage {
 public:
  /// The awaiter of the next item (see `hub_next`).
  auto next() { return hub_next<Op>(static_cast<Op&>(*this)); }
  /// The synchronous fast path (see stream/concept.hpp).
  template <class V>
  bool try_visit(V& v) {
    return hub_access::produce(static_cast<Op&>(*this), v);
  }
  /// The run form of `try_visit` (see stream/concept.hpp): the operator's `run(v)` if it has
  /// one (emit item after item while `v.more()`, as `produce` would one at a time).
  template <class V>
  bool visit_while(V& v) {
    return hub_access::visit_while(static_cast<Op&>(*this), v);
  }

 protected:
  hub_stage() noexcept = default;
  /// With a message: the arguments are bad (see the file comment).
  explicit hub_stage(const char* bad_message) noexcept { reject(bad_message); }
  hub_stage(hub_stage&&) noexcept = default;
  hub_stage& operator=(hub_stage&&) = delete;

  /// Records bad arguments (the first message counts); for a constructor.
  void reject(const char* message) noexcept {
    if (message && state_ == running) {
      state_ = rejected;
      msg_ = message;
    }
  }
  /// The arguments were bad.
  bool rejected_args() const noexcept { return state_ == rejected; }
  /// The output has ended: every later `produce` gives the end.
  void close() noexcept { state_ = ended; }
  /// `close()`, then the end into `v`; returns true (for `produce`).
  template <class V>
  bool finish(V& v) {
    close();
    v.end();
    return true;
  }
  /// Default: no timer while waiting.
  bool deadline(time_point&) const noexcept { return false; }

 private:
  friend struct hub_access;
  enum : unsigned char { running, rejected, ended };
  template <class V>
  bool settle(V& v) {
    if (state_ == rejected) {
      state_ = ended;
      v.error(error{errc::invalid_argument, 0, msg_});
    } else {
      v.end();
    }
    return true;
  }

  const char* msg_ = nullptr;
  unsigned char state_ = running;
  frame_cache cache_;
};

}  // namespace eddy::detail
