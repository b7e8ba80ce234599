// SPDX-License-Identifier: BSL-1.0
/// \file
/// `repeat(n)`: the source stream `n` times in a row, each time from a fresh copy of it.
///
/// ```
/// source:  --1--E--2|
///          repeat(2)
/// output:  --1--E--2--1--E--2|
/// ```
/// - The source must be copyable (a cold stream: `from_range`, `just`, operators over them...):
///   `s | repeat(n)` keeps `s` as it was and pulls a copy of it per round; a round starts when
///   the previous one has ended. `repeat(1)` is the source itself; `repeat(0)` ends at once
///   without pulling.
/// - Errors pass through and do not end a round.
/// - **Output timestamp: the items' own** (they pass unchanged: a repeated timestamped stream
///   goes back in time at each round).
/// - A negative `n`: the stream yields one `errc::invalid_argument` error and ends.
/// - Buffers nothing; holds the original and one copy.
#pragma once
#include <concepts>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/stream/detail/count.hpp"
#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The stream of `repeat`: see the file comment and stream/concept.hpp.
template <class S>
class repeat_stream : public detail::stage_base<repeat_stream<S>, S> {
  static_assert(std::is_copy_constructible_v<S>,
                "eddy::repeat: the source stream must be copyable (a cold stream such as "
                "from_range(v) | map(f)), not a generator or a hot source");

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `repeat(...)`.
  repeat_stream(S s, detail::checked_count n) : proto_(std::move(s)), left_(n.n), check_(n.bad) {}
  /// Move; only while no `next()` is in flight.
  repeat_stream(repeat_stream&&) = default;

 private:
  friend struct detail::stage_access;
  static constexpr bool one_to_one = false;
  S& upstream() noexcept { return *cur_; }
  template <class E>
  void pre(E& e) {
    if (check_.bad()) {
      check_.report(e);
      return;
    }
    if (cur_ && !restart_) return;
    restart_ = false;
    if (left_ == 0) {  // repeat(0)
      e.end();
      return;
    }
    --left_;
    cur_.reset();
    cur_.emplace(proto_);
  }
  template <class E>
  void on_end(E& e) {
    if (left_ == 0) {
      e.end();  // the last round; `cur_` stays, ended (fused)
      return;
    }
    restart_ = true;  // done in `pre`, outside any call into the current round
  }

  S proto_;
  std::optional<S> cur_;
  std::uint64_t left_;
  detail::arg_check check_;
  bool restart_ = false;
};

/// `s | repeat(n)`: see the file comment.
template <std::integral I>
auto repeat(I n) {
  return detail::bind_stream<repeat_stream>(
      detail::checked_count::make(n, "repeat: negative count"));
}

}  // namespace eddy
