// SPDX-License-Identifier: BSL-1.0
/// \file
/// `empty<T>()`: a stream of `T` that ends at once.
///
/// ```
/// empty<int>()
/// output:  |
/// ```
/// Never suspends.
#pragma once
#include <optional>

#include "eddy/stream/from_range.hpp"

namespace eddy {

/// The stream of `empty`: see the file comment and stream/concept.hpp.
template <class T>
class empty_stream {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = T;
  /// The next element: an awaitable of `std::optional<item<value_type>>` (empty at the end).
  /// One `next()` at a time; cancel-safe (see stream/concept.hpp).
  detail::ready_next<T> next() noexcept { return detail::ready_next<T>(std::nullopt); }
  /// Synchronous fast path (see stream/concept.hpp): when the next element is ready without
  /// suspending, hands it to `v` and returns true; else returns false and consumes nothing.
  template <class V>
  bool try_visit(V& v) {
    v.end();
    return true;
  }
};

/// See the file comment.
template <class T>
empty_stream<T> empty() noexcept {
  return {};
}

}  // namespace eddy
