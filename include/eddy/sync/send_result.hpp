// SPDX-License-Identifier: BSL-1.0
/// \file
/// `send_result<T, V = void>`: the outcome of a channel send, the one shape every sending side
/// in eddy returns. Success (carrying a `V` when `V` is not void: `broadcast` gives the number
/// of receivers), or an error *and the value handed back* (nothing is lost on a failed send).
/// Returned by `mpsc`, `oneshot`, `subject`, `once_cell::set`, and, as
/// `broadcast::send_result<T>` / `watch::send_result<T>`, by those channels.
///
/// Error codes: `errc::closed` (the receiving side is gone or closed), `errc::full` (`try_send`
/// on a full bounded channel), `errc::invalid_argument` (the sender is moved-from, empty or
/// already used), `errc::exception` (with exceptions: a copy of the value threw, in `subject`;
/// `error().exception()` is the exception and `error().message()` its `what()`).
///
/// Thread-compatible; owns the handed-back value. The success case holds only a code (and the
/// `V`, and with exceptions a null exception pointer), so returning it from the hot path costs
/// nothing.
#pragma once
#include <new>
#include <type_traits>
#include <utility>

#include "eddy/core/error.hpp"
#include "eddy/core/panic.hpp"
#include "eddy/core/result.hpp"

namespace eddy {

namespace detail {
/// What a successful send carries: nothing, or a `V`.
template <class V>
struct send_payload {
  V v{};
};
template <>
struct send_payload<void> {};
}  // namespace detail

/// The outcome of a channel send: success (with a `V` unless void), or an error code and the
/// value handed back. See the file comment.
template <class T, class V = void>
class [[nodiscard]] send_result {
 public:
  /// Success (`V` void, or a value-initialised `V`).
  send_result() noexcept : code_{} {}
  /// Success carrying `v` (for example the number of receivers reached).
  template <class U = V>
    requires(!std::is_void_v<U>)
  explicit send_result(U v) noexcept : code_{}, payload_{std::move(v)} {}
  /// Failure with code `c`; `v` is the value handed back.
  send_result(errc c, T&& v) noexcept(std::is_nothrow_move_constructible_v<T>) : code_(c) {
    ::new (&v_) T(std::move(v));
  }
#if EDDY_HAS_EXCEPTIONS
  /// Failure with `errc::exception`: making a copy of the value threw `ex`; `v` is the value
  /// handed back.
  send_result(std::exception_ptr ex, T&& v) noexcept(std::is_nothrow_move_constructible_v<T>)
      : code_(errc::exception), ex_(std::move(ex)) {
    ::new (&v_) T(std::move(v));
  }
#endif
  /// Copies and moves copy (move) the code and, on failure, the handed-back value; a
  /// moved-from failure keeps its code and holds a moved-from value.
  ///@{
  send_result(send_result&& o) noexcept(std::is_nothrow_move_constructible_v<T>)
      : code_(o.code_), payload_(o.payload_) {
    if (failed()) ::new (&v_) T(std::move(o.v_));
    take_exception(o);
  }
  send_result(const send_result& o) : code_(o.code_), payload_(o.payload_) {
    if (failed()) ::new (&v_) T(o.v_);
    copy_exception(o);
  }
  send_result& operator=(send_result&& o) noexcept(std::is_nothrow_move_constructible_v<T>) {
    if (this == &o) return *this;
    reset();
    code_ = o.code_;
    payload_ = o.payload_;
    if (failed()) ::new (&v_) T(std::move(o.v_));
    take_exception(o);
    return *this;
  }
  send_result& operator=(const send_result& o) {
    if (this == &o) return *this;
    reset();
    code_ = o.code_;
    payload_ = o.payload_;
    if (failed()) ::new (&v_) T(o.v_);
    copy_exception(o);
    return *this;
  }
  ///@}
  ~send_result() { reset(); }

  /// True if the value was sent.
  bool has_value() const noexcept { return !failed(); }
  /// Same as `has_value()`.
  explicit operator bool() const noexcept { return !failed(); }
  /// Checks success like `result<V>::value()`: a failure is a programming error (panics).
  /// Gives the success's `V` (nothing for void).
  V value() const {
    if (failed()) detail::bad_result_access(eddy::error{code_});
    if constexpr (!std::is_void_v<V>) return payload_.v;
  }
  /// The error (`closed`, `full`, `invalid_argument`, `exception`; `already_initialized`,
  /// `initializing` from `once_cell::set`). Panics on success.
  eddy::error error() const {
    if (!failed()) panic("eddy::send_result::error() called on a successful send");
#if EDDY_HAS_EXCEPTIONS
    if (ex_) return eddy::error::from_exception(ex_);
#endif
    return eddy::error{code_};
  }
  /// The value handed back by a failed send. Panics on success.
  T& inner() & {
    if (!failed()) panic("eddy::send_result::inner() called on a successful send");
    return v_;
  }
  /// Moves the handed-back value out. Panics on success.
  T into_inner() && { return std::move(inner()); }
  /// `inner()`, by the name `broadcast` and `watch` use.
  T& returned() & { return inner(); }
  /// The handed-back value as an rvalue to move from. Panics on success.
  T&& returned() && { return std::move(inner()); }

 private:
  bool failed() const noexcept { return code_ != errc{}; }
  void reset() noexcept {
    if (failed()) v_.~T();
    code_ = errc{};
#if EDDY_HAS_EXCEPTIONS
    ex_ = nullptr;
#endif
  }
  void take_exception([[maybe_unused]] send_result& o) noexcept {
#if EDDY_HAS_EXCEPTIONS
    ex_ = std::move(o.ex_);
#endif
  }
  void copy_exception([[maybe_unused]] const send_result& o) noexcept {
#if EDDY_HAS_EXCEPTIONS
    ex_ = o.ex_;
#endif
  }
  union {
    T v_;
  };
  errc code_;  // errc{} (0) = success
  [[no_unique_address]] detail::send_payload<V> payload_;
#if EDDY_HAS_EXCEPTIONS
  std::exception_ptr ex_;  // errc::exception: what a copy of the value threw
#endif
};

}  // namespace eddy
