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
#include <concepts>
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The stream of `scan`: see the file comment and stream/concept.hpp.
template <class S, class Acc, class G>
class scan_stream : public detail::stage<scan_stream<S, Acc, G>, S> {
  using In = stream_value_t<S>;
  static_assert(
      requires(G& g, Acc& a, In&& v) {
        { g(a, std::move(v)) } -> std::same_as<void>;
      } || requires(G& g, Acc& a, In&& v) { a = g(std::move(a), std::move(v)); },
      "eddy::scan: g(acc, value) must return something assignable to the accumulator (or "
      "return void and update acc, taken as Acc&)");

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = Acc;

  /// Made by `scan(...)`.
  scan_stream(S s, Acc init, G g)
      : scan_stream::stage(std::move(s)), acc_(std::move(init)), g_(std::move(g)) {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = true;
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

  Acc acc_;
  G g_;
};

/// `s | scan(init, g)`: see the file comment.
template <class Acc, class G>
auto scan(Acc init, G g) {
  return detail::bind_stream<scan_stream, Acc, G>(std::move(init), std::move(g));
}

}  // namespace eddy
