// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::flatten_stream<Op, S, F, Slots>`: the one implementation of the flattening
/// operators that pull their inner streams through pumps (`merge_map`, `switch_map`,
/// `exhaust_map`). The outer stream `S` sits in a port; each outer value `v` becomes an inner
/// stream `f(v)` in its own port
/// (`inner_ref`), sharing the operator's `port_hub`; the *slot policy* decides how many inners
/// live at once and what a new one does to the others:
/// - `n_slots` (`merge_map`): up to n inners, polled in turns (round robin) in the order they
///   started, the oldest first at each new instant; while n are live the outer stream is not
///   pulled (backpressure);
/// - `one_slot` (`switch_map`): one inner; the next outer value cancels it first;
/// - `exhaust_slot` (`exhaust_map`): one inner; an outer value taken while it is live is
///   dropped (and counted).
/// Items of the live inners that are available now go first; the outer stream is asked only
/// when none has one. Errors of every stream pass at once. The end: when the outer stream and
/// every inner have ended. An `f` that throws (exceptions on) gives an `errc::exception` error.
/// Dropping an `inner_ref` aborts the inner's pump (an in-flight `next()` of the inner is
/// destroyed at its suspension point) and frees it once the pump is gone. (`concat_map` is
/// not built on this: it pulls its one inner in the consumer's task, with no pump.)
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "eddy/stream/detail/hub.hpp"

namespace eddy::detail {

template <class I>
class inner_block final : public shared_block {
 public:
  inner_block(I s, port_hub* owner) : shared_block(&destroy), p(std::move(s)), hub(owner) {
    hub->add_ref();
  }
  ~inner_block() { hub->release(); }
  port<I> p;
  port_hub* hub;

 private:
  static void destroy(shared_block* b) noexcept { delete static_cast<inner_block*>(b); }
};

template <class I>
class inner_ref {
 public:
  inner_ref() noexcept = default;
  inner_ref(I s, port_hub* hub) : b_(new inner_block<I>(std::move(s), hub)) {}
  inner_ref(inner_ref&& o) noexcept : b_(std::exchange(o.b_, nullptr)) {}
  inner_ref& operator=(inner_ref&& o) noexcept {
    if (this != &o) {
      reset();
      b_ = std::exchange(o.b_, nullptr);
    }
    return *this;
  }
  ~inner_ref() { reset(); }
  explicit operator bool() const noexcept { return b_ != nullptr; }
  void reset() noexcept {
    if (!b_) return;
    b_->p.stop();
    std::exchange(b_, nullptr)->release();
  }
  /// See `port::poll`.
  template <class V>
  bool poll(V& v) {
    return b_->p.poll(*b_->hub, *b_, v);
  }
  /// When the item `poll` gave last arrived (see `port_arrival`).
  time_point arrival() const { return port_arrival(b_->p); }

 private:
  inner_block<I>* b_ = nullptr;
};

/// Forwards an inner item to the operator's visitor; records the end instead.
template <class V>
struct inner_visitor {
  V& v;
  bool ended = false;
  bool emitted = false;
  template <class U>
  void value(U&& x) {
    emitted = true;
    v.value(std::forward<U>(x));
  }
  void error(eddy::error&& e) {
    emitted = true;
    v.error(std::move(e));
  }
  void end() noexcept { ended = true; }
};

/// `f(value)` of a stream `S`'s value is a stream (what the flattening operators need).
template <class F, class S>
concept maps_to_stream = stream<std::remove_cvref_t<std::invoke_result_t<F&, stream_value_t<S>&&>>>;

/// The value type of inner streams of type `I` (`void` when `I` is not a stream: the operator
/// reports that itself, first).
template <class I>
struct inner_value {
  using type = void;
};
template <stream I>
struct inner_value<I> {
  using type = stream_value_t<I>;
};

/// Slot policy of `merge_map`: up to n inners at once, polled in turns. The live inners are kept
/// in the order they started (`v_[0]` the oldest); a scan takes them in that order from the one
/// after the last that emitted, and when a scan finds nothing (so what comes next arrives
/// later) the next scan starts again at the oldest. So inners that have items at the same time
/// emit oldest first (as in RxJS), and a busy inner cannot starve the others. An inner that
/// ended is removed and the younger ones move down (only on an end).
template <class I>
class n_slots {
 public:
  explicit n_slots(std::size_t n) : v_(n) {}
  /// Emits the first item available from a live inner into `v` (true); inners that ended are
  /// dropped on the way.
  template <class V>
  bool poll(V& v) {
    std::size_t i = rr_ < live_ ? rr_ : 0;
    for (std::size_t left = live_; left > 0; --left) {
      inner_visitor<V> iv{v};
      if (!v_[i].poll(iv)) {
        i = i + 1 < live_ ? i + 1 : 0;
        continue;
      }
      if (iv.emitted) {
        rr_ = i + 1;
        return true;
      }
      remove(i);  // it ended; the next one is now at i
      if (i >= live_) i = 0;
    }
    rr_ = 0;
    return false;
  }
  bool full() const noexcept { return live_ == v_.size(); }
  bool empty() const noexcept { return live_ == 0; }
  bool make_room(time_point) noexcept { return true; }
  void add(inner_ref<I>&& r) { v_[live_++] = std::move(r); }
  void clear() noexcept { v_.clear(); }

