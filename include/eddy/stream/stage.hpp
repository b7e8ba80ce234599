// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::stage`: the machinery shared by every single-input operator.
///
/// An operator stream `Op` over an upstream `S` derives from `detail::stage<Op, S>`, which owns
/// the upstream (constructed from the first argument of its constructor), gives `next()` and
/// `try_visit()`, and supplies `upstream_type` and `upstream()`. The operator supplies the
/// *stage protocol* (private members; befriend `detail::stage_access`):
/// - `using value_type = Out;`
/// - `static constexpr bool one_to_one`: every input gives exactly one output (map, scan...);
/// - optionally `static constexpr bool run_through = true`: no `pre`, and errors and the end
///   pass on unchanged, so `visit_while` (the run form of `try_visit`) feeds a whole run of
///   upstream items through `on_value` (an operator may also supply `run_upstream(v)` to hold
///   its state in locals for the run, as `scan` does);
/// - hooks that get an *emitter* `e` (members `value(Out&&)`, `error(eddy::error&&)`, `end()`)
///   and call at most one of its members; calling none means "nothing to emit, pull again":
///   - `void pre(E& e)`: before every pull from the upstream (defaults to nothing); what it
///     emits is emitted without pulling. It runs again after an input that emitted nothing,
///     and may run twice before the same pull, so when it emits nothing it must leave the
///     operator ready for the pull (e.g. `retry` re-subscribes there, outside any upstream call);
///   - `void on_value(In&& v, E& e)`, `void on_error(eddy::error&& err, E& e)`,
///     `void on_end(E& e)` (the defaults pass the item, the error and the end on).
///
/// **One code path.** Stages stacked on each other form a *chain*; its *source* is the
/// upstream of the bottom stage (the first stream below that is not a stage). `try_visit`
/// pulls through the upstream's `try_visit` while it answers synchronously, so a chain of
/// synchronous stages is one loop and never suspends. When the source has no synchronous
/// answer, the consumer waits for the source itself (`source_wait`): the item it gives is
/// stashed in the bottom stage and `try_visit` runs again from the top, taking it. So a stage
/// has no asynchronous code of its own: its hooks run the same way for every item, and a chain
/// of any length costs one wait per asynchronous item. `next()` runs that wait in a small loop
/// coroutine whose frame is allocated once per chain (the bottom stage keeps the cache) and
/// reused, so there is no allocation per item or per wake; `subscribe` waits in its own task.
/// Destroying the awaiter while it is suspended destroys that frame and the source's awaiter
/// (which deregisters and gives back what it holds).
#pragma once
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/core/panic.hpp"
#include "eddy/stream/concept.hpp"
#include "eddy/stream/detail/emit.hpp"
#include "eddy/stream/detail/frame.hpp"

