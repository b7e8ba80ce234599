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
/// - `s | share(policy = {})` moves `s` into a `shared<S>` handle; `subscribe(policy)` (default:
///   the handle's policy) returns a `shared_subscriber<S>`, a stream. Items pulled from the
///   upstream after a subscriber joined are delivered to it, through its own bounded buffer
///   with its policy (buffer_policy.hpp; `capacity == 0`: one `errc::invalid_argument` error,
///   then the end).
/// - **Pull-driven, no background task of its own.** The upstream is pulled only when a
///   subscriber asks for an item and its buffer is empty, by that subscriber (one at a time):
///   a synchronous upstream is pulled inline (a pure pull on one thread works with no runtime
///   thread); an asynchronous one through a pump task (see detail_port.hpp) that keeps its
///   pull going if the subscriber's `next()` is cancelled (another subscriber, or the next
///   `next()`, collects it). Each item pulled goes to every current subscriber; values are
///   copied (the last subscriber gets the original).
/// - Backpressure: before pulling, the puller waits while a subscriber with `overflow::wait`
///   has a full buffer; subscribers with dropping policies never hold the others back.
/// - **Errors pass through** to every subscriber and end nothing; the end of the upstream ends
///   every subscriber (after its buffer); a later subscriber ends at once.
/// - When the last subscriber goes, nothing pulls the upstream any more (a pull in flight
///   completes and its item is dropped; a new subscriber starts pulling again). When the handle
///   and every subscriber are gone, the upstream's pump is aborted and the upstream destroyed.
/// - Thread-safety: the handle and subscribers may be used from any threads and runtimes;
///   each subscriber is a normal stream (one consumer at a time). Output timestamps: items pass
///   unchanged.
/// - Cost: one allocation for the shared state, one per subscriber (node and ring), the pump
///   task once if the upstream is asynchronous; nothing per item beyond the copies.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/stream/buffer_policy.hpp"
#include "eddy/stream/detail_hot.hpp"
#include "eddy/stream/detail_hub.hpp"
#include "eddy/stream/detail_port.hpp"
#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

template <class S>
class shared;
template <class S>
class shared_subscriber;

namespace detail {

template <class S>
class share_state final : public port_hub {
 public:
  using T = stream_value_t<S>;
  share_state(S s, buffer_policy p) : port_hub(&destroy), up(std::move(s)), policy(p) {}

  port<S> up;                 // used by the role holder only
  hot_list<T> subs;           // under lock
  bool pulling = false;       // under lock: the puller role is taken
  bool ended = false;         // under lock: the upstream ended
  std::size_t externals = 1;  // under lock: handles and subscribers
  buffer_policy policy;

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
    for (hot_buffer<T>* b = subs.head(); b; b = b->next) {
      const bool got = b->next ? b->offer(item<T>(std::as_const(*r))) : b->offer(std::move(*r));
      if (got) b->wake();
    }
  }
  /// One external reference less; the last one stops the pump. Then releases.
  void drop_external() noexcept {
    bool last = false;
    {
      lock_guard<spin_lock> g(lock);
      last = --externals == 0;
    }
    if (last) up.stop();
    release();
  }

 private:
  static void destroy(shared_block* b) noexcept { delete static_cast<share_state*>(b); }
};

}  // namespace detail

/// A subscriber of a `shared<S>`: a stream of the upstream's items. See share.hpp.
template <class S>
class shared_subscriber {
  using state = detail::share_state<S>;
  using T = stream_value_t<S>;

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = T;

