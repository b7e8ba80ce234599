// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::mpsc_chan<T>`: the shared state of one `mpsc` channel (see `sync/mpsc.hpp` for the
/// public contract). Internal.
///
/// - Bounded: a lock-free ring (`mpsc_ring`): a send claims a slot and publishes it, the
///   receiver takes from the head, neither takes `lock_`. Senders that find it full wait in
///   `send_waiters_` (FIFO, nodes in their frames, under `lock_`); while any waits, new sends
///   queue behind them (`senders_waiting_`: no barging). The receiver, after each take, checks
///   `senders_waiting_` and, if set, moves the front waiters' values into the ring under the
///   lock and wakes those senders (`admit_locked`), so a waiting sender is either fully sent or
///   untouched. The take-then-check on the receiver and the register-then-retry on the sender
///   form a Dekker pair (a full fence on each side).
/// - `lock_` is a biased lock: while one thread is the only one to use the channel, a send
///   takes it as its owner (plain stores, `mpsc_ring::push_exclusive`) and no side fences.
///   The first other thread revokes the bias (a process-wide barrier, once); from then on
///   sends use the ring's compare-and-swap (`push_shared`) and fence. Slow paths (waiting,
///   parking, close) always take the lock.
/// - The receiver parks (`rx_waiter_`, under the lock) after announcing it in `rx_parked_`
///   and looking at the ring once more; a send publishes, then looks at `rx_parked_` and, if
///   set, wakes it under the lock (another Dekker pair).
/// - Unbounded: a segment queue; producers push under `lock_`, the receiver pops without it.
/// - Items are never handed to a waiting receiver: the receiver is only woken and pops itself,
///   so a receive that is cancelled after its wake loses nothing (the item is still queued, in
///   order).
/// - Every wake happens under `lock_` (the awaiter protocol of `runtime/task_header.hpp`).
/// - Cache lines: the lock and the slow-path state; the receiver's own state; what sends read
///   on every push (`closed_`, `senders_waiting_`, `rx_parked_`); the ring's tail and head
///   each on their own.
#pragma once
#include <atomic>
#include <cstddef>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/core/detail/biased_lock.hpp"
#include "eddy/core/error.hpp"
#include "eddy/core/lock.hpp"
#include "eddy/core/panic.hpp"
#include "eddy/runtime/detail/waiter_list.hpp"
#include "eddy/runtime/task_header.hpp"
#include "eddy/sync/detail/mpsc_ring.hpp"
#include "eddy/sync/detail/mpsc_segment_queue.hpp"

namespace eddy::detail {

/// A sender suspended in `send` on a full bounded channel (lives in its awaiter).
template <class T>
struct mpsc_send_node : waiter_node {
  static constexpr unsigned char waiting = 0, sent = 1, closed = 2;
  T* value = nullptr;
  unsigned char status = waiting;  // written under the channel lock before the wake
};

enum class mpsc_pop : unsigned char { item, empty, end };

/// An unbounded `co_await send` that completed this many times in a row without suspending
/// yields once (after enqueuing), like tokio's cooperative budget: the producer cannot starve
/// the other tasks of its runtime, nor run millions of items ahead of its consumer.
inline constexpr unsigned mpsc_coop_budget = 128;

/// A received item waiting in an awaiter: a hand-rolled optional whose `take()` builds the
/// returned `std::optional<T>` in place (a trivially copyable optional copied as one 16-byte
/// block right after its parts were stored separately stalls store forwarding).
template <class T>
class mpsc_item {
 public:
  mpsc_item() noexcept {}
  mpsc_item(mpsc_item&& o) noexcept(std::is_nothrow_move_constructible_v<T>) {
    if (o.has_) emplace(std::move(o.value_));
  }
  mpsc_item(const mpsc_item&) = delete;
  mpsc_item& operator=(const mpsc_item&) = delete;
  ~mpsc_item() {
    if (has_) value_.~T();
  }
  template <class U>
  void emplace(U&& v) {
    if (has_) value_.~T();
    ::new (static_cast<void*>(&value_)) T(std::forward<U>(v));
    has_ = true;
  }
  bool has_value() const noexcept { return has_; }
  T& operator*() noexcept { return value_; }
  /// Moves the item out (empty optional if none).
  std::optional<T> take() {
    if (!has_) return std::nullopt;
    has_ = false;
    struct destroy {
      T* p;
      ~destroy() { p->~T(); }
    } d{&value_};
    return std::optional<T>(std::in_place, std::move(value_));
  }

 private:
  union {
    T value_;
  };
  bool has_ = false;
};

template <class T>
class mpsc_chan {
 public:
  using node = mpsc_send_node<T>;

