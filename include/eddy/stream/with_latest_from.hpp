// SPDX-License-Identifier: BSL-1.0
/// \file
/// `with_latest_from`: when the primary stream emits, combines its value with the latest value
/// of every other input.
///
/// ```
/// primary: --1-----2-----3--4--|         (numbers are timestamps)
/// other:   -----a-----b--E------|
///          primary | with_latest_from(other)
/// output:  --------(2,a)-(3,b)-E-(4,b)|   (1 is dropped: other had no value yet)
/// ```
/// - `primary | with_latest_from(b, c, ...)` gives `combined<P, B, C, ...>` with `trigger` 0.
///   **Output timestamp: the primary's** (`timestamp()`, when every value is `timestamped`).
/// - Emits only when the primary has a value and every other input has had one; a primary
///   value before that is dropped. Values of the other inputs only update their latest.
/// - Order: as in every combining operator (detail/hetero.hpp): timestamp order when every
///   value is `timestamped`, else turns; a value of another input with a timestamp up to the
///   primary's is taken first when both are available.
/// - Errors of any input pass through at once. The output ends when the primary ends; another
///   input ending keeps its last value.
/// - Buffering: one head and one latest value per input; the others' values must be copyable.
#pragma once
#include <cstddef>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "eddy/stream/detail/hetero.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream of `with_latest_from`: see the file comment and stream/concept.hpp.
template <class P, class... S>
class with_latest_from_stream : public detail::hub_stage<with_latest_from_stream<P, S...>> {
  using inputs = detail::hetero_inputs<P, S...>;
  static constexpr std::size_t N = 1 + sizeof...(S);

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = combined<stream_value_t<P>, stream_value_t<S>...>;

  /// Made by `with_latest_from(...)`.
  with_latest_from_stream(P p, S... s) : in_(std::move(p), std::move(s)...) {}

 private:
  friend struct detail::hub_access;
  detail::port_hub* hub() const noexcept { return in_.hub(); }

  template <class V>
  bool produce(V& v) {
    for (;;) {
      in_.fill();
      const std::size_t i = in_.pick();
      if (i == inputs::none) {
        if (!in_.ended(0)) return false;
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
        if constexpr (k > 0) {
          std::get<k - 1>(latest_.v) = std::move(it).value();
        } else {
          if (!latest_.all_set()) return;
          detail::tracking_emitter<V> e{v};
          detail::guarded(
              e,
              [&] {
                return value_type(
                    std::tuple_cat(std::tuple<stream_value_t<P>>(std::move(it).value()),
                                   latest_.copy()),
                    0);
              },
              [&](value_type&& c) { e.value(std::move(c)); });
          emitted = true;
        }
      });
      if (emitted) return true;
    }
  }

  inputs in_;
  detail::latest_values<stream_value_t<S>...> latest_;
};

/// `primary | with_latest_from(b, c, ...)`: see the file comment. The streams are moved in.
template <class... S>
auto with_latest_from(S... others) {
  static_assert(sizeof...(S) > 0, "eddy::with_latest_from: give at least one other stream");
  static_assert((stream<S> && ...), "eddy::with_latest_from: every argument must be a stream");
  return detail::bind_stream<with_latest_from_stream, S...>(std::move(others)...);
}

}  // namespace eddy