  /// Not while a `next()` is pending. The moved-from subscriber is empty: its `next()` gives
  /// the end (after the `invalid_argument` error if its policy was invalid), `dropped()` 0.
  shared_subscriber(shared_subscriber&& o) noexcept
      : s_(std::exchange(o.s_, nullptr)), b_(std::exchange(o.b_, nullptr)), check_(o.check_) {}
  shared_subscriber& operator=(shared_subscriber&&) = delete;
  shared_subscriber(const shared_subscriber&) = delete;
  /// Unsubscribes (destroying what its buffer holds) and wakes the other subscribers, which
  /// it may have held back; the last of the handle and subscribers stops the upstream.
  ~shared_subscriber() {
    if (!s_) return;
    if (b_) {
      detail::lock_guard<detail::spin_lock> g(s_->lock);
      s_->subs.remove(b_);
      s_->wake_all();  // its buffer may have been what the others waited for
    }
    delete b_;
    s_->drop_external();
  }

  /// The awaiter of `next()`. Destroying it while suspended gives the puller role back and
  /// takes nothing from the buffer (cancel-safe): an asynchronous pull in flight goes on in the
  /// pump and its item is collected by the next `next()` or another subscriber.
  class awaiter {
   public:
    /// Made by `next()`.
    explicit awaiter(shared_subscriber* st) noexcept : st_(st) {}
    /// Movable before it suspended (e.g. into `timeout`); the puller role moves along.
    awaiter(awaiter&& o) noexcept
        : st_(o.st_), out_(std::move(o.out_)), role_(std::exchange(o.role_, false)) {
      if (o.frame_) panic("eddy: a shared_subscriber next() awaiter was moved while waiting");
    }
    awaiter& operator=(awaiter&&) = delete;
    ~awaiter() {
      if (frame_)
        frame_.destroy();  // its guard gives the role back
      else if (role_)
        role_guard{st_, role_}.release();
    }
    bool await_ready() { return st_->step(out_, role_) == done; }
    template <class P>
    coro::coroutine_handle<> await_suspend(coro::coroutine_handle<P> h) {
      frame_ = loop(st_->cache_, this).h;
      frame_.promise().cont = h;
      return frame_;
    }
    std::optional<item<T>> await_resume() {
      if (frame_) frame_.promise().rethrow_if_exception();
      return std::move(out_);
    }

   private:
    /// Gives the puller role back if the loop is destroyed while holding it.
    struct role_guard {
      shared_subscriber* st;
      bool& role;
      ~role_guard() { release(); }
      void release() {
        if (!role) return;
        role = false;
        detail::lock_guard<detail::spin_lock> g(st->s_->lock);
        st->s_->pulling = false;
        st->s_->wake_all();
      }
    };
    static detail::pump_handle loop(detail::frame_cache&, awaiter* self) {
      shared_subscriber* st = self->st_;
      role_guard guard{st, self->role_};
      for (int r = st->last_; r != done; r = st->step(self->out_, self->role_)) {
        if (r == wait_upstream) {
          co_await detail::hub_wait(st->s_, nullptr);
        } else {
          co_await detail::reader_wait(st->s_->lock, st->b_->reader, [st] { return st->can_go(); });
        }
      }
    }

    shared_subscriber* st_;
    std::optional<item<T>> out_;
    bool role_ = false;
    coro::coroutine_handle<detail::pump_promise> frame_{};
  };

  /// The next element: an awaitable of `std::optional<item<value_type>>` (empty at the end).
  /// One `next()` at a time; cancel-safe (see stream/concept.hpp). Pulls the upstream when the
  /// buffer is empty and no other subscriber is pulling; resumes on the caller's runtime.
  awaiter next() noexcept { return awaiter(this); }

  /// Answers when an item is buffered or the upstream answers synchronously.
  template <class V>
  bool try_visit(V& v) {
    std::optional<item<T>> out;
    bool role = false;
    const int r = step(out, role);
    if (role) {  // the upstream's pump has the pull now: whoever comes next collects it
      detail::lock_guard<detail::spin_lock> g(s_->lock);
      s_->pulling = false;
      s_->wake_all();
    }
    if (r != done) return false;
    detail::visit_result(std::move(out), v);
    return true;
  }

