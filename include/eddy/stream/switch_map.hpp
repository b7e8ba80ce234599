// SPDX-License-Identifier: BSL-1.0
/// \file
/// `switch_map(f)`: maps each value to an inner stream and follows only the newest one.
///
/// ```
/// source:  --a---------b-------|
/// f(a):      --1--2--3--4          (cancelled when b comes)
/// f(b):                --5--6--|
///          switch_map(f)
/// output:  ----1--2--3---5--6--|
/// ```
/// - `f(value)` returns a stream; its items (values and errors) are emitted until the next
///   outer value arrives: then the current inner stream is **cancelled** (its pump is aborted,
///   so a `next()` in flight is destroyed at its suspension point; an item it had already
///   delivered but not emitted is dropped) and the new one followed.
/// - Order: items of the current inner stream that are available now go first; the outer
///   stream is asked only when the inner has nothing available. So a synchronous inner stream
///   is emitted whole before the next outer value is looked at, and values that an outer
///   stream gives all at once switch straight to the last one's inner stream (as in Rx).
/// - **Output timestamp: the inner items' own** (they pass unchanged).
/// - Errors of the outer stream and of the inner one pass through at once. The output ends
///   when the outer stream has ended and the last inner stream has ended. An `f` that throws
///   (exceptions on) gives an `errc::exception` error item.
/// - Buffering: one item per stream. Allocation: one block per inner stream (plus its pump
///   task when it is asynchronous, plus whatever `f` allocates).
#pragma once
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/stream/detail_flatten.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream of `switch_map`: see the file comment and stream/concept.hpp.
template <class S, class F>
class switch_map_stream : public detail::hub_stage<switch_map_stream<S, F>> {
  using In = stream_value_t<S>;
  using Inner = std::remove_cvref_t<std::invoke_result_t<F&, In&&>>;
  using block_type = detail::port_block<detail::port<S>>;

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<Inner>;

  /// Made by `switch_map(...)`.
  switch_map_stream(S s, F f) : b_(new block_type(std::move(s))), f_(std::move(f)) {}
  /// Move; only while no `next()` is in flight (the moved-from stream may only be destroyed
  /// or assigned).
  switch_map_stream(switch_map_stream&& o) noexcept
      : switch_map_stream::hub_stage(std::move(o)),
        b_(std::exchange(o.b_, nullptr)),
        f_(std::move(o.f_)),
        inner_(std::move(o.inner_)),
        outer_ended_(o.outer_ended_) {}
  switch_map_stream& operator=(switch_map_stream&&) = delete;
  ~switch_map_stream() {
    inner_.reset();
    if (!b_) return;
    b_->ports.stop();
    b_->release();
  }

 private:
  friend struct detail::hub_access;
  detail::port_hub* hub() const noexcept { return b_; }

  template <class V>
  bool produce(V& v) {
    for (;;) {
      if (inner_) {
        detail::inner_visitor<V> iv{v};
        if (inner_.poll(iv)) {
          if (iv.emitted) return true;
          inner_.reset();  // it ended
          continue;
        }
      }
      if (outer_ended_) {
        if (inner_) return false;
        v.end();
        return true;
      }
      std::optional<item<In>> h;
      bool end = false;
      detail::head_visitor<In> hv{h, end};
      if (!b_->ports.poll(*b_, *b_, hv)) return false;
      if (end) {
        outer_ended_ = true;
        continue;
      }
      if (h->is_error()) {
        v.error(std::move(*h).error());
        return true;
      }
      inner_.reset();  // cancel the previous inner stream
      detail::tracking_emitter<V> e{v};
      detail::guarded(
          e, [&]() -> Inner { return f_(std::move(*h).value()); },
          [&](Inner&& s) { inner_ = detail::inner_ref<Inner>(std::move(s), b_); });
      if (e.emitted) return true;
    }
  }

  block_type* b_;
  F f_;
  detail::inner_ref<Inner> inner_;
  bool outer_ended_ = false;
};

/// `s | switch_map(f)`: see the file comment.
template <class F>
auto switch_map(F f) {
  return detail::bind_stream<switch_map_stream, F>(std::move(f));
}

}  // namespace eddy
