// SPDX-License-Identifier: BSL-1.0
/// \file
/// `retry`: on an error, drops the current stream and subscribes to a fresh one, up to `n`
/// times, optionally after a delay computed per attempt from the runtime clock.
///
/// ```
/// factory() gives:  --1--2--E        (the first time)
///                   --1--2--3--|     (the second time)
/// retry(1, factory)
/// output:           --1--2-----1--2--3--|
///
/// factory() gives:  --1--E1           (every time)
/// retry(1, factory)
/// output:           --1-----1--E1|    (retries exhausted: the last error, then the end)
///
/// factory() gives:  ----E             (an error 5ms after each subscription)
/// retry(2, factory, retry_delay::constant(10ms))
/// subscriptions at 0, 15 and 30; errors at 5 and 20 swallowed;
/// output:           E(35)|            (the third error, at 35, then the end)
/// ```
/// The forms:
/// - `retry(n, factory)`: a source; `factory()` gives the stream, called lazily (at the first
///   `next()`) and once per retry.
/// - `retry(n, factory, delay_fn, reset_on_success = false)`: the same, with a delay before each
///   retry (below).
/// - `s | retry(n)` and `s | retry(n, delay_fn, reset_on_success = false)`: the same over a
///   copyable (cold) stream `s`: each attempt pulls a fresh copy of `s`, as `repeat` does.
///
/// Rules:
/// - **The first `n` errors are swallowed**, each one re-subscribing. **The next error is passed
///   on and the output ends** (the current stream is dropped, nothing more is pulled); so
///   `retry(0, ...)` passes the first error on and ends. (Until this release, errors after
///   the retries passed through and the stream went on, see CHANGELOG.md; `defer` keeps that
///   behaviour: it never retries and passes every error through.)
/// - **Delays.** Attempt `k` (`k = 1` for the first retry) waits `delay_fn(k)` (a `duration`;
///   zero or negative: no wait) measured on the runtime clock from the moment the error was
///   pulled (exactly, on `sim_runtime`); the new stream is made (`factory()` is called) when
///   the retry is decided and is first pulled once the delay has passed. Waiting is a sleep on
///   the runtime inside `next()` (no task of its own; cancel-safe: a `next()` destroyed while
///   waiting disarms the timer, and the next `next()` waits for what is left of the delay).
///   Ready-made delays: `retry_delay::constant(d)` and `retry_delay::exponential(initial, factor,
///   cap)` (`initial * factor^(k-1)`, at most `cap`). `delay_fn` runs on the consuming task.
/// - **`reset_on_success`**: a value that arrives after a retry restores the full count `n` and
///   restarts the attempts at `k = 1` (so a long-lived stream that fails now and then retries
///   forever, while a stream that fails `n + 1` times in a row without a value gives up).
/// - **Output timestamp:** the items' own (they pass unchanged).
/// - If `factory()` throws (exceptions on), that becomes an `errc::exception` error item and
///   the stream ends.
/// - Bad arguments (a negative `n`, a `retry_delay` helper built with bad arguments): the
///   stream yields one `errc::invalid_argument` error and ends, without calling `factory()`.
/// - Buffers nothing; holds one upstream at a time (plus the factory or the original stream).
/// - Thread-safety: like any stream, one consumer at a time; `factory` and `delay_fn` run on
///   the task that pulls.
#pragma once
#include <concepts>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/core/coro.hpp"
#include "eddy/core/detail/chrono.hpp"
#include "eddy/runtime/sleep.hpp"
#include "eddy/stream/detail/count.hpp"
#include "eddy/stream/detail/frame.hpp"
#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// Ready-made delay functions for `retry` (retry.hpp). Each is a small copyable function
/// object `duration operator()(std::uint64_t attempt) const` (`attempt` = 1 for the first
/// retry); thread-safe to call (no state).
namespace retry_delay {

/// The same delay before every retry.
struct constant_delay {
  duration d{};               ///< the delay
  const char* bad = nullptr;  ///< set when built with a negative delay
  /// The delay before retry number `attempt`: always `d`.
  duration operator()(std::uint64_t) const noexcept { return d; }
};

/// `initial * factor^(attempt - 1)`, capped at `cap` (saturating: never overflows).
struct exponential_delay {
  duration initial{};         ///< the delay before the first retry
  double factor = 2;          ///< the growth per attempt (at least 1)
  duration cap{};             ///< the longest delay
  const char* bad = nullptr;  ///< set when built with bad arguments
  /// The delay before retry number `attempt`.
  duration operator()(std::uint64_t attempt) const noexcept {
    // (a zero initial stays zero: 0 * an infinite power would be NaN)
    if (attempt <= 1 || initial <= duration::zero()) return initial;
    // initial * factor^(attempt - 1) by squaring (no <cmath> in this header); every factor left
    // is >= 1, so the product can stop growing once it reaches the cap.
    const double c = static_cast<double>(cap.count());
    double x = static_cast<double>(initial.count());
    double f = factor;
    for (std::uint64_t n = attempt - 1; n != 0 && x < c; n >>= 1, f *= f)
      if (n & 1) x *= f;
    return x >= c ? cap : duration(static_cast<duration::rep>(x));
  }
};

/// `constant(d)`: wait `d` before every retry. A negative `d` is an invalid argument of the
/// `retry` that uses it.
template <class Rep, class Period>
constant_delay constant(std::chrono::duration<Rep, Period> d) noexcept {
  constant_delay c{saturating_duration(d)};
  if (c.d < duration::zero()) c.bad = "retry_delay::constant: negative delay";
  return c;
}

/// `exponential(initial, factor, cap)`: wait `initial`, then `initial * factor`, ... never more
/// than `cap` (exponential backoff). `initial < 0`, `factor < 1` (or not a number) or
/// `cap < initial` is an invalid argument of the `retry` that uses it.
template <class R1, class P1, class R2, class P2>
exponential_delay exponential(std::chrono::duration<R1, P1> initial, double factor,
                              std::chrono::duration<R2, P2> cap) noexcept {
  exponential_delay e{saturating_duration(initial), factor, saturating_duration(cap)};
  if (e.initial < duration::zero() || !(factor >= 1) || e.cap < e.initial)
    e.bad = "retry_delay::exponential: needs 0 <= initial <= cap and factor >= 1";
  return e;
}

}  // namespace retry_delay

