// SPDX-License-Identifier: BSL-1.0
/// \file
/// `partition(pred)`: splits one stream in two: values for which `pred` holds, and the rest.
///
/// ```
/// source:  --1--2--E--3--4--|
///          auto [odd, even] = std::move(source) | partition(is_odd);
/// odd:     --1-----E--3-----|
/// even:    -----2--E-----4--|
/// ```
/// - `s | partition(pred, policy = {})` moves `s` in and returns a `std::pair` of streams
///   (`first`: values with `pred(const T&)` true; `second`: the others). Each side has its own
///   bounded buffer with `policy` (buffer_policy.hpp; `capacity == 0`: both sides yield one
///   `errc::invalid_argument` error, then end).
/// - **Errors go to both sides** and end nothing; the end of the source ends both. `pred` runs
///   once per value, on the task of the side that pulled it; a `pred` that throws (exceptions
///   on) gives an `errc::exception` error to both sides.
/// - Pull-driven like `share` (no background task of its own; a synchronous source is pulled
///   inline, an asynchronous one through a pump task). The side that asks for an item while
///   its buffer is empty pulls the source, routes the item, and keeps pulling until it gets one.
/// - Backpressure (`overflow::wait`): an item whose side is full is held (one item) until that
///   side reads; meanwhile nothing more is pulled. So under `wait` both sides must be consumed
///   concurrently, or a side must have room for what the other skips past: a reader of one side
///   waits while the other side is full. Dropping policies never hold the other side back.
/// - Dropping one side is safe: from then on its items are discarded (not buffered), and the
///   other side goes on. When both sides are gone the source's pump is aborted.
/// - Output timestamps: values pass unchanged. Thread-safety: the two sides may be consumed
///   from different threads and runtimes (each one consumer at a time).
/// - Cost: one allocation for the shared state and one ring per side; the pump task once if
///   the source is asynchronous; no allocation per item (errors are copied to both sides).
#pragma once
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/stream/buffer_policy.hpp"
#include "eddy/stream/detail/pulled.hpp"
#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

template <class S, class P>
class partition_side;

namespace detail {

template <class S, class P>
class partition_state final : public pulled_source<S> {
 public:
  using T = stream_value_t<S>;
  partition_state(S s, P p, buffer_policy pol)
      : pulled_source<S>(&destroy, std::move(s), 2, "partition"), pred(std::move(p)) {
    if (pol.valid()) {
      side[0] = new hot_buffer<T>(pol);
      side[1] = new hot_buffer<T>(pol);
    }
  }
  ~partition_state() {
    delete side[0];
    delete side[1];
  }

  P pred;  // used by the role holder only
  hot_buffer<T>* side[2] = {nullptr, nullptr};
  // under lock:
  bool alive[2] = {true, true};
  std::optional<item<T>> pending;  ///< an item routed but not yet placed in every target
  bool pending_end = false;        ///< the source ended
  unsigned mask = 0;               ///< sides that still need `pending`

  /// Places what it can of the pending item. Under lock.
  void place() {
    if (pending_end) {
      for (int k = 0; k < 2; ++k) {
        side[k]->end();
        side[k]->wake();
      }
      return;
    }
    if (!pending) return;
    for (int k = 0; k < 2; ++k) {
      const unsigned bit = 1u << k;
      if (!(mask & bit)) continue;
      if (!alive[k]) {
        mask &= ~bit;
        continue;
      }
      if (side[k]->blocks()) continue;
      mask &= ~bit;
      const bool got = mask ? side[k]->offer(item<T>(std::as_const(*pending)))
                            : side[k]->offer(std::move(*pending));
      if (got) side[k]->wake();
    }
    if (!mask) pending.reset();
  }
  void wake_all() noexcept {
    side[0]->wake();
    side[1]->wake();
  }

 private:
  static void destroy(shared_block* b) noexcept { delete static_cast<partition_state*>(b); }
};

}  // namespace detail

/// One side of a `partition`: a stream of the source's values on that side (and every
/// error). See partition.hpp.
template <class S, class P>
class partition_side : public detail::hot_reader<partition_side<S, P>, stream_value_t<S>> {
  using state = detail::partition_state<S, P>;
  using T = stream_value_t<S>;
  using base = detail::hot_reader<partition_side<S, P>, T>;

