// SPDX-License-Identifier: BSL-1.0
/// \file
/// `share()`: one upstream, many subscribers; each gets every item from when it subscribed.
///
/// ```
/// upstream:      1---2---E---3---4---|
///                auto sh = std::move(upstream) | share();
/// sh.subscribe(): 1---2---E---3---4---|          (subscribed first)
/// sh.subscribe():         E---3---4---|          (subscribed after 2)
/// ```
/// With `replay = n` (`share(share_options{.replay = 2})`), a new subscriber first gets the last
/// `n` values pulled, then the live items:
/// ```
/// upstream:      1---2---3-------4---|
///                auto sh = std::move(upstream) | share(share_options{.replay = 2});
/// sh.subscribe(): 1---2---3-------4---|          (subscribed first)
/// sh.subscribe():         (23)----4---|          (subscribed after 3: replays 2 and 3)
/// sh.subscribe():                     (34)|      (subscribed after the end)
/// ```
/// - `s | share(policy = {})` (or `share(share_options{...})`: `policy`, `replay`, the
///   resets) moves `s` into a `shared<S>` handle; `subscribe(policy)` (default: the handle's
///   policy) returns a `shared_subscriber<S>`, a stream. Items pulled from the
///   upstream after a subscriber joined are delivered to it, through its own bounded buffer
///   with its policy (buffer_policy.hpp; `capacity == 0`: one `errc::invalid_argument` error,
///   then the end).
/// - **Pull-driven, no background task of its own.** The upstream is pulled only when a
///   subscriber asks for an item and its buffer is empty, by that subscriber (one at a time):
///   a synchronous upstream is pulled inline (a pure pull on one thread works with no runtime
///   thread); an asynchronous one through a pump task (see detail/port.hpp) that keeps its
///   pull going if the subscriber's `next()` is cancelled (another subscriber, or the next
///   `next()`, collects it). Each item pulled goes to every current subscriber; values are
///   copied (the last subscriber gets the original).
/// - Backpressure: before pulling, the puller waits while a subscriber with `overflow::wait`
///   has a full buffer; subscribers with dropping policies never hold the others back.
/// - **Errors pass through** to every subscriber and end nothing; the end of the upstream ends
///   every subscriber (after its buffer); a later subscriber ends at once.
/// - **Replay** (`replay = n`, default 0: none): the handle keeps the last `n` values pulled
///   (errors and the end are not kept) in a ring allocated when the handle is made. A new
///   subscriber's buffer gets them, oldest first (the newest that fit its capacity), under the
///   same lock that delivers live items, so replayed and live values meet with nothing lost or
///   repeated. After the upstream ended, a new subscriber gets the kept values, then the end.
///   A kept value whose copy throws (exceptions on) reaches that subscriber as an
///   `errc::exception` error item in its place. A buffer the replay filled counts as full: under
///   `overflow::wait` it holds the puller back until its subscriber reads, like any full one.
/// - **Resets** (RxJS `share({resetOnComplete, resetOnRefCountZero})`, Kotlin
///   `WhileSubscribed(stopTimeout)`): with `reset_on_complete`, a subscriber that comes after the
///   upstream ended starts a fresh upstream; with `reset_on_refcount_zero`, a subscriber that
///   comes when every earlier one has gone — at least `grace` after the last one left, on the
///   runtime clock (exact on `sim_runtime`) — does (sooner, it goes on with the same upstream,
///   which was not pulled meanwhile). The fresh upstream is a copy of the stream given to
///   `share`, kept from the start: reset options need a copyable `S` (wrap a factory in a
///   copyable stream otherwise); with a non-copyable `S` every subscriber yields one
///   `errc::invalid_argument` error, then ends. A reset also starts an empty replay ring. The
///   check is made by `subscribe()` (no timer runs; an upstream nobody reads is not pulled
///   anyway; a subscriber that left outside any runtime counts as having left long ago); the
///   replaced upstream is destroyed (its pump aborted) once its last subscriber is gone. There is
///   no reset on error: errors are items here and end nothing. With no reset option the upstream is
///   pulled once, for the handle's whole life.
/// - When the last subscriber goes, nothing pulls the upstream any more (a pull in flight
///   completes and its item is dropped; a new subscriber starts pulling again). When the handle
///   and every subscriber are gone, the upstream's pump is aborted and the upstream destroyed.
/// - Thread-safety: the handle and subscribers may be used from any threads and runtimes;
///   each subscriber is a normal stream (one consumer at a time). Output timestamps: items pass
///   unchanged.
/// - Cost: two allocations for the shared state (the handles' part, with the kept copy of the
///   upstream when a reset is asked for, and the upstream's part, with the replay ring, `n + 1`
///   slots, when `replay > 0`; a reset makes a new upstream's part), one per subscriber (node and
///   ring), the pump task once if the upstream is asynchronous; nothing per item beyond the copies
///   (one more per value when replaying).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/runtime/runtime.hpp"
#include "eddy/runtime/time.hpp"
#include "eddy/stream/buffer_policy.hpp"
#include "eddy/stream/detail/pulled.hpp"
#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// The options of `share(share_options{...})`. See share.hpp.
struct share_options {
  /// The default buffer policy of `subscribe()`.
  buffer_policy policy{};
  /// How many of the last values a new subscriber gets first (0: none).
  std::size_t replay = 0;
  /// After the upstream ended, the next subscriber starts a fresh copy of it.
  bool reset_on_complete = false;
  /// After the last subscriber left (at least `grace` before, on the runtime clock), the next
  /// subscriber starts a fresh copy of the upstream.
  bool reset_on_refcount_zero = false;
  /// See `reset_on_refcount_zero` (0: at once).
  duration grace{};