namespace eddy::detail {

/// The one door to an operator's private stage hooks: operators declare
/// `friend struct detail::stage_access;`.
struct stage_access {
  template <class Op>
  static constexpr bool one_to_one = Op::one_to_one;
  /// `Op::run_through`: the operator has no `pre` and passes errors and the end on unchanged,
  /// so a run of upstream items may go through its `on_value` without returning to the
  /// consumer between items (`visit_while`).
  template <class Op>
  static constexpr bool run_through() {
    if constexpr (requires { Op::run_through; }) {
      return Op::run_through;
    } else {
      return false;
    }
  }
  template <class Op>
  static decltype(auto) upstream(Op& op) noexcept {
    return op.upstream();
  }
  template <class Op>
  static auto& root(Op& op) noexcept {
    return op.root_;
  }
  template <class Op, class E>
  static void pre(Op& op, E& e) {
    op.pre(e);
  }
  template <class Op, class U, class E>
  static void on_value(Op& op, U&& v, E& e) {
    op.on_value(std::forward<U>(v), e);
  }
  template <class Op, class E>
  static void on_error(Op& op, eddy::error&& err, E& e) {
    op.on_error(std::move(err), e);
  }
  template <class Op, class E>
  static void on_end(Op& op, E& e) {
    op.on_end(e);
  }
  template <class Op, class V>
  static bool run_upstream(Op& op, V& v) {
    return op.run_upstream(v);
  }
};

/// Feeds one upstream item to the operator's hooks.
template <class Op, class E>
struct input_visitor {
  Op& op;
  E& e;
  template <class U>
  void value(U&& v) {
    stage_access::on_value(op, std::forward<U>(v), e);
  }
  void error(eddy::error&& err) { stage_access::on_error(op, std::move(err), e); }
  void end() { stage_access::on_end(op, e); }
  /// For a run (`visit_while`): the emitter is the downstream visitor.
  bool more() { return e.more(); }
};

/// Tag of the stage streams (see `is_stage`).
struct stage_tag {};
/// `S` is a stage stream: its `try_visit` pulls through its upstream.
template <class S>
inline constexpr bool is_stage = std::is_base_of_v<stage_tag, S>;

/// What the bottom stage of a chain holds for the whole chain (see the file comment), made at
/// the chain's first asynchronous wait: the source's item taken by a wait, until `try_visit`
/// takes it, and the frame cache of `next()`'s wait loop. One pointer, so that building a
/// pipeline (every `|` moves the chain) stays cheap. A copy starts without it.
template <class S, bool = is_stage<S>>
class chain_root {
 public:
  struct state {
    std::optional<item<stream_value_t<S>>> stash;  ///< the item, or empty for the end
    bool stashed = false;
    frame_cache cache;
  };
  chain_root() noexcept = default;
  chain_root(const chain_root&) noexcept {}
  chain_root(chain_root&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  chain_root& operator=(const chain_root& o) noexcept {
    if (this != &o) reset();
    return *this;
  }
  chain_root& operator=(chain_root&& o) noexcept {
    if (this != &o) {
      reset();
      p_ = std::exchange(o.p_, nullptr);
    }
    return *this;
  }
  ~chain_root() { reset(); }

  state& get() { return p_ ? *p_ : *(p_ = new state); }
  bool stashed() const noexcept { return p_ && p_->stashed; }

 private:
  void reset() noexcept { delete std::exchange(p_, nullptr); }
  state* p_ = nullptr;
};
/// A stage over a stage holds nothing for the chain.
template <class S>
struct chain_root<S, true> {};

/// The bottom stage of the chain that ends in `op` (the one whose upstream is not a stage).
template <class Op>
auto& chain_bottom(Op& op) noexcept {
  if constexpr (is_stage<typename Op::upstream_type>) {
    return chain_bottom(stage_access::upstream(op));
  } else {
    return op;
  }
}

/// Waits for the next item of the source under `op`'s chain and stashes it in the bottom stage,
/// for `try_visit` to take. Destroying it while suspended destroys the source's `next()` awaiter
/// (the source's cancel-safety applies). Immovable: constructed in place.
template <class Op>
class source_wait {
  using bottom = std::remove_reference_t<decltype(chain_bottom(std::declval<Op&>()))>;
  using source = typename bottom::upstream_type;

 public:
  explicit source_wait(Op& op)
      : b_(&chain_bottom(op)),
        root_(&stage_access::root(*b_).get()),
        in_(stage_access::upstream(*b_)) {}
  bool await_ready() { return in_.await_ready(); }
  template <class P>
  decltype(auto) await_suspend(coro::coroutine_handle<P> h) {
    return in_.await_suspend(h);
  }
  void await_resume() {
    root_->stash = in_.await_resume();
    root_->stashed = true;
  }

 private:
  bottom* b_;
  typename chain_root<source>::state* root_;
  next_of<source> in_;
};

template <class Op>
class stage_next;

/// The stage protocol (CRTP) of an operator `Op` over an upstream of type `S`, for an operator
/// that holds its upstream itself (`retry`, supplying `upstream()`). See the file comment.
template <class Op, class S>
class stage_base : public stage_tag {
 public:
  /// The upstream stream's type.
  using upstream_type = S;

  /// The awaiter of the next item. See `stage_next`.
  auto next() { return stage_next<Op>(static_cast<Op&>(*this)); }

  /// The synchronous fast path (see `stream/concept.hpp`).
  template <class V>
  bool try_visit(V& v) {
    Op& op = static_cast<Op&>(*this);
    tracking_emitter<V> e{v};
    for (;;) {
      stage_access::pre(op, e);
      if (e.emitted) return true;
      input_visitor<Op, tracking_emitter<V>> in{op, e};
      if (!pull(op, in)) return false;
      if constexpr (stage_access::one_to_one<Op>) {
        return true;
      } else {
        if (e.emitted) return true;
      }
    }
  }

