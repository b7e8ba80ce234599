// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::stage`: the machinery shared by every single-input operator.
///
/// An operator stream `Op` over an upstream `S` derives from `detail::stage<Op, S>`, which owns
/// the upstream (constructed from the first argument of its constructor), gives `next()` and
/// `try_visit()`, and supplies `upstream_type`, `upstream()` and the pull loop's frame cache. The
/// operator supplies the *stage protocol* (private members; befriend `detail::stage_access`):
/// - `using value_type = Out;`
/// - `static constexpr bool one_to_one`: every input gives exactly one output (map, scan...);
/// - hooks that get an *emitter* `e` (members `value(Out&&)`, `error(eddy::error&&)`, `end()`)
///   and call at most one of its members; calling none means "nothing to emit, pull again":
///   - `void pre(E& e)`: before every pull from the upstream (defaults to nothing); what it
///     emits is emitted without pulling. It runs again after an input that emitted nothing,
///     and may run twice before the same pull, so when it emits nothing it must leave the
///     operator ready for the pull (e.g. `retry` re-subscribes there, outside any upstream call);
///   - `void on_value(In&& v, E& e)`, `void on_error(eddy::error&& err, E& e)`,
///     `void on_end(E& e)` (the defaults pass the item, the error and the end on).
///
/// How a `next()` runs: `await_ready()` calls `try_visit`, which pulls through the upstream's
/// `try_visit` while it answers synchronously, so a chain of synchronous stages is one loop
/// and never suspends. Otherwise the upstream's `next()` is begun in `await_suspend`: a
/// one-to-one stage hands the suspension to the upstream awaiter (the upstream resumes the
/// consumer directly); a looping stage (filter, skip...) runs its pull loop in a small
/// coroutine whose frame is allocated once per operator instance and reused (`frame_cache`),
/// so there is no allocation per item or per wake. Destroying the awaiter while it is
/// suspended destroys that frame and the upstream awaiter (which deregisters and gives back
/// what it holds).
#pragma once
#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/core/config.hpp"
#include "eddy/core/frame_allocator.hpp"
#include "eddy/core/panic.hpp"
#include "eddy/stream/concept.hpp"

#if EDDY_HAS_EXCEPTIONS
#include <exception>
#endif

namespace eddy::detail {

/// One reusable coroutine-frame buffer, owned by an operator instance. When the buffer is in
/// use (two awaiters of the same stream alive at once: a contract violation, but not UB), a
/// separate block is allocated instead. Copies start empty; moving a cache whose buffer is in
/// use leaves the buffer with the frame, which frees it.
class frame_cache {
  struct header {
    frame_cache* owner;
    std::size_t total;
  };
  static constexpr std::size_t header_size = 16;
  static_assert(sizeof(header) <= header_size);

 public:
  frame_cache() noexcept = default;
  frame_cache(const frame_cache&) noexcept {}
  frame_cache& operator=(const frame_cache&) noexcept { return *this; }
  frame_cache(frame_cache&& o) noexcept { steal(o); }
  frame_cache& operator=(frame_cache&& o) noexcept {
    if (this != &o) {
      release();
      steal(o);
    }
    return *this;
  }
  ~frame_cache() { release(); }

  void* allocate(std::size_t n) {
    const std::size_t total = n + header_size;
    if (!busy_) {
      if (cap_ < total) {
        release();
        buf_ = frame_alloc(total);
        cap_ = total;
      }
      busy_ = true;
      ::new (buf_) header{this, cap_};
      return static_cast<char*>(buf_) + header_size;
    }
    void* p = frame_alloc(total);
    ::new (p) header{nullptr, total};
    return static_cast<char*>(p) + header_size;
  }
  static void deallocate(void* p) noexcept {
    void* base = static_cast<char*>(p) - header_size;
    header* h = static_cast<header*>(base);
    if (h->owner)
      h->owner->busy_ = false;
    else
      frame_free(base, h->total);
  }

 private:
  void steal(frame_cache& o) noexcept {
    if (o.busy_) return;  // the frame keeps (and later frees) the other buffer
    buf_ = o.buf_;
    cap_ = o.cap_;
    o.buf_ = nullptr;
    o.cap_ = 0;
  }
  void release() noexcept {
    if (!buf_) return;
    if (busy_)
      static_cast<header*>(buf_)->owner = nullptr;  // the live frame frees it
    else
      frame_free(buf_, cap_);
    buf_ = nullptr;
    cap_ = 0;
    busy_ = false;
  }

