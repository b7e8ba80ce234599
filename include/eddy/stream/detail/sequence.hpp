// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::sequence_next<Op>`: the `next()` awaiter of the operators that pull one of several
/// streams of different types at a time, in the consumer's task (`concat`, `catch_error`), and
/// `detail::one_of_next<S...>`, the awaiter of the current one's `next()`.
///
/// The operator supplies (public, or private befriending `sequence_access`):
/// - `template <class V> bool try_visit(V& v)`: the synchronous path (stream/concept.hpp);
/// - `auto wait_current()`: an awaitable of `std::optional<item<value_type>>`, the current
///   stream's `next()` (usually a `one_of_next`);
/// - `template <class E> void take(std::optional<item<value_type>>&& r, E& e)`: what that wait
///   gave; emits at most one item into `e` (emitting none: switch streams and pull again);
/// - `frame_cache cache_`: the loop frame's cache (one allocation per operator).
/// The loop runs `wait_current`, `take`, then `try_visit` again until something is emitted, so
/// there is no allocation per item and a synchronous stream costs no suspension.
#pragma once
#include <cstddef>
#include <optional>
#include <tuple>
#include <utility>

#include "eddy/stream/concept.hpp"
#include "eddy/stream/detail/emit.hpp"
#include "eddy/stream/detail/frame.hpp"
#include "eddy/stream/detail/hetero.hpp"

namespace eddy::detail {

/// The door to a sequence operator's private members.
struct sequence_access {
  template <class Op>
  static auto wait_current(Op& op) {
    return op.wait_current();
  }
  template <class Op, class R, class E>
  static void take(Op& op, R&& r, E& e) {
    op.take(std::forward<R>(r), e);
  }
  template <class Op>
  static frame_cache& cache(Op& op) noexcept {
    return op.cache_;
  }
};

/// The awaiter of `next()` of stream number `i` among `S*... s` (same value type `T`; only the
/// `i`-th pointer is used, the others may be null). Immovable: constructed in place (returned
/// as a prvalue and awaited).
template <class T, class... S>
class one_of_next {
  static constexpr std::size_t N = sizeof...(S);

 public:
  one_of_next(std::size_t i, S*... s) : i_(i) {
    std::tuple<S*...> t(s...);
    with_index<N>(i_, [&](auto I) {
      constexpr std::size_t k = decltype(I)::value;
      std::get<k>(w_).emplace(*std::get<k>(t));
    });
  }
  one_of_next(const one_of_next&) = delete;
  one_of_next& operator=(const one_of_next&) = delete;

  bool await_ready() {
    bool r = false;
    with_index<N>(i_, [&](auto I) { r = std::get<decltype(I)::value>(w_)->await_ready(); });
    return r;
  }
  template <class P>
  coro::coroutine_handle<> await_suspend(coro::coroutine_handle<P> h) {
    coro::coroutine_handle<> r;
    with_index<N>(i_, [&](auto I) { r = suspend_to_handle(*std::get<decltype(I)::value>(w_), h); });
    return r;
  }
  std::optional<item<T>> await_resume() {
    std::optional<item<T>> r;
    with_index<N>(i_, [&](auto I) { r = std::get<decltype(I)::value>(w_)->await_resume(); });
    return r;
  }

 private:
  std::size_t i_;
  std::tuple<std::optional<next_of<S>>...> w_;
};

/// The awaiter of a sequence operator's `next()`. See the file comment.
template <class Op>
class sequence_next {
  using Out = typename Op::value_type;

 public:
  explicit sequence_next(Op& op) noexcept : op_(&op) {}
  /// Movable until it suspends (e.g. into `timeout`, which asks `await_ready` first).
  sequence_next(sequence_next&& o) noexcept(
      std::is_nothrow_move_constructible_v<std::optional<item<Out>>>)
      : op_(o.op_), out_(std::move(o.out_)), frame_(std::move(o.frame_)) {}
  sequence_next& operator=(sequence_next&&) = delete;

  bool await_ready() {
    store_visitor<Out> st{out_};
    return op_->try_visit(st);
  }
  template <class P>
  coro::coroutine_handle<> await_suspend(coro::coroutine_handle<P> h) {
    return frame_.start(loop(sequence_access::cache(*op_), this), h);
  }
  std::optional<item<Out>> await_resume() {
    frame_.rethrow();
    return std::move(out_);
  }

 private:
  static pump_handle loop(frame_cache&, sequence_next* self) {
    Op* op = self->op_;
    for (;;) {
      store_visitor<Out> st{self->out_};
      {
        std::optional<item<Out>> r = co_await sequence_access::wait_current(*op);
        tracking_emitter<store_visitor<Out>> e{st};
        sequence_access::take(*op, std::move(r), e);
        if (e.emitted) co_return;
      }
      if (op->try_visit(st)) co_return;
    }
  }

  Op* op_;
  std::optional<item<Out>> out_;
  loop_frame frame_;
};

}  // namespace eddy::detail
