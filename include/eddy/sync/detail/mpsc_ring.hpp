// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::mpsc_ring<T>`: the fixed-capacity FIFO behind a bounded `mpsc` channel. One
/// allocation at construction (nothrow: `allocated()` is false when it failed), none
/// afterwards. Internal.
///
/// A bounded array queue with a stamp per slot (the design of Dmitry Vyukov's bounded queue,
/// with crossbeam's lap encoding so any capacity works):
/// - A position is a lap and an index: `pos = lap * one_lap + index`, `one_lap` the power of
///   two above the capacity. A slot whose stamp equals the tail position is free for that
///   push; a push writes the item, then stores `stamp = pos + 1` (release), which publishes it.
/// - The receiver takes the item at its head when the slot's stamp is `head + 1`, then frees
///   the slot for the next lap (`stamp = head + one_lap`, release). No lock on either side.
/// - Producers claim a position with a compare-and-swap on `tail_` (`push_shared`, any
///   thread; a producer that loses the race backs off, as crossbeam's does), or, when the caller
///   guarantees no other push runs concurrently (the channel's biased lock held by its owner, or an
///   interrupt-masking critical section), with plain loads and stores (`push_exclusive`). The two
///   never overlap: see `mpsc_chan`.
/// - Thread-safety: any number of producers, one receiver (never concurrently with itself).
///   The receiver's head, the producers' tail and the read-only fields are on separate cache
///   lines, so a producer and the receiver share only the slots they hand over.
#pragma once
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <utility>

#include "eddy/core/lock.hpp"

namespace eddy::detail {

template <class T>
class mpsc_ring {
  struct slot {
    std::atomic<std::size_t> stamp;
    bool live;  // false: a send that found the channel closed after claiming it left it empty
    alignas(T) unsigned char bytes[sizeof(T)];
  };

 public:
  /// An empty ring (capacity 0; used by unbounded channels).
  mpsc_ring() noexcept = default;
  /// A ring of `cap` slots (`cap <= max_capacity()`); check `allocated()`.
  explicit mpsc_ring(std::size_t cap) noexcept
      : slots_(allocate(cap)),
        cap_(slots_ ? cap : 0),
        one_lap_(slots_ ? std::bit_ceil(cap + 1) : 1) {
    for (std::size_t i = 0; i < cap_; ++i)
      ::new (static_cast<void*>(slots_ + i)) slot{{i}, false, {}};
  }
  mpsc_ring(const mpsc_ring&) = delete;
  mpsc_ring& operator=(const mpsc_ring&) = delete;
  /// Destroys the items still in the ring (no other thread may use it any more).
  ~mpsc_ring() {
    if (!slots_) return;
    while (front_ready()) {
      if (slots_[index(head_)].live)
        std::launder(reinterpret_cast<T*>(slots_[index(head_)].bytes))->~T();
      advance_head();
    }
    if constexpr (alignof(slot) > __STDCPP_DEFAULT_NEW_ALIGNMENT__)
      ::operator delete(slots_, std::align_val_t{alignof(slot)});
    else
      ::operator delete(slots_);
  }

  /// The largest capacity whose size in bytes is representable.
  static std::size_t max_capacity() noexcept {
    return static_cast<std::size_t>(PTRDIFF_MAX) / sizeof(slot);
  }
  /// False when the slots could not be allocated (the ring is then unusable).
  bool allocated() const noexcept { return slots_ != nullptr; }
  std::size_t capacity() const noexcept { return cap_; }

