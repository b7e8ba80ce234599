// SPDX-License-Identifier: BSL-1.0
/// \file
/// `map(f)`: applies `f` to every value.
///
/// ```
/// source:  --1----2----E----3--|
///          map(x * 10)
/// output:  --10---20---E----30-|
/// ```
/// - Values become `f(value)`; errors pass through unchanged; the end passes through.
/// - If `f` throws (exceptions on), that item becomes an `errc::exception` error item.
/// - Does not buffer; synchronous when the upstream is (one-to-one: it never suspends itself).
#pragma once
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The stream of `map`: see the file comment and stream/concept.hpp.
template <class S, class F>
class map_stream : public detail::stage<map_stream<S, F>, S> {
  using In = stream_value_t<S>;
  static_assert(std::is_invocable_v<F&, In&&>,
                "eddy::map: the function must be callable with the stream's value (f(T&&))");
  static_assert(!std::is_invocable_v<F&, In&&> || !std::is_void_v<std::invoke_result_t<F&, In&&>>,
                "eddy::map: the function must return a value (it returns void; tap() is for side "
                "effects)");

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = std::remove_cvref_t<std::invoke_result_t<F&, In&&>>;

  /// Made by `map(...)`.
  map_stream(S s, F f) : map_stream::stage(std::move(s)), f_(std::move(f)) {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = true;
  static constexpr bool run_through = true;
  template <class E>
  void on_value(In&& v, E& e) {
    detail::guarded(
        e, [&]() -> value_type { return f_(std::move(v)); },
        [&](value_type&& out) { e.value(std::move(out)); });
  }

  F f_;
};

/// `s | map(f)`: see the file comment.
template <class F>
auto map(F f) {
  return detail::bind_stream<map_stream, F>(std::move(f));
}

}  // namespace eddy