  /// Some reset is asked for (the upstream must then be copyable).
  constexpr bool resets() const noexcept { return reset_on_complete || reset_on_refcount_zero; }
};

template <class S>
class shared;
template <class S>
class shared_subscriber;

namespace detail {

template <class S>
class share_state final : public pulled_source<S> {
 public:
  using T = stream_value_t<S>;
  share_state(S s, share_options o)
      : pulled_source<S>(&destroy, std::move(s), 1, "share"), opts(o), replay(o.replay, true) {}

  hot_list<T> subs;    // under lock
  bool ended = false;  // under lock: the upstream ended
  share_options opts;
  item_ring<T> replay;  // under lock: the last values pulled (replay > 0 only)
  bool joined = false;  // under lock: a subscriber came (reset_on_refcount_zero)
  time_point left{};    // under lock: when the last subscriber left (with a grace only)

  /// A subscriber is leaving; if it is the last one (only the handles' reference stays) and a
  /// grace applies, notes the time on the current runtime's clock (outside any runtime: long
  /// ago). Under lock.
  void leaving() noexcept {
    if (!opts.reset_on_refcount_zero || opts.grace <= duration::zero() || this->externals != 2)
      return;
    const executor ex = current_executor();
    left = ex ? ex.now() : time_point::min();
  }
  /// The next subscriber should start a fresh upstream (see share_options). Under lock.
  bool stale() const noexcept {
    if (opts.reset_on_complete && ended) return true;
    if (!opts.reset_on_refcount_zero || !joined || this->externals != 1) return false;
    if (opts.grace <= duration::zero() || left == time_point::min()) return true;
    const executor ex = current_executor();
    return !ex || ex.now() - left >= opts.grace;
  }

  /// Links a new subscriber's buffer (capacity `capacity`): replayed values, then (after the
  /// end) its end. Under lock.
  void join(hot_buffer<T>* b, std::size_t capacity) {
    replay_into(replay, *b, capacity);
    if (ended) b->end();
    subs.push(b);
  }

  /// Under lock.
  void wake_all() noexcept {
    subs.each([](hot_buffer<T>& b) { b.wake(); });
  }
  /// Delivers `r` (an item, or the end) to every subscriber. Under lock.
  void distribute(std::optional<item<T>>&& r) {
    if (!r) {
      ended = true;
      for (hot_buffer<T>* b = subs.head(); b; b = b->next) {
        b->end();
        b->wake();
      }
      return;
    }
    if (replay.capacity() > 0 && r->is_value()) {
      replay.stage(std::as_const(r->value()));  // may throw: nothing kept, nothing delivered
      replay.commit_staged();
    }
    for (hot_buffer<T>* b = subs.head(); b; b = b->next) {
      const bool got = b->next ? b->offer(item<T>(std::as_const(*r))) : b->offer(std::move(*r));
      if (got) b->wake();
    }
  }

