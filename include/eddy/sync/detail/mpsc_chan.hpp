// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::mpsc_chan<T>`: the shared state of one `mpsc` channel (see `sync/mpsc.hpp` for the
/// public contract). Internal.
///
/// - Bounded: a ring (`mpsc_ring`) whose producer side is under `lock_`; senders that find it
///   full wait in `send_waiters_` (FIFO, nodes in their frames). The receiver claims what is
///   buffered under the lock, then takes the claimed items one by one without it. Whoever
///   reclaims the slots of taken items (`reclaim_locked`, under the lock: a producer that finds
///   the ring full, or the receiver) first moves the front waiters' values into them and wakes
///   those senders, so a waiting sender is either fully sent or untouched. Invariant:
///   `send_waiters_` non-empty implies the ring was full at the last reclaim (no barging).
/// - A take does not wait for the lock to admit a waiting sender: after publishing its slot,
///   the receiver checks `senders_waiting_` and, if set, reclaims under the lock. The
///   publish-then-check on the receiver and the register-then-check on the sender form a
///   Dekker pair: a full fence on each side when the channel is used from several threads,
///   and none while its biased lock belongs to the receiver's thread (a sender on another
///   thread revokes the bias first, and the revocation's process-wide barrier orders it).
/// - Unbounded: a segment queue; producers push under `lock_`, the receiver pops without it.
/// - Items are never handed to a waiting receiver: the receiver is only woken and pops itself,
///   so a receive that is cancelled after its wake loses nothing (the item is still queued, in
///   order).
/// - Every wake happens under `lock_` (the awaiter protocol of `runtime/task_header.hpp`).
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
  explicit mpsc_chan(std::size_t cap) : ring_(cap), q_(false), cap_(cap) {}
  /// False when a bounded channel's ring could not be allocated.
  bool allocated() const noexcept { return !bounded() || ring_.allocated(); }
  /// Unbounded.
  mpsc_chan() : q_(true), cap_(0) {}
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
        wake_receiver();
      }
      release();  // the reference all senders share
    }
  }
  void drop_receiver() noexcept {
    if (rx_busy_.load(std::memory_order_relaxed))
      panic("eddy::mpsc::receiver destroyed while a recv() on it is pending");
    close();
    if (cap_) {
      for (;;) {
        mpsc_item<T> v;  // destroyed outside the lock
        lock_guard<biased_lock> g(lock_);
        if (!ring_.claim_locked()) break;
        ring_.take(v);
      }
    } else {
      q_.clear();
    }
    release();
  }

  // ---- sending ----
  /// Enqueues `v` (moved from on success). Returns `errc{}`, `errc::full` or `errc::closed`.
  errc try_push(T& v) {
    lock_guard<biased_lock> g(lock_);
    return push_locked(v);
  }
  errc push_locked(T& v) {
    if (closed_.load(std::memory_order_relaxed)) return errc::closed;
    if (cap_) {
      // Full: reclaim, which admits the waiting senders first (they stay ahead of this one).
      if (ring_.full_locked() && !reclaim_locked_cold()) [[unlikely]]
        return errc::full;
      ring_.push_locked(std::move(v));
    } else {
      q_.push(std::move(v));
    }
    wake_receiver();
    return errc{};
  }

  // ---- receiving (receiver side only) ----
  /// Pops one item into `out`, or says the channel is empty (still open) or ended.
  mpsc_pop pop(mpsc_item<T>& out) {
    if (cap_) {
      if (ring_.has_claim()) {
        take(out);
        return mpsc_pop::item;
      }
      lock_guard<biased_lock> g(lock_);
      return pop_bounded_locked(out);
    }
    return pop_unbounded(out);
  }
  /// The same with the lock held (the unbounded pop needs no lock, but tolerates it).
  mpsc_pop pop_locked(mpsc_item<T>& out) {
    return cap_ ? pop_bounded_locked(out) : pop_unbounded(out);
  }
  /// Receiver side, without the lock: false when a bounded channel's receiver has no claimed
  /// item left (then the caller goes straight to the locked path instead of locking twice).
  bool worth_popping() const noexcept { return !cap_ || ring_.has_claim(); }
  mpsc_pop pop_unbounded(mpsc_item<T>& out) {
    if (q_.try_pop(out)) return mpsc_pop::item;
    if (closed_.load(std::memory_order_acquire) || senders_.load(std::memory_order_acquire) == 0) {
      // Pushes made before the close / the last sender's drop are visible now.
      return q_.try_pop(out) ? mpsc_pop::item : mpsc_pop::end;
    }
    return mpsc_pop::empty;
  }
  mpsc_pop pop_bounded_locked(mpsc_item<T>& out) {
    if (ring_.claim_locked()) {
      ring_.take(out);
      if (!send_waiters_.empty()) reclaim_locked();  // the freed slot goes to the front waiter
      return mpsc_pop::item;
    }
    return ended_locked() ? mpsc_pop::end : mpsc_pop::empty;
  }
  /// Receiver side, no lock: takes a claimed item, then admits waiting senders into the freed
  /// slot (see the file comment for the fence). Precondition: `ring_.has_claim()`.
  void take(mpsc_item<T>& out) {
    ring_.take(out);
    if (!lock_.owned_by_this_thread()) std::atomic_thread_fence(std::memory_order_seq_cst);
    if (senders_waiting_.load(std::memory_order_relaxed)) [[unlikely]]
      admit_waiting_senders();
  }
  /// `take`'s slow path: a sender waits for the slot just freed.
  [[gnu::noinline]] void admit_waiting_senders() {
    lock_guard<biased_lock> g(lock_);
    reclaim_locked();
  }
  /// `push_locked`'s slow path: true when reclaiming left a free slot.
  [[gnu::noinline]] bool reclaim_locked_cold() {
    reclaim_locked();
    return !ring_.full_locked();
  }
  /// Under the lock: gives back the slots of taken items, first to the waiting senders (FIFO):
  /// their values move in and they are woken. `self`, a sender registering right now, is
  /// admitted like the others but not woken: true when it was.
  bool reclaim_locked(node* self = nullptr) noexcept(std::is_nothrow_move_constructible_v<T>) {
    ring_.reclaim_locked();
    bool self_sent = false, pushed = false;
    while (!send_waiters_.empty() && !ring_.full_locked()) {
      node* n = static_cast<node*>(send_waiters_.pop_front());
      ring_.push_locked(std::move(*n->value));
      n->status = node::sent;
      pushed = true;
      if (n == self)
        self_sent = true;
      else
        n->w.wake();
    }
    if (send_waiters_.empty()) senders_waiting_.store(false, std::memory_order_relaxed);
    if (pushed) wake_receiver();
    return self_sent;
  }
  /// Under the lock: a waiting sender that was never woken leaves the queue (cancelled).
  void cancel_wait_locked(node* n) noexcept {
    send_waiters_.remove(n);
    if (send_waiters_.empty()) senders_waiting_.store(false, std::memory_order_relaxed);
  }
  /// Under the lock, after a push found the ring full: queues `n` (its `value` set; the caller
  /// sets its waker afterwards, still under the lock) behind the waiting senders, unless the
  /// receiver freed a slot meanwhile; false when `n` was sent instead.
  bool wait_for_room_locked(node* n) {
    send_waiters_.push_back(n);
    senders_waiting_.store(true, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_seq_cst);  // the sender's half of the pair
    return !reclaim_locked(n);
  }
  /// Under the lock, when nothing is buffered: true if nothing can arrive any more.
  bool ended_locked() const noexcept {
    return closed_.load(std::memory_order_relaxed) || senders_.load(std::memory_order_acquire) == 0;
  }

  void close() noexcept {
    lock_guard<biased_lock> g(lock_);
    if (closed_.load(std::memory_order_relaxed)) return;
    closed_.store(true, std::memory_order_release);
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

  void wake_receiver() noexcept {
    if (rx_waiter_) {
      rx_waiter_.wake();
      rx_waiter_ = waker{};
    }
  }

  biased_lock lock_;          ///< no atomic read-modify-write while one thread uses the channel
  waker rx_waiter_;           ///< the suspended receive, under lock_
  waiter_list send_waiters_;  ///< senders waiting for space (bounded), under lock_
  /// A receive is suspended (detects misuse: a second recv, a try_recv or a drop meanwhile).
  std::atomic<bool> rx_busy_{false};
  /// The channel's name in task dumps, or null (set at creation; not copied).
  const char* name_ = nullptr;

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

  mpsc_ring<T> ring_;                         // bounded (see mpsc_ring for its two sides)
  std::atomic<bool> senders_waiting_{false};  // !send_waiters_.empty(), stored under lock_
  mpsc_segment_queue<T> q_;                   // unbounded
  std::size_t cap_;                           // 0 = unbounded
  std::atomic<bool> closed_{false};
  std::atomic<std::size_t> senders_{1};
  std::atomic<unsigned> refs_{2};  // the receiver + all senders together
};

}  // namespace eddy::detail
