// SPDX-License-Identifier: BSL-1.0
/// \file
/// `concat(s1, s2, ...)`: every item of `s1`, then every item of `s2`, and so on: each stream
/// is pulled only after the previous one has ended.
///
/// ```
/// s1:      --1--E--2|
/// s2:               --3--4|
///          concat(s1, s2)
/// output:  --1--E--2--3--4|
/// ```
/// - The streams may have different types but must have the same value type. They are moved
///   in; a stream is not pulled (not subscribed, for a lazy source) before the previous one
///   ended. The output ends after the last one's end.
/// - Errors pass through and do not end the current stream (errors are items).
/// - **Output timestamp: the items' own** (they pass unchanged).
/// - Buffers nothing. No pump, no task: the streams are pulled in the consumer's task,
///   synchronous when they are (the asynchronous loop runs in a frame allocated once per
///   operator, see detail/sequence.hpp). Cancel-safe like any single-input stage.
#pragma once
#include <cstddef>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "eddy/stream/detail/sequence.hpp"

namespace eddy {

/// The stream of `concat`: see the file comment and stream/concept.hpp.
template <class... S>
class concat_stream {
  static constexpr std::size_t N = sizeof...(S);

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<std::tuple_element_t<0, std::tuple<S...>>>;
  static_assert((std::is_same_v<stream_value_t<S>, value_type> && ...),
                "eddy::concat: every stream must have the same value type");

  /// Made by `concat(...)`.
  explicit concat_stream(S... s) : s_(std::move(s)...) {}

  /// The next element: an awaitable of `std::optional<item<value_type>>` (empty at the end).
  /// One `next()` at a time; cancel-safe (see stream/concept.hpp).
  detail::sequence_next<concat_stream> next() noexcept {
    return detail::sequence_next<concat_stream>(*this);
  }

  /// Answers while the current stream answers synchronously (see stream/concept.hpp).
  template <class V>
  bool try_visit(V& v) {
    for (;;) {
      if (i_ == N) {
        v.end();
        return true;
      }
      struct fwd {
        V& v;
        bool ended = false;
        void value(value_type&& x) { v.value(std::move(x)); }
        void error(eddy::error&& err) { v.error(std::move(err)); }
        void end() noexcept { ended = true; }
      } f{v};
      bool answered = false;
      detail::with_index<N>(i_, [&](auto I) {
        answered = detail::try_visit_of(std::get<decltype(I)::value>(s_), f);
      });
      if (!answered) return false;
      if (!f.ended) return true;
      ++i_;
    }
  }

 private:
  friend struct detail::sequence_access;
  auto wait_current() {
    return std::apply([&](S&... s) { return detail::one_of_next<value_type, S...>(i_, &s...); },
                      s_);
  }
  template <class E>
  void take(std::optional<item<value_type>>&& r, E& e) {
    if (r)
      detail::visit_result(std::move(r), e);
    else
      ++i_;  // this stream ended: the loop goes on with the next one
  }

  std::tuple<S...> s_;
  std::size_t i_ = 0;
  detail::frame_cache cache_;
};

/// `concat(s1, s2, ...)`: see the file comment. At least one stream; all are moved in.
template <class S0, class... S>
auto concat(S0 s0, S... s) {
  static_assert(stream<S0> && (stream<S> && ...), "eddy::concat: every argument must be a stream");
  return concat_stream<S0, S...>(std::move(s0), std::move(s)...);
}

}  // namespace eddy
