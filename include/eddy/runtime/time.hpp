// SPDX-License-Identifier: BSL-1.0
/// \file
/// eddy's time types. Every runtime has its own clock (`runtime::now()`); `sim_runtime`'s is
/// virtual and starts at zero. `time_point` counts nanoseconds from the runtime's epoch.
///
/// **Every duration and deadline is valid.** eddy's time arithmetic saturates instead of
/// overflowing: a duration too large for nanoseconds (`hours::max()`) becomes
/// `duration::max()`, `now() + d` past the end of the clock becomes `time_point::max()`, and
/// `time_point::max()` (`eddy::never`) is "never": a timer at `never` does not fire on any
/// runtime (a `sleep(hours::max())` waits until it is aborted, `timeout(duration::max(), x)` is
/// `x` without a time limit, `sim_runtime::run()` does not jump to it). Negative values saturate
/// the other way (`sleep(nanoseconds::min())` completes at once). The helpers below are what
/// eddy itself uses; a runtime author converts deadlines to a native clock with them too.
#pragma once
#include <cstdint>
#include <limits>
#include <ratio>
#include <type_traits>

#include "eddy/core/detail/chrono.hpp"

namespace eddy {

/// The clock tag of every runtime clock. It has no static `now()`: ask a runtime (`eddy::now()`).
struct runtime_clock {
  using rep = std::int64_t;                                   ///< nanosecond count
  using period = std::nano;                                   ///< nanoseconds
  using duration = std::chrono::nanoseconds;                  ///< a span of runtime time
  using time_point = std::chrono::time_point<runtime_clock>;  ///< an instant of runtime time
  static constexpr bool is_steady = true;                     ///< runtime clocks never go back
};

/// A span of runtime time, in nanoseconds.
using duration = runtime_clock::duration;
/// An instant on a runtime's clock, in nanoseconds from the runtime's epoch.
using time_point = runtime_clock::time_point;

/// The deadline that never comes: a timer at `never` does not fire on any runtime.
inline constexpr time_point never = time_point::max();

/// Converts any `std::chrono::duration` to eddy's nanoseconds, saturating at `duration::min()`
/// and `duration::max()` instead of overflowing (a NaN floating-point duration gives zero).
template <class Rep, class Period>
constexpr duration saturating_duration(std::chrono::duration<Rep, Period> d) noexcept {
  using r = std::ratio_divide<Period, std::nano>;  // d is count * num / den nanoseconds
  constexpr std::int64_t hi = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t lo = std::numeric_limits<std::int64_t>::min();
  constexpr std::intmax_t num = r::num;
  constexpr std::intmax_t den = r::den;
  if constexpr (std::is_floating_point_v<Rep>) {
    const long double ns = static_cast<long double>(d.count()) * num / den;
    if (ns != ns) return duration::zero();
    if (ns >= static_cast<long double>(hi)) return duration::max();
    if (ns <= static_cast<long double>(lo)) return duration::min();
    return duration{static_cast<std::int64_t>(ns)};
  } else if constexpr (std::is_unsigned_v<Rep>) {
    const std::uintmax_t c = d.count();
    const std::uintmax_t q = c / static_cast<std::uintmax_t>(den);
    const std::uintmax_t rem = c % static_cast<std::uintmax_t>(den);
    if (q > static_cast<std::uintmax_t>(hi) / static_cast<std::uintmax_t>(num))
      return duration::max();
    const std::uintmax_t whole = q * static_cast<std::uintmax_t>(num);
    // rem < den, and num / den is reduced: rem * num / den < num fits when num * den does.
    const std::uintmax_t part =
        den == 1 ? 0
                 : static_cast<std::uintmax_t>(static_cast<long double>(rem) *
                                               static_cast<long double>(num) / den);
    if (whole > static_cast<std::uintmax_t>(hi) - part) return duration::max();
    return duration{static_cast<std::int64_t>(whole + part)};
  } else {
    const std::intmax_t c = d.count();
    const std::intmax_t q = c / den;  // truncates toward zero, like duration_cast
    const std::intmax_t rem = c % den;
    if (q > hi / num) return duration::max();
    if (q < lo / num) return duration::min();
    const std::intmax_t whole = q * num;
    const std::intmax_t part =
        den == 1 ? 0
                 : static_cast<std::intmax_t>(static_cast<long double>(rem) *
                                              static_cast<long double>(num) / den);
    if (part > 0 && whole > hi - part) return duration::max();
    if (part < 0 && whole < lo - part) return duration::min();
    return duration{static_cast<std::int64_t>(whole + part)};
  }
}

/// `t + d`, saturating: past the end of the clock it is `time_point::max()` (`never`), before
/// its start `time_point::min()`.
constexpr time_point saturating_add(time_point t, duration d) noexcept {
  const std::int64_t a = t.time_since_epoch().count();
  const std::int64_t b = d.count();
  if (b > 0 && a > std::numeric_limits<std::int64_t>::max() - b) return time_point::max();
  if (b < 0 && a < std::numeric_limits<std::int64_t>::min() - b) return time_point::min();
  return time_point{duration{a + b}};
}

/// `t + d` for any `std::chrono::duration`, saturating (see `saturating_add`).
template <class Rep, class Period>
constexpr time_point saturating_add(time_point t, std::chrono::duration<Rep, Period> d) noexcept {
  return saturating_add(t, saturating_duration(d));
}

/// `a - b`, saturating at `duration::min()` / `duration::max()`.
constexpr duration saturating_sub(time_point a, time_point b) noexcept {
  const std::int64_t x = a.time_since_epoch().count();
  const std::int64_t y = b.time_since_epoch().count();
  if (y < 0 && x > std::numeric_limits<std::int64_t>::max() + y) return duration::max();
  if (y > 0 && x < std::numeric_limits<std::int64_t>::min() + y) return duration::min();
  return duration{x - y};
}

/// `d * k` for `k >= 0`, saturating at `duration::max()` (and `min()` for a negative `d`).
constexpr duration saturating_mul(duration d, std::int64_t k) noexcept {
  const std::int64_t a = d.count();
  if (a == 0 || k == 0) return duration::zero();
  if (a > 0 ? a > std::numeric_limits<std::int64_t>::max() / k
            : a < std::numeric_limits<std::int64_t>::min() / k)
    return a > 0 ? duration::max() : duration::min();
  return duration{a * k};
}

/// `base + t.time_since_epoch()` on another clock (a backend's native clock), saturating at that
/// clock's `time_point::max()`; `never` maps to it too. For deadline -> native conversions.
template <class Clock, class Dur>
constexpr std::chrono::time_point<Clock, Dur> to_native_deadline(
    std::chrono::time_point<Clock, Dur> base, time_point t) noexcept {
  using native = std::chrono::time_point<Clock, Dur>;
  if (t == never) return native::max();
  duration since = t.time_since_epoch();
  if (since < duration::zero()) since = duration::zero();  // already passed: due at once
  // In the native clock's units, rounded up: a native timer never fires before the deadline.
  const auto in_native = std::chrono::ceil<Dur>(since);
  if (base.time_since_epoch() >= Dur::zero() && in_native >= native::max() - base)
    return native::max();
  return base + in_native;
}

}  // namespace eddy
