// SPDX-License-Identifier: BSL-1.0
/// \file
/// `oneshot`: a channel for exactly one value (a reply).
///
/// ```cpp
/// auto [tx, rx] = oneshot::channel<int>();
/// tx.send(42);                  // never waits; send_result: closed + value back if rx is gone
/// result<int> r = co_await rx;  // 42, or errc::closed if tx was dropped without sending
/// ```
///
/// Contract:
/// - `sender<T>` (move-only): `send(v)` stores the value and wakes the receiver; it consumes
///   the sender (it is empty afterwards). If the receiver is gone or closed it hands the value
///   back with `errc::closed`. On an empty (moved-from or used) sender: `errc::invalid_argument`,
///   value back. Dropping the sender without sending makes the receiver see `errc::closed`.
/// - `receiver<T>` (move-only): `co_await rx` (or `co_await rx.recv()`) gives `result<T>`: the
/// value, `errc::closed` (the
///   sender is gone without sending, or `close()` was called before a value arrived), or
///   `errc::invalid_argument` (empty receiver, value already taken, or another task already
///   waits on it). `try_recv()` never suspends: also `errc::empty` while nothing arrived yet.
///   `close()` makes a later `send` fail (value back); a value sent before it is still received.
/// - `co_await tx.closed()` (`void`) completes once the receiver is gone: dropped or `close()`d,
///   the moment after which `send` can only fail. A server awaits it beside its work (e.g. in
///   `when_any`) to stop working for a caller that left. It completes at once when that has
///   already happened, and for an empty sender (moved-from, or used by `send`: a received value
///   does not count, as the sender is consumed by sending it). Cancel-safe (an aborted or
///   timed-out wait deregisters); any number of tasks may wait; the awaiter must not outlive
///   the sender, and the sender must not be used (`send`, moved, assigned) while one waits.
/// - Cancel safety: a task aborted or timed out while awaiting the receiver loses nothing; the
///   value stays in the channel for the next await.
/// - Thread-safety: the two ends may live on different threads and runtimes; each end is
///   thread-compatible (the awaiter of `co_await rx` must not outlive `rx`). The waiter resumes
///   on its own runtime.
/// - Plain threads (hosted targets): `rx.blocking_recv()` blocks the calling thread; on a
///   runtime's thread or in a task it gives `errc::deadlock` at once.
/// - Cost: one allocation per channel (the shared state); send/receive take a short lock and
///   never allocate.
#pragma once
#include <atomic>
#include <cstdint>
#include <new>
#include <utility>

#include "eddy/core/lock.hpp"
#include "eddy/core/panic.hpp"
#include "eddy/core/result.hpp"
#include "eddy/runtime/detail/waiter_list.hpp"
#include "eddy/runtime/task_header.hpp"
#include "eddy/sync/detail/blocking.hpp"
#include "eddy/sync/send_result.hpp"

namespace eddy {

namespace detail {

/// The shared state. Every flag write happens under `lock`; the receiver also reads `flags`
/// without it (acquire) to skip the lock when the outcome is known. There is no reference
/// count: each end sets its `*_released` bit under the lock when it lets go, and the end that
/// sets the second one frees the state after unlocking (one atomic operation per end).
template <class T>
class oneshot_state {
 public:
  static constexpr std::uint8_t value_set = 1;     ///< the value is constructed
  static constexpr std::uint8_t tx_closed = 2;     ///< the sender went away without sending
  static constexpr std::uint8_t rx_closed = 4;     ///< the receiver closed or went away
  static constexpr std::uint8_t tx_released = 8;   ///< the sender handle is done with the state
  static constexpr std::uint8_t rx_released = 16;  ///< the receiver handle is done with it

