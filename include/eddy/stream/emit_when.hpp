// SPDX-License-Identifier: BSL-1.0
/// \file
/// `emit_when(filter, pred)`: emits the source's latest value whenever a gate, re-evaluated on
/// every source and every filter value, is open.
///
/// ```
/// source:  --1-----2--------3--|        (numbers are timestamps)
/// filter:  -----T-----F--T------|       (pred(s, f) = f)
///          source | emit_when(filter, pred)
/// output:  -----1--2-----2--3--|
/// ```
/// - `pred(const T& source_value, const F& filter_value) -> bool`. On a source value `s`: the
///   latest source value becomes `s`; if the filter has had a value `f` and `pred(s, f)`, `s` is
///   emitted. On a filter value `f`: the latest filter value becomes `f`; if the source has had
///   a value `s` and `pred(s, f)`, `s` is emitted again (a copy).
/// - **Output timestamp: the source value's own** (values are emitted unchanged; a
///   filter-triggered emission repeats the latest source value with its original timestamp).
/// - Order: the two inputs are taken in timestamp order when both value types are
///   `timestamped`, else in turns (see detail_hetero.hpp).
/// - Errors of either input pass through at once. The output ends when the source ends (a
///   filter that ends keeps its last value). A `pred` that throws gives an `errc::exception`
///   error item.
/// - Buffering: one head per input, the latest value of each; source values must be copyable.
#pragma once
#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/stream/detail_hetero.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream made by `emit_when`: see the file comment and docs/operators-multi-input.md
/// for its marbles and its timestamp, error and buffering rules. One consumer, one `next()` at a
/// time, not thread-safe; owns its input(s); movable only while no `next()` is in flight.
template <class S, class F, class Pred>
class emit_when_stream {
  using inputs = detail::hetero_inputs<S, F>;

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `emit_when(...)`, which validates the arguments (see the file comment); takes
  /// ownership of the input stream(s) and functions.
  emit_when_stream(S s, F f, Pred p) : in_(std::move(s), std::move(f)), pred_(std::move(p)) {}

  /// The next element: an awaitable of `std::optional<item<value_type>>` (empty at the end).
  /// One `next()` at a time; cancel-safe (see stream/concept.hpp).
  auto next() { return detail::hub_next<emit_when_stream>(*this); }
  /// Synchronous fast path (see stream/concept.hpp): when the next element is ready without
  /// suspending, hands it to `v` and returns true; else returns false and consumes nothing.
  template <class V>
  bool try_visit(V& v) {
    return produce(v);
  }

 private:
  friend struct detail::hub_access;
  detail::port_hub* hub() const noexcept { return in_.hub(); }
  bool deadline(time_point&) const noexcept { return false; }
  detail::frame_cache& cache() noexcept { return cache_; }

  template <class V>
  bool produce(V& v) {
    if (done_) {
      v.end();
      return true;
    }
    for (;;) {
      in_.fill();
      const std::size_t i = in_.pick();
      if (i == inputs::none) {
        if (!in_.ended(0)) return false;
        done_ = true;
        in_.stop_all();
        v.end();
        return true;
      }
      detail::tracking_emitter<V> e{v};
      if (i == 0) {
        auto it = in_.template take<0>();
        if (it.is_error()) {
          e.error(std::move(it).error());
        } else {
          src_ = std::move(it).value();
          gate(e);
        }
      } else {
        auto it = in_.template take<1>();
        if (it.is_error()) {
          e.error(std::move(it).error());
        } else {
          flt_ = std::move(it).value();
          gate(e);
        }
      }
      if (e.emitted) return true;
    }
  }
  template <class E>
  void gate(E& e) {
    if (!src_ || !flt_) return;
    detail::guarded(
        e, [&] { return static_cast<bool>(pred_(std::as_const(*src_), std::as_const(*flt_))); },
        [&](bool open) {
          if (open) e.value(value_type(*src_));
        });
  }

  inputs in_;
  Pred pred_;
  std::optional<value_type> src_;
  std::optional<stream_value_t<F>> flt_;
  bool done_ = false;
  detail::frame_cache cache_;
};

namespace detail {
template <class F, class Pred>
struct emit_when_closure : pipe_closure {
  F filter;
  Pred pred;
  template <class A>
  auto apply(A&& a) && {
    using D = std::remove_cvref_t<A>;
    return emit_when_stream<D, F, Pred>(D(std::forward<A>(a)), std::move(filter), std::move(pred));
  }
};
}  // namespace detail

/// `source | emit_when(filter, pred)`: see the file comment. `filter` is moved in.
template <class F, class Pred>
  requires stream<F>
auto emit_when(F filter, Pred pred) {
  return detail::emit_when_closure<F, Pred>{{}, std::move(filter), std::move(pred)};
}

}  // namespace eddy
