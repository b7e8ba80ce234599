// SPDX-License-Identifier: BSL-1.0
/// \file
/// `merge_map(f, limit)`: maps each value to an inner stream and merges up to `limit` inner
/// streams at once, in arrival order.
///
/// ```
/// source:  --a--b-----------c----|
/// f(a):      --1-----2--|
/// f(b):         --3--------4--|
/// f(c):                     --5--|
///          merge_map(f, 2)
/// output:  ----1--3--2-----4--5--|
/// ```
/// - `f(value)` returns a stream. At most `limit` inner streams run at once: while `limit` are
///   live the outer stream is not pulled (backpressure); when one ends, the next outer value is
///   taken. Inner items are emitted as they become available, the live inner streams taking
///   turns (round robin); the outer stream is asked only when no inner stream has an item now.
/// - **Output timestamp: the inner items' own** (they pass unchanged).
/// - Errors of the outer stream and of every inner one pass through at once. The output ends
///   when the outer stream and every inner stream have ended. An `f` that throws (exceptions
///   on) gives an `errc::exception` error item.
/// - Buffering: one item per stream (at most `limit + 1`). Allocation: the slots once, then one
///   block per inner stream (plus its pump task when asynchronous, plus whatever `f` does).
/// - `limit <= 0`: the stream yields one `errc::invalid_argument` error and ends.
#pragma once
#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "eddy/stream/detail_count.hpp"
#include "eddy/stream/detail_flatten.hpp"
#include "eddy/stream/pipe.hpp"

namespace eddy {

/// The stream of `merge_map`: see the file comment and stream/concept.hpp.
template <class S, class F>
class merge_map_stream : public detail::hub_stage<merge_map_stream<S, F>> {
  using In = stream_value_t<S>;
  using Inner = std::remove_cvref_t<std::invoke_result_t<F&, In&&>>;
  using block_type = detail::port_block<detail::port<S>>;

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = stream_value_t<Inner>;

  /// Made by `merge_map(...)`.
  merge_map_stream(S s, F f, detail::checked_count limit)
      : merge_map_stream::hub_stage(limit.bad), b_(new block_type(std::move(s))), f_(std::move(f)) {
    if (!limit.bad) inner_.resize(static_cast<std::size_t>(limit.n));
  }
  /// Move; only while no `next()` is in flight (the moved-from stream may only be destroyed
  /// or assigned).
  merge_map_stream(merge_map_stream&& o) noexcept
      : merge_map_stream::hub_stage(std::move(o)),
        b_(std::exchange(o.b_, nullptr)),
        f_(std::move(o.f_)),
        inner_(std::move(o.inner_)),
        live_(o.live_),
        rr_(o.rr_),
        outer_ended_(o.outer_ended_) {}
  merge_map_stream& operator=(merge_map_stream&&) = delete;
  ~merge_map_stream() {
    inner_.clear();
    if (!b_) return;
    b_->ports.stop();
    b_->release();
  }

 private:
  friend struct detail::hub_access;
  detail::port_hub* hub() const noexcept { return b_; }

  template <class V>
  bool produce(V& v) {
    const std::size_t n = inner_.size();
    for (;;) {
      for (std::size_t k = 0; k < n; ++k) {
        const std::size_t i = (rr_ + k) % n;
        if (!inner_[i]) continue;
        detail::inner_visitor<V> iv{v};
        if (!inner_[i].poll(iv)) continue;
        if (iv.emitted) {
          rr_ = (i + 1) % n;
          return true;
        }
        inner_[i].reset();  // it ended
        --live_;
      }
      if (outer_ended_ || live_ == n) {
        if (outer_ended_ && live_ == 0) {
          v.end();
          return true;
        }
        return false;
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
      detail::tracking_emitter<V> e{v};
      detail::guarded(
          e, [&]() -> Inner { return f_(std::move(*h).value()); },
          [&](Inner&& s) {
            for (auto& slot : inner_) {
              if (slot) continue;
              slot = detail::inner_ref<Inner>(std::move(s), b_);
              ++live_;
              break;
            }
          });
      if (e.emitted) return true;
    }
  }

  block_type* b_;
  F f_;
  std::vector<detail::inner_ref<Inner>> inner_;
  std::size_t live_ = 0;
  std::size_t rr_ = 0;
  bool outer_ended_ = false;
};

/// `s | merge_map(f, limit)`: see the file comment.
template <class F, std::integral I>
auto merge_map(F f, I limit) {
  return detail::bind_stream<merge_map_stream, F>(
      std::move(f), detail::checked_count::make(limit, "merge_map: negative limit",
                                                "merge_map: limit must be at least 1"));
}

}  // namespace eddy
