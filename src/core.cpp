// SPDX-License-Identifier: BSL-1.0
// Out-of-line parts of eddy/core: panic, error strings, the frame allocator and lock hooks.
#include <cstdio>
#include <cstdlib>
#include <new>

#include "eddy/core/detail/asan.hpp"
#include "eddy/core/detail/block_pool.hpp"
#include "eddy/core/error.hpp"
#include "eddy/core/frame_allocator.hpp"
#include "eddy/core/lock.hpp"
#include "eddy/core/panic.hpp"
#include "eddy/core/result.hpp"

#if EDDY_HAS_THREADS
#include <thread>
#endif

namespace eddy {

void panic(const char* message) {
#if EDDY_HAS_EXCEPTIONS
  throw panic_error(message);
#else
  std::fputs("eddy panic: ", stderr);
  std::fputs(message, stderr);
  std::fputs("\n", stderr);
  std::abort();
#endif
}

const char* to_string(errc code) noexcept {
  switch (code) {
    case errc::aborted:
      return "aborted";
    case errc::timed_out:
      return "timed out";
    case errc::closed:
      return "closed";
    case errc::lagged:
      return "lagged";
    case errc::invalid_argument:
      return "invalid argument";
    case errc::user:
      return "user error";
    case errc::full:
      return "full";
    case errc::empty:
      return "empty";
    case errc::deadlock:
      return "deadlock";
    case errc::exception:
      return "exception";
    case errc::out_of_memory:
      return "out of memory";
    case errc::io:
      return "I/O error";
    case errc::already_initialized:
      return "already initialized";
    case errc::initializing:
      return "initializing";
  }
  return "unknown error";
}

#if EDDY_HAS_EXCEPTIONS
error error::from_exception(std::exception_ptr ex) noexcept {
  error e{errc::exception};
  if (ex) {
    try {
      std::rethrow_exception(ex);
    } catch (const std::exception& x) {
      const char* what = x.what();  // lives in the exception object, which e keeps alive
      e.message_ = what ? what : "exception";
    } catch (...) {
      e.message_ = "exception (not derived from std::exception)";
    }
  }
  e.exception_ = static_cast<std::exception_ptr&&>(ex);
  return e;
}

void error::rethrow() const {
  if (exception_) std::rethrow_exception(exception_);
  throw panic_error(message());
}
#endif

namespace detail {
void bad_result_access(const error& e) {
#if EDDY_HAS_EXCEPTIONS
  e.rethrow();
#else
  panic(e.message());
#endif
}
}  // namespace detail

// --- frame allocator ---
// The default allocator recycles blocks: each thread keeps the blocks it frees in free lists by
// size class (16-byte steps up to 1 KiB), at most `max_per_class` per class and `max_bytes` in
// all, and hands them out again before it asks for more. A task that spawns and joins children
// in a loop then allocates nothing in its steady state. Recycled blocks are poisoned for
// AddressSanitizer while they wait, so a use after free still shows.
//
// Behind the per-thread lists is the block pool (core/detail/block_pool.hpp): the lists refill
// from it and spill into it `batch` blocks at a time; never-used blocks come as a run that is
// handed out in order without being linked (see `refill`). Builds with AddressSanitizer take the
// blocks from `operator new` instead, so that LeakSanitizer still reports a leaked frame (the
// pool's own tests run under ASan); `EDDY_BLOCK_POOL=0` does the same in any build.
namespace {
#if EDDY_HAS_THREADS
#ifndef EDDY_BLOCK_POOL
#ifdef EDDY_ASAN
#define EDDY_BLOCK_POOL 0
#else
#define EDDY_BLOCK_POOL 1
#endif
#endif
using detail::block_pool;
using detail::free_block;
constexpr std::size_t class_count = block_pool::class_count;
constexpr std::size_t max_per_class = 64;
constexpr std::size_t max_bytes = 256 * 1024;
#if EDDY_BLOCK_POOL
constexpr std::size_t batch = 32;  // blocks moved between a thread's list and the pool at once
#endif

// Trivially destructible, so reaching it costs no guard; `release` empties it at thread exit.
struct block_cache {
  free_block* heads[class_count];
  std::uint16_t counts[class_count];
#if EDDY_BLOCK_POOL
  // Per class, never-used blocks taken from the pool in one piece (`allocate_run`), handed out
  // from `run_next` up to `run_end`, poisoned until then; used when the list is empty.
  char* run_next[class_count];
  char* run_end[class_count];
#endif
  std::size_t bytes;  // of the lists and runs
  bool cleanup_registered;
  bool dead;  // the thread is exiting: frees bypass the lists from now on
  void release() noexcept;
};
constinit thread_local block_cache t_cache{};

// Empties the cache when the thread exits; registered by the first block the cache keeps.
struct cache_cleanup {
  ~cache_cleanup() { t_cache.release(); }
};
void register_cleanup() noexcept {
  static thread_local cache_cleanup cleanup;
  static_cast<void>(&cleanup);
  t_cache.cleanup_registered = true;
}

// Takes the first `n` blocks of class `c`'s list (n <= its count) into `out`, unpoisoned.
std::size_t take_from_list(block_cache& k, std::size_t c, void** out, std::size_t n) noexcept {
  const std::size_t size = block_pool::block_size(c);
  for (std::size_t i = 0; i < n; ++i) {
    free_block* b = k.heads[c];
    EDDY_ASAN_UNPOISON(b, size);
    k.heads[c] = b->next;
    out[i] = b;
  }
  k.counts[c] = static_cast<std::uint16_t>(k.counts[c] - n);
  k.bytes -= n * size;
  return n;
}

// Gives back whole blocks of class `c` that no list keeps.
void give_back(std::size_t c, void* const* blocks, std::size_t n) noexcept {
#if EDDY_BLOCK_POOL
  detail::default_block_pool().deallocate(c, blocks, n);
#else
  for (std::size_t i = 0; i < n; ++i) {
    EDDY_ASAN_UNPOISON(blocks[i], block_pool::block_size(c));  // for operator delete
    ::operator delete(blocks[i]);
  }
#endif
}

// Starts loading the first lines (at most four) of a `size`-byte block that is most likely this
// thread's next allocation of its class (a burst of spawns), so that the stores that fill it do
// not each wait for memory. Reads nothing: a poisoned block may be prefetched.
void prefetch_block(const void* b, std::size_t size) noexcept {
  const char* const p = static_cast<const char*>(b);
  const std::size_t lines = size < 4 * 64 ? size : 4 * 64;
  for (std::size_t off = 0; off < lines; off += 64) __builtin_prefetch(p + off, 1);
}

void block_cache::release() noexcept {
  dead = true;
  for (std::size_t c = 0; c < class_count; ++c) {
    void* out[max_per_class];
    give_back(c, out, take_from_list(*this, c, out, counts[c]));
#if EDDY_BLOCK_POOL
    const std::size_t size = block_pool::block_size(c);
    while (run_next[c] != run_end[c]) {
      std::size_t m = 0;
      for (; m < max_per_class && run_next[c] != run_end[c]; ++m, run_next[c] += size)
        out[m] = run_next[c];
      bytes -= m * size;
      give_back(c, out, m);
    }
#endif
  }
}

#if EDDY_BLOCK_POOL
// The next block of class `c`'s run (not empty), unpoisoned; the block after it is prefetched.
void* take_from_run(block_cache& k, std::size_t c, std::size_t size) noexcept {
  char* const p = k.run_next[c];
  k.run_next[c] = p + size;
  k.bytes -= size;
  EDDY_ASAN_UNPOISON(p, size);
  if (k.run_next[c] != k.run_end[c]) prefetch_block(k.run_next[c], size);
  return p;
}

// Class `c`'s list and run are empty: one block from the pool for the caller (unpoisoned), and
// up to `batch - 1` more kept (poisoned) for the next calls, or null when out of memory. Blocks
// never used come as a run, untouched: their lines load one block at a time, as the blocks are
// handed out, instead of all at once to link them into the list (W5, 2M spawns on one thread
// with the pool's memory warm: about 165 -> 105 ns a task). Blocks given back before are
// linked.
void* refill(block_cache& k, std::size_t c, std::size_t size) noexcept {
  const std::size_t keep = k.dead || k.bytes + batch * size > max_bytes ? 0 : batch - 1;
  if (keep > 0 && !k.cleanup_registered) register_cleanup();
  char* first;
  if (const std::size_t r = detail::default_block_pool().allocate_run(c, &first, keep + 1)) {
    k.run_next[c] = first;
    k.run_end[c] = first + r * size;
    k.bytes += r * size;
    return take_from_run(k, c, size);
  }
  void* got[batch];
  const std::size_t m = detail::default_block_pool().allocate(c, got, keep + 1);
  if (m == 0) return nullptr;
  for (std::size_t i = 1; i < m; ++i) {
    auto* f = static_cast<free_block*>(got[i]);
    f->next = k.heads[c];
    k.heads[c] = f;
    EDDY_ASAN_POISON(f, size);
  }
  k.counts[c] = static_cast<std::uint16_t>(k.counts[c] + (m - 1));
  k.bytes += (m - 1) * size;
  return got[0];
}
#endif

void* default_allocate(std::size_t n, void*) noexcept {
  const std::size_t c = block_pool::class_of(n);
  if (c >= class_count) return ::operator new(n, std::nothrow);
  block_cache& k = t_cache;
  const std::size_t size = block_pool::block_size(c);
  void* p;
  if (free_block* b = k.heads[c]) {
    EDDY_ASAN_UNPOISON(b, size);
    k.heads[c] = b->next;
    --k.counts[c];
    k.bytes -= size;
    p = b;
    if (k.heads[c]) prefetch_block(k.heads[c], size);
#if EDDY_BLOCK_POOL
  } else if (k.run_next[c] != k.run_end[c]) {
    p = take_from_run(k, c, size);
  } else if (!(p = refill(k, c, size))) {
    return nullptr;
  }
#else
  } else if (!(p = ::operator new(size, std::nothrow))) {  // the whole class: recyclable
    return nullptr;
  }
#endif
  EDDY_ASAN_POISON(static_cast<char*>(p) + n, size - n);  // the slack
  return p;
}

void default_deallocate(void* p, std::size_t n, void*) noexcept {
  const std::size_t c = block_pool::class_of(n);
  if (c >= class_count) {
    ::operator delete(p);
    return;
  }
  block_cache& k = t_cache;
  const std::size_t size = block_pool::block_size(c);
  if (k.dead) {
    give_back(c, &p, 1);
    return;
  }
  if (k.counts[c] == max_per_class || k.bytes + size > max_bytes) {
    // The list is full: half of it goes back, so that a steady free/allocate pattern around
    // the bound does not move blocks one at a time.
    void* out[max_per_class];
    const std::size_t m = take_from_list(k, c, out, k.counts[c] / 2);
    give_back(c, out, m);
    if (k.bytes + size > max_bytes) {
      give_back(c, &p, 1);
      return;
    }
  }
  if (!k.cleanup_registered) register_cleanup();
  // A block smaller than the link (a copied task name) has its link bytes in the poisoned
  // slack: unpoison the whole class before writing the link, poison it all again below.
  EDDY_ASAN_UNPOISON(p, size);
  auto* b = static_cast<free_block*>(p);
  b->next = k.heads[c];
  k.heads[c] = b;
  ++k.counts[c];
  k.bytes += size;
  EDDY_ASAN_POISON(b, size);
}
#else  // one context, frames from an arena in practice: no cache
void* default_allocate(std::size_t n, void*) noexcept {
  return ::operator new(n, std::nothrow);
}
void default_deallocate(void* p, std::size_t, void*) noexcept {
  ::operator delete(p);
}
#endif
frame_allocator g_frames{&default_allocate, &default_deallocate, nullptr};
}  // namespace