  /// Items this subscriber's policy dropped so far. Thread-safe.
  std::uint64_t dropped() const {
    if (!b_) return 0;
    detail::lock_guard<detail::spin_lock> g(s_->lock);
    return b_->dropped();
  }

 private:
  friend class shared<S>;
  static constexpr int done = 0, wait_buffer = 1, wait_upstream = 2;

  shared_subscriber(state* s, buffer_policy p) : s_(s) {
    if (!p.valid()) {
      check_ = detail::arg_check("share: subscriber buffer capacity must be at least 1");
      return;
    }
    b_ = new detail::hot_buffer<T>(p);
    detail::lock_guard<detail::spin_lock> g(s_->lock);
    if (s_->ended) b_->end();
    s_->subs.push(b_);
  }

  /// Under lock: this subscriber can make progress (something to take, or it may pull).
  bool can_go() const noexcept {
    return b_->has_something() || (!s_->pulling && !s_->subs.any_blocks());
  }

  /// One attempt: `done` (an item or the end in `out`), `wait_buffer`, or `wait_upstream`
  /// (holding the puller role, `role` true).
  int step(std::optional<item<T>>& out, bool& role) {
    last_ = step_impl(out, role);
    return last_;
  }
  int step_impl(std::optional<item<T>>& out, bool& role) {
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
  int last_ = done;
  detail::frame_cache cache_;
};

/// The handle of a shared upstream: subscribe to it. Copyable. See share.hpp.
template <class S>
class shared {
  using state = detail::share_state<S>;

 public:
  /// The type of the values the subscribers yield (each element is an `item<value_type>`).
  using value_type = stream_value_t<S>;

  /// Made by `share(p)`: moves `s` into the shared state (one allocation); `p` is the default
  /// policy of `subscribe()`, checked per subscriber (see the file comment). Pulls nothing yet.
  shared(S s, buffer_policy p) : s_(new state(std::move(s), p)) {}
  /// Copies refer to the same upstream; a move leaves the source empty (`subscribe` on it panics;
  /// otherwise only destruction and assignment are valid). Assigning over a handle first drops
  /// the one it held. Thread-safe on distinct objects.
  ///@{
  shared(const shared& o) noexcept : s_(o.s_) { acquire(); }
  shared(shared&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  // Copy and move assignment, not one by-value operator=: clang 16 may skip destroying the
  // by-value parameter of `h = {}` in a template (llvm#51037), leaking the old handle.
  shared& operator=(const shared& o) noexcept {
    shared t{o};
    std::swap(s_, t.s_);
    return *this;
  }
  shared& operator=(shared&& o) noexcept {
    shared t{std::move(o)};
    std::swap(s_, t.s_);
    return *this;
  }
  ///@}
  /// Drops this handle; once it and every subscriber are gone, the upstream's pump is aborted
  /// and the upstream destroyed.
  ~shared() {
    if (s_) s_->drop_external();
  }

  /// A new subscriber with the handle's policy.
  shared_subscriber<S> subscribe() { return subscribe(s_ ? s_->policy : buffer_policy{}); }
  /// A new subscriber with policy `p`. Panics on a moved-from handle.
  shared_subscriber<S> subscribe(buffer_policy p) {
    if (!s_) panic("eddy::shared: subscribe() on a moved-from handle");
    acquire();
    return shared_subscriber<S>(s_, p);
  }
  /// Current subscribers. Thread-safe.
  std::size_t subscriber_count() const {
    if (!s_) return 0;  // a moved-from handle has no subscribers
    detail::lock_guard<detail::spin_lock> g(s_->lock);
    return s_->subs.size();
  }

 private:
  void acquire() noexcept {
    s_->add_ref();
    detail::lock_guard<detail::spin_lock> g(s_->lock);
    ++s_->externals;
  }
  state* s_;
};

/// `s | share(policy)`: see the file comment. `policy` is the default of `subscribe()`.
inline auto share(buffer_policy policy = {}) {
  return detail::bind_stream<shared>(policy);
}

}  // namespace eddy
