// SPDX-License-Identifier: BSL-1.0
/// \file
/// `combine_latest`: once every input has a value, emits the latest value of each input every
/// time any input has a new one.
///
/// ```
/// a:       --1-----2-----------3--|     (numbers are timestamps)
/// b:       -----a-----b--E--c-----|
///          a | combine_latest(b)
/// output:  -----(1,a)-(2,a)-(2,b)-E-(2,c)-(3,c)-|
/// ```
/// - Forms: `a | combine_latest(b, c, ...)`, and `a | combine_latest(b, ...).filter(pred)`,
///   which emits only the combinations for which `pred(const combined<...>&)` is true (one
///   stage, evaluated before anything is emitted).
/// - Output: `combined<A, B, ...>`: `values` (a tuple of copies of the latest values, in input
///   order), `get<I>()`, and `trigger`, the index of the input whose value caused the
///   emission. **Output timestamp: the trigger's** (`timestamp()`, when every input value is
///   `timestamped`).
/// - Order: the inputs' items are taken in timestamp order when every value type is
///   `timestamped`, else in turns (see detail/hetero.hpp for the exact rule: what is available
///   now goes in order; the operator waits only when it holds nothing).
/// - Nothing is emitted until every input has had a value; values before that only update
///   the latest. Errors of any input pass through at once and change nothing.
/// - The output ends when every input has ended, or as soon as an input has ended without ever
///   having a value (no combination can follow). A filter or a copy that throws (exceptions
///   on) gives an `errc::exception` error item.
/// - Buffering: one head and one latest value per input; values must be copyable (each
///   emission copies the latest values). No allocation per item beyond what copying does.
#pragma once
#include <cstddef>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "eddy/stream/detail/hetero.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

namespace detail {
/// "No filter" for combine_latest.
struct no_filter {
  template <class C>
  constexpr bool operator()(const C&) const noexcept {
    return true;
  }
};
}  // namespace detail

/// The stream of `combine_latest`: see the file comment and stream/concept.hpp.
template <class Pred, class... S>
class combine_latest_stream : public detail::hub_stage<combine_latest_stream<Pred, S...>> {
  using inputs = detail::hetero_inputs<S...>;
  static constexpr std::size_t N = sizeof...(S);

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = combined<stream_value_t<S>...>;

  /// Made by `combine_latest(...)`.
  combine_latest_stream(Pred p, S... s) : in_(std::move(s)...), pred_(std::move(p)) {}

 private:
  friend struct detail::hub_access;
  detail::port_hub* hub() const noexcept { return in_.hub(); }

  template <class V>
  bool produce(V& v) {
    for (;;) {
      in_.fill();
      const std::size_t i = in_.pick();
      if (i == inputs::none) {
        bool finished = in_.all_ended();
        detail::for_index<N>([&](auto I) {
          if (in_.ended(I) && !std::get<decltype(I)::value>(latest_.v)) finished = true;
        });
        if (!finished) return false;
        in_.stop_all();
        return this->finish(v);
      }
      bool emitted = false;
      detail::with_index<N>(i, [&](auto I) {
        constexpr std::size_t k = decltype(I)::value;
        auto it = in_.template take<k>();
        if (it.is_error()) {
          v.error(std::move(it).error());
          emitted = true;
          return;
        }
        std::get<k>(latest_.v) = std::move(it).value();
        if (!latest_.all_set()) return;
        detail::tracking_emitter<V> e{v};
        detail::guarded(
            e, [&] { return value_type(latest_.copy(), k); },
            [&](value_type&& c) {
              detail::guarded(
                  e, [&] { return static_cast<bool>(pred_(std::as_const(c))); },
                  [&](bool keep) {
                    if (keep) e.value(std::move(c));
                  });
            });
        emitted = e.emitted;
      });
      if (emitted) return true;
    }
  }

  inputs in_;
  Pred pred_;
  detail::latest_values<stream_value_t<S>...> latest_;
};

namespace detail {
template <class Pred, class... S>
struct combine_latest_closure : pipe_closure {
  Pred pred;
  std::tuple<S...> others;
  /// Emits only the combinations for which `p(const combined<...>&)` is true.
  template <class P>
  auto filter(P p) && {
    return combine_latest_closure<P, S...>{{}, std::move(p), std::move(others)};
  }
  template <class A>
  auto apply(A&& a) && {
    using D = std::remove_cvref_t<A>;
    return std::apply(
        [&](S&... o) {
          return combine_latest_stream<Pred, D, S...>(std::move(pred), D(std::forward<A>(a)),
                                                      std::move(o)...);
        },
        others);
  }
};
}  // namespace detail

/// `a | combine_latest(b, c, ...)`: see the file comment. The streams are moved in.
template <class... S>
auto combine_latest(S... others) {
  static_assert(sizeof...(S) > 0, "eddy::combine_latest: give at least one other stream");
  static_assert((stream<S> && ...), "eddy::combine_latest: every argument must be a stream");
  return detail::combine_latest_closure<detail::no_filter, S...>{
      {}, {}, std::tuple<S...>(std::move(others)...)};
}

}  // namespace eddy