void set_frame_allocator(frame_allocator a) noexcept {
  if (!a.allocate || !a.deallocate) a = {&default_allocate, &default_deallocate, nullptr};
  g_frames = a;
}
frame_allocator get_frame_allocator() noexcept {
  return g_frames;
}

namespace detail {
void* frame_try_alloc(std::size_t n) noexcept {
  return g_frames.allocate(n, g_frames.context);
}
void* frame_alloc(std::size_t n) {
  void* p = g_frames.allocate(n, g_frames.context);
  if (!p) panic("eddy: out of memory allocating a coroutine frame");
  return p;
}
void frame_free(void* p, std::size_t n) noexcept {
  g_frames.deallocate(p, n, g_frames.context);
}

// --- locks ---
critical_section_hooks g_critical_section{nullptr, nullptr};

void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}
void yield_thread() noexcept {
#if EDDY_HAS_THREADS
  std::this_thread::yield();
#endif
}
}  // namespace detail

void set_critical_section_hooks(critical_section_hooks h) noexcept {
  detail::g_critical_section = h;
}

}  // namespace eddy

#if !EDDY_HAS_THREADS && defined(__arm__) && !defined(__GCC_HAVE_SYNC_COMPARE_AND_SWAP_8)
// Cortex-M has no 64-bit atomic instructions and the arm-none-eabi toolchain ships no libatomic,
// so `std::atomic<std::uint64_t>` would not link. Without threads, atomic means atomic with
// respect to interrupt handlers: these run inside the critical-section hook.
namespace {
using u64 = unsigned long long;
struct section {
  unsigned state = 0;
  section() noexcept {
    if (eddy::detail::g_critical_section.enter) state = eddy::detail::g_critical_section.enter();
  }
  ~section() {
    if (eddy::detail::g_critical_section.leave) eddy::detail::g_critical_section.leave(state);
  }
};
volatile u64* cell(volatile void* p) noexcept {
  return static_cast<volatile u64*>(p);
}
}  // namespace

