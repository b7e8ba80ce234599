// SPDX-License-Identifier: BSL-1.0
/// \file
/// `task<T>`: eddy's lazy coroutine type.
///
/// A `task<T>` does nothing until it is awaited (or spawned). `co_await t` runs it by symmetric
/// transfer and resumes the awaiter, again by symmetric transfer, when it completes: a chain of
/// tasks that complete synchronously uses no stack per level (with -foptimize-sibling-calls on
/// g++, -mtail-call on wasm). Move-only; destroying an unfinished task destroys its frame and
/// every frame it is awaiting. Frames come from the `frame_allocator` hook; when it is out of
/// memory the coroutine returns an empty task with `out_of_memory()` true and runs nothing
/// (`spawn` turns that into `errc::out_of_memory`; see core/frame_allocator.hpp).
///
/// `co_await t` returns the `co_return`ed value, or rethrows an exception that escaped the body.
/// Awaiting a moved-from task, or one whose frame could not be allocated, panics.
///
/// Thread-safety: a task is owned by one coroutine at a time; it is not thread-safe itself.
#pragma once
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

#include "eddy/core/config.hpp"
#include "eddy/core/coro.hpp"
#include "eddy/core/detail/awaitable.hpp"
#include "eddy/core/frame_allocator.hpp"
#include "eddy/core/panic.hpp"
#include "eddy/core/result.hpp"
#include "eddy/core/source_location.hpp"

namespace eddy {

template <class T = void>
class task;

namespace detail {
/// True for `task<T>` (the frame chain of task dumps; `timeout`, the combinators).
template <class A>
inline constexpr bool is_task_v = false;
template <class T>
inline constexpr bool is_task_v<task<T>> = true;

/// The allocation of a `task<T>` frame, through the frame allocator (core/frame_allocator.hpp).
/// Null when out of memory: the coroutine then returns `get_return_object_on_allocation_failure()`.
struct frame_storage {
  static void* operator new(std::size_t n) noexcept { return frame_try_alloc(n); }
  static void operator delete(void* p, std::size_t n) noexcept { frame_free(p, n); }
};

class promise_base;

#if EDDY_TASK_DUMP
/// One step of task dumps' frame chain: where a coroutine awaits and the task it awaits (the
/// promise of that task's frame), if any. Lives in the `co_await`'s awaiter, so it costs the
/// frame one pointer (`promise_base::awaiting`).
struct await_site {
  source_location at;   ///< the `co_await`'s source location
  promise_base* child;  ///< the awaited task's promise, or null
};
#endif

class promise_base {
 public:
  coro::suspend_always initial_suspend() noexcept { return {}; }

  struct final_awaiter {
    bool await_ready() noexcept { return false; }
    template <class P>
    coro::coroutine_handle<> await_suspend(coro::coroutine_handle<P> h) noexcept {
      coro::coroutine_handle<> c = h.promise().continuation_;
      if (c) return c;
      return coro::noop_coroutine();
    }
    void await_resume() noexcept {}
  };
  final_awaiter final_suspend() noexcept { return {}; }

  /// Who to resume at completion; null means "return to whoever called resume()".
  coro::coroutine_handle<> continuation_{};

#if EDDY_TASK_DUMP
  /// Task dumps' frame chain (recorded with `EDDY_TASK_FRAMES`; see there): the site of the
  /// `co_await` this coroutine is suspended in, or null. The site lives in that `co_await`'s
  /// awaiter; written by the running task only.
  const await_site* awaiting() const noexcept {
    return reinterpret_cast<const await_site*>(site_and_tag_ & ~tag_mask);
  }
  /// Sets `awaiting()` (the running task only).
  void set_awaiting(const await_site* s) noexcept {
    site_and_tag_ = reinterpret_cast<std::uintptr_t>(s) | (site_and_tag_ & tag_mask);
  }
#endif

 protected:
  /// A two-bit tag of the derived promise's own (how the body ended). Kept in the low bits of
  /// the `awaiting()` pointer when task dumps are on: a frame that awaits nothing stays 8 bytes
  /// smaller (the frame of a `task<std::uint64_t>` fits one 64-byte line).
  std::uint8_t tag() const noexcept {
#if EDDY_TASK_DUMP
    return static_cast<std::uint8_t>(site_and_tag_ & tag_mask);
#else
    return tag_;
#endif
  }
  void set_tag(std::uint8_t t) noexcept {
#if EDDY_TASK_DUMP
    site_and_tag_ = (site_and_tag_ & ~tag_mask) | t;
#else
    tag_ = t;
#endif
  }

