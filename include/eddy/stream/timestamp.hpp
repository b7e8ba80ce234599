// SPDX-License-Identifier: BSL-1.0
/// \file
/// Values that carry a timestamp: the `timestamped` concept, `stamped<T>`, `sequenced<T>`, and
/// the operators `stamp()`, `sequence()` and `unstamp()`.
///
/// ```
/// source:            --a------b---c--|          (at t = 2, 9, 13)
///                    stamp()
/// output:            --a@2----b@9-c@13|
///                    sequence()
/// output:            --a#0----b#1-c#2|          (numbers from one process-wide counter)
/// ```
/// - A type is `timestamped` when `t.timestamp()` returns a totally ordered value. Multi-input
///   operators (`ordered_merge`, `combine_latest`, ...) order their inputs by it; the smaller
///   timestamp goes first, ties go to the input listed first.
/// - `stamped<T>`: `{value, at}`, `timestamp()` is `at`, a `time_point` of the runtime clock.
///   `stamp()` stamps each value with `now()` when the value passes (virtual time on
///   `sim_runtime`, so stamps are exact there).
/// - `sequenced<T>`: `{value, seq}`, `timestamp()` is `seq`. `sequence()` numbers values from
///   one process-wide counter (`next_sequence()`, thread-safe), so values sequenced in
///   different streams are still totally ordered by the moment they passed.
/// - `unstamp()` maps `stamped<T>`/`sequenced<T>` back to `T`.
/// - **Re-stamping** (the customisation point): a multi-input operator gives each output the
///   timestamp of the input event that caused it, so its outputs are non-decreasing whenever
///   its inputs are. When it emits a value it holds (`take_latest_when` on a trigger,
///   `emit_when` on a filter update), it sets that value's timestamp with `v.restamp(ts)`. A
///   type is `restampable` when it is `timestamped` and has a member `restamp(ts)` taking its
///   own timestamp type, after which `v.timestamp() == ts`; `stamped<T>`, `sequenced<T>` and
///   `combined<...>` (of timestamped values) have it. For a user type:
///   ```
///   struct reading {
///     double celsius;
///     std::int64_t t;
///     std::int64_t timestamp() const noexcept { return t; }
///     void restamp(std::int64_t ts) noexcept { t = ts; }  // what the operators call
///   };
///   ```
///   A `timestamped` type without it is a compile-time error for the operators that must
///   re-stamp (the message names the member to add). Values that are not `timestamped` (an
///   `int`) are never re-stamped.
/// - Errors and the end pass through unchanged. The three operators are one-to-one stages
///   (synchronous when the upstream is; no buffering).
#pragma once
#include <atomic>
#include <concepts>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "eddy/core/config.hpp"
#include "eddy/core/lock.hpp"
#include "eddy/runtime/sleep.hpp"
#include "eddy/stream/detail/stamp_wrapper.hpp"
#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// A value with a totally ordered `timestamp()`.
template <class T>
concept timestamped = requires(const T& t) {
  { t.timestamp() } -> std::totally_ordered;
};

/// The type of `t.timestamp()`.
template <timestamped T>
using timestamp_t = std::remove_cvref_t<decltype(std::declval<const T&>().timestamp())>;

/// A `timestamped` value whose timestamp can be replaced: `t.restamp(ts)` with `ts` of its own
/// timestamp type makes `t.timestamp() == ts` (see the file comment). The customisation point
/// of the operators that emit a value they hold because of another input's event.
template <class T>
concept restampable = timestamped<T> && requires(T& t, const timestamp_t<T>& ts) { t.restamp(ts); };

/// A value stamped with a runtime-clock time.
template <class T>
struct stamped {
  /// The wrapped value's type.
  using value_type = T;
  /// The value.
  T value;
  /// When it was stamped (the runtime clock).
  time_point at{};
  /// `at`: what ordered operators order by.
  time_point timestamp() const noexcept { return at; }
  /// Sets `at` to `t` (the re-stamping hook, see `restampable`).
  void restamp(time_point t) noexcept { at = t; }
  /// Member-wise equality.
  friend bool operator==(const stamped&, const stamped&) = default;
};

/// A value stamped with a sequence number.
template <class T>
struct sequenced {
  /// The wrapped value's type.
  using value_type = T;
  /// The value.
  T value;
  /// Its sequence number.
  std::uint64_t seq = 0;
  /// `seq`: what ordered operators order by.
  std::uint64_t timestamp() const noexcept { return seq; }
  /// Sets `seq` to `n` (the re-stamping hook, see `restampable`).
  void restamp(std::uint64_t n) noexcept { seq = n; }
  /// Member-wise equality.
  friend bool operator==(const sequenced&, const sequenced&) = default;
};

/// `stamped<T>{v, t}` with the type deduced.
template <class T>
stamped<std::decay_t<T>> make_stamped(T&& v, time_point t) {
  return {std::forward<T>(v), t};
}
/// `sequenced<T>{v, n}` with the type deduced.
template <class T>
sequenced<std::decay_t<T>> make_sequenced(T&& v, std::uint64_t n) {
  return {std::forward<T>(v), n};
}

/// The next number of the process-wide sequence (starts at 0). Thread-safe.
inline std::uint64_t next_sequence() noexcept {
#if EDDY_HAS_THREADS
  static std::atomic<std::uint64_t> counter{0};
  return counter.fetch_add(1, std::memory_order_relaxed);
#else
  static std::uint64_t counter = 0;
  static detail::spin_lock lock;  // the critical-section hook on firmware
  detail::lock_guard<detail::spin_lock> g(lock);
  return counter++;
#endif
}

namespace detail {

struct unstamp_kind;

/// The one-to-one stage behind `stamp()`, `sequence()` and `unstamp()`.
template <class S, class Kind>
class restamp_stream : public stage<restamp_stream<S, Kind>, S> {
  using In = stream_value_t<S>;
  static_assert(!std::is_same_v<Kind, unstamp_kind> || is_stamp_wrapper<In>::value,
                "eddy::unstamp: needs a stream of stamped<T> or sequenced<T>");

 public:
  using value_type = typename Kind::template out<In>;

  explicit restamp_stream(S s) : restamp_stream::stage(std::move(s)) {}

 private:
  friend struct stage_access;
  static constexpr bool one_to_one = true;
  template <class E>
  void on_value(In&& v, E& e) {
    e.value(Kind::apply(std::move(v)));
  }
};

struct stamp_kind {
  template <class T>
  using out = stamped<T>;
  template <class T>
  static stamped<T> apply(T&& v) {
    return stamped<T>{std::move(v), now()};
  }
};
struct sequence_kind {
  template <class T>
  using out = sequenced<T>;
  template <class T>
  static sequenced<T> apply(T&& v) {
    return sequenced<T>{std::move(v), next_sequence()};
  }
};
struct unstamp_kind {
  template <class T>
  using out = typename T::value_type;
  template <class T>
  static typename T::value_type apply(T&& v) {
    return std::move(v.value);
  }
};

}  // namespace detail

/// `s | stamp()`: each value `v` becomes `stamped{v, now()}`. See the file comment.
inline auto stamp() {
  return detail::bind_stream<detail::restamp_stream, detail::stamp_kind>();
}
/// `s | sequence()`: each value `v` becomes `sequenced{v, next_sequence()}`.
inline auto sequence() {
  return detail::bind_stream<detail::restamp_stream, detail::sequence_kind>();
}
/// `s | unstamp()`: `stamped<T>`/`sequenced<T>` back to `T`.
inline auto unstamp() {
  return detail::bind_stream<detail::restamp_stream, detail::unstamp_kind>();
}

}  // namespace eddy
