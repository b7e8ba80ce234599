// SPDX-License-Identifier: BSL-1.0
/// \file
/// `distinct_until_changed()`: drops a value equal (`==`) to the last value emitted.
///
/// ```
/// source:  --1--1--E--1--2--2--1--|
///          distinct_until_changed()
/// output:  --1-----E-----2-----1--|
/// ```
/// - `distinct_until_changed_by` with `==`; see there (errors pass and keep `previous`;
///   keeps a copy of the last value).
/// - Timestamped wrappers (`stamped<T>`, `sequenced<T>`, nested or not) compare their wrapped
///   values, not their timestamps: of a run of equal values the first is emitted, with its
///   timestamp, and the later ones are dropped.
///   ```
///   source:  --1@1--1@2--2@3--2@4--1@5--|
///   output:  --1@1-------2@3--------1@5--|
///   ```
#pragma once
#include "eddy/stream/detail/stamp_wrapper.hpp"
#include "eddy/stream/distinct_until_changed_by.hpp"

namespace eddy {

namespace detail {
/// `==`, through the timestamped wrappers (see the file comment).
struct equal_values {
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    if constexpr (is_stamp_wrapper<A>::value && is_stamp_wrapper<B>::value)
      return (*this)(a.value, b.value);
    else
      return static_cast<bool>(a == b);
  }
};
}  // namespace detail

/// `s | distinct_until_changed()`: see the file comment.
inline auto distinct_until_changed() {
  return distinct_until_changed_by(detail::equal_values{});
}

}  // namespace eddy