 public:
  /// The type of the values this side yields.
  using value_type = T;

  /// Made by `partition` (side `k`: 0 = predicate true, 1 = false).
  partition_side(state* s, int k) noexcept : s_(s), k_(k) {
    if (!s_->side[0]) check_ = detail::arg_check("partition: buffer capacity must be at least 1");
  }
  /// Move; only while no `next()` is in flight.
  partition_side(partition_side&& o) noexcept
      : base(std::move(o)), s_(std::exchange(o.s_, nullptr)), k_(o.k_), check_(o.check_) {}
  partition_side& operator=(partition_side&&) = delete;
  partition_side(const partition_side&) = delete;
  ~partition_side() {
    if (!s_) return;
    if (s_->side[0]) {
      detail::lock_guard<detail::spin_lock> g(s_->lock);
      s_->alive[k_] = false;
      s_->side[k_]->clear();
      s_->side[k_]->end();
      s_->place();  // a pending item that waited for this side is released
      s_->wake_all();
    }
    s_->drop_external();
  }

  /// Items this side's policy dropped so far. Thread-safe.
  std::uint64_t dropped() const {
    if (!s_->side[0]) return 0;
    detail::lock_guard<detail::spin_lock> g(s_->lock);
    return mine()->dropped();
  }

 private:
  friend base;
  using base::done, base::wait_buffer, base::wait_upstream;

  state* source() const noexcept { return s_; }
  waker& reader() noexcept { return mine()->reader; }
  detail::hot_buffer<T>* mine() const noexcept { return s_->side[k_]; }
  /// Under lock.
  bool can_go() const noexcept { return mine()->has_something() || (!s_->pulling && !s_->pending); }
  /// One attempt (see detail/pulled.hpp).
  int step_once(std::optional<item<T>>& out, bool& role) {
    if (!s_->side[0]) {
      struct em {
        std::optional<item<T>>& o;
        void error(eddy::error&& e) { o.emplace(std::move(e)); }
        void end() noexcept {}
      } e{out};
      check_.report(e);
      return done;
    }
    if (!role) {
      detail::lock_guard<detail::spin_lock> g(s_->lock);
      if (take_locked(out)) return done;
      s_->place();
      if (take_locked(out)) return done;
      if (s_->pending || s_->pulling) return wait_buffer;
      s_->pulling = true;
      role = true;
    }
    std::optional<item<T>> r;
    bool end = false;
    detail::head_visitor<T> hv{r, end};
    if (!s_->up.poll(*s_, *s_, hv)) return wait_upstream;
    unsigned mask = 3;
    if (r && r->is_value()) {
      struct em {
        std::optional<item<T>>& r;
        unsigned& mask;
        void value(bool left) { mask = left ? 1u : 2u; }
        void error(eddy::error&& e) { r.emplace(std::move(e)); }
      } e{r, mask};
      detail::guarded(
          e, [&] { return static_cast<bool>(s_->pred(std::as_const(r->value()))); },
          [&](bool left) { e.value(left); });
    }
    detail::lock_guard<detail::spin_lock> g(s_->lock);
    role = false;
    s_->pulling = false;
    if (!r)
      s_->pending_end = true;
    else
      s_->pending = std::move(r);
    s_->mask = mask;
    s_->place();
    s_->wake_all();
    if (take_locked(out)) return done;
    return wait_buffer;
  }
  /// Under lock.
  bool take_locked(std::optional<item<T>>& out) {
    bool was_full = false;
    if (!mine()->take(out, was_full)) return false;
    if (was_full) {
      s_->place();
      s_->wake_all();
    }
    return true;
  }

  state* s_;
  int k_;
  detail::arg_check check_;
};

/// `s | partition(pred, policy)`: see the file comment.
template <class P>
auto partition(P pred, buffer_policy policy = {}) {
  return detail::pipe_with([pred = std::move(pred), policy]<class S>(S&& s) mutable {
    using D = std::remove_cvref_t<S>;
    auto* st = new detail::partition_state<D, P>(D(std::forward<S>(s)), std::move(pred), policy);
    st->add_ref();  // one reference per side
    return std::pair<partition_side<D, P>, partition_side<D, P>>(
        std::piecewise_construct, std::forward_as_tuple(st, 0), std::forward_as_tuple(st, 1));
  });
}

}  // namespace eddy