extern "C" {
u64 __atomic_load_8(const volatile void* p, int) noexcept {
  section s;
  return *static_cast<const volatile u64*>(p);
}
void __atomic_store_8(volatile void* p, u64 v, int) noexcept {
  section s;
  *cell(p) = v;
}
u64 __atomic_exchange_8(volatile void* p, u64 v, int) noexcept {
  section s;
  const u64 old = *cell(p);
  *cell(p) = v;
  return old;
}
bool __atomic_compare_exchange_8(volatile void* p, void* expected, u64 desired, bool, int,
                                 int) noexcept {
  section s;
  u64* e = static_cast<u64*>(expected);
  if (*cell(p) == *e) {
    *cell(p) = desired;
    return true;
  }
  *e = *cell(p);
  return false;
}
#define EDDY_ATOMIC64_RMW(name, op)                                      \
  u64 __atomic_fetch_##name##_8(volatile void* p, u64 v, int) noexcept { \
    section s;                                                           \
    const u64 old = *cell(p);                                            \
    *cell(p) = old op v;                                                 \
    return old;                                                          \
  }                                                                      \
  u64 __atomic_##name##_fetch_8(volatile void* p, u64 v, int) noexcept { \
    section s;                                                           \
    const u64 now = *cell(p) op v;                                       \
    *cell(p) = now;                                                      \
    return now;                                                          \
  }
EDDY_ATOMIC64_RMW(add, +)
EDDY_ATOMIC64_RMW(sub, -)
EDDY_ATOMIC64_RMW(and, &)
EDDY_ATOMIC64_RMW(or, |)
EDDY_ATOMIC64_RMW(xor, ^)
#undef EDDY_ATOMIC64_RMW
}
#endif
