// SPDX-License-Identifier: BSL-1.0
/// \file
/// `just(v)`: a stream of one item, then the end.
///
/// ```
/// just(7)
/// output:  7|
/// ```
/// - `just(value)` gives a stream of the value's type; `just(item<T>)` (e.g. an error) gives a
///   stream of `T`.
/// - Never suspends.
#pragma once
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/stream/from_range.hpp"

namespace eddy {

/// The stream of `just`: see the file comment and stream/concept.hpp.
template <class T>
class just_stream {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = T;
  /// Made by `just(...)`.
  explicit just_stream(item<T> v) : v_(std::move(v)) {}
  /// The next element: an awaitable of `std::optional<item<value_type>>` (empty at the end).
  /// One `next()` at a time; cancel-safe (see stream/concept.hpp).
  detail::ready_next<T> next() { return detail::ready_next<T>(std::exchange(v_, std::nullopt)); }
  /// Synchronous fast path (see stream/concept.hpp): when the next element is ready without
  /// suspending, hands it to `v` and returns true; else returns false and consumes nothing.
  template <class V>
  bool try_visit(V& v) {
    if (!v_) {
      v.end();
    } else {
      std::optional<item<T>> x = std::exchange(v_, std::nullopt);
      detail::visit_result(std::move(x), v);
    }
    return true;
  }

 private:
  std::optional<item<T>> v_;
};

/// See the file comment.
template <class V>
auto just(V&& v) {
  using D = std::decay_t<V>;
  if constexpr (detail::is_item<D>::value) {
    return just_stream<typename D::value_type>(std::forward<V>(v));
  } else {
    return just_stream<D>(item<D>(std::forward<V>(v)));
  }
}

}  // namespace eddy
