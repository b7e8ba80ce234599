// SPDX-License-Identifier: BSL-1.0
/// \file
/// `first()`: a terminal: the first value of a stream.
///
/// ```
/// source:  --a--b--c--|
///          first()
/// result:    a              (the stream is not pulled after a)
/// ```
/// - `co_await (std::move(s) | first())` gives a `result<T>`: the first value, as soon as it
///   comes (the stream is then dropped); `errc::empty` when the stream ends without a value.
/// - An error item before the first value ends it with that error.
/// - Runs in the awaiting task (a `task`, lazy); holds one value (detail/terminal.hpp).
#pragma once
#include <optional>
#include <utility>

#include "eddy/stream/detail/terminal.hpp"

namespace eddy {

/// `s | first()`: see the file comment.
inline auto first() {
  return detail::terminal([]<class T>() {
    struct acc {
      std::optional<T> v;
      bool value(T&& x) {
        v.emplace(std::move(x));
        return true;
      }
      result<T> finish() {
        if (!v) return detail::empty_stream("first: the stream ended without a value");
        return std::move(*v);
      }
    };
    return acc{};
  });
}

}  // namespace eddy
