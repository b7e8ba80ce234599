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
#pragma once
#include "eddy/stream/distinct_until_changed_by.hpp"

namespace eddy {

namespace detail {
struct equal_values {
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return static_cast<bool>(a == b);
  }
};
}  // namespace detail

/// `s | distinct_until_changed()`: see the file comment.
inline auto distinct_until_changed() {
  return distinct_until_changed_by(detail::equal_values{});
}

}  // namespace eddy