  void* buf_ = nullptr;
  std::size_t cap_ = 0;
  bool busy_ = false;
};

/// The coroutine type of a looping stage's pull loop: lazily started, resumes `cont` at the
/// end by symmetric transfer, frame from a `frame_cache` (its first parameter).
struct pump_promise {
  template <class... A>
  static void* operator new(std::size_t n, frame_cache& c, A&...) {
    return c.allocate(n);
  }
  static void operator delete(void* p, std::size_t) noexcept { frame_cache::deallocate(p); }

  coro::coroutine_handle<pump_promise> get_return_object() noexcept {
    return coro::coroutine_handle<pump_promise>::from_promise(*this);
  }
  coro::suspend_always initial_suspend() noexcept { return {}; }
  struct final_awaiter {
    bool await_ready() noexcept { return false; }
    coro::coroutine_handle<> await_suspend(coro::coroutine_handle<pump_promise> h) noexcept {
      return h.promise().cont;
    }
    void await_resume() noexcept {}
  };
  final_awaiter final_suspend() noexcept { return {}; }
  void return_void() noexcept {}
  void unhandled_exception() noexcept {
#if EDDY_HAS_EXCEPTIONS
    ex = std::current_exception();
#endif
  }
  void rethrow_if_exception() {
#if EDDY_HAS_EXCEPTIONS
    if (ex) std::rethrow_exception(ex);
#endif
  }

  coro::coroutine_handle<> cont;
#if EDDY_HAS_EXCEPTIONS
  std::exception_ptr ex;
#endif
};

/// A pump coroutine returns its own handle (the caller owns the frame).
struct pump_handle {
  using promise_type = pump_promise;
  pump_handle(coro::coroutine_handle<pump_promise> h) noexcept : h(h) {}
  coro::coroutine_handle<pump_promise> h;
};

/// Runs `compute()`. If it throws (exceptions on), emits the exception as an
/// `errc::exception` error on `e`; otherwise calls `use(result)` (or `use()` for void). The
/// exception handler covers only the user function, never what `use` emits downstream.
template <class E, class F, class G>
inline void guarded(E& e, F&& compute, G&& use) {
  using R = decltype(compute());
#if EDDY_HAS_EXCEPTIONS
  if constexpr (std::is_void_v<R>) {
    try {
      compute();
    } catch (...) {
      e.error(error::from_exception(std::current_exception()));
      return;
    }
    use();
  } else {
    std::optional<R> r;
    try {
      r.emplace(compute());
    } catch (...) {
      e.error(error::from_exception(std::current_exception()));
      return;
    }
    use(std::move(*r));
  }
#else
  (void)e;  // only exceptions become errors on `e`
  if constexpr (std::is_void_v<R>) {
    compute();
    use();
  } else {
    use(compute());
  }
#endif
}

/// Bad operator arguments: the stream yields one `errc::invalid_argument` error (with
/// `message`) and then ends, without ever pulling its upstream.
class arg_check {
 public:
  arg_check() noexcept = default;
  explicit arg_check(const char* bad_message) noexcept : msg_(bad_message) {}
  bool bad() const noexcept { return msg_ != nullptr; }
  /// For `pre`: emits the error, then the end, when the arguments were bad.
  template <class E>
  void report(E& e) {
    if (!msg_) return;
    if (!reported_) {
      reported_ = true;
      e.error(error{errc::invalid_argument, 0, msg_});
    } else {
      e.end();
    }
  }

 private:
  const char* msg_ = nullptr;
  bool reported_ = false;
};

/// Wraps an emitter and records whether anything was emitted.
template <class E>
struct tracking_emitter {
  E& e;
  bool emitted = false;
  template <class U>
  void value(U&& v) {
    emitted = true;
    e.value(std::forward<U>(v));
  }
  void error(eddy::error&& err) {
    emitted = true;
    e.error(std::move(err));
  }
  void end() {
    emitted = true;
    e.end();
  }
};

/// The one door to an operator's private stage hooks: operators declare
/// `friend struct detail::stage_access;`.
struct stage_access {
  template <class Op>
  static constexpr bool one_to_one = Op::one_to_one;
  template <class Op>
  static decltype(auto) upstream(Op& op) noexcept {
    return op.upstream();
  }
  template <class Op>
  static frame_cache& cache(Op& op) noexcept {
    return op.cache();
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
};

template <class Op, bool TrySync = true>
class stage_next;

/// The stage protocol without the upstream (CRTP): for an operator that holds its upstream
/// itself (`retry`), supplying `using upstream_type`, `upstream()` and `cache()`. See the file
/// comment.
template <class Op>
class stage_base {
 public:
  /// The awaiter of the next item. See `stage_next`.
  auto next() { return stage_next<Op>(static_cast<Op&>(*this)); }
  /// The same, for a caller that has just seen `try_visit` give no answer: it does not try
  /// the synchronous path again (see `detail::pending_next_of`).
  auto next_pending() { return stage_next<Op, false>(static_cast<Op&>(*this)); }