 private:
  static void destroy(shared_block* b) noexcept { delete static_cast<share_state*>(b); }
};

}  // namespace detail

/// A subscriber of a `shared<S>`: a stream of the upstream's items. See share.hpp.
template <class S>
class shared_subscriber : public detail::hot_reader<shared_subscriber<S>, stream_value_t<S>> {
  using state = detail::share_state<S>;
  using T = stream_value_t<S>;
  using base = detail::hot_reader<shared_subscriber<S>, T>;

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = T;

  /// Not while a `next()` is pending. The moved-from subscriber is empty: its `next()` gives
  /// the end (after the `invalid_argument` error if its policy was invalid), `dropped()` 0.
  shared_subscriber(shared_subscriber&& o) noexcept
      : base(std::move(o)),
        s_(std::exchange(o.s_, nullptr)),
        b_(std::exchange(o.b_, nullptr)),
        check_(o.check_) {}
  shared_subscriber& operator=(shared_subscriber&&) = delete;
  shared_subscriber(const shared_subscriber&) = delete;
  /// Unsubscribes (destroying what its buffer holds) and wakes the other subscribers, which
  /// it may have held back; the last of the handle and subscribers stops the upstream.
  ~shared_subscriber() {
    if (!s_) return;
    {
      detail::lock_guard<detail::spin_lock> g(s_->lock);
      if (b_) {
        s_->subs.remove(b_);
        s_->wake_all();  // its buffer may have been what the others waited for
      }
      s_->leaving();
    }
    delete b_;
    s_->drop_external();
  }

  /// Items this subscriber's policy dropped so far. Thread-safe.
  std::uint64_t dropped() const {
    if (!b_) return 0;
    detail::lock_guard<detail::spin_lock> g(s_->lock);
    return b_->dropped();
  }

 private:
  friend class shared<S>;
  friend base;
  using base::done, base::wait_buffer, base::wait_upstream;

  shared_subscriber(state* s, buffer_policy p) : s_(s) {
    if (s_->opts.resets() && !std::is_copy_constructible_v<S>) {
      check_ = detail::arg_check("share: reset options need a copyable upstream");
      return;
    }
    if (!p.valid()) {
      check_ = detail::arg_check("share: subscriber buffer capacity must be at least 1");
      return;
    }
    b_ = new detail::hot_buffer<T>(p);
    detail::lock_guard<detail::spin_lock> g(s_->lock);
    s_->join(b_, p.capacity);
  }

  state* source() const noexcept { return s_; }
  waker& reader() noexcept { return b_->reader; }
  /// Under lock: this subscriber can make progress (something to take, or it may pull).
  bool can_go() const noexcept {
    return b_->has_something() || (!s_->pulling && !s_->subs.any_blocks());
  }

  /// One attempt (see detail/pulled.hpp).
  int step_once(std::optional<item<T>>& out, bool& role) {
    if (!b_) {
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
      if (s_->pulling || s_->subs.any_blocks()) return wait_buffer;
      s_->pulling = true;
      role = true;
    }
    // Holding the role: pull one item (synchronously, or collect the pump's).
    std::optional<item<T>> r;
    bool end = false;
    detail::head_visitor<T> hv{r, end};
    if (!s_->up.poll(*s_, *s_, hv)) return wait_upstream;
    detail::lock_guard<detail::spin_lock> g(s_->lock);
    role = false;
    s_->pulling = false;
    s_->distribute(std::move(r));
    if (take_locked(out)) return done;
    s_->wake_all();  // let another subscriber take the role
    return wait_buffer;
  }
  /// Under lock.
  bool take_locked(std::optional<item<T>>& out) {
    bool was_full = false;
    if (!b_->take(out, was_full)) return false;
    if (was_full) s_->wake_all();
    return true;
  }

  state* s_;
  detail::hot_buffer<T>* b_ = nullptr;
  detail::arg_check check_;
};

/// The handle of a shared upstream: subscribe to it. Copyable. See share.hpp.
template <class S>
class shared {
  using state = detail::share_state<S>;

