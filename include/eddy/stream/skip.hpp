// SPDX-License-Identifier: BSL-1.0
/// \file
/// `skip(n)`: drops the first `n` items, then passes everything.
///
/// ```
/// source:  --1--E--2--3--|
///          skip(2)
/// output:  --------2--3--|
/// ```
/// - Errors count as items (a skipped error is dropped). `skip(0)` passes everything.
/// - A negative `n`: the stream yields one `errc::invalid_argument` error and ends.
/// - Does not buffer.
#pragma once
#include <cstdint>
#include <optional>
#include <utility>

#include "eddy/stream/detail/count.hpp"
#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The stream of `skip`: see the file comment and stream/concept.hpp.
template <class S>
class skip_stream : public detail::stage<skip_stream<S>, S> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `skip(...)`.
  skip_stream(S s, detail::checked_count n)
      : skip_stream::stage(std::move(s)), left_(n.n), check_(n.bad) {}

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = false;
  template <class E>
  void pre(E& e) {
    check_.report(e);
  }
  template <class E>
  void on_value(value_type&& v, E& e) {
    if (left_ > 0)
      --left_;
    else
      e.value(std::move(v));
  }
  template <class E>
  void on_error(eddy::error&& err, E& e) {
    if (left_ > 0)
      --left_;
    else
      e.error(std::move(err));
  }

  std::uint64_t left_;
  detail::arg_check check_;
};

/// `s | skip(n)`: see the file comment.
template <std::integral I>
auto skip(I n) {
  return detail::bind_stream<skip_stream>(detail::checked_count::make(n, "skip: negative count"));
}

}  // namespace eddy