  /// The synchronous fast path (see `stream/concept.hpp`).
  template <class V>
  bool try_visit(V& v) {
    Op& op = static_cast<Op&>(*this);
    tracking_emitter<V> e{v};
    for (;;) {
      stage_access::pre(op, e);
      if (e.emitted) return true;
      input_visitor<Op, tracking_emitter<V>> in{op, e};
      if (!try_visit_of(stage_access::upstream(op), in)) return false;
      if constexpr (stage_access::one_to_one<Op>) {
        return true;
      } else {
        if (e.emitted) return true;
      }
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
};

/// Base of single-input operator streams over an upstream `S` (CRTP). See the file comment.
template <class Op, class S>
class stage : public stage_base<Op> {
 public:
  /// The upstream stream's type.
  using upstream_type = S;

 protected:
  explicit stage(S&& s) : s_(std::move(s)) {}
  S& upstream() noexcept { return s_; }
  frame_cache& cache() noexcept { return cache_; }

 private:
  S s_;
  frame_cache cache_;
};

template <class Op, bool TrySync>
class stage_next {
  using S = typename Op::upstream_type;
  using Out = typename Op::value_type;

 public:
  explicit stage_next(Op& op) noexcept : op_(&op) {}
  /// Moving is allowed before the awaiter suspended (e.g. into `timeout`).
  stage_next(stage_next&& o) noexcept(
      std::is_nothrow_move_constructible_v<std::optional<item<Out>>>)
      : op_(o.op_), done_(o.done_), out_(std::move(o.out_)) {
    if (o.live_ || o.frame_) panic("eddy: a stream next() awaiter was moved while suspended");
  }
  stage_next& operator=(stage_next&&) = delete;
  ~stage_next() {
    if (frame_) frame_.destroy();
    if (live_) in_.destroy();
  }

  bool await_ready() {
    if (done_) return true;
    if constexpr (TrySync) {
      store_visitor<Out> st{out_};
      return done_ = op_->try_visit(st);
    } else {
      return done_ = pre();  // what `try_visit` would do before pulling; nothing more
    }
  }

  /// The upstream had no synchronous answer: begin its `next()` (its `next_pending()`). A
  /// one-to-one stage hands the suspension to the upstream awaiter; a looping stage runs its pull
  /// loop in a pump frame.
  template <class P>
  coro::coroutine_handle<> await_suspend(coro::coroutine_handle<P> h) {
    if constexpr (stage_access::one_to_one<Op>) {
      start();
      if (in_->await_ready()) return h;
      return suspend_to_handle(*in_, h);
    } else {
      frame_ = pump(stage_access::cache(*op_), this).h;
      frame_.promise().cont = h;
      return frame_;
    }
  }

  std::optional<item<Out>> await_resume() {
    if (frame_) frame_.promise().rethrow_if_exception();
    if (live_) take();
    return std::move(out_);
  }

 private:
  void start() {
    in_.construct(stage_access::upstream(*op_));
    live_ = true;
  }
  /// Feeds the upstream result to the operator; true when something was emitted into `out_`.
  bool take() {
    auto r = in_->await_resume();
    in_.destroy();
    live_ = false;
    store_visitor<Out> st{out_};
    tracking_emitter<store_visitor<Out>> e{st};
    input_visitor<Op, tracking_emitter<store_visitor<Out>>> in{*op_, e};
    visit_result(std::move(r), in);
    return e.emitted;
  }

  struct resume_in {
    stage_next* self;
    bool await_ready() { return self->in_->await_ready(); }
    template <class P>
    decltype(auto) await_suspend(coro::coroutine_handle<P> h) {
      return self->in_->await_suspend(h);
    }
    void await_resume() noexcept {}
  };

  /// Runs the operator's `pre` hook into `out_`; true when it emitted.
  bool pre() {
    store_visitor<Out> st{out_};
    tracking_emitter<store_visitor<Out>> e{st};
    stage_access::pre(*op_, e);
    return e.emitted;
  }

  static pump_handle pump(frame_cache&, stage_next* self) {
    for (;;) {
      if (self->pre()) co_return;
      self->start();
      co_await resume_in{self};
      if (self->take()) co_return;
    }
  }

  Op* op_;
  manual_lifetime<pending_next_of<S>> in_;
  bool live_ = false;
  bool done_ = false;
  std::optional<item<Out>> out_;
  coro::coroutine_handle<pump_promise> frame_{};
};

}  // namespace eddy::detail
