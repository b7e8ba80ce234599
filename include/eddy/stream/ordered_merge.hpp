// SPDX-License-Identifier: BSL-1.0
/// \file
/// `ordered_merge`: merges streams of one `timestamped` value type in timestamp order.
///
/// ```
/// a:       --1-----4-----7--|            (numbers are timestamps)
/// b:       ----2-3-----6----|
///          a | ordered_merge(b)
/// output:  --1-2-3-4---6-7--|
/// a:       --1--E--5--|
/// b:       ----3------|
/// output:  --1--E-3-5-|                 (errors go at once)
/// ```
/// - Forms: `a | ordered_merge(b, c, ...)` (streams of any types with the same value type) and
///   `ordered_merge(std::vector<S>)` (n streams of one type).
/// - **Order.** Each input has at most one *head* (its next item, taken but not yet emitted).
///   On every `next()` the operator first asks each input that has no head for one, without
///   waiting (a synchronous input answers at once; an asynchronous one gets a pull started in
///   its pump, see detail/port.hpp). Then, of the heads it holds, an error goes first (the
///   input listed first wins), else the value with the smallest timestamp (ties: the input
///   listed first). It **waits only when it holds no head at all**, and then emits what comes
///   first. So inputs that are all ready are merged exactly in order; an input that is slower
///   than the others cannot hold them back (its later, smaller timestamp is emitted when it
///   comes: "of the heads currently available, the smallest goes first").
/// - Output timestamp: each value keeps its own (values pass unchanged).
/// - Errors pass through at once and end nothing. The output ends when every input has ended
///   (and every head was emitted).
/// - Buffering: one head per input (n items at most); no allocation per item. The heads with
///   values are kept in a binary heap (above 6 inputs; a scan below, over copies of the heads'
///   timestamps when they are trivially copyable): O(log n) per item.
/// - An empty vector of inputs: the stream yields one `errc::invalid_argument` error and ends.
/// - Destroying the stream aborts the pumps of its asynchronous inputs.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "eddy/stream/detail/inputs.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream of `ordered_merge`: see the file comment and stream/concept.hpp.
template <class Ports>
class ordered_merge_stream : public detail::hub_stage<ordered_merge_stream<Ports>> {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = typename Ports::value_type;
  static_assert(timestamped<value_type>,
                "eddy::ordered_merge: needs values with a timestamp() (see stream/timestamp.hpp)");

  /// Made by `ordered_merge(...)`.
  template <class... A>
  explicit ordered_merge_stream(std::in_place_t, A&&... a) : in_(std::forward<A>(a)...) {
    if (in_.size() == 0) this->reject("ordered_merge: no inputs");
  }

 private:
  friend struct detail::hub_access;
  detail::port_hub* hub() const noexcept { return in_.hub(); }

  template <class V>
  bool produce(V& v) {
    if (in_.size() <= scan_limit) return produce_scan(v);
    if (!init_) init();
    // Ask the inputs without a head for one (a synchronous input answers at once).
    for (std::size_t k = 0; k < need_.size();) {
      const std::uint32_t i = need_[k];
      if (in_.fill(i)) {
        if (in_.head(i)->is_error())
          errs_.push_back(i);
        else
          push(i);
      } else if (!in_.ended(i)) {
        ++k;  // a pull is under way
        continue;
      }
      need_[k] = need_.back();
      need_.pop_back();
    }
    if (!errs_.empty()) {  // errors first; the input listed first wins
      auto it = errs_.begin();
      for (auto j = it; j != errs_.end(); ++j)
        if (*j < *it) it = j;
      const std::uint32_t i = *it;
      errs_.erase(it);
      need_.push_back(i);
      emit_now(i, v);
      return true;
    }
    if (!heap_.empty()) {
      const std::uint32_t i = pop();
      need_.push_back(i);
      emit_now(i, v);
      return true;
    }
    if (in_.live() == 0) {
      v.end();
      return true;
    }
    return false;
  }
  /// Up to `scan_limit` inputs: a linear scan of the heads, faster than the heap. The scan
  /// keeps its value heads itself (`vals_`, set where `held_` has the input's bit: a poll goes
  /// straight there, and emptying one is not a call to `item`'s destructor), and, with a
  /// cacheable timestamp, a copy of each one's timestamp (`keys_`): an item costs one poll (of
  /// the input it came from) and a compare per input.
  template <class V>
  bool produce_scan(V& v) {
    const std::size_t n = in_.size();
    std::size_t best = n;
    unsigned held = held_;  // in a register for the scan; stored before anything is handed on
    for (std::size_t i = 0; i < n; ++i) {
      const unsigned bit = 1u << i;
      if (!(held & bit)) {
        // Every input but the one emitted last still has its head: one poll per item.
        scan_visitor sv{vals_[i], err_};
        if (!in_.take(i, sv)) continue;
        if (err_) {  // errors go at once
          held_ = static_cast<std::uint8_t>(held);
          eddy::error e = std::move(*err_);
          err_.reset();
          v.error(std::move(e));
          return true;
        }
        if constexpr (cache_keys) keys_[i] = vals_[i]->timestamp();
        held |= bit;
      }
      if (best == n || scan_before(i, best)) best = i;
    }
    held_ = static_cast<std::uint8_t>(best != n ? held & ~(1u << best) : held);
    if (best != n) {
      value_type x = std::move(*vals_[best]);
      vals_[best].reset();
      v.value(std::move(x));
      return true;
    }
    if (in_.live() == 0) {
      v.end();
      return true;
    }
    return false;
  }
  /// `before` for the scan's heads, on the cached timestamps when there are some. Called with
  /// `a` listed after `b` only, so a tie keeps `b`, as `before` does.
  bool scan_before(std::size_t a, std::size_t b) {
    if constexpr (cache_keys)
      return keys_[a] < keys_[b];
    else
      return vals_[a]->timestamp() < vals_[b]->timestamp();
  }
  /// Where the scan's poll of an input puts what it gives.
  struct scan_visitor {
    std::optional<value_type>& value_head;
    std::optional<eddy::error>& error_out;
    template <class U>
    void value(U&& x) {
      value_head.emplace(std::forward<U>(x));
    }
    void error(eddy::error&& e) { error_out.emplace(std::move(e)); }
    void end() noexcept {}  // `input_set::take` records an input's end itself
  };
  template <class V>
  void emit_now(std::size_t i, V& v) {
    std::optional<item<value_type>> h = std::move(in_.head(i));
    in_.head(i).reset();
    detail::visit_result(std::move(h), v);
  }

