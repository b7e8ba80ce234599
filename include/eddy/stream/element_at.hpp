// SPDX-License-Identifier: BSL-1.0
/// \file
/// `element_at(i)`: a terminal: the value at index `i` (0-based, counting values only).
///
/// ```
/// source:  --a--b--c--|
///          element_at(1)
/// result:       b             (the stream is not pulled after b)
/// ```
/// - `co_await (std::move(s) | element_at(i))` gives a `result<T>`: the `i`-th value as soon as
///   it comes; `errc::empty` when the stream ends with `i` values or fewer.
/// - An error item before that value ends it with that error.
/// - A negative `i`: `errc::invalid_argument` at once, without pulling the stream.
/// - Runs in the awaiting task (a `task`, lazy); holds one value (detail/terminal.hpp).
#pragma once
#include <concepts>
#include <cstdint>
#include <optional>
#include <utility>

#include "eddy/stream/detail/count.hpp"
#include "eddy/stream/detail/terminal.hpp"

namespace eddy {

/// `s | element_at(i)`: see the file comment.
template <std::integral I>
auto element_at(I i) {
  return detail::terminal(
      [c = detail::checked_count::make(i, "element_at: negative index")]<class T>() {
        struct acc {
          detail::checked_count c;
          std::optional<T> v;
          std::optional<eddy::error> check() const noexcept {
            if (c.bad) return eddy::error{errc::invalid_argument, 0, c.bad};
            return std::nullopt;
          }
          bool value(T&& x) {
            if (c.n > 0) {
              --c.n;
              return false;
            }
            v.emplace(std::move(x));
            return true;
          }
          result<T> finish() {
            if (!v) return detail::empty_stream("element_at: the stream ended before the index");
            return std::move(*v);
          }
        };
        return acc{c, std::nullopt};
      });
}

}  // namespace eddy
