// SPDX-License-Identifier: BSL-1.0
/// \file
/// `count()`: a terminal: the number of values of a stream, once it has ended.
///
/// ```
/// source:  --a--b--c--|
///          count()
/// result:             3
/// ```
/// - `co_await (std::move(s) | count())` gives a `result<std::uint64_t>`: the number of values
///   when the stream ends (0 for the empty stream).
/// - The first error item ends it with that error (the stream is not pulled further).
/// - Runs in the awaiting task (a `task`, lazy: nothing is pulled before it is awaited); keeps
///   one counter, no allocation per item (detail/terminal.hpp).
#pragma once
#include <cstdint>

#include "eddy/stream/detail/terminal.hpp"

namespace eddy {

/// `s | count()`: see the file comment.
inline auto count() {
  return detail::terminal([]<class T>() {
    struct acc {
      std::uint64_t n = 0;
      bool value(T&&) noexcept {
        ++n;
        return false;
      }
      result<std::uint64_t> finish() { return n; }
    };
    return acc{};
  });
}

}  // namespace eddy
