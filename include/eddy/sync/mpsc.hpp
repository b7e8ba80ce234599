// SPDX-License-Identifier: BSL-1.0
/// \file
/// `mpsc`: multi-producer, single-consumer channels.
///
/// ```cpp
/// auto [tx, rx] = mpsc::channel<int>(16);        // bounded: at most 16 buffered items
/// auto [utx, urx] = mpsc::unbounded_channel<int>();
/// auto r = co_await tx.send(1);                  // waits while full; r.error() == closed, with
///                                                // r.into_inner() the value handed back
/// std::optional<int> v = co_await rx.recv();     // empty once every sender is gone and drained
/// ```
///
/// Contract:
/// - `channel<T>(cap)`: `cap == 0` is a programming error and panics; `try_channel<T>(cap)`
///   gives `errc::invalid_argument` instead (also for a `cap` whose size in bytes cannot be
///   represented), and `errc::out_of_memory` when the ring cannot be allocated (`channel`
///   panics then). Bounded channels are a ring of exactly `cap` slots, allocated once.
///   `unbounded_channel<T>()` grows in segments that are reused: no allocation per item in steady
///   state.
/// - `sender<T>`: copyable; every copy is a producer. `co_await tx.send(v)` enqueues `v`,
///   waiting while a bounded channel is full; waiting senders are served in FIFO order and a new
///   send never overtakes a waiting one. It gives a `send_result<T>`: success, or
///   `errc::closed` with the value handed back (`into_inner()`). `try_send(v)` never suspends:
///   `errc::full` or `errc::closed`, with the value back. A moved-from sender gives
///   `errc::invalid_argument` (value back). Cooperative budget: on an unbounded channel, the
///   128th `co_await send` in a row that did not have to wait enqueues its value and then
///   yields once (like tokio's budget), so a producer neither starves the other tasks of its
///   runtime nor runs millions of items ahead of its consumer.
/// - `receiver<T>`: move-only, one consumer. `co_await rx.recv()` gives the next item, or an
///   empty optional once the channel is closed or every sender is gone *and* the buffer is
///   drained. `try_recv()` never suspends: the item, `errc::empty` (open, nothing buffered) or
///   `errc::closed` (ended). `close()`: sends fail from then on, senders waiting in `send` are
///   woken and get their value back, and `recv` still drains what is buffered. Closing twice is
///   a no-op. Dropping the receiver closes the channel and destroys what is buffered. Dropping
///   the last sender wakes the receiver.
/// - Cancel safety: a task aborted (or timed out by `timeout`) while suspended in `recv` loses
///   no item: the receiver is only woken, the item stays queued in order until a receive
///   consumes it. A task aborted while suspended in `send` leaves nothing half-sent: its value
///   either is in the channel (the send completed) or was never enqueued; the next waiting
///   sender is served.
/// - Moved-from handles: every call is defined (`recv` -> empty optional, `try_recv` ->
///   `errc::invalid_argument`, `close` -> no-op).
/// - Thread-safety: senders (different copies) may be used from any threads and runtimes at
///   once; the receiver is thread-compatible (one task uses it at a time, on any runtime). A
///   second `recv` while one is suspended on the same receiver panics (`try_recv` then gives
///   `errc::invalid_argument`). The awaitable of `send`/`recv` must not outlive its handle.
///   A suspended task resumes on its own runtime.
/// - Plain threads (hosted targets): `tx.blocking_send(v)` and `rx.blocking_recv()` block the
///   calling thread instead of suspending a task; on a runtime's thread or in a task they give
///   `errc::deadlock` at once (sync/detail/blocking.hpp; one task allocation per call that has
///   to wait).
/// - Cost: no allocation per send, receive or wake. Bounded: no lock to send or receive (a
///   ring with a stamp per slot; sync/detail/mpsc_ring.hpp); waiting, parking and close lock.
///   While a single thread uses a channel (all its tasks on one runtime thread) a send costs
///   no atomic read-modify-write; from the first use on a second thread on (a one-time switch
///   of about a microsecond, Linux; elsewhere from the start) a send claims its slot with one
///   compare-and-swap. Unbounded: one short lock per send (biased the same way); the receiver
///   pops without it. See core/detail/biased_lock.hpp.
/// - Name: `mpsc::channel<T>(cap, "jobs")` / `unbounded_channel<T>("jobs")` names the channel in
///   task dumps (`mpsc::recv on channel 'jobs'`; `runtime::dump`). Not copied: a string literal.
#pragma once
#include <cstddef>
#include <new>
#include <optional>
#include <utility>

