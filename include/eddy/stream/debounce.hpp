// SPDX-License-Identifier: BSL-1.0
/// \file
/// `debounce(d)`: emits a value only once `d` has passed without a newer value (trailing).
/// `debounce(fn)`: the same with a quiet time per value, `fn(value)`.
///
/// ```
/// time:    0    10   20   30   40   50   60   70
/// source:  a----b---------c---------------d--|       (d = 15)
///          debounce(15)
/// output:  ----------b(25)-----c(45)---------d(70)|   (d is flushed at the end, at once)
/// ```
/// - A value `v` arriving at `t` becomes the pending value, due at `t + d`; a newer value
///   arriving before `t + d` replaces it (and restarts the wait). A value arriving at exactly
///   `t + d` does not: the pending one is emitted first (it was quiet for `d`). Decisions use
///   the values' arrival times, so the output is exact even if the consumer runs late.
/// - **Output timestamp: the value's own** (values pass unchanged); it is emitted at `t + d`
///   on the runtime clock (exactly, on `sim_runtime`), or when the consumer next asks if later.
/// - Errors pass through at once; they neither restart the wait nor discard the pending value.
/// - At the end of the source the pending value, if any, is emitted at once, then the end.
/// - Buffering: the pending value and one head. The upstream is pulled by a pump while the
///   operator waits for the deadline (see detail/port.hpp); a synchronous upstream is pulled
///   directly (all its values arrive at the same instant, so only the last is emitted).
/// - `d <= 0`: the stream yields one `errc::invalid_argument` error and ends.
///
/// `debounce(fn)`: `fn(const T&)` returns the value's quiet time (any `std::chrono::duration`,
/// converted with saturation); it is called once per value, on the consumer's task, when the
/// value arrives, and the value is due at its arrival plus that time. Everything else is as
/// above. A zero or negative quiet time means "do not wait": the value is emitted at once (as
/// soon as the consumer asks; a value arriving at the same instant after it does not replace
/// it). A huge one (`hours::max()`) holds the value until a newer value or the end. What `fn`
/// throws propagates out of `next()` (the value is dropped).
/// ```
/// source:  a@0 b@5 c@20 |@25     (quiet: 0 for b, an urgent value; 15 for the others)
///          debounce([](char x) { return x == 'b' ? 0ms : 15ms; })
/// output:  b@5 c@25 |@25          (b replaces a and goes at once; c is flushed by the end)
/// ```
#pragma once
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/core/detail/chrono.hpp"
#include "eddy/stream/detail/timed.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

namespace detail {

/// `F` can be called with a `const T&` and gives a `std::chrono::duration` (`void`: no function,
/// true).
template <class F, class T>
constexpr bool is_duration_fn() {
  if constexpr (std::is_void_v<F>)
    return true;
  else if constexpr (std::is_invocable_v<F&, const T&>)
    return is_duration<std::remove_cvref_t<std::invoke_result_t<F&, const T&>>>;
  else
    return false;
}

/// The parameter of `debounce_stream<S, void>`'s unused function constructor.
struct no_quiet_fn {};

}  // namespace detail

/// The stream of `debounce(d)` (`F = void`) and of `debounce(fn)` (`F` the function): see the
/// file comment and stream/concept.hpp.
template <class S, class F = void>
class debounce_stream : public detail::hub_stage<debounce_stream<S, F>> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `debounce(d)`.
  debounce_stream(S s, detail::checked_duration d)
    requires std::is_void_v<F>
      : debounce_stream::hub_stage(d.bad), in_(std::move(s)), d_(d.d) {}
  /// Made by `debounce(fn)`.
  debounce_stream(S s, std::conditional_t<std::is_void_v<F>, detail::no_quiet_fn, F> fn)
    requires(!std::is_void_v<F>)
      : in_(std::move(s)), d_(std::move(fn)) {}

 private:
  static_assert(detail::is_duration_fn<F, value_type>(),
                "eddy::debounce(fn): fn must take the value (const T&) and return its quiet "
                "time as a std::chrono::duration (e.g. [](const T&) { return 100ms; })");

  friend struct detail::hub_access;
  detail::port_hub* hub() const noexcept { return in_.hub(); }
  bool deadline(time_point& t) const noexcept {
    if (!pending_) return false;
    t = due_;
    return true;
  }

  template <class V>
  bool produce(V& v) {
    for (;;) {
      if (in_.fill()) {
        if (pending_ && in_.arrival() >= due_) return flush(v);
        auto it = in_.take();
        if (it.is_error()) {
          v.error(std::move(it).error());
          return true;
        }
        const duration quiet = quiet_time(it.value());
        pending_.emplace(std::move(it).value());
        due_ = saturating_add(in_.arrival(), quiet);
        continue;
      }
      if (in_.ended()) {
        if (pending_) return flush(v);
        v.end();
        return true;
      }
      if (pending_ && now() >= due_) return flush(v);
      return false;
    }
  }
  duration quiet_time(const value_type& x) {
    if constexpr (std::is_void_v<F>) {
      return d_;
    } else {
      const duration q = saturating_duration(d_(x));
      return q < duration::zero() ? duration::zero() : q;
    }
  }
  template <class V>
  bool flush(V& v) {
    value_type x = std::move(*pending_);
    pending_.reset();
    v.value(std::move(x));
    return true;
  }

  detail::timed_input<S> in_;
  std::conditional_t<std::is_void_v<F>, duration, F> d_;  ///< the quiet time, or `fn`
  std::optional<value_type> pending_;
  time_point due_{};
};

/// `s | debounce(d)` with a duration, `s | debounce(fn)` with a function of the value giving
/// its quiet time: see the file comment.
template <class D>
auto debounce(D d) {
  if constexpr (detail::is_duration<D>) {
    return detail::bind_stream<debounce_stream>(
        detail::checked_duration::make(d, "debounce: duration must be positive"));
  } else {
    static_assert(!std::is_arithmetic_v<D>,
                  "eddy::debounce: the argument must be a std::chrono::duration (e.g. 100ms) or "
                  "a function of the value giving one");
    return detail::bind_stream<debounce_stream, D>(std::move(d));
  }
}

}  // namespace eddy
