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

template <class T>
class empty_stream {
 public:
  using value_type = T;
  detail::ready_next<T> next() noexcept { return detail::ready_next<T>(std::nullopt); }
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
