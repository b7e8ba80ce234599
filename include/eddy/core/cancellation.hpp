// SPDX-License-Identifier: BSL-1.0
/// \file
/// `cancellation_token`: cooperative cancellation shared by copies.
///
/// - `cancel()` sets the token (and every `child()` token) cancelled, wakes every task in
///   `co_await cancelled()` and runs every registered `cancellation_callback`. Idempotent.
/// - `is_cancelled()` is a cheap atomic read.
/// - `child()` is a new token that is cancelled when this one is, and can be cancelled alone.
/// - With `std::stop_token` available: `get_stop_token()` follows this token, and
///   `cancellation_token::from(std::stop_token)` follows a standard one.
///
/// Thread-safety: all members are thread-safe. Callbacks run on the thread that calls
/// `cancel()`, under the token's lock: they must be short and must not register or remove
/// callbacks of the same token. A moved-from token is empty: `is_cancelled()` is false and the
/// other members do nothing.
#pragma once
#include <atomic>

#include "eddy/core/config.hpp"
#include "eddy/core/lock.hpp"
#include "eddy/runtime/task_header.hpp"

#if EDDY_HAS_STOP_TOKEN
#include <stop_token>
#endif

namespace eddy {

namespace detail {
class token_state;
}

class cancellation_token;

/// Runs `fn(ctx)` once when the token is cancelled (at once, inline, if it already is).
/// Deregisters on destruction; after the destructor returns, `fn` is not running. Immovable.
class cancellation_callback {
 public:
  using fn_type = void (*)(void* ctx) noexcept;  ///< the function run on cancel
  /// Registers `fn(ctx)` on `t` (runs it at once if `t` is already cancelled).
  cancellation_callback(const cancellation_token& t, fn_type fn, void* ctx) noexcept;
  ~cancellation_callback();
  cancellation_callback(const cancellation_callback&) = delete;
  cancellation_callback& operator=(const cancellation_callback&) = delete;

 private:
  friend class detail::token_state;
  friend class cancellation_token;
  cancellation_callback(detail::token_state* s, fn_type fn, void* ctx) noexcept;
  detail::token_state* state_ = nullptr;
  cancellation_callback* prev_ = nullptr;
  cancellation_callback* next_ = nullptr;
  fn_type fn_;
  void* ctx_;
  bool linked_ = false;
};

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
  /// True once cancelled (false for an empty token).
  bool is_cancelled() const noexcept;
  /// A token cancelled with this one (and on its own by its own `cancel()`).
  cancellation_token child() const;
  /// Equal when they share the same state.
  friend bool operator==(const cancellation_token& a, const cancellation_token& b) noexcept {
    return a.s_ == b.s_;
  }

  /// Awaiter of `cancelled()`; cancel-safe.
  class awaiter {
   public:
    /// Used by `cancelled()`.
    explicit awaiter(detail::token_state* s) noexcept : s_(s) {}
    awaiter(const awaiter&) = delete;
    awaiter& operator=(const awaiter&) = delete;
    ~awaiter();
    bool await_ready() const noexcept;
    bool await_suspend(coro::coroutine_handle<> h) noexcept;
    void await_resume() noexcept {}

   private:
    static void on_cancel(void* self) noexcept;
    detail::token_state* s_;
    alignas(cancellation_callback) unsigned char cb_[sizeof(cancellation_callback)];
    waker w_;
    bool registered_ = false;
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
  friend class cancellation_callback;
  explicit cancellation_token(detail::token_state* s) noexcept : s_(s) {}
  detail::token_state* s_;
};

}  // namespace eddy