 private:
  void remove(std::size_t i) noexcept {
    v_[i].reset();
    for (std::size_t j = i + 1; j < live_; ++j) v_[j - 1] = std::move(v_[j]);
    --live_;
  }

  std::vector<inner_ref<I>> v_;
  std::size_t live_ = 0;
  std::size_t rr_ = 0;
};

/// Slot policy of `switch_map` (`Keep` false: the next outer value cancels the inner) and of
/// `exhaust_map` (`Keep` true: an outer value that arrived while the inner was live, that is
/// before the inner's end arrived, is dropped).
template <class I, bool Keep>
class single_slot {
 public:
  template <class V>
  bool poll(V& v) {
    if (!r_) return false;
    inner_visitor<V> iv{v};
    if (!r_.poll(iv)) return false;
    if (iv.emitted) return true;
    if constexpr (Keep) ended_at_ = r_.arrival();
    r_.reset();  // it ended
    return false;
  }
  bool full() const noexcept { return false; }
  bool empty() const noexcept { return !r_; }
  /// Before an outer value that arrived at `t` becomes an inner: true to go on, false to drop
  /// the value.
  bool make_room(time_point t) noexcept {
    if constexpr (Keep) {
      if (r_ || t < ended_at_) {
        ++dropped_;
        return false;
      }
    } else {
      r_.reset();  // cancel the previous inner stream
    }
    return true;
  }
  void add(inner_ref<I>&& r) { r_ = std::move(r); }
  void clear() noexcept { r_.reset(); }
  /// Outer values dropped by `make_room`.
  std::uint64_t dropped() const noexcept { return dropped_; }

 private:
  inner_ref<I> r_;
  std::uint64_t dropped_ = 0;
  time_point ended_at_ = time_point::min();  ///< when the last inner's end arrived
};
template <class I>
using one_slot = single_slot<I, false>;
template <class I>
using exhaust_slot = single_slot<I, true>;

/// See the file comment. `Op` derives from it and befriends `hub_access`; `Slots` is
/// `n_slots`, `one_slot` or `exhaust_slot` (of the inner type).
template <class Op, class S, class F, template <class> class Slots>
class flatten_stream : public hub_stage<Op> {
  using In = stream_value_t<S>;
  using Inner = std::remove_cvref_t<std::invoke_result_t<F&, In&&>>;
  using block_type = port_block<port<S>>;

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = typename inner_value<Inner>::type;

  /// Move; only while no `next()` is in flight (the moved-from stream may only be destroyed
  /// or assigned).
  flatten_stream(flatten_stream&& o) noexcept
      : hub_stage<Op>(std::move(o)),
        b_(std::exchange(o.b_, nullptr)),
        f_(std::move(o.f_)),
        slots_(std::move(o.slots_)),
        outer_ended_(o.outer_ended_) {}
  flatten_stream& operator=(flatten_stream&&) = delete;
  ~flatten_stream() {
    slots_.clear();
    if (!b_) return;
    b_->ports.stop();
    b_->release();
  }

 protected:
  /// `bad`: an argument error (see `hub_stage`); `slot_args`: the slot policy's.
  template <class... A>
  flatten_stream(S s, F f, const char* bad, A... slot_args)
      : hub_stage<Op>(bad),
        b_(new block_type(std::move(s))),
        f_(std::move(f)),
        slots_(slot_args...) {}

  port_hub* hub() const noexcept { return b_; }
  const Slots<Inner>& slot_policy() const noexcept { return slots_; }  // not `slots`: Qt macro

  template <class V>
  bool produce(V& v) {
    for (;;) {
      if (slots_.poll(v)) return true;
      if (outer_ended_ || slots_.full()) {
        if (outer_ended_ && slots_.empty()) {
          v.end();
          return true;
        }
        return false;
      }
      std::optional<item<In>> h;
      bool end = false;
      head_visitor<In> hv{h, end};
      if (!b_->ports.poll(*b_, *b_, hv)) return false;
      if (end) {
        outer_ended_ = true;
        continue;
      }
      if (h->is_error()) {
        v.error(std::move(*h).error());
        return true;
      }
      if (!slots_.make_room(port_arrival(b_->ports))) continue;  // exhaust_map: dropped
      tracking_emitter<V> e{v};
      guarded(
          e, [&]() -> Inner { return f_(std::move(*h).value()); },
          [&](Inner&& s) { slots_.add(inner_ref<Inner>(std::move(s), b_)); });
      if (e.emitted) return true;
    }
  }

 private:
  block_type* b_;
  F f_;
  Slots<Inner> slots_;
  bool outer_ended_ = false;
};

}  // namespace eddy::detail
