// SPDX-License-Identifier: BSL-1.0
// The small-block pool of the default frame allocator (see eddy/core/detail/block_pool.hpp).
#include "eddy/core/detail/block_pool.hpp"

#include "eddy/core/detail/asan.hpp"

#include <chrono>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#define EDDY_POOL_MMAP 1
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14; older kernels refuse it and pages fault in as used
#endif
#endif

namespace eddy::detail {

// The first bytes of every chunk; its blocks follow. Under the lock of its class.
struct block_pool::chunk {
  chunk* prev;
  chunk* next;              // in the class's `open` list
  free_block* free;         // blocks given back
  char* bump;               // the next block never handed out
  char* end;                // the end of the last whole block
  std::uint32_t live;       // blocks handed out
  bool listed;              // in `open`
  std::int64_t emptied_ns;  // warm: when it emptied (then `prev` / `next` link the warm list)
};

namespace {
constexpr std::size_t header_bytes = 64;  // one cache line: the blocks stay 16-byte aligned
}  // namespace

// Address space reserved at once (Linux) and carved into chunks in order. A chunk's pages are
// released with MADV_DONTNEED once it has been warm too long; `released` marks it for reuse
// without touching it.
struct block_pool::region {
  static constexpr std::size_t bytes = sizeof(void*) >= 8 ? 64u << 20 : 4u << 20;
  static constexpr std::size_t chunks = bytes / chunk_size;
  char* base;
  std::size_t carved = 0;  // chunks handed out from the front so far
  std::uint64_t released[chunks / 64] = {};
  region* next = nullptr;
};

namespace {

#ifdef EDDY_POOL_MMAP
// `bytes` of address space aligned to `chunk_size`, or null.
char* reserve(std::size_t bytes) noexcept {
  const std::size_t want = bytes + block_pool::chunk_size;
  void* m = ::mmap(nullptr, want, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED) return nullptr;
  const auto a = reinterpret_cast<std::uintptr_t>(m);
  const std::uintptr_t aligned =
      (a + block_pool::chunk_size - 1) & ~std::uintptr_t{block_pool::chunk_size - 1};
  if (aligned > a) ::munmap(m, aligned - a);
  const std::uintptr_t tail = aligned + bytes;
  if (a + want > tail) ::munmap(reinterpret_cast<void*>(tail), a + want - tail);
  return reinterpret_cast<char*>(aligned);
}
#endif

}  // namespace

std::int64_t block_pool::steady_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

block_pool::~block_pool() {
#ifdef EDDY_POOL_MMAP
  while (region* r = regions_) {
    regions_ = r->next;
    ::munmap(r->base, region::bytes);
    delete r;
  }
#else
  for (size_class& k : classes_) {
    while (chunk* ch = k.open) {
      k.open = ch->next;
      ::operator delete(ch, std::align_val_t{chunk_size});
    }
  }
  while (chunk* ch = warm_newest_) {
    warm_newest_ = ch->next;
    ::operator delete(ch, std::align_val_t{chunk_size});
  }
#endif
}

block_pool::chunk* block_pool::new_chunk(std::size_t c) noexcept {
  static_assert(sizeof(chunk) <= header_bytes, "the header fits in front of the first block");
  release_stale(now_());
  char* mem = nullptr;
  {  // a warm chunk first: the most recently emptied, its pages present (and likely cached)
    lock_guard g(space_lock_);
    if (chunk* w = warm_newest_) {
      unlink_warm(w);
      ++in_use_;
      mem = reinterpret_cast<char*>(w);
    }
  }
  if (mem) return init_chunk(mem, c);
#ifdef EDDY_POOL_MMAP
  {
    lock_guard g(space_lock_);
    for (region* r = regions_; r && !mem; r = r->next) {
      for (std::size_t w = 0; w < region::chunks / 64; ++w) {
        if (const std::uint64_t bits = r->released[w]) {
          const unsigned i = static_cast<unsigned>(__builtin_ctzll(bits));
          r->released[w] = bits & (bits - 1);
          mem = r->base + (w * 64 + i) * chunk_size;
          --released_count_;
          break;
        }
      }
    }
    if (!mem && regions_ && regions_->carved < region::chunks)
      mem = regions_->base + regions_->carved++ * chunk_size;
    if (mem) ++in_use_;
  }
  if (!mem) {  // reserve a region outside the lock; a racing thread may reserve one too
    char* base = reserve(region::bytes);
    if (!base) return nullptr;
    auto* r = new (std::nothrow) region{base, 0, {}, nullptr};
    if (!r) {
      ::munmap(base, region::bytes);
      return nullptr;
    }
    mem = base;
    r->carved = 1;
    lock_guard g(space_lock_);
    r->next = regions_;
    regions_ = r;
    ++in_use_;
  }
  // All the chunk's pages at once: one call instead of a page fault per page.
  ::madvise(mem, chunk_size, MADV_POPULATE_WRITE);
#else
  mem = static_cast<char*>(::operator new(chunk_size, std::align_val_t{chunk_size}, std::nothrow));
  if (!mem) return nullptr;
  {
    lock_guard g(space_lock_);
    ++in_use_;
  }
#endif
  return init_chunk(mem, c);
}

block_pool::chunk* block_pool::init_chunk(char* mem, std::size_t c) noexcept {
  auto* ch = ::new (static_cast<void*>(mem)) chunk{};
  const std::size_t size = block_size(c);
  ch->bump = mem + header_bytes;
  ch->end = ch->bump + (chunk_size - header_bytes) / size * size;
  EDDY_ASAN_POISON(ch->bump, chunk_size - header_bytes);
  return ch;
}

void block_pool::retire_chunk(chunk* ch) noexcept {
  const std::int64_t now = now_();
  {
    lock_guard g(space_lock_);
    ch->emptied_ns = now;
    ch->prev = nullptr;
    ch->next = warm_newest_;
    if (warm_newest_)
      warm_newest_->prev = ch;
    else
      warm_oldest_ = ch;
    warm_newest_ = ch;
    --in_use_;
    ++warm_count_;
  }
  release_stale(now);
}

void block_pool::unlink_warm(chunk* ch) noexcept {
  (ch->prev ? ch->prev->next : warm_newest_) = ch->next;
  (ch->next ? ch->next->prev : warm_oldest_) = ch->prev;
  ch->prev = ch->next = nullptr;
  --warm_count_;
}

void block_pool::release_stale(std::int64_t now) noexcept {
  for (;;) {
    chunk* old;
    {
      lock_guard g(space_lock_);
      old = warm_oldest_;
      if (!old || now - old->emptied_ns <= keep_ns) return;
      unlink_warm(old);
    }
    release_chunk(old);  // the system call outside the lock
  }
}

void block_pool::release_chunk(chunk* ch) noexcept {
  EDDY_ASAN_UNPOISON(ch, chunk_size);
#ifdef EDDY_POOL_MMAP
  ::madvise(ch, chunk_size, MADV_DONTNEED);  // the pages go back; the next use reads zeros
  const auto* p = reinterpret_cast<const char*>(ch);
  lock_guard g(space_lock_);
  for (region* r = regions_; r; r = r->next) {
    if (p >= r->base && p < r->base + region::bytes) {
      const std::size_t i = static_cast<std::size_t>(p - r->base) / chunk_size;
      r->released[i / 64] |= std::uint64_t{1} << (i % 64);
      break;
    }
  }
  ++released_count_;
#else
  ::operator delete(static_cast<void*>(ch), std::align_val_t{chunk_size});
#endif
}

void block_pool::open_chunk(size_class& k, chunk* ch) noexcept {
  ch->prev = nullptr;
  ch->next = k.open;
  if (k.open) k.open->prev = ch;
  k.open = ch;
  ch->listed = true;
}

void block_pool::close_chunk(size_class& k, chunk* ch) noexcept {
  if (ch->prev)
    ch->prev->next = ch->next;
  else
    k.open = ch->next;
  if (ch->next) ch->next->prev = ch->prev;
  ch->prev = ch->next = nullptr;
  ch->listed = false;
}

bool block_pool::add_chunk(std::size_t c) noexcept {
  chunk* const fresh = new_chunk(c);  // outside every class lock: it may make a system call
  if (!fresh) return false;
  size_class& k = classes_[c];
  lock_guard g(k.lock);
  open_chunk(k, fresh);
  ++k.empty;
  return true;
}

std::size_t block_pool::allocate(std::size_t c, void** out, std::size_t n) noexcept {
  size_class& k = classes_[c];
  const std::size_t size = block_size(c);
  std::size_t got = 0;
  while (got < n) {
    {
      lock_guard g(k.lock);
      while (got < n) {
        chunk* ch = k.open;
        if (!ch) break;
        if (ch->live == 0) --k.empty;
        while (got < n) {
          void* b;
          if (free_block* f = ch->free) {
            EDDY_ASAN_UNPOISON(f, size);
            ch->free = f->next;
            b = f;
          } else if (ch->bump != ch->end) {
            b = ch->bump;
            ch->bump += size;
            EDDY_ASAN_UNPOISON(b, size);
          } else {
            break;
          }
          out[got++] = b;
          ++ch->live;
        }
        if (!ch->free && ch->bump == ch->end) close_chunk(k, ch);
      }
    }
    if (got == n) break;
    if (!add_chunk(c)) break;
  }
  return got;
}

std::size_t block_pool::allocate_run(std::size_t c, char** first, std::size_t n) noexcept {
  size_class& k = classes_[c];
  const std::size_t size = block_size(c);
  for (;;) {
    {
      lock_guard g(k.lock);
      if (chunk* ch = k.open) {
        if (ch->free) return 0;  // given-back blocks go first, one by one (`allocate`)
        // An open chunk without given-back blocks has room at its bump pointer.
        if (ch->live == 0) --k.empty;
        const auto room = static_cast<std::size_t>(ch->end - ch->bump) / size;
        const std::size_t m = room < n ? room : n;
        *first = ch->bump;
        ch->bump += m * size;
        ch->live += static_cast<std::uint32_t>(m);
        if (ch->bump == ch->end) close_chunk(k, ch);
        return m;
      }
    }
    if (!add_chunk(c)) return 0;
  }
}

void block_pool::deallocate(std::size_t c, void* const* blocks, std::size_t n) noexcept {
  size_class& k = classes_[c];
  const std::size_t size = block_size(c);
  chunk* spare[8];  // emptied chunks to retire after the lock
  std::size_t spares = 0;
  std::size_t i = 0;
  while (i < n) {
    {
      lock_guard g(k.lock);
      for (; i < n && spares < 8; ++i) {
        auto* ch = reinterpret_cast<chunk*>(reinterpret_cast<std::uintptr_t>(blocks[i]) &
                                            ~std::uintptr_t{chunk_size - 1});
        EDDY_ASAN_UNPOISON(blocks[i], size);
        auto* f = static_cast<free_block*>(blocks[i]);
        f->next = ch->free;
        ch->free = f;
        EDDY_ASAN_POISON(f, size);
        if (!ch->listed) open_chunk(k, ch);
        if (--ch->live == 0) {
          if (k.empty == 0) {
            ++k.empty;  // the class's spare
          } else {
            close_chunk(k, ch);
            spare[spares++] = ch;
          }
        }
      }
    }
    for (std::size_t j = 0; j < spares; ++j) retire_chunk(spare[j]);  // in the order they emptied
    spares = 0;
  }
}

std::size_t block_pool::chunks_in_use() const noexcept {
  lock_guard g(space_lock_);
  return in_use_;
}

std::size_t block_pool::chunks_warm() const noexcept {
  lock_guard g(space_lock_);
  return warm_count_;
}

std::size_t block_pool::chunks_released() const noexcept {
  lock_guard g(space_lock_);
  return released_count_;
}

block_pool& default_block_pool() noexcept {
  alignas(block_pool) static unsigned char storage[sizeof(block_pool)];
  static block_pool* const pool = ::new (static_cast<void*>(storage)) block_pool();
  return *pool;
}

}  // namespace eddy::detail