namespace detail {

/// The delay of the plain `retry(n, factory)`: none (the stream is used as it is).
struct no_retry_delay {};

/// The bad-argument message a delay function carries, if it is one of the helpers.
template <class D>
const char* delay_check(const D& d) noexcept {
  if constexpr (requires { d.bad; }) {
    return d.bad;
  } else {
    return nullptr;
  }
}

/// A stream `S` whose first pull waits until `due` on the runtime clock (the next attempt of a
/// `retry` with a delay). After that it is `S`.
template <class S>
class delayed_start {
 public:
  using value_type = stream_value_t<S>;

  /// `wait == false`: no delay.
  delayed_start(S s, bool wait, time_point due) : s_(std::move(s)), due_(due), waiting_(wait) {}
  delayed_start(delayed_start&&) = default;

  template <class V>
  bool try_visit(V& v) {
    if (waiting_) {
      if (now() < due_) return false;
      waiting_ = false;
    }
    return try_visit_of(s_, v);
  }

  /// The awaiter of `next()`: the synchronous path, else (in a loop frame allocated once per
  /// attempt) sleeps until `due`, then awaits `S`'s `next()`.
  class awaiter {
   public:
    explicit awaiter(delayed_start& d) noexcept : d_(&d) {}
    awaiter(awaiter&& o) : d_(o.d_), out_(std::move(o.out_)), frame_(std::move(o.frame_)) {}
    awaiter& operator=(awaiter&&) = delete;
    bool await_ready() {
      store_visitor<value_type> st{out_};
      return d_->try_visit(st);
    }
    template <class P>
    coro::coroutine_handle<> await_suspend(coro::coroutine_handle<P> h) {
      return frame_.start(loop(d_->cache_, this), h);
    }
    std::optional<item<value_type>> await_resume() {
      frame_.rethrow();
      return std::move(out_);
    }

   private:
    static pump_handle loop(frame_cache&, awaiter* self) {
      delayed_start& d = *self->d_;
      if (d.waiting_) {
        co_await sleep_until(d.due_);
        d.waiting_ = false;
      }
      self->out_ = co_await d.s_.next();
    }

    delayed_start* d_;
    std::optional<item<value_type>> out_;
    loop_frame frame_;
  };
  awaiter next() { return awaiter(*this); }

 private:
  S s_;
  time_point due_;
  bool waiting_;
  frame_cache cache_;
};

template <class F, class D>
struct retry_upstream {
  using type = std::remove_cvref_t<std::invoke_result_t<F&>>;
};
template <class F, class D>
  requires(!std::is_same_v<D, no_retry_delay>)
struct retry_upstream<F, D> {
  using type = delayed_start<std::remove_cvref_t<std::invoke_result_t<F&>>>;
};

/// The factory of the pipeable `retry`: a fresh copy of the original stream per attempt.
template <class S>
struct copy_factory {
  static_assert(std::is_copy_constructible_v<S>,
                "eddy::retry: s | retry(...) needs a copyable source stream (a cold stream such "
                "as from_range(v) | map(f)); for another stream use retry(n, factory)");
  S s;
  S operator()() const { return s; }
};

}  // namespace detail

