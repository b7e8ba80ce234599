// SPDX-License-Identifier: BSL-1.0
/// \file
/// `generator<T>`: a stream written as a coroutine that `co_yield`s items and may `co_await`.
///
/// ```cpp
/// eddy::generator<int> ticks(int n) {
///   for (int i = 0; i < n; ++i) {
///     co_await eddy::sleep(1ms);
///     co_yield i;                       // a value
///   }
///   co_yield eddy::error{eddy::errc::user, 7};  // an error item (does not end the stream)
/// }                                     // falling off the end ends the stream
/// ```
/// - The body runs inside the consumer's task: `next()` resumes it by symmetric transfer and a
///   `co_yield` transfers straight back; `co_await` inside it suspends the consumer's task. No
///   task is spawned; the frame is allocated once (through the frame allocator) when the
///   generator is created, and the body starts at the first `next()`.
/// - `co_yield` takes a `T` (or anything convertible), an `eddy::error`/`errc`, or an `item<T>`.
/// - An exception escaping the body (exceptions on) becomes one `errc::exception` error item,
///   then the end.
/// - Cancellation: destroying a `next()` awaiter while the body is suspended inside a
///   `co_await` (an abort, a `timeout`, a cancelled `subscribe`) destroys the body's frame at
///   that point (its waits deregister, its locals are destroyed). The generator cannot go on
///   from there: its next `next()` gives one `errc::aborted` error, then the end.
/// - Move-only; one consumer; not thread-safe (like every stream).
#pragma once
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/core/config.hpp"
#include "eddy/core/coro.hpp"
#include "eddy/core/frame_allocator.hpp"
#include "eddy/stream/concept.hpp"

#if EDDY_HAS_EXCEPTIONS
#include <exception>
#endif

namespace eddy {

/// A stream written as a coroutine (see the file comment). Move-only; one consumer; the body
/// runs inside the consumer's task and starts at the first `next()`.
template <class T>
class [[nodiscard]] generator {
 public:
  /// The type of the values it yields.
  using value_type = T;

  /// The coroutine promise (used by the compiler; not called by users).
  class promise_type {
   public:
    /// Frames come from eddy's frame allocator (see core/frame_allocator.hpp).
    static void* operator new(std::size_t n) { return detail::frame_alloc(n); }
    /// Gives the frame back to the frame allocator.
    static void operator delete(void* p, std::size_t n) noexcept { detail::frame_free(p, n); }

    /// The generator that owns this frame.
    generator get_return_object() noexcept {
      return generator(coro::coroutine_handle<promise_type>::from_promise(*this));
    }
    /// Lazy: the body starts at the first `next()`.
    coro::suspend_always initial_suspend() noexcept { return {}; }

    /// Suspends the body and resumes the consumer.
    struct to_consumer {
      bool await_ready() noexcept { return false; }
      coro::coroutine_handle<> await_suspend(coro::coroutine_handle<promise_type> h) noexcept {
        return h.promise().consumer_;
      }
      void await_resume() noexcept {}
    };
    /// At the end, transfers back to the consumer (which then sees the end).
    to_consumer final_suspend() noexcept { return {}; }

    /// `co_yield v`: stores the item and transfers back to the consumer.
    template <class U = T>
      requires std::is_constructible_v<item<T>, U&&>
    to_consumer yield_value(U&& v) {
      current_.emplace(std::forward<U>(v));
      return {};
    }
    /// Falling off the end ends the stream.
    void return_void() noexcept {}
    /// An escaping exception becomes one `errc::exception` error item, then the end.
    void unhandled_exception() noexcept {
#if EDDY_HAS_EXCEPTIONS
      current_.emplace(error::from_exception(std::current_exception()));
#endif
    }

   private:
    friend class generator;
    std::optional<item<T>> current_;
    coro::coroutine_handle<> consumer_;
  };

  generator() noexcept = default;
  /// Move; only while no `next()` is in flight.
  generator(generator&& o) noexcept
      : h_(std::exchange(o.h_, nullptr)), aborted_(std::exchange(o.aborted_, false)) {}
  /// Move assignment (destroys this generator's frame first); only while no `next()` is in flight.
  generator& operator=(generator&& o) noexcept {
    if (this != &o) {
      reset();
      h_ = std::exchange(o.h_, nullptr);
      aborted_ = std::exchange(o.aborted_, false);
    }
    return *this;
  }
  generator(const generator&) = delete;
  generator& operator=(const generator&) = delete;
  ~generator() { reset(); }

  /// The awaiter of `next()`: resumes the body by symmetric transfer. Destroyed while the body is
  /// suspended in a `co_await`, it cancels the body: the generator then ends.
  class awaiter {
   public:
    /// Made by `next()`.
    explicit awaiter(generator* g) noexcept : g_(g) {}
    /// Movable until it suspends.
    awaiter(awaiter&& o) noexcept : g_(o.g_), running_(std::exchange(o.running_, false)) {}
    awaiter& operator=(awaiter&&) = delete;
    /// Destroyed while the body runs (it is suspended in a `co_await`): cancel the body.
    ~awaiter() {
      if (running_) g_->abandon();
    }

    bool await_ready() const noexcept { return !g_->h_ || g_->h_.done(); }
    coro::coroutine_handle<> await_suspend(coro::coroutine_handle<> consumer) noexcept {
      auto& p = g_->h_.promise();
      p.consumer_ = consumer;
      p.current_.reset();
      running_ = true;
      return g_->h_;
    }
    std::optional<item<T>> await_resume() {
      if (!running_) {
        if (g_->aborted_) {
          g_->aborted_ = false;
          return std::optional<item<T>>(std::in_place, error{errc::aborted});
        }
        return std::nullopt;
      }
      running_ = false;
      auto& p = g_->h_.promise();
      std::optional<item<T>> r = std::move(p.current_);
      p.current_.reset();
      return r;
    }

   private:
    generator* g_;
    bool running_ = false;
  };

  /// Resumes the body until its next `co_yield` (or its end). See the file comment.
  awaiter next() noexcept { return awaiter(this); }

 private:
  explicit generator(coro::coroutine_handle<promise_type> h) noexcept : h_(h) {}
  void reset() noexcept {
    if (h_) std::exchange(h_, nullptr).destroy();
  }
  void abandon() noexcept {
    reset();
    aborted_ = true;
  }

  coro::coroutine_handle<promise_type> h_{};
  bool aborted_ = false;
};

}  // namespace eddy