  /// Bounded with capacity `cap` (>= 1). Check `allocated()`: the ring's allocation is nothrow.
  explicit mpsc_chan(std::size_t cap) : cap_(cap), ring_(cap), q_(false) {}
  /// False when a bounded channel's ring could not be allocated.
  bool allocated() const noexcept { return !bounded() || ring_.allocated(); }
  /// Unbounded.
  mpsc_chan() : cap_(0), q_(true) {}
  mpsc_chan(const mpsc_chan&) = delete;
  mpsc_chan& operator=(const mpsc_chan&) = delete;

  bool bounded() const noexcept { return cap_ != 0; }
  std::size_t capacity() const noexcept { return cap_; }

  // ---- handles ----
  void add_sender() noexcept { senders_.fetch_add(1, std::memory_order_relaxed); }
  void drop_sender() noexcept {
    if (senders_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      {
        lock_guard<biased_lock> g(lock_);
        wake_receiver();  // the end
      }
      release();  // the reference all senders share
    }
  }
  void drop_receiver() noexcept {
    if (rx_busy_.load(std::memory_order_relaxed))
      panic("eddy::mpsc::receiver destroyed while a recv() on it is pending");
    close();
    if (cap_) {
      for (;;) {  // a send racing the close stays in the ring until the ring is destroyed
        mpsc_item<T> v;
        if (!ring_.try_take(v)) break;
      }
    } else {
      q_.clear();
    }
    release();
  }

  // ---- sending ----
  /// Enqueues `v` (moved from on success). Returns `errc{}`, `errc::full` or `errc::closed`.
  /// Bounded: without the lock (see the file comment). The two locked branches are
  /// `push_locked` written out for their case: calling it measured 3-5% slower on W1 and W6c.
  [[gnu::always_inline]] errc try_push(T& v) {
    if (!cap_) {
      lock_guard<biased_lock> g(lock_);
      if (closed_.load(std::memory_order_relaxed)) return errc::closed;
      q_.push(std::move(v));
      wake_receiver();
      return errc{};
    }
    if (closed_.load(std::memory_order_relaxed)) return errc::closed;
    if (senders_waiting_.load(std::memory_order_relaxed)) [[unlikely]]
      return errc::full;                  // queue behind the waiting senders
    if (lock_.enter_biased_or_share()) {  // inside the lock: as push_locked
      const errc e = closed_.load(std::memory_order_relaxed) ? errc::closed
                     : ring_.push_exclusive(v)               ? errc{}
                                                             : errc::full;
      if (e == errc{}) wake_receiver_if_ready();
      lock_.unlock_biased();
      return e;
    }
    if constexpr (EDDY_HAS_THREADS) {
      using r = typename mpsc_ring<T>::push_result;
      const r pushed = ring_.push_shared(v, closed_);
      if (pushed != r::pushed) return pushed == r::full ? errc::full : errc::closed;
      std::atomic_thread_fence(std::memory_order_seq_cst);  // publish, then look for a parked rx
      if (rx_parked_.load(std::memory_order_relaxed)) [[unlikely]]
        wake_parked_receiver();
    }
    return errc{};
  }
  /// `try_push` under the lock; `exclusive`: the lock was taken through its bias (the guard's
  /// `biased()`).
  errc push_locked(T& v, bool exclusive) {
    if (closed_.load(std::memory_order_relaxed)) return errc::closed;
    if (cap_) {
      if (!send_waiters_.empty() || !push_ring(v, exclusive)) return errc::full;
    } else {
      q_.push(std::move(v));
    }
    wake_receiver_if_ready();  // under the lock: ordered with the receiver's parking
    return errc{};
  }