#include "eddy/core/panic.hpp"
#include "eddy/core/result.hpp"
#include "eddy/sync/detail/blocking.hpp"
#include "eddy/sync/detail/mpsc_chan.hpp"
#include "eddy/sync/send_result.hpp"

namespace eddy::mpsc {

template <class T>
class receiver;

/// The producing side; copyable. See the file comment.
template <class T>
class sender {
  using chan = detail::mpsc_chan<T>;

 public:
  /// An empty (moved-from-like) sender.
  sender() noexcept = default;
  /// Internal: adopts a sender reference of `c`.
  explicit sender(chan* c) noexcept : c_(c) {}
  /// A copy is another producer of the same channel (the channel stays open while any
  /// copy lives); a move leaves the source empty. Assigning over a sender first drops the
  /// producer it held (dropping the last one wakes the receiver).
  ///@{
  sender(const sender& o) noexcept : c_(o.c_) {
    if (c_) c_->add_sender();
  }
  sender(sender&& o) noexcept : c_(std::exchange(o.c_, nullptr)) {}
  // Copy and move assignment, not one by-value operator=: clang 16 may skip destroying the
  // by-value parameter of `h = {}` in a template (llvm#51037), leaking the old handle.
  sender& operator=(const sender& o) noexcept {
    sender t{o};
    std::swap(c_, t.c_);
    return *this;
  }
  sender& operator=(sender&& o) noexcept {
    sender t{std::move(o)};
    std::swap(c_, t.c_);
    return *this;
  }
  ///@}
  /// Drops this producer; dropping the last one wakes the receiver, which gets the end once
  /// the buffer is drained.
  ~sender() {
    if (c_) c_->drop_sender();
  }

  /// Awaitable returned by `send`. Gives `send_result<T>`.
  class [[nodiscard]] send_awaiter {
   public:
    /// Internal (made by `send`): sends `v` on `c` (null: moved-from sender); `streak` is
    /// the sender's cooperative-budget counter.
    send_awaiter(chan* c, T&& v, unsigned* streak) : c_(c), streak_(streak), v_(std::move(v)) {}
    /// Only before the first `await_suspend`.
    send_awaiter(send_awaiter&& o) noexcept(std::is_nothrow_move_constructible_v<T>)
        : c_(o.c_), streak_(o.streak_), v_(std::move(o.v_)), code_(o.code_) {}
    send_awaiter(const send_awaiter&) = delete;
    send_awaiter& operator=(const send_awaiter&) = delete;
    [[gnu::always_inline]] ~send_awaiter() {
      if (registered_) {  // cancelled while waiting: leave the queue, keep nothing half-sent
        detail::lock_guard<detail::biased_lock> g(c_->lock_);
        c_->cancel_wait_locked(&node_);
      }
      if (node_made_) node_.~node_type();
    }

