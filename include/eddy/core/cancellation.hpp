// SPDX-License-Identifier: BSL-1.0
/// \file
/// `cancellation_token`: cooperative cancellation shared by copies; `cancellation_callback`, a
/// function run when a token is cancelled; `cancel_on_drop`, a guard that cancels a token when
/// it goes out of scope.
///
/// - `cancel()` sets the token (and every `child()` token) cancelled, wakes every task in
///   `co_await cancelled()` and runs every registered `cancellation_callback`. Idempotent.
/// - `is_cancelled()` is a cheap atomic read.
/// - `child()` is a new token that is cancelled when this one (or any ancestor) is, and can be
///   cancelled alone. A child keeps its parent's state alive.
/// - `cancellation_callback cb{token, f}` runs `f()` once when `token` is cancelled, like
///   `std::stop_callback`; `cancellation_callback cb{token, fn, ctx}` runs `fn(ctx)`. A callback
///   holds a reference to the token's state: registered on a temporary (`root.child()`), it still
///   runs when an ancestor is cancelled.
/// - `cancel_on_drop g{token}` (or `token.drop_guard()`) cancels `token` when `g` is destroyed,
///   unless `g.disarm()` took the token back first (tokio's `DropGuard`).
/// - With `std::stop_token` available: `get_stop_token()` follows this token, and
///   `cancellation_token::from(std::stop_token)` follows a standard one.
///
/// Thread-safety: all members are thread-safe. Callbacks run on the thread that calls
/// `cancel()` (of the token or of an ancestor), under the token's lock: they must be short and
/// must not construct or destroy a callback of the same token or of one of its ancestors, nor
/// drop the last handle of a child of those. They may cancel other tokens, wake tasks and
/// cancel the token itself or an ancestor (a no-op, the token being cancelled already). A
/// moved-from token is empty: `is_cancelled()` is false and the other members do nothing.
#pragma once
#include <atomic>
#include <concepts>
#include <type_traits>
#include <utility>

#include "eddy/core/config.hpp"
#include "eddy/core/lock.hpp"
#include "eddy/core/waker.hpp"

#if EDDY_HAS_STOP_TOKEN
#include <stop_token>
#endif

namespace eddy {

class cancellation_token;

namespace detail {
/// The part of a token's shared state that `is_cancelled` reads inline (the rest, `token_state`,
/// is private to src/cancellation.cpp and derives from it).
struct token_flag {
  std::atomic<bool> cancelled_{false};  ///< set once, by `cancel()`
};
class token_state;

/// The non-template part of every callback: a link in a token's callback list, the function to
/// run and, for a registered callback, one reference to the token's state.
class callback_node {
 public:
  using fn_type = void (*)(void* ctx) noexcept;  ///< what runs on cancel
  callback_node(fn_type fn, void* ctx) noexcept : fn_(fn), ctx_(ctx) {}
  callback_node(const callback_node&) = delete;
  callback_node& operator=(const callback_node&) = delete;
  /// Registers on `s` (runs the function at once, inline, if `s` is already cancelled). With
  /// `hold`, takes a reference to `s`, dropped by `detach`. A null `s` never fires.
  void attach(token_flag* s, bool hold) noexcept;
  /// Deregisters (waiting for a running `cancel()` to be done with this node) and drops the
  /// reference. After it returns the function is not running and never runs. Idempotent.
  void detach() noexcept;

