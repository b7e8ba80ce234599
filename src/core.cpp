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
    case errc::aborted: return "aborted";
    case errc::timed_out: return "timed out";
    case errc::closed: return "closed";
    case errc::lagged: return "lagged";
    case errc::invalid_argument: return "invalid argument";
    case errc::user: return "user error";
    case errc::full: return "full";
    case errc::empty: return "empty";
    case errc::deadlock: return "deadlock";
    case errc::exception: return "exception";
    case errc::out_of_memory: return "out of memory";
  }
  return "unknown error";
}

#if EDDY_HAS_EXCEPTIONS
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
void* default_allocate(std::size_t n, void*) noexcept { return ::operator new(n, std::nothrow); }
void default_deallocate(void* p, std::size_t, void*) noexcept { ::operator delete(p); }
frame_allocator g_frames{&default_allocate, &default_deallocate, nullptr};
}  // namespace

void set_frame_allocator(frame_allocator a) noexcept {
  if (!a.allocate || !a.deallocate) a = {&default_allocate, &default_deallocate, nullptr};
  g_frames = a;
}
frame_allocator get_frame_allocator() noexcept { return g_frames; }

namespace detail {
void* frame_try_alloc(std::size_t n) noexcept { return g_frames.allocate(n, g_frames.context); }
void* frame_alloc(std::size_t n) {
  void* p = g_frames.allocate(n, g_frames.context);
  if (!p) panic("eddy: out of memory allocating a coroutine frame");
  return p;
}
void frame_free(void* p, std::size_t n) noexcept { g_frames.deallocate(p, n, g_frames.context); }

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

void set_critical_section_hooks(critical_section_hooks h) noexcept { detail::g_critical_section = h; }

}  // namespace eddy
