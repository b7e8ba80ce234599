// SPDX-License-Identifier: BSL-1.0
/// \file
/// `arena`: a fixed-buffer allocator for coroutine frames and spawn blocks, so that a firmware
/// build can run with no heap.
///
/// ```cpp
/// static eddy::static_arena<16 * 1024> frames;   // in .bss
/// int main() {
///   frames.install();                            // eddy::set_frame_allocator, before any task
///   ...
/// }
/// ```
///
/// - Blocks are carved from the buffer by a bump pointer and, once freed, kept on a free list
///   per size class for reuse (frames of one coroutine always have the same size, so a
///   steady-state program stops bumping after its first round). Sizes are rounded up to
///   `granule` (the default `new` alignment); classes are exact up to 32 granules, then two per
///   power of two. Blocks are never merged or split: O(1) allocate and free, bounded waste.
/// - When the bump pointer reaches the end and the size's class is empty, a free block of a
///   larger class is reused whole; when there is none, `allocate` returns null. As a frame
///   allocator that null is eddy's defined out-of-memory path: `spawn` gives a `join_handle`
///   whose join yields `errc::out_of_memory`, and `co_await` of a nested task whose frame could
///   not be allocated panics with "out of memory" (see core/frame_allocator.hpp).
/// - `deallocate(p, n)` needs the size given to `allocate` (coroutine frames and eddy's spawn
///   blocks always pass it).
/// - `high_water()` is the most the buffer has ever been carved: size the arena from it.
/// - No heap at all: `EDDY_GLOBAL_NEW_FROM_ARENA(a)` (below) makes the global `operator new`
///   use the arena too, so eddy's other allocations (runtime state, channel buffers) and the
///   program's own come from it.
///
/// Thread-safety: `allocate` and `deallocate` take a `detail::spin_lock` (a critical section on
/// firmware), so the arena may serve several threads, and may even be called from an interrupt
/// handler on firmware. `install()` is not thread-safe (see `set_frame_allocator`). The buffer
/// must outlive every block; the arena must outlive every task that uses it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <new>

#include "eddy/core/frame_allocator.hpp"
#include "eddy/core/lock.hpp"
#include "eddy/core/panic.hpp"

namespace eddy {

/// A fixed buffer that serves allocations (coroutine frames, shared states) without the heap,
/// for firmware; thread-safe (its lock is `detail::spin_lock`). See the file comment.
class arena {
 public:
  /// Allocation granule and alignment of every block: the default `operator new` alignment.
  static constexpr std::size_t granule = __STDCPP_DEFAULT_NEW_ALIGNMENT__;

  /// An arena over `size` bytes at `buffer` (aligned up to `granule`; the tail that does not
  /// fill a granule is unused). The arena does not own the buffer.
  arena(void* buffer, std::size_t size) noexcept {
    auto b = reinterpret_cast<std::uintptr_t>(buffer);
    const std::uintptr_t aligned = (b + granule - 1) & ~std::uintptr_t{granule - 1};
    const std::size_t lost = static_cast<std::size_t>(aligned - b);
    begin_ = reinterpret_cast<unsigned char*>(aligned);
    capacity_ = size > lost ? (size - lost) & ~(granule - 1) : 0;
  }
  arena(const arena&) = delete;
  arena& operator=(const arena&) = delete;

  /// `n` bytes aligned to `granule`, or null when the arena is exhausted. `n == 0` is served
  /// as one granule.
  void* allocate(std::size_t n) noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    if (n <= capacity_) {
      const std::size_t c = class_of(round(n));
      if (free_block* b = free_[c]) {
        free_[c] = b->next;
        return hand_out(b, class_size(c));
      }
      const std::size_t size = class_size(c);
      if (capacity_ - bump_ >= size) {
        void* p = begin_ + bump_;
        bump_ += size;
        if (bump_ > high_water_) high_water_ = bump_;
        return hand_out(p, size);
      }
      for (std::size_t k = c + 1; k < classes; ++k) {  // a larger free block, reused whole
        if (free_block* b = free_[k]) {
          free_[k] = b->next;
          return hand_out(b, class_size(c));
        }
      }
    }
    ++failures_;
    return nullptr;
  }

  /// Returns a block from `allocate(n)` (same `n`). Null is ignored.
  void deallocate(void* p, std::size_t n) noexcept {
    if (!p) return;
    const std::size_t c = class_of(round(n));
    detail::lock_guard<detail::spin_lock> g(lock_);
    auto* b = ::new (p) free_block{free_[c]};
    free_[c] = b;
    in_use_ -= class_size(c);
    --blocks_;
  }