 private:
  friend class token_state;
  token_state* state_ = nullptr;
  callback_node* prev_ = nullptr;
  callback_node* next_ = nullptr;
  fn_type fn_;
  void* ctx_;
  bool linked_ = false;
  bool hold_ = false;
};
}  // namespace detail

/// Runs a function once when a token is cancelled (at once, inline, if it already is); see the
/// file comment. `cancellation_callback cb{token, f}` deduces `cancellation_callback<F>` and
/// runs `f()`; `cancellation_callback cb{token, fn, ctx}` deduces `cancellation_callback<void>`
/// (also spelled `cancellation_callback<>`) and runs `fn(ctx)`.
///
/// - The callback holds a reference to the token's state: it fires when that token or any
///   ancestor is cancelled, even after every `cancellation_token` handle of it is gone.
/// - An empty (moved-from) token: the callback never runs.
/// - Deregisters on destruction; after the destructor returns, the function is not running and
///   never runs. Immovable. The function runs on the cancelling thread, under the token's lock
///   (see the file comment for what it must not do); if it throws, `std::terminate` is called.
template <class F = void>
class cancellation_callback;

/// The function-pointer form: runs `fn(ctx)`. See the primary template.
template <>
class cancellation_callback<void> {
 public:
  using fn_type = detail::callback_node::fn_type;  ///< the function run on cancel
  /// Registers `fn(ctx)` on `t` (runs it at once if `t` is already cancelled).
  cancellation_callback(const cancellation_token& t, fn_type fn, void* ctx) noexcept;
  /// Deregisters; afterwards `fn` is not running and never runs.
  ~cancellation_callback() { node_.detach(); }
  cancellation_callback(const cancellation_callback&) = delete;
  cancellation_callback& operator=(const cancellation_callback&) = delete;

 private:
  detail::callback_node node_;
};

/// The invocable form: runs `f()` (a copy or move of the argument, kept in the callback).
template <class F>
class cancellation_callback {
  static_assert(std::is_invocable_v<F&>, "cancellation_callback<F>: F must be callable as f()");

 public:
  /// Stores `f` and registers it on `t` (runs it at once if `t` is already cancelled).
  template <class G>
    requires std::constructible_from<F, G>
  cancellation_callback(const cancellation_token& t,
                        G&& f) noexcept(std::is_nothrow_constructible_v<F, G>);
  /// Deregisters; afterwards the function is not running and never runs.
  ~cancellation_callback() { node_.detach(); }
  cancellation_callback(const cancellation_callback&) = delete;
  cancellation_callback& operator=(const cancellation_callback&) = delete;

 private:
  static void thunk(void* self) noexcept { static_cast<cancellation_callback*>(self)->f_(); }
  F f_;
  detail::callback_node node_{&thunk, this};
};

/// `cancellation_callback cb{token, f}`: a callback running `f()`.
template <class F>
cancellation_callback(const cancellation_token&, F) -> cancellation_callback<F>;
/// `cancellation_callback cb{token, fn, ctx}`: a callback running `fn(ctx)`.
cancellation_callback(const cancellation_token&, detail::callback_node::fn_type, void*)
    -> cancellation_callback<void>;

class cancel_on_drop;
namespace detail {
struct token_access;
}

/// Cooperative cancellation shared by copies (see the file comment).
class cancellation_token {
 public:
  /// A new, uncancelled token (allocates its shared state).
  cancellation_token();
  /// Copies share the state; a moved-from token is empty.
  ///@{
  cancellation_token(const cancellation_token& o) noexcept;
  cancellation_token(cancellation_token&& o) noexcept;
  cancellation_token& operator=(const cancellation_token& o) noexcept;
  cancellation_token& operator=(cancellation_token&& o) noexcept;
  ///@}
  /// Drops this reference to the shared state.
  ~cancellation_token();

  /// Cancels the token and its children; wakes waiters, runs callbacks. Idempotent.
  void cancel() const noexcept;
  /// True once cancelled (false for an empty token). Inline: a null test and an acquire load,
  /// cheap enough for a check per item in a synchronous loop.
  bool is_cancelled() const noexcept {
    return s_ && s_->cancelled_.load(std::memory_order_acquire);
  }
  /// A token cancelled with this one (and on its own by its own `cancel()`). A child of an
  /// empty token is a new root token.
  cancellation_token child() const;
  /// A guard that cancels this token when it is destroyed (see `cancel_on_drop`).
  cancel_on_drop drop_guard() const noexcept;
  /// Equal when they share the same state.
  friend bool operator==(const cancellation_token& a, const cancellation_token& b) noexcept {
    return a.s_ == b.s_;
  }