  // ---- receiving (receiver side only) ----
  /// Pops one item into `out`, or says the channel is empty (still open) or ended. No lock,
  /// but for admitting waiting senders.
  [[gnu::always_inline]] mpsc_pop pop(mpsc_item<T>& out) {
    if (!cap_) return pop_unbounded(out);
    if (take(out)) return mpsc_pop::item;
    if (closed_.load(std::memory_order_acquire)) return pop_closed(out);
    if (senders_.load(std::memory_order_acquire) == 0)
      return take(out) ? mpsc_pop::item : mpsc_pop::end;  // sends made before are visible now
    return mpsc_pop::empty;
  }
  /// `pop` with the lock held; `exclusive` as for `push_locked`.
  mpsc_pop pop_locked(mpsc_item<T>& out, bool exclusive) {
    if (!cap_) return pop_unbounded(out);
    if (ring_.try_take(out)) {
      if (!send_waiters_.empty()) admit_locked(exclusive);  // the freed slot goes to a waiter
      return mpsc_pop::item;
    }
    if (!ended_locked()) return mpsc_pop::empty;
    if (closed_.load(std::memory_order_relaxed)) return pop_closed(out);
    return ring_.try_take(out) ? mpsc_pop::item : mpsc_pop::end;  // sends made before the end
  }
  mpsc_pop pop_unbounded(mpsc_item<T>& out) {
    if (q_.try_pop(out)) return mpsc_pop::item;
    if (closed_.load(std::memory_order_acquire) || senders_.load(std::memory_order_acquire) == 0) {
      // Pushes made before the close / the last sender's drop are visible now.
      return q_.try_pop(out) ? mpsc_pop::item : mpsc_pop::end;
    }
    return mpsc_pop::empty;
  }
  /// Under the lock, after `pop_locked` found nothing: announces that the receiver parks and
  /// looks at the ring once more. False when an item arrived meanwhile (pop again instead).
  bool announce_park_locked(bool exclusive) noexcept {
    if (!cap_) return true;  // unbounded sends wake under the lock
    rx_parked_.store(true, std::memory_order_relaxed);
    if (!exclusive) std::atomic_thread_fence(std::memory_order_seq_cst);
    if (!ring_.front_ready()) return true;
    rx_parked_.store(false, std::memory_order_relaxed);
    return false;
  }
  /// Under the lock: a parked receive that is cancelled leaves (unless already woken).
  void unpark_locked(const waker& w) noexcept {
    if (rx_waiter_ == w) {
      rx_waiter_ = waker{};
      rx_parked_.store(false, std::memory_order_relaxed);
    }
  }

  // ---- waiting senders (bounded) ----
  /// Under the lock: a waiting sender that was never woken leaves the queue (cancelled).
  void cancel_wait_locked(node* n) noexcept {
    send_waiters_.remove(n);
    if (send_waiters_.empty()) senders_waiting_.store(false, std::memory_order_relaxed);
  }
  /// Under the lock, after a push found the ring full: queues `n` (its `value` set; the caller
  /// sets its waker afterwards, still under the lock) behind the waiting senders, unless the
  /// receiver freed a slot meanwhile; false when `n` was sent instead.
  bool wait_for_room_locked(node* n, bool exclusive) {
    send_waiters_.push_back(n);
    senders_waiting_.store(true, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_seq_cst);  // the sender's half of the pair
    return !admit_locked(exclusive, n);
  }
  /// Under the lock, when nothing is buffered: true if nothing can arrive any more.
  bool ended_locked() const noexcept {
    return closed_.load(std::memory_order_relaxed) || senders_.load(std::memory_order_acquire) == 0;
  }

  void close() noexcept {
    lock_guard<biased_lock> g(lock_);
    if (closed_.load(std::memory_order_relaxed)) return;
    closed_.store(true, std::memory_order_seq_cst);  // then pop_closed looks for claims
    while (waiter_node* w = send_waiters_.pop_front()) {
      node* n = static_cast<node*>(w);
      n->status = node::closed;
      n->w.wake();
    }
    senders_waiting_.store(false, std::memory_order_relaxed);
    wake_receiver();
  }
  bool is_closed() const noexcept { return closed_.load(std::memory_order_acquire); }
  std::size_t blocked_senders() noexcept {
    lock_guard<biased_lock> g(lock_);
    return send_waiters_.size();
  }

  /// Under the lock, after a push: wakes the parked receive if the item at its head is ready.
  /// A bounded push may land behind a slot another send has claimed but not yet published;
  /// the receive, woken then, would find its head empty and take that for the end. That send
  /// wakes it instead, once it publishes (it sees `rx_parked_`: the receive announced it
  /// before looking at the ring). While the receive is parked its head is still, and the lock
  /// orders its last move with this read.
  [[gnu::always_inline]] void wake_receiver_if_ready() noexcept {
    if (rx_waiter_ && (!cap_ || ring_.front_ready())) wake_receiver();
  }
  /// Under the lock: wakes the parked receive, if any (the end, a close).
  void wake_receiver() noexcept {
    if (rx_waiter_) {
      rx_waiter_.wake();
      rx_waiter_ = waker{};
      rx_parked_.store(false, std::memory_order_relaxed);
    }
  }

  biased_lock lock_;          ///< slow paths; sends take it only while it is biased
  waker rx_waiter_;           ///< the parked receive, under lock_
  waiter_list send_waiters_;  ///< senders waiting for space (bounded), under lock_
  /// The channel's name in task dumps, or null (set at creation; not copied).
  const char* name_ = nullptr;
  /// A receive is suspended (detects misuse: a second recv, a try_recv or a drop meanwhile).
  /// The receiver's line: written and read by the receiver only.
  alignas(64) std::atomic<bool> rx_busy_{false};