  /// A block aligned to `align` (at least `granule`) that remembers where it came from in one
  /// granule in front of it, for callers that free without a size (the global
  /// `operator delete(void*)`). Null when exhausted. `align` must be a power of two.
  void* allocate_with_size(std::size_t n, std::size_t align = granule) noexcept {
    if (align < granule) align = granule;
    if (n > capacity_ || align > capacity_) {
      detail::lock_guard<detail::spin_lock> g(lock_);
      ++failures_;
      return nullptr;
    }
    const std::size_t total = n + align;  // the header granule plus the worst padding
    auto* raw = static_cast<unsigned char*>(allocate(total));
    if (!raw) return nullptr;
    const std::uintptr_t at =
        (reinterpret_cast<std::uintptr_t>(raw) + granule + align - 1) & ~std::uintptr_t{align - 1};
    auto* p = reinterpret_cast<unsigned char*>(at);
    ::new (p - granule) sized_header{raw, total};
    return p;
  }
  /// Frees a block from `allocate_with_size`. Null is ignored.
  void deallocate_with_size(void* p) noexcept {
    if (!p) return;
    auto* h = reinterpret_cast<sized_header*>(static_cast<unsigned char*>(p) - granule);
    deallocate(h->raw, h->total);
  }

  /// This arena as a `frame_allocator` (for `set_frame_allocator`).
  frame_allocator as_frame_allocator() noexcept {
    return {&allocate_thunk, &deallocate_thunk, this};
  }
  /// Makes this arena the allocator of every coroutine frame and spawn block. Call it before
  /// any task exists (`set_frame_allocator` rules).
  void install() noexcept { set_frame_allocator(as_frame_allocator()); }

  /// Usable bytes.
  std::size_t capacity() const noexcept { return capacity_; }
  /// Bytes in live blocks (rounded to their class sizes).
  std::size_t in_use() const noexcept { return in_use_; }
  /// Live blocks.
  std::size_t blocks() const noexcept { return blocks_; }
  /// The most of the buffer ever carved by the bump pointer.
  std::size_t high_water() const noexcept { return high_water_; }
  /// Allocations that returned null.
  std::size_t failures() const noexcept { return failures_; }
  /// True if `p` points into this arena's buffer.
  bool owns(const void* p) const noexcept {
    auto* c = static_cast<const unsigned char*>(p);
    return c >= begin_ && c < begin_ + capacity_;
  }

 private:
  struct free_block {
    free_block* next;
  };
  struct sized_header {
    unsigned char* raw;
    std::size_t total;
  };
  static_assert(sizeof(sized_header) <= granule);
  static constexpr std::size_t exact_classes = 32;
  static constexpr std::size_t classes = exact_classes + 2 * (sizeof(std::size_t) * 8 - 6);

  static constexpr std::size_t round(std::size_t n) noexcept {
    if (n == 0) n = 1;
    return (n + granule - 1) & ~(granule - 1);
  }
  static int log2_floor(std::size_t v) noexcept {
    int r = 0;
    while (v >>= 1) ++r;
    return r;
  }
  /// Class of a rounded size: exact up to 32 granules, then {1.5, 2} x 2^k granules.
  static std::size_t class_of(std::size_t r) noexcept {
    const std::size_t g = r / granule;
    if (g <= exact_classes) return g - 1;
    const int k = log2_floor(g - 1);  // 2^k < g <= 2^(k+1), k >= 5
    const std::size_t upper = (std::size_t{3} << (k - 1)) < g;
    return exact_classes + 2 * static_cast<std::size_t>(k - 5) + upper;
  }
  static std::size_t class_size(std::size_t c) noexcept {
    if (c < exact_classes) return (c + 1) * granule;
    const std::size_t i = c - exact_classes;
    const int k = static_cast<int>(i / 2) + 5;
    return (i % 2 ? std::size_t{2} << k : std::size_t{3} << (k - 1)) * granule;
  }
  void* hand_out(void* p, std::size_t size) noexcept {
    in_use_ += size;
    ++blocks_;
    return p;
  }
  static void* allocate_thunk(std::size_t n, void* self) noexcept {
    return static_cast<arena*>(self)->allocate(n);
  }
  static void deallocate_thunk(void* p, std::size_t n, void* self) noexcept {
    static_cast<arena*>(self)->deallocate(p, n);
  }

