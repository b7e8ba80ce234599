// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::mpsc_segment_queue<T>`: the unbounded FIFO behind `mpsc::unbounded_channel`.
///
/// A linked list of fixed-size segments. Producers are serialized by the channel's lock; the
/// single consumer pops *without* the lock (it reads the published count `pushed_` with
/// acquire). A finished segment is handed back to the producers through one spare slot, so in
/// steady state (the producer no more than a segment ahead) nothing is allocated; a producer
/// that runs far ahead allocates one segment per `seg_cap` items, freed as they are consumed.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

namespace eddy::detail {

template <class T>
class mpsc_segment_queue {
  static constexpr std::size_t pick_cap() noexcept {
    const std::size_t n = 2048 / sizeof(T);
    return n < 8 ? 8 : (n > 128 ? 128 : n);
  }

 public:
  /// Items per segment (about 1-2 KiB per segment, between 8 and 128 items).
  static constexpr std::size_t seg_cap = pick_cap();

  /// `active == false` makes an inert queue that owns no segment (for bounded channels).
  explicit mpsc_segment_queue(bool active = true)
      : head_(active ? new segment : nullptr), tail_(head_) {}
  mpsc_segment_queue(const mpsc_segment_queue&) = delete;
  mpsc_segment_queue& operator=(const mpsc_segment_queue&) = delete;
  ~mpsc_segment_queue() {
    clear();
    for (segment* s = head_; s;) delete std::exchange(s, s->next.load(std::memory_order_relaxed));
    delete spare_.load(std::memory_order_relaxed);
  }

  // ---- producer side: callers serialize (the channel's lock) ----

  /// Appends `v`. May allocate a segment when the tail segment is full and no spare is left.
  void push(T&& v) {
    if (tail_idx_ == seg_cap) {
      segment* s = spare_.exchange(nullptr, std::memory_order_acq_rel);
      if (!s) s = new segment;
      s->next.store(nullptr, std::memory_order_relaxed);
      tail_->next.store(s, std::memory_order_release);
      tail_ = s;
      tail_idx_ = 0;
    }
    ::new (static_cast<void*>(tail_->cells[tail_idx_].bytes)) T(std::move(v));
    ++tail_idx_;
    pushed_.store(++pushed_plain_, std::memory_order_release);
  }

  /// True if every pushed item has been popped. Only by the consumer while it holds the
  /// producers' lock (then the count cannot move).
  bool empty_locked() const noexcept { return pushed_plain_ == popped_; }

  // ---- consumer side: one consumer at a time, no lock ----

  /// Pops the front item into `out` (an optional-like with emplace). False when empty.
  template <class Opt>
  bool try_pop(Opt& out) {
    if (popped_ == seen_) {
      seen_ = pushed_.load(std::memory_order_acquire);
      if (popped_ == seen_) return false;
    }
    if (head_idx_ == seg_cap) {
      segment* n = head_->next.load(std::memory_order_acquire);
      segment* old = spare_.exchange(head_, std::memory_order_acq_rel);
      delete old;
      head_ = n;
      head_idx_ = 0;
    }
    T* p = std::launder(reinterpret_cast<T*>(head_->cells[head_idx_].bytes));
    out.emplace(std::move(*p));
    p->~T();
    ++head_idx_;
    ++popped_;
    return true;
  }

  /// Destroys every item. Consumer side, with no producer running.
  void clear() noexcept {
    struct sink {
      void emplace(T&&) noexcept {}
    } s;
    while (try_pop(s)) {
    }
  }

 private:
  struct alignas(T) slot {
    unsigned char bytes[sizeof(T)];
  };
  struct segment {
    std::atomic<segment*> next{nullptr};
    slot cells[seg_cap];  // not `slots`: a Qt keyword macro
  };

  // consumer
  segment* head_;
  std::size_t head_idx_ = 0;
  std::uint64_t popped_ = 0;
  std::uint64_t seen_ = 0;  // last value read from pushed_
  // producers (separate cache line: the consumer never writes it)
  alignas(64) segment* tail_;
  std::size_t tail_idx_ = 0;
  std::uint64_t pushed_plain_ = 0;
  std::atomic<segment*> spare_{nullptr};
  alignas(64) std::atomic<std::uint64_t> pushed_{0};
};

}  // namespace eddy::detail