  /// Task dumps: `mpsc::recv on channel 'jobs'`, `mpsc::send on channel 'jobs' (full: 1024)`.
  static void describe(const wait_kind& k, const void* obj, dump_sink& out) {
    const auto* c = static_cast<const mpsc_chan*>(obj);
    out << k.what << " on channel";
    out.name(c->name_);
    if (k.what[6] == 's') out << " (full: " << static_cast<std::uint64_t>(c->cap_) << ')';
  }
  static constexpr wait_kind recv_wait{"mpsc::recv", &describe};  ///< a receive waits
  static constexpr wait_kind send_wait{"mpsc::send", &describe};  ///< a send waits for room

 private:
  void release() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
  // Under the lock (so `closed_` is still): true when pushed.
  bool push_ring(T& v, bool exclusive) {
    if constexpr (!EDDY_HAS_THREADS) return ring_.push_exclusive(v);  // no compare-and-swap
    return exclusive ? ring_.push_exclusive(v)
                     : ring_.push_shared(v, closed_) == mpsc_ring<T>::push_result::pushed;
  }
  // Receiver side, the channel closed (by the receiver: its seq_cst store comes before this):
  // the items left, then the end. A send that claimed a slot before seeing the close is a few
  // instructions from publishing it (its item, or an empty slot when it saw the close after
  // all): wait for it, so a send that succeeded is never left behind the end.
  [[gnu::noinline]] mpsc_pop pop_closed(mpsc_item<T>& out) {
    for (int spins = 0;; spin_pause(spins)) {
      if (ring_.try_take(out)) return mpsc_pop::item;
      if (!ring_.claims_in_flight()) return mpsc_pop::end;
    }
  }
  /// Receiver side, no lock: takes the item at the head, then admits waiting senders into the
  /// freed slot (the receiver's half of the pair; no fence while this thread owns the bias).
  [[gnu::always_inline]] bool take(mpsc_item<T>& out) {
    if (!ring_.try_take(out)) return false;
    if (!lock_.owned_by_this_thread(rx_fence_lost_))
      std::atomic_thread_fence(std::memory_order_seq_cst);
    if (senders_waiting_.load(std::memory_order_relaxed)) [[unlikely]]
      admit_waiting_senders();
    return true;
  }
  [[gnu::noinline]] void admit_waiting_senders() {
    lock_guard<biased_lock> g(lock_);
    admit_locked(g.biased());
  }
  // After a lock-free push saw `rx_parked_`. The receiver may have taken the item and parked
  // again since (the flag is then its new announcement): wake it only if an item is ready.
  [[gnu::noinline]] void wake_parked_receiver() noexcept {
    lock_guard<biased_lock> g(lock_);
    wake_receiver_if_ready();
  }
  /// Under the lock: moves the front waiters' values into free slots (FIFO) and wakes those
  /// senders. `self`, a sender registering right now, is admitted like the others but not
  /// woken: true when it was.
  bool admit_locked(bool exclusive,
                    node* self = nullptr) noexcept(std::is_nothrow_move_constructible_v<T>) {
    bool self_sent = false, pushed = false;
    while (!send_waiters_.empty()) {
      node* n = static_cast<node*>(send_waiters_.front());
      if (!push_ring(*n->value, exclusive)) break;
      send_waiters_.pop_front();
      n->status = node::sent;
      pushed = true;
      if (n == self)
        self_sent = true;
      else
        n->w.wake();
    }
    if (send_waiters_.empty()) senders_waiting_.store(false, std::memory_order_relaxed);
    if (pushed) wake_receiver_if_ready();
    return self_sent;
  }

  bool rx_fence_lost_ = false;  // the receiver's: see biased_lock::owned_by_this_thread
  // Read by every send; written on slow paths (close, a sender waits, the receiver parks).
  alignas(64) std::atomic<bool> closed_{false};
  std::atomic<bool> senders_waiting_{false};  // !send_waiters_.empty(), stored under lock_
  std::atomic<bool> rx_parked_{false};        // rx_waiter_ is set or about to be
  std::size_t cap_;                           // 0 = unbounded
  std::atomic<std::size_t> senders_{1};
  std::atomic<unsigned> refs_{2};  // the receiver + all senders together
  mpsc_ring<T> ring_;              // bounded (tail and head on lines of their own)
  mpsc_segment_queue<T> q_;        // unbounded
};

}  // namespace eddy::detail