  detail::spin_lock lock_;
  unsigned char* begin_;
  std::size_t capacity_;
  std::size_t bump_ = 0;        // under lock_
  std::size_t in_use_ = 0;      // under lock_
  std::size_t blocks_ = 0;      // under lock_
  std::size_t high_water_ = 0;  // under lock_
  std::size_t failures_ = 0;    // under lock_
  free_block* free_[classes] = {};
};

/// An `arena` with its own `N`-byte buffer (a static or global object lives in .bss).
template <std::size_t N>
class static_arena : public arena {
 public:
  static_arena() noexcept : arena(buffer_, N) {}

 private:
  alignas(arena::granule) unsigned char buffer_[N];
};

namespace detail {
[[noreturn]] inline void arena_exhausted() {
  panic("eddy: out of memory (arena exhausted)");
}
}  // namespace detail

}  // namespace eddy

/// Defines the global `operator new` and `operator delete` (plain, array, sized, nothrow and
/// over-aligned forms) on top of the arena object `a` (an `eddy::arena` or `eddy::static_arena<N>`
/// at namespace scope), for firmware with no heap. The throwing forms panic with "out of memory"
/// when the arena is exhausted (there is no `std::bad_alloc` without exceptions); the nothrow
/// forms return null. Use it once, in one .cpp file of the program (the one that defines `a`,
/// so that `a` is constructed before anything allocates).
#define EDDY_GLOBAL_NEW_FROM_ARENA(a)                                                        \
  void* operator new(std::size_t n) {                                                        \
    if (void* p = (a).allocate_with_size(n)) return p;                                       \
    ::eddy::detail::arena_exhausted();                                                       \
  }                                                                                          \
  void* operator new(std::size_t n, std::align_val_t al) {                                   \
    if (void* p = (a).allocate_with_size(n, static_cast<std::size_t>(al))) return p;         \
    ::eddy::detail::arena_exhausted();                                                       \
  }                                                                                          \
  void* operator new[](std::size_t n) {                                                      \
    return ::operator new(n);                                                                \
  }                                                                                          \
  void* operator new[](std::size_t n, std::align_val_t al) {                                 \
    return ::operator new(n, al);                                                            \
  }                                                                                          \
  void* operator new(std::size_t n, const std::nothrow_t&) noexcept {                        \
    return (a).allocate_with_size(n);                                                        \
  }                                                                                          \
  void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {                      \
    return (a).allocate_with_size(n);                                                        \
  }                                                                                          \
  void* operator new(std::size_t n, std::align_val_t al, const std::nothrow_t&) noexcept {   \
    return (a).allocate_with_size(n, static_cast<std::size_t>(al));                          \
  }                                                                                          \
  void* operator new[](std::size_t n, std::align_val_t al, const std::nothrow_t&) noexcept { \
    return (a).allocate_with_size(n, static_cast<std::size_t>(al));                          \
  }                                                                                          \
  void operator delete(void* p) noexcept {                                                   \
    (a).deallocate_with_size(p);                                                             \
  }                                                                                          \
  void operator delete[](void* p) noexcept {                                                 \
    (a).deallocate_with_size(p);                                                             \
  }                                                                                          \
  void operator delete(void* p, std::size_t) noexcept {                                      \
    (a).deallocate_with_size(p);                                                             \
  }                                                                                          \
  void operator delete[](void* p, std::size_t) noexcept {                                    \
    (a).deallocate_with_size(p);                                                             \
  }                                                                                          \
  void operator delete(void* p, std::align_val_t) noexcept {                                 \
    (a).deallocate_with_size(p);                                                             \
  }                                                                                          \
  void operator delete[](void* p, std::align_val_t) noexcept {                               \
    (a).deallocate_with_size(p);                                                             \
  }                                                                                          \
  void operator delete(void* p, std::size_t, std::align_val_t) noexcept {                    \
    (a).deallocate_with_size(p);                                                             \
  }                                                                                          \
  void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {                  \
    (a).deallocate_with_size(p);                                                             \
  }                                                                                          \
  void operator delete(void* p, const std::nothrow_t&) noexcept {                            \
    (a).deallocate_with_size(p);                                                             \
  }                                                                                          \
  void operator delete[](void* p, const std::nothrow_t&) noexcept {                          \
    (a).deallocate_with_size(p);                                                             \
  }                                                                                          \
  void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {          \
    (a).deallocate_with_size(p);                                                             \
  }                                                                                          \
  void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {        \
    (a).deallocate_with_size(p);                                                             \
  }
