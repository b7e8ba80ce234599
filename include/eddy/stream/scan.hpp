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

#include "eddy/core/config.hpp"
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
  static constexpr bool run_through = true;
  template <class E>
  void on_value(In&& v, E& e) {
    step(acc_, std::move(v), e);
  }
  /// One value into the accumulator `acc`, which is emitted.
  template <class E>
  void step(Acc& acc, In&& v, E& e) {
    detail::guarded(
        e,
        [&] {
          if constexpr (std::is_void_v<std::invoke_result_t<G&, Acc&, In&&>>) {
            g_(acc, std::move(v));
          } else {
            acc = g_(std::move(acc), std::move(v));
          }
        },
        [&] { e.value(Acc(acc)); });
  }

  /// The accumulator of a run of `visit_while`, in a local (a register, not re-read after every
  /// emission, which might alias it) and stored back at the end of the run.
  template <class V>
  struct run_visitor {
    scan_stream& op;
    Acc& acc;
    V& e;
    void value(In&& v) { op.step(acc, std::move(v), e); }
    void error(eddy::error&& err) { e.error(std::move(err)); }
    void end() { e.end(); }
    bool more() { return e.more(); }
  };
  template <class V>
  bool run_upstream(V& v) {
    if constexpr (!std::is_trivially_copyable_v<Acc>) {
      return scan_stream::stage::run_upstream(v);
    } else {
      Acc acc = acc_;
      run_visitor<V> in{*this, acc, v};
#if EDDY_HAS_EXCEPTIONS
      try {
#endif
        const bool r = visit_while_of(this->upstream(), in);
        acc_ = acc;
        return r;
#if EDDY_HAS_EXCEPTIONS
      } catch (...) {
        acc_ = acc;
        throw;
      }
#endif
    }
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
