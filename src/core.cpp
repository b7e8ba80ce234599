// SPDX-License-Identifier: BSL-1.0
// Out-of-line parts of eddy/core: panic, error strings, the frame allocator and lock hooks.
#include <cstdio>
#include <cstdlib>
#include <new>

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
namespace {
void* default_allocate(std::size_t n, void*) noexcept {
  return ::operator new(n, std::nothrow);
}
void default_deallocate(void* p, std::size_t, void*) noexcept {
  ::operator delete(p);
}
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
