// SPDX-License-Identifier: BSL-1.0
/// \file
/// `once_cell<T>`: a value initialised once, by whichever task gets there first, with waiters;
/// `set_once<T>`: the same cell without an init function (it is only ever `set`).
///
/// ```cpp
/// eddy::once_cell<config> cfg;
/// task<void> handle(request r) {
///   // The first caller loads; concurrent callers wait for it; later ones get it at once.
///   result<std::reference_wrapper<const config>> c =
///       co_await cfg.get_or_init([] { return load_config(); });  // load_config:
///       task<result<config>>
///   if (!c) co_return;  // this caller's load failed (the next caller tries again)
///   use(c.value().get());
/// }
/// ```
///
/// Contract of `once_cell<T>`:
/// - `co_await cell.get_or_init(f)` -> `result<std::reference_wrapper<const T>>`. When the cell
///   is initialised it completes at once (no allocation, no suspension). Otherwise exactly one
///   caller at a time is the *initialiser*: it calls `f()` and, if `f()` returned an awaitable,
///   awaits it. `f()` (or what it awaits to) may give a `T` (or anything `T` is constructible
///   from) or a `result<T>`; so `f` may be a plain function or one returning a `task`. Every
///   other caller waits (FIFO) and completes with the value once it is stored.
/// - An initialisation that fails — `f` gives an error, throws (the exception reaches that
///   caller's `co_await`), or its task is aborted or timed out — stores nothing: the failing
///   caller gets its error, and the first waiting caller becomes the initialiser and runs its own
///   `f` (the others go on waiting). With nobody waiting the cell is empty again.
/// - `set(v)` stores `v` if the cell is empty, waking the waiters; otherwise it hands `v` back
///   with `errc::already_initialized`, or with `errc::initializing` while a caller's `f` runs.
/// - `get()` -> `const T*`: the value, or null before it is stored; never waits. `co_await
///   cell.wait()` -> `std::reference_wrapper<const T>` (converts to `const T&`) waits until the
///   value is stored by anyone (never initialises).
/// - The value is immutable once stored and lives as long as the cell.
///
/// `set_once<T>` is `once_cell<T>` without `get_or_init`: `set(v)`, `get()`, `co_await wait()`.
///
/// Cancel safety: a waiter aborted or timed out leaves the queue; a turn to initialise handed to
/// a waiter that never resumed is passed on. Thread-safety: every member is thread-safe; waiters
/// resume on their own runtime. No allocation beyond the frame of an initialising caller (`f`'s
/// own task, and one frame for the initialising `get_or_init`); waiters are nodes in their
/// frames. Lifetime: the cell must outlive its waiters and initialisers (destroying it while
/// one waits or initialises panics).
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
// std::reference_wrapper: libstdc++ declares it in <bits/refwrap.h>; <functional> would add its
// searchers, hash tables and algorithms to every TU that includes eddy.hpp (0.1 s of g++ 12).
#if defined(__GLIBCXX__) && __has_include(<bits/refwrap.h>)
#include <bits/refwrap.h>
#else
#include <functional>
#endif
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/core/lock.hpp"
#include "eddy/core/panic.hpp"
#include "eddy/core/result.hpp"
#include "eddy/core/task.hpp"
#include "eddy/runtime/detail/list_awaiter.hpp"
#include "eddy/runtime/detail/waiter_list.hpp"
#include "eddy/runtime/task_header.hpp"
#include "eddy/sync/send_result.hpp"

namespace eddy {

template <class T>
class once_cell;

namespace detail {

/// `x` is an awaitable (has `operator co_await` or the awaiter members).
template <class A>
concept once_awaitable =
    requires(A&& a) { static_cast<A&&>(a).operator co_await(); } || requires(A& a) {
      a.await_ready();
      a.await_resume();
    };

/// Turns what an initialiser produced into `result<T>`.
template <class T, class V>
result<T> once_to_result(V&& v) {
  if constexpr (is_result_v<std::remove_cvref_t<V>>) {
    if (!v.has_value()) return v.error();
    return result<T>(std::in_place, std::forward<V>(v).value());
  } else {
    return result<T>(std::in_place, std::forward<V>(v));
  }
}

}  // namespace detail

/// A value initialised once, with waiters (see the file comment). Thread-safe; cancel-safe.
template <class T>
class once_cell {
  static_assert(!std::is_reference_v<T> && !std::is_void_v<T>, "once_cell<T> needs an object type");
  enum : std::uint8_t { empty_st, initializing_st, ready_st };
  struct node : detail::waiter_node {
    bool wants_turn = false;  ///< may become the initialiser (get_or_init), else only waits
    bool turn = false;        ///< under lock_: handed the turn to initialise (else: value ready)
  };

 public:
  /// `co_await get_or_init(...)`'s result: the value, or this caller's initialisation error.
  using ref_result = result<std::reference_wrapper<const T>>;

