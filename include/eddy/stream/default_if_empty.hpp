// SPDX-License-Identifier: BSL-1.0
/// \file
/// `default_if_empty(v)`: passes every item; if the stream ends without having had a value,
/// emits `v` before the end.
///
/// ```
/// source:  --E--|                 source:  --1--|
///          default_if_empty(7)             default_if_empty(7)
/// output:  --E--7|                output:  --1--|
/// ```
/// - `v` (anything the stream's `T` can be built from) is held until it is emitted (moved out)
///   or the first value comes (then it is dropped).
/// - Errors pass through and do not count as values: a stream of errors only still gets `v`.
/// - The operator for "a default instead of `errc::empty`" before a terminal such as `first()`
///   or `reduce(f)` (DESIGN: terminals fail on an empty stream; this is the other choice).
/// - **Output timestamp:** the items' own; `v` is emitted as given (set its timestamp yourself
///   when the values are timestamped).
/// - Buffers only `v`; synchronous when the upstream is.
#pragma once
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The stream of `default_if_empty`: see the file comment and stream/concept.hpp.
template <class S, class V>
class default_if_empty_stream : public detail::stage<default_if_empty_stream<S, V>, S> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;
  static_assert(std::is_constructible_v<value_type, V&&>,
                "eddy::default_if_empty: the default must convert to the stream's value type");

  /// Made by `default_if_empty(...)`.
  default_if_empty_stream(S s, V v)
      : default_if_empty_stream::stage(std::move(s)), v_(std::in_place, std::move(v)) {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = false;
  template <class E>
  void pre(E& e) {
    if (ended_) e.end();
  }
  template <class E>
  void on_value(value_type&& x, E& e) {
    v_.reset();  // not needed any more
    e.value(std::move(x));
  }
  template <class E>
  void on_end(E& e) {
    ended_ = true;
    if (v_) {
      value_type d(std::move(*v_));
      v_.reset();
      e.value(std::move(d));  // the end follows, from `pre`
    } else {
      e.end();
    }
  }

  std::optional<V> v_;
  bool ended_ = false;
};

/// `s | default_if_empty(v)`: see the file comment.
template <class V>
auto default_if_empty(V v) {
  return detail::bind_stream<default_if_empty_stream, V>(std::move(v));
}

}  // namespace eddy