  oneshot_state() noexcept {}
  oneshot_state(const oneshot_state&) = delete;
  oneshot_state& operator=(const oneshot_state&) = delete;
  ~oneshot_state() {
    if ((flags.load(std::memory_order_relaxed) & value_set) && !taken) value.~T();
  }
  /// Under the lock: wakes every `sender::closed()` waiter (the receiver closed or went away).
  void wake_closed_waiters() noexcept {
    while (waiter_node* n = tx_waiters.pop_front()) n->w.wake();
  }
  void wake_receiver() noexcept {
    if (rx_waiter) {
      rx_waiter.wake();
      rx_waiter = waker{};
    }
  }
  /// Sets `bits` (under the lock). Returns the flags after.
  std::uint8_t set_locked(std::uint8_t bits) noexcept {
    const std::uint8_t f = flags.load(std::memory_order_relaxed) | bits;
    flags.store(f, std::memory_order_release);
    return f;
  }
  /// Under the lock: marks one end released; true if the caller must free the state (after
  /// unlocking).
  bool release_locked(std::uint8_t bits) noexcept {
    const std::uint8_t f = set_locked(bits);
    return (f & (tx_released | rx_released)) == (tx_released | rx_released);
  }

  static constexpr wait_kind recv_wait{"oneshot::recv", nullptr};      ///< the receiver waits
  static constexpr wait_kind closed_wait{"oneshot::closed", nullptr};  ///< `closed()` waits
  spin_lock lock;
  std::atomic<std::uint8_t> flags{0};
  bool taken = false;      ///< receiver-private: the value was moved out
  waker rx_waiter;         ///< under lock
  waiter_list tx_waiters;  ///< under lock: tasks in `sender::closed()`
  union {
    T value;  ///< constructed by send, under lock, before value_set is published
  };
};

}  // namespace detail

namespace oneshot {

/// The sending end of a oneshot channel: `send(v)` once. Move-only; may live on another thread
/// or runtime than the receiver. Dropping it unsent makes the receiver see `errc::closed`.
template <class T>
class sender {
  using state = detail::oneshot_state<T>;