  /// The run form of the fast path (see `stream/concept.hpp`): an operator with `run_through`
  /// hands its upstream a visitor that feeds every item to its hooks with `v` as the emitter,
  /// so a chain of such stages over a source with `visit_while` is one loop; any other
  /// operator is visited one `try_visit` at a time. An item stashed by a wait is left to
  /// `try_visit` (the run stops before it).
  template <class V>
  bool visit_while(V& v) {
    if constexpr (!stage_access::run_through<Op>()) {
      while (v.more()) {
        if (!try_visit(v)) return false;
      }
      return true;
    } else {
      Op& op = static_cast<Op&>(*this);
      if constexpr (!is_stage<S>) {
        // The item a wait took goes first, through `try_visit`: kept out of the run so that
        // the run's visitor stays in registers.
        if (root_.stashed()) return false;
      }
      return stage_access::run_upstream(op, v);
    }
  }

 protected:
  // Defaults of the stage protocol.
  template <class E>
  void pre(E&) noexcept {}
  template <class U, class E>
  void on_value(U&& v, E& e) {
    e.value(std::forward<U>(v));
  }
  template <class E>
  void on_error(eddy::error&& err, E& e) {
    e.error(std::move(err));
  }
  template <class E>
  void on_end(E& e) {
    e.end();
  }
  /// A run of `visit_while` through the upstream, each item into the hooks, emitting on `v`
  /// (an operator may hold its state in locals for the run: `scan`).
  template <class V>
  bool run_upstream(V& v) {
    Op& op = static_cast<Op&>(*this);
    input_visitor<Op, V> in{op, v};
    return visit_while_of(stage_access::upstream(op), in);
  }

 private:
  friend struct stage_access;
  /// One upstream item into `in`: the stashed one, else the upstream's synchronous answer.
  template <class In>
  bool pull(Op& op, In& in) {
    if constexpr (!is_stage<S>) {
      if (root_.stashed()) {
        visit_result(take_stash(), in);
        return true;
      }
    }
    return try_visit_of(stage_access::upstream(op), in);
  }
  /// Takes the item a wait stashed (the bottom stage only).
  std::optional<item<stream_value_t<S>>> take_stash() {
    auto& st = root_.get();
    st.stashed = false;
    std::optional<item<stream_value_t<S>>> r = std::move(st.stash);
    st.stash.reset();
    return r;
  }

  [[no_unique_address]] chain_root<S> root_;
};

/// Base of single-input operator streams over an upstream `S` (CRTP): `stage_base` holding the
/// upstream. See the file comment.
template <class Op, class S>
class stage : public stage_base<Op, S> {
 protected:
  explicit stage(S&& s) : s_(std::move(s)) {}
  S& upstream() noexcept { return s_; }

 private:
  S s_;
};

/// The awaiter of a stage's `next()`: the synchronous path, else waits for the chain's source
/// and tries again, in a loop frame from the chain's frame cache. See the file comment.
template <class Op>
class stage_next {
  using Out = typename Op::value_type;

 public:
  explicit stage_next(Op& op) noexcept : op_(&op) {}
  /// Moving is allowed before the awaiter suspended (e.g. into `timeout`).
  stage_next(stage_next&& o) noexcept(
      std::is_nothrow_move_constructible_v<std::optional<item<Out>>>)
      : op_(o.op_), out_(std::move(o.out_)), frame_(std::move(o.frame_)) {}
  stage_next& operator=(stage_next&&) = delete;

  bool await_ready() {
    store_visitor<Out> st{out_};
    return op_->try_visit(st);
  }
  template <class P>
  coro::coroutine_handle<> await_suspend(coro::coroutine_handle<P> h) {
    return frame_.start(loop(stage_access::root(chain_bottom(*op_)).get().cache, this), h);
  }
  std::optional<item<Out>> await_resume() {
    frame_.rethrow();
    return std::move(out_);
  }

 private:
  static pump_handle loop(frame_cache&, stage_next* self) {
    for (;;) {
      co_await source_wait<Op>(*self->op_);
      store_visitor<Out> st{self->out_};
      if (self->op_->try_visit(st)) co_return;
    }
  }

  Op* op_;
  std::optional<item<Out>> out_;
  loop_frame frame_;
};

}  // namespace eddy::detail
