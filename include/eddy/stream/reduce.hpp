// SPDX-License-Identifier: BSL-1.0
/// \file
/// `reduce(seed, f)` and `reduce(f)`: a terminal: folds the values of a stream with
/// `acc = f(std::move(acc), value)` and gives the final `acc` once the stream has ended.
///
/// ```
/// source:  --1--2--3--|
///          reduce(10, +)
/// result:             16
/// ```
/// - `co_await (std::move(s) | reduce(seed, f))` gives a `result<A>` (`A` the decayed type of
///   `seed`): the seed itself for the empty stream. `reduce(f)` starts from the first value
///   (`A` is `T`) and gives `errc::empty` for the empty stream.
/// - The first error item ends it with that error. If `f` throws (exceptions on), it ends with
///   an `errc::exception` error.
/// - Runs in the awaiting task (a `task`, lazy); holds the accumulator (detail/terminal.hpp).
#pragma once
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/stream/detail/terminal.hpp"

namespace eddy {

/// `s | reduce(seed, f)`: see the file comment.
template <class A, class F>
auto reduce(A seed, F f) {
  return detail::terminal([seed = std::move(seed), f = std::move(f)]<class T>() mutable {
    static_assert(std::is_convertible_v<std::invoke_result_t<F&, A&&, T&&>, A>,
                  "eddy::reduce: f(acc, value) must return the seed's type");
    struct acc {
      std::optional<A> a;  // an optional: `A` need not be assignable
      F f;
      bool value(T&& x) {
        A next = f(std::move(*a), std::move(x));
        a.reset();
        a.emplace(std::move(next));
        return false;
      }
      result<A> finish() { return std::move(*a); }
    };
    return acc{std::optional<A>(std::move(seed)), std::move(f)};
  });
}

/// `s | reduce(f)`: the first value is the seed; see the file comment.
template <class F>
auto reduce(F f) {
  return detail::terminal([f = std::move(f)]<class T>() mutable {
    static_assert(std::is_convertible_v<std::invoke_result_t<F&, T&&, T&&>, T>,
                  "eddy::reduce: f(acc, value) must return the stream's value type");
    struct acc {
      std::optional<T> a;
      F f;
      bool value(T&& x) {
        if (!a) {
          a.emplace(std::move(x));
          return false;
        }
        T next = f(std::move(*a), std::move(x));
        a.reset();
        a.emplace(std::move(next));
        return false;
      }
      result<T> finish() {
        if (!a) return detail::empty_stream("reduce: the stream ended without a value");
        return std::move(*a);
      }
    };
    return acc{std::nullopt, std::move(f)};
  });
}

}  // namespace eddy