 public:
  sender() noexcept = default;
  /// Internal: adopts the sender reference of `s`.
  explicit sender(state* s) noexcept : s_(s) {}
  /// Takes over `o`'s end; `o` becomes empty.
  sender(sender&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  /// Drops this end (closing it if unsent), then takes over `o`'s.
  sender& operator=(sender&& o) noexcept {
    if (this != &o) {
      drop();
      s_ = std::exchange(o.s_, nullptr);
    }
    return *this;
  }
  sender(const sender&) = delete;
  sender& operator=(const sender&) = delete;
  ~sender() { drop(); }

  /// Sends `v` and consumes the sender. `errc::closed` (receiver gone or closed) or
  /// `errc::invalid_argument` (empty sender) hand the value back.
  send_result<T> send(T v) {
    if (!s_) return send_result<T>(errc::invalid_argument, std::move(v));
    state* s = std::exchange(s_, nullptr);
    bool ok, last;
    {
      detail::lock_guard<detail::spin_lock> g(s->lock);
      ok = !(s->flags.load(std::memory_order_relaxed) & state::rx_closed);
      if (ok) {
        ::new (static_cast<void*>(&s->value)) T(std::move(v));
        s->set_locked(state::value_set);
        s->wake_receiver();
      }
      last = s->release_locked(state::tx_released);
    }
    if (last) delete s;
    if (ok) return {};
    return send_result<T>(errc::closed, std::move(v));
  }

  /// True once the receiver is gone or closed (or for an empty sender).
  bool is_closed() const noexcept {
    return !s_ || (s_->flags.load(std::memory_order_acquire) & state::rx_closed);
  }
  /// True if this sender can still send.
  bool valid() const noexcept { return s_ != nullptr; }

  /// The awaitable of `closed()`: completes (`void`) once the receiver is gone or closed.
  /// Destroying it while suspended deregisters it. Must not outlive the sender.
  class [[nodiscard]] closed_awaiter {
   public:
    /// Made by `closed()`.
    explicit closed_awaiter(state* s) noexcept : s_(s) {}
    /// Movable only before it is awaited (moving a suspended awaiter panics).
    closed_awaiter(closed_awaiter&& o) noexcept : s_(o.s_) {
      if (o.registered_) panic("eddy::oneshot: a closed() awaiter was moved while waiting");
    }
    closed_awaiter(const closed_awaiter&) = delete;
    closed_awaiter& operator=(const closed_awaiter&) = delete;
    ~closed_awaiter() {
      if (registered_) {  // cancelled (or woken but never resumed): leave the list
        detail::lock_guard<detail::spin_lock> g(s_->lock);
        s_->tx_waiters.remove(&node_);
      }
    }
    bool await_ready() const noexcept {
      return !s_ || (s_->flags.load(std::memory_order_acquire) & state::rx_closed);
    }
    bool await_suspend(coro::coroutine_handle<> h) noexcept {
      detail::lock_guard<detail::spin_lock> g(s_->lock);
      if (s_->flags.load(std::memory_order_relaxed) & state::rx_closed) return false;
      node_.w = detail::suspend_here(h, state::closed_wait);
      s_->tx_waiters.push_back(&node_);
      registered_ = true;
      return true;
    }
    void await_resume() noexcept { registered_ = false; }  // woken: already unlinked

   private:
    state* s_;
    detail::waiter_node node_;
    bool registered_ = false;
  };

  /// `co_await tx.closed()`: completes once the receiver is dropped or `close()`d (at once if
  /// it already is, or if this sender is empty). Resumes on the caller's runtime. Cancel-safe.
  /// See the file comment.
  closed_awaiter closed() const noexcept { return closed_awaiter{s_}; }

 private:
  void drop() noexcept {
    if (!s_) return;
    state* s = std::exchange(s_, nullptr);
    bool last;
    {
      detail::lock_guard<detail::spin_lock> g(s->lock);
      s->set_locked(state::tx_closed);
      s->wake_receiver();
      last = s->release_locked(state::tx_released);
    }
    if (last) delete s;
  }
  state* s_ = nullptr;
};

/// The receiving end of a oneshot channel: `co_await rx` gives `result<T>`. Move-only;
/// thread-compatible (one task awaits it at a time); dropping it closes the channel.
template <class T>
class receiver {
  using state = detail::oneshot_state<T>;
  static constexpr std::uint8_t done_bits = state::value_set | state::tx_closed | state::rx_closed;

