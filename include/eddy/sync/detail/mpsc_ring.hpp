// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::mpsc_ring<T>`: the fixed-capacity FIFO behind a bounded `mpsc` channel. One
/// allocation at construction (nothrow: `allocated()` is false when it failed), none
/// afterwards. Not thread-safe: the channel guards it with its lock.
#pragma once
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
  ~mpsc_ring() {
    clear();
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

  std::size_t size() const noexcept { return size_; }
  std::size_t capacity() const noexcept { return cap_; }
  bool empty() const noexcept { return size_ == 0; }
  bool full() const noexcept { return size_ == cap_; }

  /// Appends `v`. Precondition: `!full()`.
  void push_back(T&& v) {
    std::size_t i = head_ + size_;
    if (i >= cap_) i -= cap_;
    ::new (static_cast<void*>(slots_[i].bytes)) T(std::move(v));
    ++size_;
  }
  /// Removes the front item and moves it into `out` (an `std::optional<T>`-like with emplace).
  /// Precondition: `!empty()`.
  template <class Opt>
  void pop_front_into(Opt& out) {
    T* p = at(head_);
    out.emplace(std::move(*p));
    p->~T();
    if (++head_ == cap_) head_ = 0;
    --size_;
  }
  /// Destroys every item.
  void clear() noexcept {
    while (size_) {
      at(head_)->~T();
      if (++head_ == cap_) head_ = 0;
      --size_;
    }
  }

 private:
  T* at(std::size_t i) noexcept { return std::launder(reinterpret_cast<T*>(slots_[i].bytes)); }
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
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace eddy::detail
