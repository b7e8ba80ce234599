// SPDX-License-Identifier: BSL-1.0
/// \file
/// `to_vector()`: a terminal: every value of a stream, in a `std::vector`, once it has ended.
///
/// ```
/// source:  --a--b--c--|
///          to_vector()
/// result:             [a, b, c]
/// ```
/// - `co_await (std::move(s) | to_vector())` gives a `result<std::vector<T>>` (empty for the
///   empty stream).
/// - The first error item ends it with that error (the values gathered are dropped).
/// - Buffering: unbounded, every value (the vector grows as usual); runs in the awaiting task
///   (a `task`, lazy, detail/terminal.hpp).
#pragma once
#include <utility>
#include <vector>

#include "eddy/stream/detail/terminal.hpp"

namespace eddy {

/// `s | to_vector()`: see the file comment.
inline auto to_vector() {
  return detail::terminal([]<class T>() {
    struct acc {
      std::vector<T> v;
      bool value(T&& x) {
        v.push_back(std::move(x));
        return false;
      }
      result<std::vector<T>> finish() { return std::move(v); }
    };
    return acc{};
  });
}

}  // namespace eddy