 public:
  receiver() noexcept = default;
  /// Internal: adopts the receiver reference of `s`.
  explicit receiver(state* s) noexcept : s_(s) {}
  /// Takes over `o`'s end; `o` becomes empty.
  receiver(receiver&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  /// Drops this end (closing the channel), then takes over `o`'s.
  receiver& operator=(receiver&& o) noexcept {
    if (this != &o) {
      drop();
      s_ = std::exchange(o.s_, nullptr);
    }
    return *this;
  }
  receiver(const receiver&) = delete;
  receiver& operator=(const receiver&) = delete;
  ~receiver() { drop(); }

  /// The awaitable of `co_await rx` / `rx.recv()`: `result<T>`. Destroying it while suspended
  /// deregisters it; a value that arrived stays in the channel (nothing lost). Must not outlive
  /// the receiver.
  class [[nodiscard]] awaiter {
   public:
    /// Made by `co_await rx` or `rx.recv()`.
    explicit awaiter(state* s) noexcept : s_(s) {}
    /// Movable only before it is awaited.
    awaiter(awaiter&& o) noexcept : s_(o.s_), second_(o.second_) {}  // before suspension only
    awaiter(const awaiter&) = delete;
    awaiter& operator=(const awaiter&) = delete;
    ~awaiter() {
      if (registered_) {  // cancelled: deregister; a value that arrived stays in the channel
        detail::lock_guard<detail::spin_lock> g(s_->lock);
        if (s_->rx_waiter == w_) s_->rx_waiter = waker{};
      }
    }
    bool await_ready() const noexcept {
      return !s_ || s_->taken || (s_->flags.load(std::memory_order_acquire) & done_bits);
    }
    bool await_suspend(coro::coroutine_handle<> h) noexcept {
      detail::lock_guard<detail::spin_lock> g(s_->lock);
      if (s_->flags.load(std::memory_order_relaxed) & done_bits) return false;
      if (s_->rx_waiter) {  // another task already waits on this receiver: report, not hang
        second_ = true;
        return false;
      }
      w_ = detail::suspend_here(h, state::recv_wait);
      s_->rx_waiter = w_;
      registered_ = true;
      return true;
    }
    result<T> await_resume() {
      registered_ = false;
      if (second_) {
        return error{errc::invalid_argument, 0, "eddy::oneshot: another task awaits this receiver"};
      }
      return take(s_);
    }

   private:
    state* s_;
    waker w_;
    bool registered_ = false;
    bool second_ = false;
  };

  /// Waits for the value: `result<T>` (the value, `errc::closed`, or `errc::invalid_argument` for
  /// an empty receiver, a value already taken, or a second waiting task). Cancel-safe.
  awaiter operator co_await() & noexcept { return awaiter{s_}; }
  /// The same as `co_await rx` on an lvalue receiver.
  awaiter operator co_await() && noexcept { return awaiter{s_}; }
  /// The same as `co_await rx`, as a named awaitable (e.g. `timeout(d, rx.recv())`).
  awaiter recv() noexcept { return awaiter{s_}; }

  /// The value if it has arrived, else `errc::empty` (still expected) or `errc::closed`;
  /// `errc::invalid_argument` on an empty receiver or once the value was taken.
  result<T> try_recv() {
    if (s_ && !s_->taken && !(s_->flags.load(std::memory_order_acquire) & done_bits)) {
      return errc::empty;
    }
    return take(s_);
  }

#if EDDY_HAS_THREADS
  /// For plain threads (hosted targets): waits for the value, blocking the thread. Gives what
  /// `co_await rx` gives, or `errc::deadlock` at once when called on a runtime's thread or in
  /// a task (sync/detail/blocking.hpp).
  result<T> blocking_recv() {
    if (detail::inside_runtime()) return error{errc::deadlock, 0, detail::blocking_inside_message};
    result<T> r = try_recv();
    if (r || r.error() != errc::empty) return r;
    auto p = detail::park_thread_on([this] { return recv(); });
    if (!p) return p.error();  // no memory for the wait
    return std::move(p).value();
  }
#endif

  /// Refuses a later send (it gets its value back). A value already sent can still be received.
  /// Idempotent; no-op on an empty receiver.
  void close() noexcept {
    if (!s_) return;
    detail::lock_guard<detail::spin_lock> g(s_->lock);
    s_->set_locked(state::rx_closed);
    s_->wake_closed_waiters();
  }
  /// True if this handle refers to a channel.
  bool valid() const noexcept { return s_ != nullptr; }

 private:
  static result<T> take(state* s) {
    if (!s || s->taken) {
      return error{errc::invalid_argument, 0,
                   "eddy::oneshot: empty receiver or value already taken"};
    }
    if (s->flags.load(std::memory_order_acquire) & state::value_set) {
      s->taken = true;
      result<T> r(std::move(s->value));
      s->value.~T();
      return r;
    }
    return errc::closed;
  }
  void drop() noexcept {
    if (!s_) return;
    state* s = std::exchange(s_, nullptr);
    bool last;
    {
      detail::lock_guard<detail::spin_lock> g(s->lock);
      last = s->release_locked(state::rx_closed | state::rx_released);
      s->wake_closed_waiters();
    }
    if (last) delete s;
  }
  state* s_ = nullptr;
};

/// The two ends of a oneshot channel: `auto [tx, rx] = oneshot::channel<T>();`.
template <class T>
std::pair<sender<T>, receiver<T>> channel() {
  auto* s = new detail::oneshot_state<T>();
  return {sender<T>(s), receiver<T>(s)};
}

}  // namespace oneshot
}  // namespace eddy
