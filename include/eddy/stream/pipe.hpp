// SPDX-License-Identifier: BSL-1.0
/// \file
/// `s | op`: composing a stream with an operator.
///
/// An operator function (`map(f)`, `take(3)`, ...) returns a small *closure* holding its
/// arguments; `s | closure` builds the operator's stream type around `s`. The stream is taken
/// by value: pass an rvalue (`std::move(s)`) for move-only streams such as `generator`. A
/// closure is consumed by `|` (it is an rvalue in `s | map(f)`; an lvalue closure is copied).
///
/// To write an operator: derive its closure from `pipe_closure` and give it
/// `template <class S> auto apply(S&& s) &&` (and `const&` if it should be reusable).
#pragma once
#include <type_traits>
#include <utility>

#include "eddy/stream/concept.hpp"

namespace eddy {

/// Base of every operator closure (a tag).
struct pipe_closure {};

/// An operator closure (a type derived from `pipe_closure`): what `s | op` accepts.
template <class Op>
concept pipe_operator = std::is_base_of_v<pipe_closure, std::remove_cvref_t<Op>>;

/// `s | op`: the stream `op` builds around `s` (a decayed copy or move of `s`).
template <class S, class Op>
  requires stream<std::remove_cvref_t<S>> && pipe_operator<Op>
auto operator|(S&& s, Op&& op) {
  if constexpr (std::is_lvalue_reference_v<Op>) {
    std::remove_cvref_t<Op> copy(op);
    return std::move(copy).apply(std::forward<S>(s));
  } else {
    return std::move(op).apply(std::forward<S>(s));
  }
}

}  // namespace eddy
