// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::mpsc_ring<T>`: the fixed-capacity FIFO behind a bounded `mpsc` channel. One
/// allocation at construction (nothrow: `allocated()` is false when it failed), none
/// afterwards. Internal.
///
/// Two sides, so the receiver takes items without the channel's lock:
/// - Producer side (`*_locked`, under the channel lock): `push_locked` writes the slot after the
///   last pushed item. A slot is free for producers once `reclaim_locked` has read the
///   receiver's published `taken` count; until then a taken item's slot still counts as used.
/// - Receiver side (the one receiver, never concurrently with itself): `claim_locked` (under the
///   lock) makes every pushed item the receiver's; `take` then moves them out one by one
///   without the lock, and publishes the new `taken` count (a release store, no
///   read-modify-write). Producers never write a slot between `taken` and `pushed`, so the
///   claimed items are the receiver's alone.
/// - Counts are 64-bit (or `size_t`) totals; differences are exact across wrap-around.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <utility>

namespace eddy::detail {

template <class T>
class mpsc_ring {
  struct alignas(T) slot {
    unsigned char bytes[sizeof(T)];
  };

 public:
  /// An empty ring (capacity 0; used by unbounded channels).
  mpsc_ring() noexcept = default;
  /// A ring of `cap` slots (`cap <= max_capacity()`); check `allocated()`.
  explicit mpsc_ring(std::size_t cap) noexcept : slots_(allocate(cap)), cap_(slots_ ? cap : 0) {}
  mpsc_ring(const mpsc_ring&) = delete;
  mpsc_ring& operator=(const mpsc_ring&) = delete;
  /// Destroys the items still in the ring (no other thread may use it any more).
  ~mpsc_ring() {
    claim_ = pushed_ - taken_mine_;
    while (claim_) take_and_destroy();
    if (slots_) {
      if constexpr (alignof(slot) > __STDCPP_DEFAULT_NEW_ALIGNMENT__)
        ::operator delete(slots_, std::align_val_t{alignof(slot)});
      else
        ::operator delete(slots_);
    }
  }

  /// The largest capacity whose size in bytes is representable.
  static std::size_t max_capacity() noexcept {
    return static_cast<std::size_t>(PTRDIFF_MAX) / sizeof(slot);
  }
  /// False when the slots could not be allocated (the ring is then unusable).
  bool allocated() const noexcept { return slots_ != nullptr; }
  std::size_t capacity() const noexcept { return cap_; }

  // ---- producer side: under the channel lock ----
  /// No free slot as of the last `reclaim_locked`.
  bool full_locked() const noexcept { return pushed_ - reclaimed_ == cap_; }
  /// Frees the slots of the items the receiver has taken since the last call.
  void reclaim_locked() noexcept { reclaimed_ = taken_.load(std::memory_order_acquire); }
  /// Appends `v`. Precondition: `!full_locked()`.
  void push_locked(T&& v) {
    ::new (static_cast<void*>(slots_[tail_].bytes)) T(std::move(v));
    if (++tail_ == cap_) tail_ = 0;
    ++pushed_;
  }

  // ---- receiver side ----
  /// Under the lock: every item pushed so far and not yet taken is the receiver's to `take`;
  /// true when there is one. Writes nothing when there is nothing to claim, so a `try_recv`
  /// that probes an empty channel while a `recv` is being set up (the misuse check) touches no
  /// receiver state.
  bool claim_locked() noexcept {
    const std::size_t c = pushed_ - taken_mine_;
    if (c == 0) return false;
    claim_ = c;
    return true;
  }
  /// Items claimed and not yet taken (receiver only).
  bool has_claim() const noexcept { return claim_ != 0; }
  /// Moves the next claimed item into `out` (an `std::optional<T>`-like with emplace) and
  /// publishes its slot for reclaiming. Precondition: `has_claim()`. Receiver only; no lock.
  template <class Opt>
  void take(Opt& out) {
    T* p = std::launder(reinterpret_cast<T*>(slots_[head_].bytes));
    out.emplace(std::move(*p));
    p->~T();
    advance_head();
  }

 private:
  void take_and_destroy() noexcept {
    std::launder(reinterpret_cast<T*>(slots_[head_].bytes))->~T();
    advance_head();
  }
  void advance_head() noexcept {
    if (++head_ == cap_) head_ = 0;
    --claim_;
    taken_.store(++taken_mine_, std::memory_order_release);
  }
  static slot* allocate(std::size_t cap) noexcept {
    if (cap == 0 || cap > max_capacity()) return nullptr;
    if constexpr (alignof(slot) > __STDCPP_DEFAULT_NEW_ALIGNMENT__)
      return static_cast<slot*>(
          ::operator new(cap * sizeof(slot), std::align_val_t{alignof(slot)}, std::nothrow));
    else
      return static_cast<slot*>(::operator new(cap * sizeof(slot), std::nothrow));
  }

  slot* slots_ = nullptr;
  std::size_t cap_ = 0;
  // Producer side (under the channel lock); the receiver reads pushed_ under it in claim_locked.
  std::size_t tail_ = 0;       // slot of the next push
  std::size_t pushed_ = 0;     // items pushed, in all
  std::size_t reclaimed_ = 0;  // slots given back, in all (<= taken_)
  // Receiver side, on a line of its own: producers only read taken_, in reclaim_locked.
  alignas(64) std::size_t head_ = 0;  // slot of the next take
  std::size_t claim_ = 0;             // claimed items not yet taken
  std::size_t taken_mine_ = 0;        // items taken, in all (the receiver's copy)
  std::atomic<std::size_t> taken_{0};
};

}  // namespace eddy::detail
