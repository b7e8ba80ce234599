// SPDX-License-Identifier: BSL-1.0
/// \file
/// `result<T>`: a `T` or an `error`. Thread-compatible; owns its value.
#pragma once
#include <new>
#include <type_traits>
#include <utility>

#include "eddy/core/error.hpp"
#include "eddy/core/panic.hpp"

namespace eddy {

namespace detail {
[[noreturn]] void bad_result_access(const eddy::error& e);
}

/// A value of type `T` or an `error`. `value()` on an error is a programming error: it rethrows a
/// captured exception, else panics. `result<void>` holds only the error case.
template <class T>
class [[nodiscard]] result {
 public:
  using value_type = T;  ///< The value type.

  /// Constructs from a value, an error, an error code, or in place from arguments for a `T`.
  ///@{
  result(const T& v) : val_(v), ok_(true) {}
  result(T&& v) : val_(std::move(v)), ok_(true) {}
  result(eddy::error e) noexcept : err_(std::move(e)), ok_(false) {}
  result(errc c) noexcept : result(eddy::error{c}) {}
  template <class... A>
  explicit result(std::in_place_t, A&&... a) : val_(std::forward<A>(a)...), ok_(true) {}
  ///@}

  /// Copies and moves hold whatever the source held.
  ///@{

  result(const result& o) : ok_(o.ok_) {
    if (ok_)
      ::new (&val_) T(o.val_);
    else
      ::new (&err_) eddy::error(o.err_);
  }
  result(result&& o) noexcept(std::is_nothrow_move_constructible_v<T>) : ok_(o.ok_) {
    if (ok_)
      ::new (&val_) T(std::move(o.val_));
    else
      ::new (&err_) eddy::error(std::move(o.err_));
  }
  result& operator=(const result& o) {
    if (this != &o) assign(o);
    return *this;
  }
  result& operator=(result&& o) noexcept(std::is_nothrow_move_constructible_v<T>) {
    if (this != &o) assign(std::move(o));
    return *this;
  }
  ///@}
  ~result() { destroy(); }

  /// True when a value is held.
  ///@{
  bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  ///@}

  /// The value. On an error it rethrows a captured exception, else panics.
  ///@{
  T& value() & {
    if (!ok_) detail::bad_result_access(err_);
    return val_;
  }
  const T& value() const& {
    if (!ok_) detail::bad_result_access(err_);
    return val_;
  }
  T&& value() && {
    if (!ok_) detail::bad_result_access(err_);
    return std::move(val_);
  }
  T& operator*() & { return value(); }
  T* operator->() { return &value(); }
  ///@}
  /// The value, or `fallback` converted to `T` when an error is held.
  template <class U>
  T value_or(U&& fallback) const& {
    return ok_ ? val_ : static_cast<T>(std::forward<U>(fallback));
  }
  /// The error. Calling it on a value is a programming error (panics).
  const eddy::error& error() const& {
    if (ok_) panic("eddy::result::error() called on a value");
    return err_;
  }

 private:
  template <class R>
  void assign(R&& o) {
    if (ok_ && o.ok_) {
      val_ = std::forward<R>(o).val_;
    } else if (!ok_ && !o.ok_) {
      err_ = std::forward<R>(o).err_;
    } else if (o.ok_) {
      err_.eddy::error::~error();
      ::new (&val_) T(std::forward<R>(o).val_);
      ok_ = true;
    } else {
      val_.~T();
      ::new (&err_) eddy::error(std::forward<R>(o).err_);
      ok_ = false;
    }
  }
  void destroy() noexcept {
    if (ok_)
      val_.~T();
    else
      err_.eddy::error::~error();
  }
  union {
    T val_;
    eddy::error err_;
  };
  bool ok_;
};

/// Success or an `error`.
template <>
class [[nodiscard]] result<void> {
 public:
  using value_type = void;  ///< No value type.
  /// Success (the default), an error, or an error code.
  ///@{
  result() noexcept : err_(errc::aborted), ok_(true) {}
  result(eddy::error e) noexcept : err_(std::move(e)), ok_(false) {}
  result(errc c) noexcept : result(eddy::error{c}) {}
  ///@}
  /// True on success.
  ///@{
  bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  ///@}
  /// Does nothing on success; on an error rethrows a captured exception, else panics.
  void value() const {
    if (!ok_) detail::bad_result_access(err_);
  }
  /// The error. Calling it on success is a programming error (panics).
  const eddy::error& error() const& {
    if (ok_) panic("eddy::result::error() called on a value");
    return err_;
  }

 private:
  eddy::error err_;
  bool ok_;
};

namespace detail {
/// True for `result<U>` (a task or value that carries its own error).
template <class T>
inline constexpr bool is_result_v = false;
/// True for `result<U>`.
template <class U>
inline constexpr bool is_result_v<result<U>> = true;
}  // namespace detail

}  // namespace eddy
