// SPDX-License-Identifier: BSL-1.0
/// \file
/// `from_range(r)`: a stream of the elements of a range, in order, then the end.
///
/// ```
/// from_range(std::vector{1, 2, 3})
/// output:  123|
/// ```
/// - An lvalue range is borrowed (it must outlive the stream) and its elements are copied;
///   an rvalue range is moved into the stream and its elements are moved out.
/// - Elements of type `item<T>` give a stream of `T` (errors included as they are); any other
///   element type `T` gives values of `T`.
/// - Never suspends: every `next()` is ready at once. Needs forward iterators.
#pragma once
#include <iterator>
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/core/config.hpp"
#include "eddy/stream/concept.hpp"

namespace eddy {

namespace detail {
/// Visits one range element: an `item<T>` by its kind, anything else as a value (copied from
/// an lvalue, moved from an rvalue).
template <class E, class V>
inline void visit_element(E&& x, V& v) {
  using D = std::remove_cvref_t<E>;
  if constexpr (is_item<D>::value) {
    if (x.is_value())
      v.value(typename D::value_type(std::forward<E>(x).value()));
    else
      v.error(eddy::error(x.error()));
  } else {
    v.value(D(std::forward<E>(x)));
  }
}

/// The run of `visit_while` over `[it, end)` for the range streams: the position is a local for
/// the run (in a register, not re-read through memory after every item) and is written back to
/// `pos` at the end of the run, or when an item's visit throws. `advance_first`: the position
/// moves past an element before it is visited (a borrowed range) rather than after (an owned
/// one, whose element is moved out).
template <bool advance_first, class It, class Sent, class V>
inline bool run_elements(It& pos, const Sent& end, V& v) {
  It it = pos;
#if EDDY_HAS_EXCEPTIONS
  try {
#endif
    while (v.more()) {
      if (it == end) {
        pos = it;
        v.end();
        return true;
      }
      if constexpr (advance_first) {
        auto&& x = *it;
        ++it;
        visit_element(static_cast<decltype(x)&&>(x), v);
      } else {
        visit_element(std::move(*it), v);
        ++it;
      }
    }
#if EDDY_HAS_EXCEPTIONS
  } catch (...) {
    pos = it;
    throw;
  }
#endif
  pos = it;
  return true;
}

/// An awaiter that is ready at once with a stored result.
template <class T>
class ready_next {
 public:
  explicit ready_next(std::optional<item<T>>&& r) noexcept(
      std::is_nothrow_move_constructible_v<item<T>>)
      : r_(std::move(r)) {}
  bool await_ready() const noexcept { return true; }
  void await_suspend(coro::coroutine_handle<>) const noexcept {}
  std::optional<item<T>> await_resume() { return std::move(r_); }

 private:
  std::optional<item<T>> r_;
};
}  // namespace detail

/// A stream over a borrowed range `[first, last)`.
template <class It, class Sent>
class range_ref_stream {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = typename detail::range_item<std::iter_value_t<It>>::type;

  /// Made by `from_range(...)`.
  range_ref_stream(It first, Sent last) : it_(std::move(first)), end_(std::move(last)) {}
  /// The next element: an awaitable of `std::optional<item<value_type>>` (empty at the end).
  /// One `next()` at a time; cancel-safe (see stream/concept.hpp).
  detail::ready_next<value_type> next() { return detail::ready_next<value_type>(pull()); }
  /// Always answers (see `stream/concept.hpp`).
  template <class V>
  bool try_visit(V& v) {
    if (it_ == end_) {
      v.end();
    } else {
      auto&& x = *it_;
      ++it_;
      detail::visit_element(static_cast<decltype(x)&&>(x), v);
    }
    return true;
  }
  /// The run form of `try_visit` (see `stream/concept.hpp`); always answers.
  template <class V>
  bool visit_while(V& v) {
    return detail::run_elements<true>(it_, end_, v);
  }

 private:
  std::optional<item<value_type>> pull() {
    if (it_ == end_) return std::nullopt;
    std::optional<item<value_type>> r(std::in_place, *it_);
    ++it_;
    return r;
  }

 private:
  It it_;
  Sent end_;
};

/// A stream that owns its range and moves the elements out.
template <class R>
class range_owning_stream {
  using It = decltype(std::begin(std::declval<R&>()));

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = typename detail::range_item<std::iter_value_t<It>>::type;

  /// Made by `from_range(...)`.
  explicit range_owning_stream(R r) : pos_(0), r_(std::move(r)), it_(std::begin(r_)) {}
  /// Move; only while no `next()` is in flight (the moved-from stream may only be destroyed
  /// or assigned).
  range_owning_stream(range_owning_stream&& o)
      : pos_(offset(o.r_, o.it_)), r_(std::move(o.r_)), it_(advanced(r_, pos_)) {}
  /// Made by `from_range(...)`.
  range_owning_stream(const range_owning_stream& o)
      : pos_(offset(o.r_, o.it_)), r_(o.r_), it_(advanced(r_, pos_)) {}
  range_owning_stream& operator=(const range_owning_stream&) = delete;

  /// The next element: an awaitable of `std::optional<item<value_type>>` (empty at the end).
  /// One `next()` at a time; cancel-safe (see stream/concept.hpp).
  detail::ready_next<value_type> next() { return detail::ready_next<value_type>(pull()); }
  /// Always answers (see `stream/concept.hpp`).
  template <class V>
  bool try_visit(V& v) {
    if (it_ == std::end(r_)) {
      v.end();
    } else {
      auto&& x = *it_;
      detail::visit_element(std::move(x), v);
      ++it_;
    }
    return true;
  }
  /// The run form of `try_visit` (see `stream/concept.hpp`); always answers.
  template <class V>
  bool visit_while(V& v) {
    return detail::run_elements<false>(it_, std::end(r_), v);
  }

 private:
  std::optional<item<value_type>> pull() {
    if (it_ == std::end(r_)) return std::nullopt;
    std::optional<item<value_type>> r(std::in_place, std::move(*it_));
    ++it_;
    return r;
  }
  template <class RR>
  static std::size_t offset(RR& r, const It& it) {
    auto b = std::begin(r);
    if constexpr (requires { it - b; }) {
      return static_cast<std::size_t>(it - b);
    } else {
      std::size_t n = 0;
      for (; b != it; ++b) ++n;
      return n;
    }
  }
  static It advanced(R& r, std::size_t n) {
    It b = std::begin(r);
    if constexpr (requires { b += static_cast<std::iter_difference_t<It>>(n); }) {
      b += static_cast<std::iter_difference_t<It>>(n);
    } else {
      for (; n > 0; --n) ++b;
    }
    return b;
  }

  std::size_t pos_;  // only used while moving
  R r_;
  It it_;
};

/// See the file comment.
template <class R>
auto from_range(R&& r) {
  if constexpr (std::is_lvalue_reference_v<R>) {
    return range_ref_stream<decltype(std::begin(r)), decltype(std::end(r))>(std::begin(r),
                                                                            std::end(r));
  } else {
    return range_owning_stream<std::remove_cvref_t<R>>(
        std::forward<R>(r));  // a const rvalue is copied
  }
}

}  // namespace eddy