  /// Awaiter of `cancelled()`; cancel-safe. Holds a reference to the token's state, so it may
  /// outlive the token it came from. Immovable.
  class awaiter {
   public:
    /// Used by `cancelled()`: takes a reference to `s` (may be null).
    explicit awaiter(detail::token_flag* s) noexcept;
    awaiter(const awaiter&) = delete;
    awaiter& operator=(const awaiter&) = delete;
    ~awaiter();
    bool await_ready() const noexcept;
    bool await_suspend(coro::coroutine_handle<> h) noexcept;
    void await_resume() noexcept {}

   private:
    static void on_cancel(void* self) noexcept;
    detail::token_state* s_;
    detail::callback_node cb_{&on_cancel, this};
    waker w_;
  };
  /// Completes when the token is cancelled (at once if it is, or if the token is empty: an
  /// empty token can never be cancelled, so waiting on it would hang). Cancel-safe.
  awaiter cancelled() const noexcept { return awaiter{s_}; }

#if EDDY_HAS_STOP_TOKEN
  /// A `std::stop_token` that is stopped when this token is cancelled.
  std::stop_token get_stop_token() const;
  /// A token cancelled when `st` is stopped.
  static cancellation_token from(std::stop_token st);
#endif

 private:
  friend class cancellation_callback<void>;
  template <class F>
  friend class cancellation_callback;
  friend struct detail::token_access;
  explicit cancellation_token(detail::token_flag* s) noexcept : s_(s) {}
  detail::token_flag* s_;
};

namespace detail {
/// The flag `is_cancelled()` reads, for a loop that checks a token per item without reloading
/// the token (an empty token gives a flag that is never set).
struct token_access {
  static const std::atomic<bool>& flag(const cancellation_token& t) noexcept {
    static constinit const std::atomic<bool> never{false};
    return t.s_ ? t.s_->cancelled_ : never;
  }
  /// An empty token (no shared state, no allocation): never cancelled, and nobody can cancel it.
  static cancellation_token none() noexcept { return cancellation_token(nullptr); }
};
}  // namespace detail

template <class F>
template <class G>
  requires std::constructible_from<F, G>
cancellation_callback<F>::cancellation_callback(const cancellation_token& t, G&& f) noexcept(
    std::is_nothrow_constructible_v<F, G>)
    : f_(std::forward<G>(f)) {
  node_.attach(t.s_, true);
}

/// Cancels a token when destroyed, unless disarmed first: ties a token to a scope, like tokio's
/// `DropGuard`. `cancel_on_drop g{token};` or `auto g = token.drop_guard();`.
///
/// Move-only; a moved-from or disarmed guard is empty and cancels nothing. Not thread-safe
/// itself (one owner), but the token it cancels may be shared with any thread.
class [[nodiscard]] cancel_on_drop {
 public:
  /// Guards `t` (an empty token: the guard cancels nothing).
  explicit cancel_on_drop(cancellation_token t) noexcept : t_(std::move(t)) {}
  /// Takes over `o`'s token; `o` becomes empty.
  cancel_on_drop(cancel_on_drop&& o) noexcept : t_(std::move(o.t_)) {}
  /// Cancels the token this guard holds, then takes over `o`'s; `o` becomes empty.
  cancel_on_drop& operator=(cancel_on_drop&& o) noexcept {
    if (this != &o) {
      t_.cancel();
      t_ = std::move(o.t_);
    }
    return *this;
  }
  cancel_on_drop(const cancel_on_drop&) = delete;
  cancel_on_drop& operator=(const cancel_on_drop&) = delete;
  /// Cancels the guarded token (nothing if the guard is empty).
  ~cancel_on_drop() { t_.cancel(); }

  /// Gives the token back without cancelling it; the guard is empty afterwards.
  cancellation_token disarm() noexcept { return std::move(t_); }
  /// The guarded token (empty once disarmed or moved from).
  const cancellation_token& token() const noexcept { return t_; }

 private:
  cancellation_token t_;
};

inline cancel_on_drop cancellation_token::drop_guard() const noexcept {
  return cancel_on_drop{*this};
}

}  // namespace eddy
