// SPDX-License-Identifier: BSL-1.0
/// \file
/// Awaitable plumbing shared by every layer that holds another awaitable in place: the
/// awaiter of an awaitable (`get_awaiter`, `awaiter_t`, `await_result_of_t`), an immovable
/// holder of an awaitable and its awaiter (`awaitable_holder`), hand-managed storage
/// (`manual_lifetime`) and the await_suspend result as a handle (`suspend_to_handle`). Used by
/// streams, `with_cancellation`, `timeout` and the combinators. Internals; no thread-safety of
/// their own (each is owned by one awaiting task).
#pragma once
#include <new>
#include <type_traits>
#include <utility>

#include "eddy/core/coro.hpp"

namespace eddy::detail {

/// Has the three awaiter members itself (no `operator co_await`).
template <class A>
concept direct_awaiter = requires(A& a) {
  { a.await_ready() };
  { a.await_resume() };
};

template <class A>
decltype(auto) get_awaiter(A&& a) {
  if constexpr (requires { static_cast<A&&>(a).operator co_await(); })
    return static_cast<A&&>(a).operator co_await();
  else if constexpr (requires { operator co_await(static_cast<A&&>(a)); })
    return operator co_await(static_cast<A&&>(a));
  else
    return static_cast<A&&>(a);
}

/// What `get_awaiter` gives for an `A`, as is (a reference when `A` is its own awaiter).
template <class A>
using awaiter_ref_t = decltype(get_awaiter(std::declval<A>()));
/// The awaiter type of an `A`, without references.
template <class A>
using awaiter_t = std::remove_cvref_t<awaiter_ref_t<A>>;

/// The result type of `co_await` on an awaitable of type `A` (an rvalue).
template <class A>
using await_result_of_t = decltype(std::declval<awaiter_t<A>&>().await_resume());

/// Uninitialised storage for one `T`, constructed and destroyed by hand. Immovable.
template <class T>
class manual_lifetime {
 public:
  manual_lifetime() noexcept {}
  manual_lifetime(const manual_lifetime&) = delete;
  manual_lifetime& operator=(const manual_lifetime&) = delete;
  ~manual_lifetime() {}

  template <class... A>
  T& construct(A&&... a) {
    return *::new (static_cast<void*>(&v_)) T(std::forward<A>(a)...);
  }
  void destroy() noexcept { v_.~T(); }
  T& get() noexcept { return v_; }
  T* operator->() noexcept { return &v_; }
  T& operator*() noexcept { return v_; }

 private:
  union {
    T v_;
  };
};

/// Tag: construct a holder from the prvalue returned by a callable (no move needed).
struct from_call_t {};
inline constexpr from_call_t from_call{};

/// Holds an awaitable and the awaiter obtained from it, and forwards the awaiter members.
/// Immovable: constructed in place, awaited in place.
template <class Aw, bool Direct = direct_awaiter<Aw>>
class awaitable_holder;

template <class Aw>
class awaitable_holder<Aw, true> {
 public:
  template <class F>
  awaitable_holder(from_call_t, F&& make) : a_(static_cast<F&&>(make)()) {}
  template <class... A>
  explicit awaitable_holder(std::in_place_t, A&&... a) : a_(std::forward<A>(a)...) {}
  awaitable_holder(const awaitable_holder&) = delete;
  awaitable_holder& operator=(const awaitable_holder&) = delete;

  bool await_ready() { return static_cast<bool>(a_.await_ready()); }
  template <class P>
  decltype(auto) await_suspend(coro::coroutine_handle<P> h) {
    return a_.await_suspend(h);
  }
  decltype(auto) await_resume() { return a_.await_resume(); }

 private:
  Aw a_;
};

template <class Aw>
class awaitable_holder<Aw, false> {
 public:
  template <class F>
  awaitable_holder(from_call_t, F&& make)
      : a_(static_cast<F&&>(make)()), w_(get_awaiter(static_cast<Aw&&>(a_))) {}
  template <class... A>
  explicit awaitable_holder(std::in_place_t, A&&... a)
      : a_(std::forward<A>(a)...), w_(get_awaiter(static_cast<Aw&&>(a_))) {}
  awaitable_holder(const awaitable_holder&) = delete;
  awaitable_holder& operator=(const awaitable_holder&) = delete;

  bool await_ready() { return static_cast<bool>(w_.await_ready()); }
  template <class P>
  decltype(auto) await_suspend(coro::coroutine_handle<P> h) {
    return w_.await_suspend(h);
  }
  decltype(auto) await_resume() { return w_.await_resume(); }

 private:
  Aw a_;
  awaiter_t<Aw> w_;
};

/// Calls `a.await_suspend(h)` and turns the result into the handle to transfer to:
/// `noop_coroutine()` when suspended, `h` when the awaiter declined to suspend.
template <class A, class P>
coro::coroutine_handle<> suspend_to_handle(A& a, coro::coroutine_handle<P> h) {
  using R = decltype(a.await_suspend(h));
  if constexpr (std::is_void_v<R>) {
    a.await_suspend(h);
    return coro::noop_coroutine();
  } else if constexpr (std::is_same_v<R, bool>) {
    if (a.await_suspend(h)) return coro::noop_coroutine();
    return h;
  } else {
    return a.await_suspend(h);
  }
}

}  // namespace eddy::detail
