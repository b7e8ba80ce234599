// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::frame_cache` and the pump coroutine type: the loop coroutines of the stream
/// operators (a stage chain's wait, a multi-wait operator's wait, a hot source's puller) run
/// in a frame allocated once per operator instance and reused for every item and wake.
#pragma once
#include <cstddef>
#include <new>

#include "eddy/core/config.hpp"
#include "eddy/core/coro.hpp"
#include "eddy/core/frame_allocator.hpp"
#include "eddy/core/panic.hpp"

#if EDDY_HAS_EXCEPTIONS
#include <exception>
#endif

namespace eddy::detail {

/// One reusable coroutine-frame buffer, owned by an operator instance. When the buffer is in
/// use (two awaiters of the same stream alive at once: a contract violation, but not UB), a
/// separate block is allocated instead. Copies start empty; moving a cache whose buffer is in
/// use leaves the buffer with the frame, which frees it.
class frame_cache {
  struct header {
    frame_cache* owner;
    std::size_t total;
  };
  static constexpr std::size_t header_size = 16;
  static_assert(sizeof(header) <= header_size);

 public:
  frame_cache() noexcept = default;
  frame_cache(const frame_cache&) noexcept {}
  frame_cache& operator=(const frame_cache&) noexcept { return *this; }
  frame_cache(frame_cache&& o) noexcept { steal(o); }
  frame_cache& operator=(frame_cache&& o) noexcept {
    if (this != &o) {
      release();
      steal(o);
    }
    return *this;
  }
  ~frame_cache() { release(); }

  void* allocate(std::size_t n) {
    const std::size_t total = n + header_size;
    if (!busy_) {
      if (cap_ < total) {
        release();
        buf_ = frame_alloc(total);
        cap_ = total;
      }
      busy_ = true;
      ::new (buf_) header{this, cap_};
      return static_cast<char*>(buf_) + header_size;
    }
    void* p = frame_alloc(total);
    ::new (p) header{nullptr, total};
    return static_cast<char*>(p) + header_size;
  }
  static void deallocate(void* p) noexcept {
    void* base = static_cast<char*>(p) - header_size;
    header* h = static_cast<header*>(base);
    if (h->owner)
      h->owner->busy_ = false;
    else
      frame_free(base, h->total);
  }

 private:
  void steal(frame_cache& o) noexcept {
    if (o.busy_) return;  // the frame keeps (and later frees) the other buffer
    buf_ = o.buf_;
    cap_ = o.cap_;
    o.buf_ = nullptr;
    o.cap_ = 0;
  }
  void release() noexcept {
    if (!buf_) return;
    if (busy_)
      static_cast<header*>(buf_)->owner = nullptr;  // the live frame frees it
    else
      frame_free(buf_, cap_);
    buf_ = nullptr;
    cap_ = 0;
    busy_ = false;
  }

  void* buf_ = nullptr;
  std::size_t cap_ = 0;
  bool busy_ = false;
};

/// The coroutine type of a looping stage's pull loop: lazily started, resumes `cont` at the
/// end by symmetric transfer, frame from a `frame_cache` (its first parameter).
struct pump_promise {
  // The frame comes from the loop's first parameter; the second is the awaiter running the
  // loop (any object pointer converts to `const void*`; another parameter list fails to
  // compile rather than fall back to the global operator new).
  //
  // Deliberately not a template (`template <class... A> operator new(size_t, frame_cache&,
  // A&...)`): with that, g++ 12 without optimisation reports -Wmismatched-new-delete on every
  // pump coroutine. There is no mismatch: `allocate` and `deallocate` are the frame_cache pair
  // (the header in front of the frame says where the block came from). g++ pairs a member
  // operator new with its operator delete by comparing their demangled names, and a member
  // template's name never compares equal to a plain function's (GCC PR middle-end/109224).
  static void* operator new(std::size_t n, frame_cache& c, const void*) { return c.allocate(n); }
  static void operator delete(void* p, std::size_t) noexcept { frame_cache::deallocate(p); }

  coro::coroutine_handle<pump_promise> get_return_object() noexcept {
    return coro::coroutine_handle<pump_promise>::from_promise(*this);
  }
  coro::suspend_always initial_suspend() noexcept { return {}; }
  struct final_awaiter {
    bool await_ready() noexcept { return false; }
    coro::coroutine_handle<> await_suspend(coro::coroutine_handle<pump_promise> h) noexcept {
      return h.promise().cont;
    }
    void await_resume() noexcept {}
  };
  final_awaiter final_suspend() noexcept { return {}; }
  void return_void() noexcept {}
  void unhandled_exception() noexcept {
#if EDDY_HAS_EXCEPTIONS
    ex = std::current_exception();
#endif
  }
  void rethrow_if_exception() {
#if EDDY_HAS_EXCEPTIONS
    if (ex) std::rethrow_exception(ex);
#endif
  }

  coro::coroutine_handle<> cont;
#if EDDY_HAS_EXCEPTIONS
  std::exception_ptr ex;
#endif
};

/// A pump coroutine returns its own handle (the caller owns the frame).
struct pump_handle {
  using promise_type = pump_promise;
  pump_handle(coro::coroutine_handle<pump_promise> frame) noexcept : h(frame) {}
  coro::coroutine_handle<pump_promise> h;
};

/// The loop coroutine of an awaiter while it runs: started by `await_suspend`, destroyed with
/// the awaiter (at its suspension point, when the awaiter is destroyed while suspended).
/// Moving one that runs is a programming error (`panic`).
class loop_frame {
 public:
  loop_frame() noexcept = default;
  loop_frame(loop_frame&& o) noexcept {
    if (o.h_) panic("eddy: a stream next() awaiter was moved while suspended");
  }
  loop_frame& operator=(loop_frame&&) = delete;
  ~loop_frame() {
    if (h_) h_.destroy();
  }
  explicit operator bool() const noexcept { return static_cast<bool>(h_); }
  /// Runs the loop `p` (made suspended at its start), to resume `cont` when it ends; returns
  /// the handle to transfer to.
  coro::coroutine_handle<> start(pump_handle p, coro::coroutine_handle<> cont) noexcept {
    h_ = p.h;
    h_.promise().cont = cont;
    return h_;
  }
  /// Throws again what the loop threw (exceptions on).
  void rethrow() {
    if (h_) h_.promise().rethrow_if_exception();
  }

 private:
  coro::coroutine_handle<pump_promise> h_{};
};

}  // namespace eddy::detail
