// SPDX-License-Identifier: BSL-1.0
/// \file
/// `scan(init, g)`: a running accumulation; emits the accumulator after every value.
///
/// ```
/// source:  --1--2--E--3--|
///          scan(0, [](int acc, int x) { return acc + x; })
/// output:  --1--3--E--6--|
/// ```
/// - `g(acc, value)` returns the new accumulator (`acc` is passed as an rvalue), or, if it
///   returns void, mutates `acc` (taken as `Acc&`). Each value emits a copy of the new accumulator.
/// - Errors pass through and leave the accumulator unchanged. If `g` throws (exceptions on), that
///   value becomes an `errc::exception` error item and the accumulator is left as `g` left it.
/// - Buffers nothing but the accumulator; one-to-one, synchronous when the upstream is.
#pragma once
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The stream made by `scan`: see the file comment and docs/operators.md for
/// its marbles and its timestamp, error and buffering rules. One consumer, one `next()` at a time,
/// not thread-safe; owns its input(s); movable only while no `next()` is in flight.
template <class S, class Acc, class G>
class scan_stream : public detail::stage<scan_stream<S, Acc, G>> {
  using In = stream_value_t<S>;

 public:
  /// The input stream's type.
  using upstream_type = S;
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = Acc;

  /// Made by `scan(...)`, which validates the arguments (see the file comment); takes ownership of
  /// the input stream(s) and functions.
  scan_stream(S s, Acc init, G g) : s_(std::move(s)), acc_(std::move(init)), g_(std::move(g)) {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = true;
  S& upstream() noexcept { return s_; }
  template <class E>
  void on_value(In&& v, E& e) {
    detail::guarded(
        e,
        [&] {
          if constexpr (std::is_void_v<std::invoke_result_t<G&, Acc&, In&&>>) {
            g_(acc_, std::move(v));
          } else {
            acc_ = g_(std::move(acc_), std::move(v));
          }
        },
        [&] { e.value(Acc(acc_)); });
  }

  S s_;
  Acc acc_;
  G g_;
};

namespace detail {
template <class Acc, class G>
struct scan_closure : pipe_closure {
  Acc init;
  G g;
  template <class S>
  auto apply(S&& s) && {
    return scan_stream<std::remove_cvref_t<S>, Acc, G>(std::forward<S>(s), std::move(init),
                                                       std::move(g));
  }
};
}  // namespace detail

/// `s | scan(init, g)`: see the file comment.
template <class Acc, class G>
auto scan(Acc init, G g) {
  return detail::scan_closure<Acc, G>{{}, std::move(init), std::move(g)};
}

}  // namespace eddy
