// SPDX-License-Identifier: BSL-1.0
/// \file
/// `any_stream<T>`: a type-erased stream of `T`.
///
/// - Built from any stream whose value type is `T` (moved in): one allocation at construction,
///   holding the stream and room for one in-flight `next()` awaiter, so `next()` never
///   allocates. Each `next()` costs a few indirect calls; a synchronous upstream still
///   completes without suspending (and the synchronous fast path `try_visit` is kept).
/// - Move-only. An empty (default-constructed or moved-from) `any_stream` is ended.
/// - Same contract as every stream: one consumer, one `next()` at a time; destroying a
///   suspended `next()` awaiter cancels the inner one.
#pragma once
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/core/panic.hpp"
#include "eddy/stream/concept.hpp"

namespace eddy {

/// A type-erased stream of `T` (see the file comment): owns the stream it was built from;
/// move-only; one consumer, one `next()` at a time; empty when default-built or moved-from.
template <class T>
class any_stream {
  /// The visitor the erased `try_visit` calls back through.
  struct erased_visitor {
    void* ctx;
    void (*on_value)(void*, T&&);
    void (*on_error)(void*, eddy::error&&);
    void (*on_end)(void*);
    void value(T&& v) { on_value(ctx, std::move(v)); }
    void error(eddy::error&& e) { on_error(ctx, std::move(e)); }
    void end() { on_end(ctx); }
  };

  struct vtable {
    bool (*start)(void*);  ///< begins a next(); true when ready at once
    coro::coroutine_handle<> (*suspend)(void*, coro::coroutine_handle<>);
    std::optional<item<T>> (*finish)(void*);  ///< await_resume and end the next()
    void (*cancel)(void*) noexcept;           ///< ends an unfinished next()
    bool (*try_visit)(void*, erased_visitor&);
    void (*destroy)(void*) noexcept;
  };

  template <class S>
  struct holder {
    explicit holder(S&& src) : s(std::move(src)) {}
    S s;
    detail::manual_lifetime<detail::next_of<S>> aw;
    bool live = false;

    static bool start(void* p) {
      auto* h = static_cast<holder*>(p);
      h->aw.construct(h->s);
      h->live = true;
      return h->aw->await_ready();
    }
    static coro::coroutine_handle<> suspend(void* p, coro::coroutine_handle<> c) {
      return detail::suspend_to_handle(static_cast<holder*>(p)->aw.get(), c);
    }
    static std::optional<item<T>> finish(void* p) {
      auto* h = static_cast<holder*>(p);
      std::optional<item<T>> r = h->aw->await_resume();
      h->aw.destroy();
      h->live = false;
      return r;
    }
    static void cancel(void* p) noexcept {
      auto* h = static_cast<holder*>(p);
      if (!h->live) return;
      h->aw.destroy();
      h->live = false;
    }
    static bool try_visit(void* p, erased_visitor& v) {
      return detail::try_visit_of(static_cast<holder*>(p)->s, v);
    }
    static void destroy(void* p) noexcept {
      auto* h = static_cast<holder*>(p);
      cancel(h);
      delete h;
    }
    static constexpr vtable vt{&start, &suspend, &finish, &cancel, &try_visit, &destroy};
  };

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = T;

  any_stream() noexcept = default;
  /// Erases `s` (moved in).
  template <class S>
    requires(!std::is_same_v<std::remove_cvref_t<S>, any_stream> &&
             stream<std::remove_cvref_t<S>> &&
             std::is_same_v<stream_value_t<std::remove_cvref_t<S>>, T>)
  any_stream(S&& s)
      : p_(new holder<std::remove_cvref_t<S>>(std::forward<S>(s))),
        vt_(&holder<std::remove_cvref_t<S>>::vt) {}
  /// Move; only while no `next()` is in flight (the moved-from stream may only be destroyed
  /// or assigned).
  any_stream(any_stream&& o) noexcept
      : p_(std::exchange(o.p_, nullptr)), vt_(std::exchange(o.vt_, nullptr)) {}
  /// Move assignment; only while no `next()` is in flight on either stream.
  any_stream& operator=(any_stream&& o) noexcept {
    if (this != &o) {
      reset();
      p_ = std::exchange(o.p_, nullptr);
      vt_ = std::exchange(o.vt_, nullptr);
    }
    return *this;
  }
  any_stream(const any_stream&) = delete;
  any_stream& operator=(const any_stream&) = delete;
  ~any_stream() { reset(); }

  /// The awaiter of `next()`. Destroying it while suspended deregisters its waits and gives back
  /// what it was handed (cancel-safe); the stream stays usable.
  class awaiter {
   public:
    /// Made by `next()`.
    explicit awaiter(any_stream* s) noexcept : s_(s) {}
    /// Movable until it suspends (e.g. into `timeout`, which asks `await_ready` first): an inner
    /// `next()` begun by `await_ready` is cancelled and begun again by the new awaiter.
    awaiter(awaiter&& o) noexcept : s_(o.s_) {
      if (o.suspended_) panic("eddy: an any_stream next() awaiter was moved while suspended");
      if (o.started_) {
        o.started_ = false;
        s_->vt_->cancel(s_->p_);
      }
    }
    awaiter& operator=(awaiter&&) = delete;
    ~awaiter() {
      if (started_) s_->vt_->cancel(s_->p_);
    }
    bool await_ready() {
      if (!s_->p_) return true;
      started_ = true;
      return s_->vt_->start(s_->p_);
    }
    coro::coroutine_handle<> await_suspend(coro::coroutine_handle<> h) {
      suspended_ = true;
      return s_->vt_->suspend(s_->p_, h);
    }
    std::optional<item<T>> await_resume() {
      if (!started_) return std::nullopt;
      started_ = false;
      return s_->vt_->finish(s_->p_);
    }

   private:
    any_stream* s_;
    bool started_ = false;
    bool suspended_ = false;
  };

  /// The next element: an awaitable of `std::optional<item<value_type>>` (empty at the end).
  /// One `next()` at a time; cancel-safe (see stream/concept.hpp).
  awaiter next() noexcept { return awaiter(this); }

  /// The synchronous fast path, forwarded to the erased stream.
  template <class V>
  bool try_visit(V& v) {
    if (!p_) {
      v.end();
      return true;
    }
    erased_visitor ev{&v, [](void* c, T&& x) { static_cast<V*>(c)->value(std::move(x)); },
                      [](void* c, eddy::error&& e) { static_cast<V*>(c)->error(std::move(e)); },
                      [](void* c) { static_cast<V*>(c)->end(); }};
    return vt_->try_visit(p_, ev);
  }

 private:
  void reset() noexcept {
    if (p_) vt_->destroy(std::exchange(p_, nullptr));
  }
  void* p_ = nullptr;
  const vtable* vt_ = nullptr;
};

}  // namespace eddy