  void init() {
    init_ = true;
    const auto n = static_cast<std::uint32_t>(in_.size());
    need_.reserve(n);
    heap_.reserve(n);
    errs_.reserve(n);
    for (std::uint32_t i = n; i-- > 0;) need_.push_back(i);
  }
  /// Input `a`'s head goes before input `b`'s (smaller timestamp; ties: listed first).
  bool before(std::uint32_t a, std::uint32_t b) {
    const auto& ta = in_.head(a)->value().timestamp();
    const auto& tb = in_.head(b)->value().timestamp();
    if (ta < tb) return true;
    if (tb < ta) return false;
    return a < b;
  }
  void push(std::uint32_t i) {
    std::size_t k = heap_.size();
    heap_.push_back(i);
    while (k > 0) {
      const std::size_t parent = (k - 1) / 2;
      if (!before(heap_[k], heap_[parent])) break;
      std::swap(heap_[k], heap_[parent]);
      k = parent;
    }
  }
  std::uint32_t pop() {
    const std::uint32_t top = heap_[0];
    heap_[0] = heap_.back();
    heap_.pop_back();
    const std::size_t n = heap_.size();
    for (std::size_t k = 0;;) {
      const std::size_t l = 2 * k + 1, r = l + 1;
      std::size_t m = k;
      if (l < n && before(heap_[l], heap_[m])) m = l;
      if (r < n && before(heap_[r], heap_[m])) m = r;
      if (m == k) break;
      std::swap(heap_[k], heap_[m]);
      k = m;
    }
    return top;
  }

  detail::input_set<Ports> in_;
  std::vector<std::uint32_t> need_;  ///< inputs without a head (not ended)
  std::vector<std::uint32_t> heap_;  ///< inputs whose head is a value: a min-heap by `before`
  std::vector<std::uint32_t> errs_;  ///< inputs whose head is an error
  bool init_ = false;
  static constexpr std::size_t scan_limit = 6;  ///< up to this many inputs: scan, no heap
  std::optional<value_type> vals_[scan_limit];  ///< the scan's value heads
  std::optional<eddy::error> err_;              ///< an error the scan polled, emitted at once
  using stamp_type = std::remove_cvref_t<decltype(std::declval<const value_type&>().timestamp())>;
  /// The scan caches timestamps it can copy freely.
  static constexpr bool cache_keys =
      std::is_trivially_copyable_v<stamp_type> && std::is_default_constructible_v<stamp_type>;
  struct no_keys {};
  [[no_unique_address]] std::conditional_t<cache_keys, stamp_type[scan_limit], no_keys> keys_{};
  std::uint8_t held_ = 0;  ///< bit i: the scan holds input i's head (`vals_[i]`, `keys_[i]`)
};

/// `a | ordered_merge(b, c, ...)`: see the file comment. The streams are moved in.
template <class... S>
auto ordered_merge(S... others) {
  static_assert((stream<S> && ...), "eddy::ordered_merge: every argument must be a stream");
  return detail::pipe_with([... o = std::move(others)]<class A>(A&& a) mutable {
    using D = std::remove_cvref_t<A>;
    static_assert((std::is_same_v<stream_value_t<S>, stream_value_t<D>> && ...),
                  "eddy::ordered_merge: every input must have the same value type");
    return ordered_merge_stream<detail::port_tuple<D, S...>>(std::in_place, D(std::forward<A>(a)),
                                                             std::move(o)...);
  });
}

/// `ordered_merge(std::move(inputs))`: the n streams of `inputs` merged. See the file comment.
template <class S>
  requires stream<S>
auto ordered_merge(std::vector<S> inputs) {
  return ordered_merge_stream<detail::port_vector<S>>(std::in_place, std::move(inputs));
}

}  // namespace eddy
