// SPDX-License-Identifier: BSL-1.0
/// \file
/// `s | op`: composing a stream with an operator.
///
/// An operator function (`map(f)`, `take(3)`, ...) returns a small *closure* holding its
/// arguments; `s | closure` builds the operator's stream type around `s`. The stream is taken
/// by value: pass an rvalue (`std::move(s)`) for move-only streams such as `generator`. A
/// closure is consumed by `|` (it is an rvalue in `s | map(f)`; an lvalue closure is copied).
///
/// Every operator's closure is one of two generic ones:
/// - `detail::bind_stream<Op, T...>(args...)`: `s | it` is `Op<S, T...>(std::move(s), args...)`
///   with `S` the decayed type of `s` (`map(f)` is `bind_stream<map_stream, F>(f)`);
/// - `detail::pipe_with(make)`: `s | it` is `make(s)`, for the streams built another way.
/// A stream class documents itself in one line and points at its operator's file comment, where
/// the marble and the rules are; what every stream guarantees is in stream/concept.hpp.
#pragma once
#include <type_traits>
#include <utility>

#include "eddy/stream/concept.hpp"

namespace eddy {

/// Base of every operator closure (a tag).
struct pipe_closure {};

/// A closure: derived from `pipe_closure`. (`s | op` checks `s` in its body, so that a mistake
/// gives an error that says what is wrong.)
template <class Op>
concept pipe_operator = std::is_base_of_v<pipe_closure, std::remove_cvref_t<Op>>;

/// `s | op`: the stream `op` builds around `s` (a decayed copy or move of `s`).
template <class S, class Op>
  requires pipe_operator<Op>
auto operator|(S&& s, Op&& op) {
  using D = std::remove_cvref_t<S>;
  static_assert(stream<D>,
                "eddy::operator|: the left operand must be a stream (next() giving "
                "std::optional<item<T>>): e.g. from_range(v), not v");
  static_assert(!std::is_lvalue_reference_v<S> || std::is_copy_constructible_v<D>,
                "eddy::operator|: this stream cannot be copied: write std::move(s) | op, and do "
                "not use s afterwards");
  if constexpr (stream<D> && std::is_lvalue_reference_v<Op>) {
    std::remove_cvref_t<Op> copy(op);
    return std::move(copy).apply(std::forward<S>(s));
  } else if constexpr (stream<D>) {
    return std::move(op).apply(std::forward<S>(s));
  }
}

namespace detail {

/// The closure of `pipe_with`: `apply(s)` is `make(s)`.
template <class Make>
struct pipe_with_closure : pipe_closure {
  Make make;
  template <class S>
  auto apply(S&& s) && {
    return std::move(make)(std::forward<S>(s));
  }
};

/// A closure whose `s | it` is `make(std::forward<S>(s))` (see the file comment).
template <class Make>
pipe_with_closure<Make> pipe_with(Make make) {
  return {{}, std::move(make)};
}

/// A closure whose `s | it` is `Op<S, T...>(S(s), args...)` (see the file comment).
template <template <class...> class Op, class... T, class... A>
auto bind_stream(A... args) {
  return pipe_with([... a = std::move(args)]<class S>(S&& s) mutable {
    using D = std::remove_cvref_t<S>;
    return Op<D, T...>(D(std::forward<S>(s)), std::move(a)...);
  });
}

}  // namespace detail

}  // namespace eddy
