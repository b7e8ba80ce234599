// SPDX-License-Identifier: BSL-1.0
/// \file
/// `concat_map(f)`: maps each value to an inner stream and emits the inner streams one after
/// another, each in full.
///
/// ```
/// source:  --a--------b-----|
/// f(a):      --1--2|
/// f(b):               --3--4|
///          concat_map(f)
/// output:  ----1--2-----3--4|
/// ```
/// - `f(value)` returns a stream. The outer stream is pulled only when the current inner stream
///   has ended, so at most one inner stream exists and nothing is buffered (the outer stream
///   waits: backpressure).
/// - **Output timestamp: the inner items' own** (they pass unchanged).
/// - Errors of the outer stream and of the inner one pass through at once. The output ends
///   when the outer stream has ended and the last inner stream has ended. An `f` that throws
///   (exceptions on) gives an `errc::exception` error item.
/// - No pump, no task: the inner and outer streams are pulled in the consumer's task, one at a
///   time (synchronous when they are; the asynchronous loop runs in a frame allocated once per
///   operator). Destroying a `next()` awaiter while it waits destroys the pending `next()` of
///   the inner (or outer) stream, like any single-input stage.
#pragma once
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The stream of `concat_map`: see the file comment and stream/concept.hpp.
template <class S, class F>
class concat_map_stream {
  using In = stream_value_t<S>;
  using Inner = std::remove_cvref_t<std::invoke_result_t<F&, In&&>>;
  static_assert(stream<Inner>, "eddy::concat_map: f(value) must return a stream");

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<Inner>;

  /// Made by `concat_map(...)`.
  concat_map_stream(S s, F f) : s_(std::move(s)), f_(std::move(f)) {}

  /// The awaiter of `next()`. Destroying it while suspended deregisters its waits and gives back
  /// what it was handed (cancel-safe); the stream stays usable.
  class awaiter {
   public:
    /// Made by `next()`.
    explicit awaiter(concat_map_stream* op) noexcept : op_(op) {}
    /// Movable until it suspends (e.g. into `timeout`, which asks `await_ready` first).
    awaiter(awaiter&& o) noexcept
        : op_(o.op_), out_(std::move(o.out_)), frame_(std::move(o.frame_)) {}
    awaiter& operator=(awaiter&&) = delete;
    bool await_ready() {
      detail::store_visitor<value_type> st{out_};
      return op_->try_visit(st);
    }
    template <class P>
    coro::coroutine_handle<> await_suspend(coro::coroutine_handle<P> h) {
      return frame_.start(loop(op_->cache_, this), h);
    }
    std::optional<item<value_type>> await_resume() {
      frame_.rethrow();
      return std::move(out_);
    }

   private:
    static detail::pump_handle loop(detail::frame_cache&, awaiter* self) {
      concat_map_stream* op = self->op_;
      for (;;) {
        detail::store_visitor<value_type> st{self->out_};
        if (op->inner_) {
          auto r = co_await op->inner_->next();
          if (r) {
            detail::visit_result(std::move(r), st);
            co_return;
          }
          op->inner_.reset();
        } else {
          auto r = co_await op->s_.next();
          detail::tracking_emitter<detail::store_visitor<value_type>> e{st};
          op->on_outer(std::move(r), e);
          if (e.emitted) co_return;
        }
        if (op->try_visit(st)) co_return;
      }
    }

    concat_map_stream* op_;
    std::optional<item<value_type>> out_;
    detail::loop_frame frame_;
  };

  /// The next element: an awaitable of `std::optional<item<value_type>>` (empty at the end).
  /// One `next()` at a time; cancel-safe (see stream/concept.hpp).
  awaiter next() noexcept { return awaiter(this); }

  /// Answers while the inner and outer streams answer synchronously.
  template <class V>
  bool try_visit(V& v) {
    detail::tracking_emitter<V> e{v};
    for (;;) {
      if (inner_) {
        struct iv_t {
          detail::tracking_emitter<V>& e;
          bool ended = false;
          void value(value_type&& x) { e.value(std::move(x)); }
          void error(eddy::error&& err) { e.error(std::move(err)); }
          void end() noexcept { ended = true; }
        } iv{e};
        if (!detail::try_visit_of(*inner_, iv)) return false;
        if (e.emitted) return true;
        inner_.reset();
        continue;
      }
      struct ov_t {
        concat_map_stream& op;
        detail::tracking_emitter<V>& e;
        void value(In&& x) { op.on_outer(std::optional<item<In>>(std::in_place, std::move(x)), e); }
        void error(eddy::error&& err) { e.error(std::move(err)); }
        void end() { op.on_outer(std::nullopt, e); }
      } ov{*this, e};
      if (!detail::try_visit_of(s_, ov)) return false;
      if (e.emitted) return true;
    }
  }

 private:
  template <class E>
  void on_outer(std::optional<item<In>>&& r, E& e) {
    if (!r) {
      e.end();
      return;
    }
    if (r->is_error()) {
      e.error(std::move(*r).error());
      return;
    }
    detail::guarded(
        e, [&]() -> Inner { return f_(std::move(*r).value()); },
        [&](Inner&& s) { inner_.emplace(std::move(s)); });
  }

  S s_;
  F f_;
  std::optional<Inner> inner_;
  detail::frame_cache cache_;
};

/// `s | concat_map(f)`: see the file comment.
template <class F>
auto concat_map(F f) {
  return detail::bind_stream<concat_map_stream, F>(std::move(f));
}

}  // namespace eddy
