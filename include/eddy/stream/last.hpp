// SPDX-License-Identifier: BSL-1.0
/// \file
/// `last()`: a terminal: the last value of a stream, once it has ended.
///
/// ```
/// source:  --a--b--c--|
///          last()
/// result:             c
/// ```
/// - `co_await (std::move(s) | last())` gives a `result<T>`: the last value when the stream
///   ends; `errc::empty` when it ended without a value.
/// - The first error item ends it with that error (the values before it are dropped).
/// - Runs in the awaiting task (a `task`, lazy); holds one value, each new one moved over the
///   previous (detail/terminal.hpp).
#pragma once
#include <optional>
#include <utility>

#include "eddy/stream/detail/terminal.hpp"

namespace eddy {

/// `s | last()`: see the file comment.
inline auto last() {
  return detail::terminal([]<class T>() {
    struct acc {
      std::optional<T> v;
      bool value(T&& x) {
        v.reset();
        v.emplace(std::move(x));
        return false;
      }
      result<T> finish() {
        if (!v) return detail::empty_stream("last: the stream ended without a value");
        return std::move(*v);
      }
    };
    return acc{};
  });
}

}  // namespace eddy
