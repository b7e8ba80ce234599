// SPDX-License-Identifier: BSL-1.0
/// \file
/// `start_with(a, b, ...)`: emits the given items first, then the upstream's.
///
/// ```
/// source:          --1--2--|
///                  start_with(7, 8)
/// output:  7-8------1--2--|
/// ```
/// - The arguments are values convertible to the stream's `T`, or `item<T>` (to start with an
///   error). They are stored in the operator and moved out when emitted.
/// - The upstream is not pulled until the initial items are all emitted. Errors of the
///   upstream pass through.
/// - Buffers only its arguments; one-to-one afterwards.
#pragma once
#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The stream of `start_with`: see the file comment and stream/concept.hpp.
template <class S, class V, std::size_t N>
class start_with_stream : public detail::stage<start_with_stream<S, V, N>, S> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `start_with(...)`.
  template <class... A>
  start_with_stream(S s, A&&... a)
      : start_with_stream::stage(std::move(s)), vals_{std::forward<A>(a)...} {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = true;
  template <class E>
  void pre(E& e) {
    if (i_ == N) return;
    V& x = vals_[i_++];
    if constexpr (detail::is_item<V>::value) {
      if (x.is_value())
        e.value(value_type(std::move(x).value()));
      else
        e.error(eddy::error(x.error()));
    } else {
      e.value(value_type(std::move(x)));
    }
  }

  V vals_[N];
  std::size_t i_ = 0;
};

/// `s | start_with(a, b, ...)`: see the file comment. At least one item.
template <class A, class... B>
auto start_with(A&& a, B&&... b) {
  using V = std::common_type_t<std::decay_t<A>, std::decay_t<B>...>;
  return detail::pipe_with(
      [v0 = V(std::forward<A>(a)), ... v = V(std::forward<B>(b))]<class S>(S&& s) mutable {
        using D = std::remove_cvref_t<S>;
        return start_with_stream<D, V, 1 + sizeof...(B)>(D(std::forward<S>(s)), std::move(v0),
                                                         std::move(v)...);
      });
}

}  // namespace eddy
