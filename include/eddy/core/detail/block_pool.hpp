// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::block_pool`: where the default frame allocator (core/frame_allocator.hpp) takes its
/// small blocks from on hosted builds. Internal: included by src/core.cpp and the pool's tests.
///
/// Blocks come in size classes of 16-byte steps up to 1 KiB and are carved from 64 KiB chunks
/// of one class each. A chunk's pages are made present when the chunk is first used, in one
/// call (Linux: `MADV_POPULATE_WRITE`), instead of one page fault per 4 KiB page as the program
/// first touches them (on the project's 2-vCPU VM: 0.9 against 1.3 us per page; a page the
/// hypervisor has to back afresh costs about 10 us either way).
///
/// Chunks are carved from address-space regions reserved once (64 MiB on 64-bit hosts), so a
/// program with many chunks keeps few memory mappings. A chunk whose blocks are all free is
/// kept as its class's spare when the class has none, so a workload that hovers around a
/// chunk's boundary does not give it back and fetch it again over and over. Otherwise it is
/// kept *warm*, its pages present, for `keep_ns` (one second), and a chunk needed by any class
/// is a warm one first (the most recently emptied), then one given back before, then new
/// space: a burst of tasks that follows another reuses its memory without a system call. A
/// chunk warm for longer than `keep_ns` is given back to the system (its pages are released,
/// `MADV_DONTNEED`; the address range is kept for reuse) the next time a chunk empties or is
/// needed; a program that stops using the pool keeps its warm chunks until it uses it again
/// (jemalloc's "decay" works alike). W5 (2M live tasks, one thread, back-to-back rounds): 340
/// against 280 ns per task when the next round found the memory warm. Memory in a partly used
/// chunk stays with the pool: its free blocks are handed out again first.
///
/// Thread-safety: every member function may be called from any thread; each class has its own
/// lock, held for a few dozen instructions (never across a system call). A block may be freed
/// on another thread than the one that allocated it.
///
/// Under AddressSanitizer every block the pool holds (free, or never handed out) is poisoned.
#pragma once
#include <cstddef>
#include <cstdint>

#include "eddy/core/lock.hpp"

namespace eddy::detail {

/// A free block's link: the first bytes of a block while a free list holds it (the pool's
/// chunks, the default allocator's per-thread lists).
struct free_block {
  free_block* next;  ///< the next free block, or null
};

class block_pool {
 public:
  /// Bytes between size classes; class `c` holds blocks of `(c + 1) * class_step` bytes.
  static constexpr std::size_t class_step = 16;
  /// Size classes (blocks up to 1 KiB).
  static constexpr std::size_t class_count = 64;
  /// Bytes of one chunk (a power of two; chunks are aligned to it).
  static constexpr std::size_t chunk_size = 64 * 1024;

  /// The class of an `n`-byte block, or `class_count` when `n` is too large for the pool.
  static constexpr std::size_t class_of(std::size_t n) noexcept {
    return n == 0 ? 0 : (n - 1) / class_step;
  }
  /// Bytes of a block of class `c`.
  static constexpr std::size_t block_size(std::size_t c) noexcept { return (c + 1) * class_step; }

  /// The clock that times warm chunks: monotonic nanoseconds.
  using clock_fn = std::int64_t (*)() noexcept;
  /// How long an emptied chunk stays warm before it goes back to the system.
  static constexpr std::int64_t keep_ns = 1'000'000'000;

  /// A pool that times warm chunks with `now` (tests pass their own; default: steady clock).
  explicit block_pool(clock_fn now = &steady_ns) noexcept : now_(now) {}
  /// Releases every chunk and region. Every block must have been given back.
  ~block_pool();
  block_pool(const block_pool&) = delete;
  block_pool& operator=(const block_pool&) = delete;

  /// Stores up to `n` blocks of class `c` (< `class_count`) in `out` and returns how many: fewer
  /// than `n` only when the system is out of memory. The blocks are unpoisoned.
  std::size_t allocate(std::size_t c, void** out, std::size_t n) noexcept;
  /// Takes up to `n` (at least 1) never-used blocks of class `c` that lie one after the other
  /// in a chunk, from `*first` on, and returns how many. Returns 0 when the class's first open
  /// chunk has given-back blocks (call `allocate`: those are handed out first) or the system is
  /// out of memory. Unlike `allocate`, the blocks are not touched and stay poisoned (ASan):
  /// the caller unpoisons each as it uses it. A burst of allocations then does not bring
  /// every block it will use into the cache at once, as linking them into a list would.
  std::size_t allocate_run(std::size_t c, char** first, std::size_t n) noexcept;
  /// Gives back `n` blocks of class `c`, each from `allocate` or `allocate_run` on this pool
  /// (any thread). They may be poisoned already.
  void deallocate(std::size_t c, void* const* blocks, std::size_t n) noexcept;

  /// Chunks in use (holding at least one block handed out, or the class's spare).
  std::size_t chunks_in_use() const noexcept;
  /// Emptied chunks whose pages are kept (warm) for reuse by any class.
  std::size_t chunks_warm() const noexcept;
  /// Chunks whose pages were given back and that wait for reuse.
  std::size_t chunks_released() const noexcept;

  /// `std::chrono::steady_clock` in nanoseconds (the default clock).
  static std::int64_t steady_ns() noexcept;

 private:
  struct chunk;
  struct region;
  struct size_class {
    spin_lock lock;
    chunk* open = nullptr;  // chunks with a free block or room to carve one (a list)
    std::size_t empty = 0;  // chunks in `open` with no block handed out
  };

  chunk* new_chunk(std::size_t c) noexcept;  // not under any lock
  bool add_chunk(std::size_t c) noexcept;    // a new chunk opened in class `c`; not under any lock
  static chunk* init_chunk(char* mem, std::size_t c) noexcept;  // a fresh header for class `c`
  static void open_chunk(size_class& k, chunk* ch) noexcept;
  static void close_chunk(size_class& k, chunk* ch) noexcept;
  void retire_chunk(chunk* ch) noexcept;          // an emptied chunk goes warm; not under a lock
  void release_chunk(chunk* ch) noexcept;         // gives the pages back; not under any lock
  void release_stale(std::int64_t now) noexcept;  // the chunks warm too long; not under a lock
  void unlink_warm(chunk* ch) noexcept;           // takes `ch` off the warm list; under space_lock_

  size_class classes_[class_count];
  clock_fn now_;
  mutable spin_lock space_lock_;  // guards everything below
  region* regions_ = nullptr;     // reserved address space, newest first
  chunk* warm_newest_ = nullptr;  // warm chunks, a list from the newest to the oldest
  chunk* warm_oldest_ = nullptr;
  std::size_t in_use_ = 0;
  std::size_t warm_count_ = 0;
  std::size_t released_count_ = 0;
};

/// The pool of the default frame allocator (never destroyed: blocks may be freed during static
/// destruction).
block_pool& default_block_pool() noexcept;

}  // namespace eddy::detail
