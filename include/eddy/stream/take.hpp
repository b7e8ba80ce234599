// SPDX-License-Identifier: BSL-1.0
/// \file
/// `take(n)`: the first `n` items, then the end.
///
/// ```
/// source:  --1--E--2--3--4--|
///          take(3)
/// output:  --1--E--2|
/// ```
/// - Errors count as items. `take(0)` ends at once without pulling. After `n` items the
///   upstream is never pulled again (a hot or infinite upstream is fine).
/// - A negative `n`: the stream yields one `errc::invalid_argument` error and ends.
/// - Does not buffer; one-to-one, synchronous when the upstream is.
#pragma once
#include <cstdint>
#include <optional>
#include <utility>

#include "eddy/stream/detail/count.hpp"
#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The stream of `take`: see the file comment and stream/concept.hpp.
template <class S>
class take_stream : public detail::stage<take_stream<S>, S> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `take(...)`.
  take_stream(S s, detail::checked_count n)
      : take_stream::stage(std::move(s)), left_(n.n), check_(n.bad) {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = true;
  template <class E>
  void pre(E& e) {
    if (check_.bad())
      check_.report(e);
    else if (left_ == 0)
      e.end();
  }
  template <class E>
  void on_value(value_type&& v, E& e) {
    --left_;
    e.value(std::move(v));
  }
  template <class E>
  void on_error(eddy::error&& err, E& e) {
    --left_;
    e.error(std::move(err));
  }

  std::uint64_t left_;
  detail::arg_check check_;
};

/// `s | take(n)`: see the file comment.
template <std::integral I>
auto take(I n) {
  return detail::bind_stream<take_stream>(detail::checked_count::make(n, "take: negative count"));
}

}  // namespace eddy