  // ---- producer side ----
  enum class push_result : unsigned char { pushed, full, closed };
  /// Appends `v` (moved from); `full` when the ring is full. Any thread, concurrently with
  /// other `push_shared` calls and with the receiver. `closed` (`v` untouched) when `closed`
  /// is set once the slot is claimed: the slot is then published empty, which the receiver
  /// skips. With the closer's side (set `closed`, then `claims_in_flight()`), a send either
  /// finds the channel closed or has its claim seen, never neither. Out of line: the
  /// single-thread path (`push_exclusive`) stays small enough to inline into the sender.
  [[gnu::noinline]] push_result push_shared(T& v, const std::atomic<bool>& closed) {
    std::size_t tail = tail_.load(std::memory_order_relaxed);
    for (unsigned step = 0;; ++step) {
      slot& s = slots_[index(tail)];
      const std::size_t stamp = s.stamp.load(std::memory_order_acquire);
      if (stamp == tail) {
        if (tail_.compare_exchange_weak(tail, next(tail), std::memory_order_seq_cst,
                                        std::memory_order_relaxed)) {
          if (closed.load(std::memory_order_seq_cst)) [[unlikely]] {
            s.live = false;
            s.stamp.store(tail + 1, std::memory_order_release);
            return push_result::closed;
          }
          publish(s, tail, v);
          return push_result::pushed;
        }
        // Lost the race for the slot: back off (1, 2, 4 ... 64 pauses) before the next try,
        // so producers on other cores are not handed the tail's line at every attempt.
        for (unsigned i = 0; i < (1u << (step < 6 ? step : 6)); ++i) cpu_relax();
      } else if (stamp + one_lap_ == tail + 1) {
        return push_result::full;  // the slot still holds the item of the previous lap
      } else {
        tail = tail_.load(std::memory_order_relaxed);  // another producer got there first
      }
    }
  }
  /// `push_shared` for a caller that no other push and no close can overlap (see the file
  /// comment); false when full.
  [[gnu::always_inline]] bool push_exclusive(T& v) {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    slot& s = slots_[index(tail)];
    if (s.stamp.load(std::memory_order_acquire) != tail) return false;
    tail_.store(next(tail), std::memory_order_relaxed);
    publish(s, tail, v);
    return true;
  }

  // ---- receiver side (one receiver) ----
  /// True when a send has claimed a slot the receiver has not yet passed (published or not).
  /// The closer's side of `push_shared`'s pair: set the closed flag (seq_cst), then call this.
  bool claims_in_flight() const noexcept { return tail_.load(std::memory_order_seq_cst) != head_; }
  /// True when a slot is ready at the head (its push has published it; it may be an empty one
  /// a send left after finding the channel closed).
  [[gnu::always_inline]] bool front_ready() const noexcept {
    return slots_[index(head_)].stamp.load(std::memory_order_acquire) == head_ + 1;
  }
  /// Moves the item at the head into `out` (an `std::optional<T>`-like with emplace) and frees
  /// its slot; false when none is ready. Skips the slots sends left empty.
  template <class Opt>
  [[gnu::always_inline]] bool try_take(Opt& out) {
    if (!front_ready()) return false;
    if (!slots_[index(head_)].live) [[unlikely]]
      return skip_and_take(out);
    T* p = std::launder(reinterpret_cast<T*>(slots_[index(head_)].bytes));
    out.emplace(std::move(*p));
    p->~T();
    advance_head();
    return true;
  }

 private:
  [[gnu::always_inline]] std::size_t index(std::size_t pos) const noexcept {
    return pos & (one_lap_ - 1);
  }
  [[gnu::always_inline]] std::size_t next(std::size_t pos) const noexcept {
    return index(pos) + 1 < cap_ ? pos + 1 : (pos & ~(one_lap_ - 1)) + one_lap_;
  }
  template <class Opt>
  [[gnu::noinline]] bool skip_and_take(Opt& out) {
    advance_head();
    return try_take(out);
  }
  [[gnu::always_inline]] void publish(slot& s, std::size_t pos, T& v) {
    ::new (static_cast<void*>(s.bytes)) T(std::move(v));
    s.live = true;
    s.stamp.store(pos + 1, std::memory_order_release);
  }
  [[gnu::always_inline]] void advance_head() noexcept {
    slots_[index(head_)].stamp.store(head_ + one_lap_, std::memory_order_release);
    head_ = next(head_);
  }
  static slot* allocate(std::size_t cap) noexcept {
    if (cap == 0 || cap > max_capacity()) return nullptr;
    if constexpr (alignof(slot) > __STDCPP_DEFAULT_NEW_ALIGNMENT__)
      return static_cast<slot*>(
          ::operator new(cap * sizeof(slot), std::align_val_t{alignof(slot)}, std::nothrow));
    else
      return static_cast<slot*>(::operator new(cap * sizeof(slot), std::nothrow));
  }

  slot* slots_ = nullptr;                         // read-only after construction
  std::size_t cap_ = 0;                           // slots
  std::size_t one_lap_ = 1;                       // the power of two above cap_
  alignas(64) std::atomic<std::size_t> tail_{0};  // producers: the next position to push
  alignas(64) std::size_t head_ = 0;              // the receiver's: the next position to take
};

}  // namespace eddy::detail