  once_cell() noexcept {}
  once_cell(const once_cell&) = delete;
  once_cell& operator=(const once_cell&) = delete;
  ~once_cell() {
    const auto st = state_.load(std::memory_order_acquire);
    if (st == initializing_st || !waiters_.empty())
      panic("eddy::once_cell destroyed while a task initialises or waits for it");
    if (st == ready_st) value_.~T();
  }

  /// The value, or null before it is stored. Never waits; lock-free.
  const T* get() const noexcept {
    return state_.load(std::memory_order_acquire) == ready_st ? &value_ : nullptr;
  }
  /// True once the value is stored.
  bool is_initialized() const noexcept { return get() != nullptr; }
  /// The number of tasks waiting, for the value or for a turn to initialise (a snapshot, for
  /// diagnostics and tests).
  std::size_t waiter_count() const noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    return waiters_.size();
  }

  /// Stores `v` if the cell is empty and wakes every waiter. Otherwise hands `v` back with
  /// `errc::already_initialized` (a value is stored) or `errc::initializing` (a `get_or_init`
  /// caller's `f` is running). A throwing `T` constructor leaves the cell empty.
  send_result<T> set(T v) {
    {
      detail::lock_guard<detail::spin_lock> g(lock_);
      const auto st = state_.load(std::memory_order_relaxed);
      if (st == empty_st) {
        store_locked(std::move(v));
        return {};
      }
      if (st == initializing_st) return send_result<T>(errc::initializing, std::move(v));
    }
    return send_result<T>(errc::already_initialized, std::move(v));
  }

  /// Awaitable returned by `wait()`: gives `std::reference_wrapper<const T>` (it converts to
  /// `const T&`) once the value is stored. Movable only before it is awaited. Cancel-safe
  /// (`detail/list_awaiter.hpp`).
  class [[nodiscard]] wait_awaiter : detail::list_awaiter<once_cell, node> {
    using base = detail::list_awaiter<once_cell, node>;
    using base::owner_;

   public:
    /// Made by `wait()`.
    explicit wait_awaiter(once_cell* c) noexcept : base(c) {}
    /// Movable only before it is awaited (moving a suspended awaiter panics).
    wait_awaiter(wait_awaiter&& o) noexcept
        : base(std::move(o), "eddy::once_cell: a wait awaiter was moved while waiting") {}
    bool await_ready() const noexcept { return owner_->get() != nullptr; }
    bool await_suspend(coro::coroutine_handle<> h) noexcept {
      detail::lock_guard<detail::spin_lock> g(owner_->lock_);
      if (owner_->state_.load(std::memory_order_relaxed) == ready_st) return false;
      return this->enqueue(owner_->waiters_, h, once_cell::wait_kind_);
    }
    std::reference_wrapper<const T> await_resume() noexcept {
      this->resumed();  // woken only when the value was stored
      return std::cref(owner_->value_);
    }
  };

  /// `co_await cell.wait()` -> `std::reference_wrapper<const T>`: waits until the value is stored
  /// (by `set` or a `get_or_init`); at once if it is. Never initialises. Resumes on the caller's
  /// runtime.
  wait_awaiter wait() noexcept { return wait_awaiter{this}; }

  /// Awaitable returned by `get_or_init(f)`: gives `ref_result`. Completes at once (no frame)
  /// when the cell is initialised; otherwise runs the initialising protocol (file comment) in
  /// one coroutine frame. Movable only before it is awaited.
  template <class F>
  class [[nodiscard]] init_awaiter {
   public:
    /// Made by `get_or_init(f)`.
    init_awaiter(once_cell* c, F f) : c_(c), f_(std::move(f)) {}
    /// Movable only before it is awaited.
    init_awaiter(init_awaiter&& o) : c_(o.c_), f_(std::move(o.f_)) {
      if (o.slow_) panic("eddy::once_cell: a get_or_init awaiter was moved while waiting");
    }
    init_awaiter& operator=(init_awaiter&&) = delete;

    bool await_ready() noexcept { return c_->get() != nullptr; }
    coro::coroutine_handle<> await_suspend(coro::coroutine_handle<> h) {
      slow_.emplace(c_->init_slow(std::move(f_)));
      inner_.emplace(std::move(*slow_).operator co_await());
      return inner_->await_suspend(h);
    }
    ref_result await_resume() {
      if (!inner_) return std::cref(c_->value_);
      return inner_->await_resume();
    }

   private:
    once_cell* c_;
    F f_;
    std::optional<task<ref_result>> slow_;  ///< the initialising frame (owns it: cancel-safe)
    std::optional<typename task<ref_result>::awaiter> inner_;
  };

  /// `co_await cell.get_or_init(f)` -> `ref_result`: the value, initialising it with `f` if this
  /// caller is the first (see the file comment for `f`'s forms and the failure paths).
  template <class F>
  init_awaiter<std::decay_t<F>> get_or_init(F&& f) {
    return init_awaiter<std::decay_t<F>>{this, std::forward<F>(f)};
  }

 private:
  /// Awaits the caller's turn: true when it must initialise, false when the value is stored.
  class turn_awaiter : detail::list_awaiter<once_cell, node> {
    using base = detail::list_awaiter<once_cell, node>;
    using base::node_;
    using base::owner_;