    [[gnu::always_inline]] bool await_ready() {
      if (!c_) {
        code_ = errc::invalid_argument;
        return true;
      }
      if (!c_->bounded() && ++*streak_ == detail::mpsc_coop_budget) {
        *streak_ = 0;
        return false;  // enqueue in await_suspend, then yield once
      }
      code_ = c_->try_push(v_);
      return code_ != errc::full;
    }
    bool await_suspend(coro::coroutine_handle<> h) {
      {
        detail::lock_guard<detail::biased_lock> g(c_->lock_);
        code_ = c_->push_locked(v_, g.biased());
        if (code_ == errc::full) {
          ::new (static_cast<void*>(&node_)) node_type();  // only now: the fast path stores less
          node_made_ = true;
          node_.value = &v_;
          if (!c_->wait_for_room_locked(&node_, g.biased())) {  // a slot was freed meanwhile
            code_ = errc{};
            return false;
          }
          // Still under the lock, so nothing can wake the node before its waker is set.
          node_.w = detail::suspend_here(h, chan::send_wait, c_);
          registered_ = true;
          return true;
        }
      }
      if (code_ != errc{} || c_->bounded()) return false;
      // Unbounded, budget used up: the item is sent; let the other ready tasks run once.
      detail::suspend_here(h).request_yield();
      return true;
    }
    [[gnu::always_inline]] send_result<T> await_resume() {
      if (registered_) {  // woken: the receiver (or close) decided under the lock
        registered_ = false;
        code_ = node_.status == node_type::sent ? errc{} : errc::closed;
      }
      if (code_ == errc{}) return {};
      return send_result<T>(code_, std::move(v_));
    }

   private:
    using node_type = detail::mpsc_send_node<T>;
    chan* c_;
    unsigned* streak_;
    T v_;
    union {
      node_type node_;  // constructed when the send waits
    };
    errc code_ = errc{};
    bool registered_ = false;
    bool node_made_ = false;
  };

  /// Sends `v`, waiting while a bounded channel is full. See the file comment.
  send_awaiter send(T v) { return send_awaiter{c_, std::move(v), &streak_}; }

  /// Sends `v` without suspending: `errc::full`, `errc::closed` or `errc::invalid_argument`
  /// (moved-from sender) hand the value back.
  send_result<T> try_send(T v) {
    if (!c_) return send_result<T>(errc::invalid_argument, std::move(v));
    const errc e = c_->try_push(v);
    if (e == errc{}) return {};
    return send_result<T>(e, std::move(v));
  }

#if EDDY_HAS_THREADS
  /// For plain threads (hosted targets): sends `v`, blocking the thread while the channel is
  /// full. Gives what `send` gives (`errc::closed` hands the value back), or
  /// `errc::deadlock` at once (value back) when called on a runtime's thread or in a task.
  send_result<T> blocking_send(T v) {
    if (detail::inside_runtime()) return send_result<T>(errc::deadlock, std::move(v));
    send_result<T> r = try_send(std::move(v));
    if (r || r.error() != errc::full) return r;
    T& back = r.inner();  // the value handed back by try_send, sent from where it lies
    auto p = detail::park_thread_on([this, &back] { return send(std::move(back)); });
    if (p.has_value()) return std::move(p).value();
    return send_result<T>(p.error().code(), std::move(back));  // no memory for the wait
  }
#endif

  /// True once the receiver has closed the channel or is gone (or for an empty sender).
  bool is_closed() const noexcept { return !c_ || c_->is_closed(); }
  /// True if this handle refers to a channel.
  bool valid() const noexcept { return c_ != nullptr; }
  /// The capacity of a bounded channel; 0 for unbounded (and for an empty sender).
  std::size_t capacity() const noexcept { return c_ ? c_->capacity() : 0; }

 private:
  chan* c_ = nullptr;
  unsigned streak_ = 0;  // unbounded sends completed in a row without suspending (this copy)
};

/// The consuming side; move-only. See the file comment.
template <class T>
class receiver {
  using chan = detail::mpsc_chan<T>;