 private:
  static constexpr std::uintptr_t tag_mask = 3;
#if EDDY_TASK_DUMP
  static_assert(alignof(await_site) > tag_mask, "the tag needs the site pointer's low bits");
  std::uintptr_t site_and_tag_ = 0;
#else
  std::uint8_t tag_ = 0;
#endif

 public:
#if EDDY_TASK_FRAMES
  /// The awaiter of `co_await a` in a task, as it would be without `await_transform`: holds
  /// the awaiter `get_awaiter(a)` gives (by value, made in place, or a reference to `a` when
  /// `a` is its own awaiter) and forwards the three calls to it; while suspended, the
  /// promise's `awaiting` points to its `site`.
  template <class A>
  struct traced {
    awaiter_ref_t<A> w;  ///< the awaiter
    await_site site;     ///< where, and which task (if any) it awaits
    promise_base* self;  ///< the awaiting coroutine's promise
    bool await_ready() { return static_cast<bool>(w.await_ready()); }
    template <class P>
    decltype(auto) await_suspend(coro::coroutine_handle<P> h) {
      self->set_awaiting(&site);
      return w.await_suspend(h);
    }
    decltype(auto) await_resume() {
      self->set_awaiting(nullptr);
      return w.await_resume();
    }
  };

  /// Task dumps' frame chain: the awaiter records where this coroutine awaits and, when it
  /// awaits a task, that task's promise, so that a dump walks from the root down to the
  /// suspension; then awaits `a` as usual. (A transform that returned `a` itself would do,
  /// but g++ 12 copies an xvalue awaiter there, and immovable awaiters exist.)
  template <class A>
  traced<A> await_transform(A&& a, source_location loc = source_location::current()) {
    promise_base* child = nullptr;
    if constexpr (is_task_v<std::remove_cvref_t<A>>)
      if (a.valid()) child = &a.handle().promise();
    return traced<A>{get_awaiter(static_cast<A&&>(a)), await_site{loc, child}, this};
  }
#endif
};

template <class T>
class task_promise final : public promise_base, public frame_storage {
 public:
  task_promise() noexcept {}
  ~task_promise() {
    if (tag() == value_tag) value_.~T();
#if EDDY_HAS_EXCEPTIONS
    else if (tag() == exception_tag)
      exception_.~exception_ptr();
#endif
  }
  task<T> get_return_object() noexcept;
  static task<T> get_return_object_on_allocation_failure() noexcept;

  template <class U = T>
    requires std::is_convertible_v<U&&, T>
  void return_value(U&& v) noexcept(std::is_nothrow_constructible_v<T, U&&>) {
    ::new (&value_) T(std::forward<U>(v));
    set_tag(value_tag);
  }
  /// Keeps the exception that escaped the body. It wins over a value `co_return`ed before a
  /// local's destructor threw.
  void unhandled_exception() noexcept {
#if EDDY_HAS_EXCEPTIONS
    if (tag() == value_tag) value_.~T();
    ::new (&exception_) std::exception_ptr(std::current_exception());
    set_tag(exception_tag);
#endif
  }

  /// The value; rethrows an escaped exception.
  T take() {
#if EDDY_HAS_EXCEPTIONS
    if (tag() == exception_tag) std::rethrow_exception(exception_);
#endif
    return std::move(value_);
  }
  /// The value, or the escaped exception as `errc::exception`.
  result<T> take_result() {
#if EDDY_HAS_EXCEPTIONS
    if (tag() == exception_tag) return error::from_exception(exception_);
#endif
    return result<T>(std::move(value_));
  }

 private:
  // How the body ended (the promise's `tag()`; 0 while it runs): a value or an exception,
  // never both, so they share their room (with the tag in the base: the frame of a
  // `task<std::uint64_t>` that awaits nothing is 64 bytes, one cache line, not 80).
  static constexpr std::uint8_t value_tag = 1, exception_tag = 2;
  union {
    T value_;
#if EDDY_HAS_EXCEPTIONS
    std::exception_ptr exception_;
#endif
  };
};

template <>
class task_promise<void> final : public promise_base, public frame_storage {
 public:
  task<void> get_return_object() noexcept;
  static task<void> get_return_object_on_allocation_failure() noexcept;
  void return_void() noexcept {}
  /// Keeps the exception that escaped the body.
  void unhandled_exception() noexcept {
#if EDDY_HAS_EXCEPTIONS
    exception_ = std::current_exception();
#endif
  }
  /// Rethrows an escaped exception.
  void take() {
#if EDDY_HAS_EXCEPTIONS
    if (exception_) std::rethrow_exception(exception_);
#endif
  }
  /// Nothing, or the escaped exception as `errc::exception`.
  result<void> take_result() {
#if EDDY_HAS_EXCEPTIONS
    if (exception_) return error::from_exception(exception_);
#endif
    return {};
  }

