// SPDX-License-Identifier: BSL-1.0
/// \file
/// `item<T>`: one element of a stream, a value of type `T` or an `eddy::error`.
///
/// Errors travel in-band: an error item does not end a stream (the end is an empty
/// `std::optional<item<T>>` from `next()`), and operators pass error items through unless their
/// documentation says otherwise.
///
/// - `is_value()`, `is_error()`; `value()` on an error rethrows the captured exception when it
///   holds one, else panics; `error()` on a value panics.
/// - Implicit from a `T` (or anything `T` is constructible from), from an `error` and from an
///   `errc`, so `co_yield 3;`, `co_yield error{errc::user, 7};` and `from_items<int>({1,
///   errc::user})` all work.
///
/// Thread-compatible (like an int); owns its value.
#pragma once
#include <new>
#include <type_traits>
#include <utility>

#include "eddy/core/error.hpp"
#include "eddy/core/panic.hpp"
#include "eddy/core/result.hpp"

namespace eddy {

template <class T>
class item;

namespace detail {
template <class U>
struct is_item : std::false_type {};
template <class U>
struct is_item<item<U>> : std::true_type {};
}  // namespace detail

/// A stream element: a value of `T` or an `eddy::error`. Errors flow in-band and do not end a
/// stream. Thread-compatible; owns its value.
template <class T>
class item {
  static_assert(!std::is_reference_v<T> && !std::is_void_v<T>, "item<T> needs an object type");

 public:
  /// The value type.
  using value_type = T;

  /// A value item (copy of `v`).
  item(const T& v) : ok_(true) { ::new (&val_) T(v); }
  /// A value item (moves `v`).
  item(T&& v) : ok_(true) { ::new (&val_) T(std::move(v)); }
  /// From anything `T` is constructible from (not an error, not another item).
  template <class U>
    requires(!std::is_same_v<std::remove_cvref_t<U>, T> &&
             !std::is_same_v<std::remove_cvref_t<U>, eddy::error> &&
             !std::is_same_v<std::remove_cvref_t<U>, errc> &&
             !detail::is_item<std::remove_cvref_t<U>>::value && std::is_constructible_v<T, U &&>)
  item(U&& v) : ok_(true) {
    ::new (&val_) T(std::forward<U>(v));
  }
  /// An error item.
  item(eddy::error e) noexcept : ok_(false) { ::new (&err_) eddy::error(std::move(e)); }
  /// An error item with code `c`.
  item(errc c) noexcept : item(eddy::error{c}) {}
  /// A value item built in place from `a...`.
  template <class... A>
  explicit item(std::in_place_t, A&&... a) : ok_(true) {
    ::new (&val_) T(std::forward<A>(a)...);
  }

  /// Copies the value or the error.
  item(const item& o) : ok_(o.ok_) {
    if (ok_)
      ::new (&val_) T(o.val_);
    else
      ::new (&err_) eddy::error(o.err_);
  }
  /// Moves the value or the error.
  item(item&& o) noexcept(std::is_nothrow_move_constructible_v<T>) : ok_(o.ok_) {
    if (ok_)
      ::new (&val_) T(std::move(o.val_));
    else
      ::new (&err_) eddy::error(std::move(o.err_));
  }
  /// Copy assignment (value or error).
  item& operator=(const item& o) {
    if (this != &o) {
      destroy();
      ::new (this) item(o);
    }
    return *this;
  }
  /// Move assignment (value or error).
  item& operator=(item&& o) noexcept(std::is_nothrow_move_constructible_v<T>) {
    if (this != &o) {
      destroy();
      ::new (this) item(std::move(o));
    }
    return *this;
  }
  ~item() { destroy(); }

  /// True when this holds a value.
  bool is_value() const noexcept { return ok_; }
  /// True when this holds an error.
  bool is_error() const noexcept { return !ok_; }

  /// The value. Calling it on an error is a programming error (panics with the error).
  T& value() & {
    if (!ok_) detail::bad_result_access(err_);
    return val_;
  }
  /// The value. Calling it on an error is a programming error (panics with the error).
  const T& value() const& {
    if (!ok_) detail::bad_result_access(err_);
    return val_;
  }
  /// The value, moved out. Calling it on an error is a programming error (panics).
  T&& value() && {
    if (!ok_) detail::bad_result_access(err_);
    return std::move(val_);
  }
  /// `value()`: panics on an error.
  T& operator*() & { return value(); }
  /// `value()`: panics on an error.
  const T& operator*() const& { return value(); }
  /// `&value()`: panics on an error.
  T* operator->() { return &value(); }
  /// `&value()`: panics on an error.
  const T* operator->() const { return &value(); }

  /// The error. Calling it on a value is a programming error (panics).
  const eddy::error& error() const& {
    if (ok_) panic("eddy::item::error() called on a value");
    return err_;
  }
  /// The error, moved out. Calling it on a value is a programming error (panics).
  eddy::error&& error() && {
    if (ok_) panic("eddy::item::error() called on a value");
    return std::move(err_);
  }

  /// Equal when both are equal values, or both errors with equal code and count.
  friend bool operator==(const item& a, const item& b)
    requires requires(const T& x) { x == x; }
  {
    if (a.ok_ != b.ok_) return false;
    return a.ok_ ? static_cast<bool>(a.val_ == b.val_) : a.err_ == b.err_;
  }

 private:
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

}  // namespace eddy