   public:
    explicit turn_awaiter(once_cell* c) noexcept : base(c) { node_.wants_turn = true; }
    bool await_ready() noexcept {
      detail::lock_guard<detail::spin_lock> g(owner_->lock_);
      return decide_locked();
    }
    bool await_suspend(coro::coroutine_handle<> h) noexcept {
      detail::lock_guard<detail::spin_lock> g(owner_->lock_);
      if (decide_locked()) return false;
      node_.turn = false;
      return this->enqueue(owner_->waiters_, h, once_cell::wait_kind_);
    }
    bool await_resume() noexcept {
      if (this->resumed()) return node_.turn;
      return turn_;
    }

   private:
    /// Under lock_: true when the outcome is known now (sets turn_).
    bool decide_locked() noexcept {
      const auto st = owner_->state_.load(std::memory_order_relaxed);
      if (st == ready_st) {
        turn_ = false;
        return true;
      }
      if (st == empty_st) {
        owner_->state_.store(initializing_st, std::memory_order_relaxed);
        turn_ = true;
        return true;
      }
      return false;
    }
    bool turn_ = false;
  };

  /// Holds the turn to initialise; gives it up (to the next waiter) unless the value was stored.
  struct turn_guard {
    once_cell* c;
    ~turn_guard() {
      if (c) c->give_up_turn();
    }
  };

  template <class F>
  task<ref_result> init_slow(F f) {
    if (!co_await turn_awaiter{this}) co_return std::cref(value_);
    turn_guard g{this};
    result<T> r = co_await produce(f);
    if (!r.has_value()) co_return r.error();  // g passes the turn on
    {
      detail::lock_guard<detail::spin_lock> lk(lock_);
      store_locked(std::move(r).value());
    }
    g.c = nullptr;
    co_return std::cref(value_);
  }
  template <class F>
  static task<result<T>> produce(F& f) {
    if constexpr (detail::once_awaitable<std::invoke_result_t<F&>>) {
      co_return detail::once_to_result<T>(co_await f());
    } else {
      co_return detail::once_to_result<T>(f());
    }
  }

  /// Under lock_: constructs the value (may throw: then the state is unchanged), publishes it
  /// and wakes every waiter.
  template <class V>
  void store_locked(V&& v) {
    ::new (static_cast<void*>(&value_)) T(std::forward<V>(v));
    state_.store(ready_st, std::memory_order_release);
    while (auto* n = static_cast<node*>(waiters_.pop_front())) {
      n->turn = false;
      n->w.wake();  // last touch of *n
    }
  }
  /// The initialiser failed or went away: the first waiter that may initialise gets the turn;
  /// with none, the cell is empty again.
  void give_up_turn() noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    pass_turn_locked();
  }
  void pass_turn_locked() noexcept {
    for (auto* w = waiters_.front(); w; w = w->next) {
      auto* n = static_cast<node*>(w);
      if (!n->wants_turn) continue;
      waiters_.remove(n);
      n->turn = true;
      n->w.wake();  // last touch of *n; the state stays initializing
      return;
    }
    state_.store(empty_st, std::memory_order_relaxed);
  }
  friend class detail::list_awaiter<once_cell, node>;

  /// The waiting awaiter at `n` goes away without having resumed (abort, timeout).
  void cancel_wait(node* n) noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    if (!waiters_.remove(n) && n->turn) pass_turn_locked();  // handed the turn, never used it
  }

  mutable detail::spin_lock lock_;  ///< guards waiters_, the nodes and state changes
  std::atomic<std::uint8_t> state_{empty_st};
  detail::waiter_list waiters_;
  static constexpr detail::wait_kind wait_kind_{"once_cell::get_or_init", nullptr};
  union {
    T value_;  ///< constructed once, under lock_, before ready_st is published
  };
};

/// A value that is set once, with waiters: `once_cell<T>` without `get_or_init` (see the file
/// comment). Thread-safe; cancel-safe.
template <class T>
class set_once {
 public:
  set_once() noexcept = default;
  set_once(const set_once&) = delete;
  set_once& operator=(const set_once&) = delete;

  /// Stores `v` if nothing is stored yet and wakes every waiter; otherwise hands `v` back with
  /// `errc::already_initialized`.
  send_result<T> set(T v) { return cell_.set(std::move(v)); }
  /// The value, or null before it is set. Never waits; lock-free.
  const T* get() const noexcept { return cell_.get(); }
  /// True once the value is set.
  bool is_set() const noexcept { return cell_.is_initialized(); }
  /// The number of tasks waiting (a snapshot, for diagnostics and tests).
  std::size_t waiter_count() const noexcept { return cell_.waiter_count(); }
  /// `co_await s.wait()` -> `std::reference_wrapper<const T>`: waits until the value is set (at
  /// once if it is). Cancel-safe; resumes on the caller's runtime.
  typename once_cell<T>::wait_awaiter wait() noexcept { return cell_.wait(); }

 private:
  once_cell<T> cell_;
};

}  // namespace eddy