  /// What the handles share: the current upstream (a `share_state`, of which it holds one
  /// reference) and, when a reset is asked for, a copy of the upstream as it was given.
  struct root final : detail::shared_block {
    root(S s, share_options o) : shared_block(&destroy), opts(o) {
      if constexpr (std::is_copy_constructible_v<S>) {
        if (o.resets()) proto.emplace(std::as_const(s));
      }
      gen = new state(std::move(s), o);
    }
    ~root() { gen->drop_external(); }
    static void destroy(shared_block* b) noexcept { delete static_cast<root*>(b); }

    detail::spin_lock lock;
    state* gen;  // under lock
    share_options opts;
    std::optional<S> proto;
  };

 public:
  /// The type of the values the subscribers yield (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `share(p)`: moves `s` into the shared state (one allocation for it, one for the
  /// handles' part); `p` is the default policy of `subscribe()`, checked per subscriber (see
  /// the file comment). Pulls nothing yet.
  shared(S s, buffer_policy p) : r_(new root(std::move(s), share_options{.policy = p})) {}
  /// Made by `share(o)`: the same, with `o.policy` the default policy, `o.replay` values kept
  /// for new subscribers (the ring is allocated here) and the reset options (a copy of `s` is
  /// kept to restart from; see the file comment).
  shared(S s, share_options o) : r_(new root(std::move(s), o)) {}
  /// Copies refer to the same upstream; a move leaves the source empty (`subscribe` on it panics;
  /// otherwise only destruction and assignment are valid). Assigning over a handle first drops
  /// the one it held. Thread-safe on distinct objects.
  ///@{
  shared(const shared& o) noexcept : r_(o.r_) { r_->add_ref(); }
  shared(shared&& o) noexcept : r_(std::exchange(o.r_, nullptr)) {}
  // Copy and move assignment, not one by-value operator=: clang 16 may skip destroying the
  // by-value parameter of `h = {}` in a template (llvm#51037), leaking the old handle.
  shared& operator=(const shared& o) noexcept {
    shared t{o};
    std::swap(r_, t.r_);
    return *this;
  }
  shared& operator=(shared&& o) noexcept {
    shared t{std::move(o)};
    std::swap(r_, t.r_);
    return *this;
  }
  ///@}
  /// Drops this handle; once it and every subscriber are gone, the upstream's pump is aborted
  /// and the upstream destroyed.
  ~shared() {
    if (r_) r_->release();
  }

  /// A new subscriber with the handle's policy.
  shared_subscriber<S> subscribe() { return subscribe(r_ ? r_->opts.policy : buffer_policy{}); }
  /// A new subscriber with policy `p`; with a reset option, first restarts the upstream from
  /// the kept copy when the last one ended or lost its subscribers (see the file comment).
  /// Panics on a moved-from handle.
  shared_subscriber<S> subscribe(buffer_policy p) {
    if (!r_) panic("eddy::shared: subscribe() on a moved-from handle");
    state* old = nullptr;
    state* g = nullptr;
    {
      detail::lock_guard<detail::spin_lock> gr(r_->lock);
      if constexpr (std::is_copy_constructible_v<S>) {
        if (r_->proto && stale(r_->gen)) {
          old = r_->gen;
          r_->gen = new state(S(*r_->proto), r_->opts);
        }
      }
      g = r_->gen;
      g->add_ref();
      detail::lock_guard<detail::spin_lock> gs(g->lock);
      ++g->externals;  // counted before it joins: a racing subscribe sees it
      g->joined = true;
    }
    if (old) old->drop_external();  // the root's reference: the old upstream stops
    return shared_subscriber<S>(g, p);
  }
  /// Current subscribers. Thread-safe.
  std::size_t subscriber_count() const {
    if (!r_) return 0;  // a moved-from handle has no subscribers
    detail::lock_guard<detail::spin_lock> gr(r_->lock);
    detail::lock_guard<detail::spin_lock> g(r_->gen->lock);
    return r_->gen->subs.size();
  }

 private:
  static bool stale(state* g) {
    detail::lock_guard<detail::spin_lock> l(g->lock);
    return g->stale();
  }
  root* r_;
};

/// `s | share(policy)`: see the file comment. `policy` is the default of `subscribe()`.
inline auto share(buffer_policy policy = {}) {
  return detail::bind_stream<shared>(policy);
}
/// `s | share(share_options{.policy = p, .replay = n})`: see the file comment.
inline auto share(share_options options) {
  return detail::bind_stream<shared>(options);
}

}  // namespace eddy
