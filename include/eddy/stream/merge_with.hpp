// SPDX-License-Identifier: BSL-1.0
/// \file
/// `merge_with(seed)`: merges inputs into one stream through a state shared by all of them.
///
/// ```cpp
/// auto totals = eddy::merge_with(0)                                  // the state, seeded once
///                   .merge(std::move(deposits), [](int v, int& sum) { return sum += v; })
///                   .merge(std::move(withdrawals), [](int v, int& sum) { return sum -= v; });
/// ```
/// ```
/// deposits:     --10--------5-----|     (numbers in the marble are values; timestamps
/// withdrawals:  -------3---------2--|    order them)
/// output:       --10---7----12----10|
/// ```
/// - `merge_with(seed)` holds the state (a copy of `seed`); each `.merge(s, f)` adds an input
///   and its function `f(value, State&) -> R` (every function returns the same `R`). The
///   result is a stream of `R`: each input value `v` becomes `f(std::move(v), state)`, called
///   on the consumer's task, one at a time, so the state needs no lock.
/// - Order: the inputs' values are taken in timestamp order when every input value type is
///   `timestamped`, else in turns (see detail/hetero.hpp).
/// - **Output timestamp: whatever `f` returns** (the operator does not stamp; to keep the
///   source's timestamp, return a value that carries it, e.g. `stamped{sum, v.at}`).
/// - Errors of every input pass through at once and do not touch the state. The output ends
///   when every input has ended. An `f` that throws gives an `errc::exception` error item (the
///   state keeps whatever `f` did to it).
/// - With no input (`merge_with(seed)` alone used as a stream): one `errc::invalid_argument`
///   error, then the end.
/// - Buffering: one head per input. The inputs are moved into the operator's block at the first
///   `next()` (or synchronous pull); `.merge` on a started stream is a programming error.
#pragma once
#include <cstddef>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "eddy/stream/detail/hetero.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

template <class State, class Streams = std::tuple<>, class Fns = std::tuple<>>
class merge_with_stream;

/// The stream of `merge_with`: see the file comment and stream/concept.hpp.
template <class State, class... S, class... F>
class merge_with_stream<State, std::tuple<S...>, std::tuple<F...>>
    : public detail::hub_stage<merge_with_stream<State, std::tuple<S...>, std::tuple<F...>>> {
  static constexpr std::size_t N = sizeof...(S);
  using inputs = std::conditional_t<(N > 0), detail::hetero_inputs<S...>, int>;

  template <class, class, class>
  friend class merge_with_stream;

  template <class T>
  struct no_output {
    using type = T;
  };

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = typename std::conditional_t<
      (N > 0), std::common_type<std::invoke_result_t<F&, stream_value_t<S>&&, State&>...>,
      no_output<State>>::type;

  /// Made by `merge_with(...)`.
  explicit merge_with_stream(State seed)
      : merge_with_stream::hub_stage(N == 0 ? "merge_with: no inputs" : nullptr),
        state_(std::move(seed)) {}
  /// Made by `merge_with(...)`.
  merge_with_stream(State st, std::tuple<S...>&& s, std::tuple<F...>&& f)
      : merge_with_stream::hub_stage(N == 0 ? "merge_with: no inputs" : nullptr),
        state_(std::move(st)),
        streams_(std::move(s)),
        fns_(std::move(f)) {}

  /// Adds input `s`, mapped with `f(value, State&)`. See the file comment.
  template <class S2, class F2>
    requires stream<S2>
  auto merge(S2 s, F2 f) && {
    if (in_) panic("eddy::merge_with: merge() on a stream that has started");
    return merge_with_stream<State, std::tuple<S..., S2>, std::tuple<F..., F2>>(
        std::move(state_), std::tuple_cat(std::move(streams_), std::tuple<S2>(std::move(s))),
        std::tuple_cat(std::move(fns_), std::tuple<F2>(std::move(f))));
  }

  /// The state (for inspection between items).
  const State& state() const noexcept { return state_; }

 private:
  friend struct detail::hub_access;
  detail::port_hub* hub() {
    if constexpr (N > 0) {
      return in_->hub();
    } else {
      return nullptr;
    }
  }

  template <class V>
  bool produce(V& v) {
    if constexpr (N == 0) {
      return this->finish(v);  // not reached: the base reports the missing inputs
    } else {
      if (!in_) {
        std::apply([&](S&... s) { in_.emplace(std::move(s)...); }, streams_);
      }
      for (;;) {
        in_->fill();
        const std::size_t i = in_->pick();
        if (i == inputs::none) {
          if (!in_->all_ended()) return false;
          return this->finish(v);
        }
        detail::tracking_emitter<V> e{v};
        detail::with_index<N>(i, [&](auto I) {
          constexpr std::size_t k = decltype(I)::value;
          auto it = in_->template take<k>();
          if (it.is_error()) {
            e.error(std::move(it).error());
            return;
          }
          detail::guarded(
              e, [&]() -> value_type { return std::get<k>(fns_)(std::move(it).value(), state_); },
              [&](value_type&& r) { e.value(std::move(r)); });
        });
        if (e.emitted) return true;
      }
    }
  }

  State state_;
  std::tuple<S...> streams_;
  std::tuple<F...> fns_;
  std::optional<inputs> in_;
};

/// `merge_with(seed).merge(s1, f1).merge(s2, f2)...`: see the file comment.
template <class State>
auto merge_with(State seed) {
  return merge_with_stream<State>(std::move(seed));
}

}  // namespace eddy
