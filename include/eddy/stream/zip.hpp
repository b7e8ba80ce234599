// SPDX-License-Identifier: BSL-1.0
/// \file
/// `zip`: pairs the inputs' values by position: the first of each, then the second of each...
///
/// ```
/// a:       --1--2-----3--|
/// b:       -----x--E----y-z-|
///          a | zip(b)
/// output:  -----(1,x)-E-(2,y)-(3,z)|
/// ```
/// - `a | zip(b, c, ...)` gives `combined<A, B, C, ...>` whose `values` are the n-th value of
///   each input. `trigger` is the input whose value completed the tuple: the one with the
///   largest timestamp when every value is `timestamped` (ties: the last listed), else the
///   last input. **Output timestamp: the trigger's**, i.e. the moment the tuple was complete.
/// - Holds one value per input: an input that is ahead waits (it is not pulled again) until
///   the others have caught up. The operator waits only when it cannot emit.
/// - Errors of any input pass through at once and do not count as a position. The output ends
///   as soon as an input has ended with no value left to pair (then the other inputs' pumps
///   are stopped).
/// - Values are moved into the tuple (no copies); no allocation per item.
#pragma once
#include <cstddef>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "eddy/stream/detail/hetero.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream of `zip`: see the file comment and stream/concept.hpp.
template <class... S>
class zip_stream : public detail::hub_stage<zip_stream<S...>> {
  using inputs = detail::hetero_inputs<S...>;
  static constexpr std::size_t N = sizeof...(S);

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = combined<stream_value_t<S>...>;

  /// Made by `zip(...)`.
  explicit zip_stream(S... s) : in_(std::move(s)...) {}

 private:
  friend struct detail::hub_access;
  detail::port_hub* hub() const noexcept { return in_.hub(); }

  template <class V>
  bool produce(V& v) {
    in_.fill();
    std::size_t err = N;
    bool all = true, dead = false;
    detail::for_index<N>([&](auto I) {
      constexpr std::size_t k = decltype(I)::value;
      auto& h = in_.template head<k>();
      if (h && h->is_error() && err == N) err = k;
      if (!h || h->is_error()) all = false;
      if (!h && in_.ended(k)) dead = true;
    });
    if (err != N) {
      detail::with_index<N>(
          err, [&](auto I) { v.error(in_.template take<decltype(I)::value>().error()); });
      return true;
    }
    if (all) {
      const std::size_t trig = trigger();
      v.value(value_type(
          std::apply([&](auto&... h) { return std::tuple<stream_value_t<S>...>(take_value(h)...); },
                     heads()),
          trig));
      return true;
    }
    if (dead) {
      in_.stop_all();
      return this->finish(v);
    }
    return false;
  }

  auto heads() {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return std::tie(in_.template head<I>()...);
    }(std::make_index_sequence<N>{});
  }
  template <class T>
  static T take_value(std::optional<item<T>>& h) {
    T v = std::move(*h).value();
    h.reset();
    return v;
  }
  std::size_t trigger() {
    if constexpr (inputs::ordered) {
      std::size_t best = 0;
      typename detail::common_ts<stream_value_t<S>...>::type best_ts{};
      detail::for_index<N>([&](auto I) {
        constexpr std::size_t k = decltype(I)::value;
        auto t = in_.template head<k>()->value().timestamp();
        if (k == 0 || !(t < best_ts)) {
          best = k;
          best_ts = t;
        }
      });
      return best;
    } else {
      return N - 1;
    }
  }

  inputs in_;
};

/// `a | zip(b, c, ...)`: see the file comment. The streams are moved in.
template <class... S>
auto zip(S... others) {
  static_assert(sizeof...(S) > 0, "eddy::zip: give at least one other stream");
  static_assert((stream<S> && ...), "eddy::zip: every argument must be a stream");
  return detail::bind_stream<zip_stream, S...>(std::move(others)...);
}

}  // namespace eddy