 private:
#if EDDY_HAS_EXCEPTIONS
  std::exception_ptr exception_;
#endif
};

}  // namespace detail

/// A lazy coroutine producing a `T` (see the file comment).
template <class T>
class [[nodiscard]] task {
 public:
  using promise_type = detail::task_promise<T>;              ///< the coroutine promise
  using handle_type = coro::coroutine_handle<promise_type>;  ///< the frame's handle type
  using value_type = T;                                      ///< what `co_await` gives

  /// An empty task (owns no frame).
  task() noexcept = default;
  /// Adopts the frame `h` (used by the promise).
  explicit task(handle_type h) noexcept : h_(h) {}
  /// Moves leave the source empty; assigning destroys the frame held before.
  ///@{
  task(task&& o) noexcept : h_(std::exchange(o.h_, nullptr)), oom_(std::exchange(o.oom_, false)) {}
  task& operator=(task&& o) noexcept {
    if (this != &o) {
      reset();
      h_ = std::exchange(o.h_, nullptr);
      oom_ = std::exchange(o.oom_, false);
    }
    return *this;
  }
  ///@}
  task(const task&) = delete;
  task& operator=(const task&) = delete;
  /// Destroys the frame, if any (and every frame it awaits).
  ~task() { reset(); }

  /// True if this task owns a coroutine frame.
  bool valid() const noexcept { return static_cast<bool>(h_); }
  /// True if this task is empty because its coroutine frame could not be allocated.
  bool out_of_memory() const noexcept { return oom_; }
  /// An empty task with `out_of_memory()` true (what a coroutine returns when out of memory).
  static task failed_allocation() noexcept {
    task t;
    t.oom_ = true;
    return t;
  }
  /// True once the body has finished (only meaningful for a valid task).
  bool done() const noexcept { return h_ && h_.done(); }
  /// Destroys the frame (and every frame it awaits). No-op when empty.
  void reset() noexcept {
    if (h_) std::exchange(h_, nullptr).destroy();
  }
  /// The frame's handle, for runtimes and combinators. Ownership stays with the task.
  handle_type handle() const noexcept { return h_; }
  /// Gives up the frame: the caller destroys it (`spawn`). The task is empty afterwards.
  handle_type release() noexcept { return std::exchange(h_, nullptr); }

  /// Awaiter of `co_await t`: runs the task by symmetric transfer.
  struct awaiter {
    handle_type h;  ///< the task's frame
    bool await_ready() const noexcept { return false; }
    coro::coroutine_handle<> await_suspend(coro::coroutine_handle<> cont) noexcept {
      h.promise().continuation_ = cont;
      return h;
    }
    T await_resume() { return h.promise().take(); }
  };
  /// Runs the task; gives its value or rethrows its exception. Panics on an empty task.
  ///@{
  awaiter operator co_await() && {
    if (!h_) empty_await();
    return awaiter{h_};
  }
  awaiter operator co_await() & {
    if (!h_) empty_await();
    return awaiter{h_};
  }
  ///@}

 private:
  [[noreturn]] void empty_await() const {
    panic(oom_ ? "eddy::task: co_await on a task whose frame could not be allocated (out of memory)"
               : "eddy::task: co_await on an empty (moved-from) task");
  }
  handle_type h_{};
  bool oom_ = false;
};

namespace detail {
template <class T>
task<T> task_promise<T>::get_return_object() noexcept {
  return task<T>{coro::coroutine_handle<task_promise<T>>::from_promise(*this)};
}
inline task<void> task_promise<void>::get_return_object() noexcept {
  return task<void>{coro::coroutine_handle<task_promise<void>>::from_promise(*this)};
}
template <class T>
task<T> task_promise<T>::get_return_object_on_allocation_failure() noexcept {
  return task<T>::failed_allocation();
}
inline task<void> task_promise<void>::get_return_object_on_allocation_failure() noexcept {
  return task<void>::failed_allocation();
}
}  // namespace detail

}  // namespace eddy