 public:
  /// An empty (moved-from-like) receiver.
  receiver() noexcept = default;
  /// Internal: adopts the receiver reference of `c`.
  explicit receiver(chan* c) noexcept : c_(c) {}
  /// Moves leave the source empty; assigning over a receiver first drops the one it held
  /// (which closes that channel and destroys its buffered items).
  ///@{
  receiver(receiver&& o) noexcept : c_(std::exchange(o.c_, nullptr)) {}
  receiver& operator=(receiver&& o) noexcept {
    if (this != &o) {
      if (c_) c_->drop_receiver();
      c_ = std::exchange(o.c_, nullptr);
    }
    return *this;
  }
  ///@}
  receiver(const receiver&) = delete;
  receiver& operator=(const receiver&) = delete;
  /// Closes the channel and destroys the items still buffered.
  ~receiver() {
    if (c_) c_->drop_receiver();
  }

  /// Awaitable returned by `recv`. Gives `std::optional<T>`.
  class [[nodiscard]] recv_awaiter {
   public:
    /// Internal (made by `recv`): receives from `c` (null: moved-from receiver).
    explicit recv_awaiter(chan* c) noexcept : c_(c) {}
    /// Only before the first `await_suspend`.
    recv_awaiter(recv_awaiter&& o) noexcept(std::is_nothrow_move_constructible_v<T>)
        : c_(o.c_), v_(std::move(o.v_)), st_(o.st_) {}
    recv_awaiter(const recv_awaiter&) = delete;
    recv_awaiter& operator=(const recv_awaiter&) = delete;
    [[gnu::always_inline]] ~recv_awaiter() {
      if (registered_) {  // cancelled: deregister; a pushed item simply stays queued
        {
          detail::lock_guard<detail::biased_lock> g(c_->lock_);
          c_->unpark_locked(w_);
        }
        c_->rx_busy_.store(false, std::memory_order_relaxed);
      }
    }

    [[gnu::always_inline]] bool await_ready() {
      if (!c_) {
        st_ = detail::mpsc_pop::end;
        return true;
      }
      if (c_->rx_busy_.load(std::memory_order_relaxed))
        panic("eddy::mpsc::receiver: recv() while another recv() is pending");
      st_ = c_->pop(v_);
      return st_ != detail::mpsc_pop::empty;
    }
    bool await_suspend(coro::coroutine_handle<> h) {
      detail::lock_guard<detail::biased_lock> g(c_->lock_);
      st_ = c_->pop_locked(v_, g.biased());  // an item (or the end) may have arrived meanwhile
      if (st_ == detail::mpsc_pop::empty && !c_->announce_park_locked(g.biased()))
        st_ = c_->pop_locked(v_, g.biased());  // one was published while parking
      if (st_ != detail::mpsc_pop::empty) return false;
      w_ = detail::suspend_here(h, chan::recv_wait, c_);
      c_->rx_waiter_ = w_;
      c_->rx_busy_.store(true, std::memory_order_relaxed);
      registered_ = true;
      return true;
    }
    [[gnu::always_inline]] std::optional<T> await_resume() {
      if (st_ == detail::mpsc_pop::empty) {
        if (registered_) {
          registered_ = false;
          c_->rx_busy_.store(false, std::memory_order_relaxed);
        }
        st_ = c_->pop(v_);  // woken by a push, the last sender's drop, or close
      }
      return v_.take();
    }

   private:
    chan* c_;
    detail::mpsc_item<T> v_;
    waker w_;
    detail::mpsc_pop st_ = detail::mpsc_pop::empty;
    bool registered_ = false;
  };

  /// Receives the next item; empty once the channel has ended and is drained.
  recv_awaiter recv() noexcept { return recv_awaiter{c_}; }

