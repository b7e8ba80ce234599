// SPDX-License-Identifier: BSL-1.0
/// \file
/// `merge`: merges streams of one value type in arrival order.
///
/// ```
/// a:       --1-----4--------|
/// b:       ----2-3-----E-5--|
///          a | merge(b)
/// output:  --1-2-3-4---E-5--|
/// ```
/// - Forms: `a | merge(b, c, ...)` (streams of any types with the same value type) and
///   `merge(std::vector<S>)` (n streams of one type).
/// - **Order.** Items go out in the order they become available. On each `next()` the inputs
///   are asked in turn, starting after the input that gave the previous item (round robin, so
///   an always-ready input cannot starve the others); the first that has an item now gives it.
///   An asynchronous input is pulled by its pump meanwhile (see detail/port.hpp). It waits
///   only when no input has an item now. Per-input order is kept; no timestamp is looked at
///   (use `ordered_merge` for timestamp order).
/// - Output timestamp: values pass unchanged (each keeps its own, if it has one).
/// - Errors pass through in arrival order and end nothing. The output ends when every input
///   has ended.
/// - Buffering: one item per input at most; no allocation per item. Synchronous inputs under
///   `subscribe` (or a stage that runs) are served by the run form (`visit_while`): the same
///   turns in one loop, an item passed straight from its input to the consumer.
/// - An empty vector of inputs: the stream yields one `errc::invalid_argument` error and ends.
#pragma once
#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "eddy/stream/detail/inputs.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream of `merge`: see the file comment and stream/concept.hpp.
template <class Ports>
class merge_stream : public detail::hub_stage<merge_stream<Ports>> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = typename Ports::value_type;

  /// Made by `merge(...)`.
  template <class... A>
  explicit merge_stream(std::in_place_t, A&&... a) : in_(std::forward<A>(a)...) {
    if (in_.size() == 0) this->reject("merge: no inputs");
  }

 private:
  friend struct detail::hub_access;
  detail::port_hub* hub() const noexcept { return in_.hub(); }

  /// One item, the end, or false (see the file comment): the inputs in turn from `next_`.
  template <class V>
  bool produce(V& v) {
    const std::size_t n = in_.size();
    std::size_t i = next_;
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t at = i;
      i = i + 1 == n ? 0 : i + 1;
      next_ = i;  // after n misses, back where it started
      if (in_.take(at, v)) return true;
    }
    if (in_.live() == 0) {
      v.end();
      return true;
    }
    return false;
  }
  /// The run form of `produce` (`visit_while`): the same turns, item after item while
  /// `v.more()`; stops (false) when n inputs in a row have nothing now.
  template <class V>
  bool run(V& v) {
    const std::size_t n = in_.size();
    std::size_t i = next_;
    while (v.more()) {
      for (std::size_t idle = 0;;) {
        const std::size_t at = i;
        i = i + 1 == n ? 0 : i + 1;
        next_ = i;
        if (in_.take(at, v)) break;
        if (++idle == n) {
          if (in_.live() != 0) return false;
          v.end();
          return true;
        }
      }
    }
    return true;
  }

  detail::input_set<Ports> in_;
  std::size_t next_ = 0;
};

/// `a | merge(b, c, ...)`: see the file comment. The streams are moved in.
template <class... S>
auto merge(S... others) {
  static_assert((stream<S> && ...), "eddy::merge: every argument must be a stream");
  return detail::pipe_with([... o = std::move(others)]<class A>(A&& a) mutable {
    using D = std::remove_cvref_t<A>;
    static_assert((std::is_same_v<stream_value_t<S>, stream_value_t<D>> && ...),
                  "eddy::merge: every input must have the same value type");
    return merge_stream<detail::port_tuple<D, S...>>(std::in_place, D(std::forward<A>(a)),
                                                     std::move(o)...);
  });
}

/// `merge(std::move(inputs))`: the n streams of `inputs` merged. See the file comment.
template <class S>
  requires stream<S>
auto merge(std::vector<S> inputs) {
  return merge_stream<detail::port_vector<S>>(std::in_place, std::move(inputs));
}

}  // namespace eddy