/// The stream of `retry` (and of `defer`): see the file comment and stream/concept.hpp.
/// `F` makes the streams; `D` is the delay function (`detail::no_retry_delay`: none).
template <class F, class D = detail::no_retry_delay>
class retry_stream
    : public detail::stage_base<retry_stream<F, D>, typename detail::retry_upstream<F, D>::type> {
  using S = std::remove_cvref_t<std::invoke_result_t<F&>>;
  using U = typename detail::retry_upstream<F, D>::type;
  static constexpr bool timed = !std::is_same_v<D, detail::no_retry_delay>;

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `retry(...)`. `end_after_error == false` is `defer`: errors pass and do not end.
  retry_stream(detail::checked_count n, F f, D delay = {}, bool reset_on_success = false,
               bool end_after_error = true)
      : n_(n.n),
        left_(n.n),
        check_(n.bad ? n.bad : detail::delay_check(delay)),
        f_(std::move(f)),
        delay_(std::move(delay)),
        reset_(reset_on_success),
        end_after_error_(end_after_error) {}
  /// Move; only while no `next()` is in flight (the moved-from stream may only be destroyed
  /// or assigned).
  retry_stream(retry_stream&&) = default;

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = false;
  U& upstream() noexcept { return *s_; }
  template <class E>
  void pre(E& e) {
    if (check_.bad()) {
      check_.report(e);
      return;
    }
    if (dead_) {
      s_.reset();
      e.end();
      return;
    }
    if (!s_ || resubscribe_) {
      resubscribe_ = false;
      s_.reset();
      detail::guarded(
          e, [&] { make(); }, [] {});
      if (!s_) dead_ = true;  // the factory threw: the error was emitted, the end follows
    }
  }
  void make() {
    if constexpr (timed)
      s_.emplace(f_(), wait_, due_);
    else
      s_.emplace(f_());
  }
  template <class V, class E>
  void on_value(V&& v, E& e) {
    if (reset_ && attempt_ != 0) {
      left_ = n_;
      attempt_ = 0;
    }
    e.value(std::forward<V>(v));
  }
  template <class E>
  void on_error(eddy::error&& err, E& e) {
    if (left_ == 0) {
      dead_ = end_after_error_;
      e.error(std::move(err));
      return;
    }
    --left_;
    ++attempt_;
    if constexpr (timed) {
      const duration d = delay_(attempt_);
      wait_ = d > duration::zero();
      if (wait_) due_ = saturating_add(now(), d);
    }
    resubscribe_ = true;  // done in `pre`, outside any call into the current upstream
  }

  std::uint64_t n_;
  std::uint64_t left_;
  std::uint64_t attempt_ = 0;  ///< retries since the start (or since the last reset)
  detail::arg_check check_;
  F f_;
  [[no_unique_address]] D delay_;
  bool reset_;
  bool end_after_error_;
  std::optional<U> s_;
  bool resubscribe_ = false;
  bool dead_ = false;
  bool wait_ = false;  ///< the next attempt waits until `due_`
  time_point due_{};
};

/// `retry(n, factory)`: see the file comment.
template <std::integral I, class F>
  requires std::invocable<F&>
auto retry(I n, F factory) {
  return retry_stream<F>(detail::checked_count::make(n, "retry: negative count"),
                         std::move(factory));
}

/// `retry(n, factory, delay_fn, reset_on_success)`: see the file comment.
template <std::integral I, class F, class D>
  requires std::invocable<F&> && std::invocable<const D&, std::uint64_t>
auto retry(I n, F factory, D delay_fn, bool reset_on_success = false) {
  static_assert(std::is_convertible_v<std::invoke_result_t<const D&, std::uint64_t>, duration>,
                "eddy::retry: delay_fn(attempt) must return a duration");
  return retry_stream<F, D>(detail::checked_count::make(n, "retry: negative count"),
                            std::move(factory), std::move(delay_fn), reset_on_success);
}

/// `s | retry(n, delay_fn, reset_on_success)`: over a copyable stream; see the file comment.
template <std::integral I, class D>
  requires(!std::invocable<D&>) && std::invocable<const D&, std::uint64_t>
auto retry(I n, D delay_fn, bool reset_on_success = false) {
  return detail::pipe_with([c = detail::checked_count::make(n, "retry: negative count"),
                            d = std::move(delay_fn), reset_on_success]<class S>(S&& s) mutable {
    using Src = std::remove_cvref_t<S>;
    return retry_stream<detail::copy_factory<Src>, D>(
        c, detail::copy_factory<Src>{Src(std::forward<S>(s))}, std::move(d), reset_on_success);
  });
}

/// `s | retry(n)`: over a copyable stream, without a delay; see the file comment.
template <std::integral I>
auto retry(I n) {
  return detail::pipe_with(
      [c = detail::checked_count::make(n, "retry: negative count")]<class S>(S&& s) mutable {
        using Src = std::remove_cvref_t<S>;
        return retry_stream<detail::copy_factory<Src>>(
            c, detail::copy_factory<Src>{Src(std::forward<S>(s))});
      });
}

}  // namespace eddy