  /// Receives without suspending: the item, `errc::empty` (nothing buffered, still open),
  /// `errc::closed` (ended and drained), or `errc::invalid_argument` (moved-from receiver, or a
  /// `recv` is pending on it).
  result<T> try_recv() {
    if (!c_) return error{errc::invalid_argument, 0, "eddy::mpsc: try_recv on an empty receiver"};
    if (c_->rx_busy_.load(std::memory_order_relaxed)) {
      return error{errc::invalid_argument, 0, "eddy::mpsc: try_recv while a recv() is pending"};
    }
    detail::mpsc_item<T> v;
    switch (c_->pop(v)) {
      case detail::mpsc_pop::item:
        return result<T>(std::move(*v));
      case detail::mpsc_pop::empty:
        return errc::empty;
      default:
        return errc::closed;
    }
  }

#if EDDY_HAS_THREADS
  /// For plain threads (hosted targets): receives the next item, blocking the thread while the
  /// channel is empty. As `try_recv` but never `errc::empty`: the item, `errc::closed` once the
  /// channel has ended and is drained (where `recv` gives an empty optional: a `result` is
  /// needed for the next case), `errc::invalid_argument` (moved-from receiver), or
  /// `errc::deadlock` at once when called on a runtime's thread or in a task.
  result<T> blocking_recv() {
    if (detail::inside_runtime()) return error{errc::deadlock, 0, detail::blocking_inside_message};
    result<T> r = try_recv();
    if (r || r.error() != errc::empty) return r;
    auto p = detail::park_thread_on([this] { return recv(); });
    if (!p) return p.error();  // no memory for the wait
    if (!p.value()) return errc::closed;
    return result<T>(std::move(*p.value()));
  }
#endif

  /// Closes the channel: sends fail from now on, waiting senders get their value back,
  /// buffered items can still be received. Idempotent; no-op on an empty receiver.
  void close() noexcept {
    if (c_) c_->close();
  }
  /// True once `close()` was called (the senders may still be alive). True for an empty
  /// receiver.
  bool is_closed() const noexcept { return !c_ || c_->is_closed(); }
  /// True if this handle refers to a channel.
  bool valid() const noexcept { return c_ != nullptr; }
  /// Senders currently suspended in `send` waiting for space (diagnostics). Thread-safe.
  std::size_t blocked_senders() const noexcept { return c_ ? c_->blocked_senders() : 0; }

 private:
  chan* c_ = nullptr;
};

/// The two ends of a channel: `auto [tx, rx] = mpsc::channel<T>(cap);`.
template <class T>
using channel_pair = std::pair<sender<T>, receiver<T>>;

/// A bounded channel of capacity `cap`; `errc::invalid_argument` when `cap` is 0 or its size
/// in bytes cannot be represented, `errc::out_of_memory` when its ring (or the channel) cannot
/// be allocated. Never throws: the allocations are nothrow (also without exceptions).
/// `name` names the channel in task dumps (`mpsc::recv on channel 'jobs'`; not copied: a string
/// literal, or outliving the channel).
template <class T>
result<channel_pair<T>> try_channel(std::size_t cap, const char* name = nullptr) {
  if (cap == 0)
    return error{errc::invalid_argument, 0, "eddy::mpsc::channel: capacity must be >= 1"};
  if (cap > detail::mpsc_ring<T>::max_capacity())
    return error{errc::invalid_argument, 0, "eddy::mpsc::channel: capacity too large"};
  auto* c = new (std::nothrow) detail::mpsc_chan<T>(cap);
  if (c && !c->allocated()) {
    delete c;
    c = nullptr;
  }
  if (!c) return error{errc::out_of_memory, 0, "eddy::mpsc::channel: out of memory"};
  c->name_ = name;
  return channel_pair<T>{sender<T>(c), receiver<T>(c)};
}

/// A bounded channel of capacity `cap`. A `cap` that `try_channel` refuses (0, too large, out
/// of memory) panics with its message. `name`: see `try_channel`.
template <class T>
channel_pair<T> channel(std::size_t cap, const char* name = nullptr) {
  auto r = try_channel<T>(cap, name);
  if (!r) panic(r.error().message());
  return std::move(r).value();
}

/// An unbounded channel: `send` never waits; memory grows with the backlog, in reused segments.
/// `name`: see `try_channel`.
template <class T>
channel_pair<T> unbounded_channel(const char* name = nullptr) {
  auto* c = new detail::mpsc_chan<T>();
  c->name_ = name;
  return channel_pair<T>{sender<T>(c), receiver<T>(c)};
}

}  // namespace eddy::mpsc
