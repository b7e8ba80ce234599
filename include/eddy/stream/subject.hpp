// SPDX-License-Identifier: BSL-1.0
/// \file
/// `subject<T>`: a hot source. Producers `send` values; every current subscriber gets each.
///
/// ```
/// send:          1---2---3---------4---close
/// subscriber a:  1---2---3---------4---|          (subscribed before 1)
/// subscriber b:          3---------4---|          (subscribed after 2: sees only later items)
/// ```
/// ```cpp
/// eddy::subject<int> s;                              // default policy: 64, overflow::wait
/// auto a = s.subscribe();                            // a stream of int
/// auto b = s.subscribe(eddy::buffer_policy::drop_oldest(8));
/// auto r = co_await s.send(1);                       // send_result<int>
/// s.close();                                         // both end after draining
/// ```
/// - `subscribe(policy = the subject's default)` returns a `subject_stream<T>`: a stream of the
///   items sent from then on. Each subscriber has its own bounded buffer with its policy (see
///   buffer_policy.hpp); `capacity == 0` gives a stream that yields one
///   `errc::invalid_argument` error and ends. Subscribing to a closed subject gives a stream
///   that ends at once.
/// - `co_await send(v) -> send_result<T>`: delivers a copy of `v` to every subscriber (the last
///   one gets `v` moved when `T`'s move cannot throw). It waits while a subscriber with
///   `overflow::wait` has a full buffer, in FIFO order with other waiting sends (a new send
///   never overtakes a waiting one), and delivers to all subscribers at once when all have
///   room (never to some and not others).
/// - A copy of `v` that throws (exceptions enabled): `v` is delivered to **no** subscriber (the
///   copies already made are destroyed before anything is placed), and the send completes with
///   `errc::exception` — `r.error().exception()` is the exception, `r.error().message()` its
///   `what()` — and `v` handed back (`r.into_inner()`). This holds for a send that had to
///   wait too (the copy then happens when a reader makes room: the reader keeps its item and
///   the next waiting send is served) and for `try_send`. Nothing hangs, nothing terminates:
///   dropping a subscriber while a send waits is safe. (With drop policies a subscriber's
///   `dropped()` count is only updated by a delivery that happened.)
///   With no subscriber it succeeds and delivers to nobody. On a closed subject, or when the
///   subject is closed while it waits, it fails with `errc::closed` and hands `v` back.
///   Cancel-safe: a send destroyed while waiting has sent nothing (or, if it completed, all).
/// - `try_send(v) -> send_result<T>`: never waits: `errc::full` (value back) where `send`
///   would wait, `errc::closed` on a closed subject.
/// - `error(e)`: every subscriber gets what it has buffered, then `e`, then the end; the subject
///   is closed. `close()`: the same without an error. Both are idempotent (only the first
///   counts); waiting sends fail with `errc::closed`.
/// - `subject` is a copyable handle (copies are more producers of the same subject). When the
///   last handle goes, the subject closes. A moved-from handle is empty: sends fail with
///   `errc::invalid_argument` (value back), `subscribe` gives an ended stream.
/// - Thread-safety: every member of `subject` may be called from any thread and runtime; a
///   `subject_stream` is a normal stream (one consumer at a time). Values are copied under the
///   subject's short internal lock: `T`'s copy must not use eddy primitives.
/// - Cost: one allocation per subscriber (its node and its ring); none per send, item or wake.
///   Works with no runtime thread at all (a send and a pull on one thread).
/// - Name: `s.name("prices")` names the subject in task dumps (`subject::next on subject
///   'prices'`; `runtime::dump`). Not copied: a string literal.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/core/lock.hpp"
#include "eddy/runtime/detail/waiter_list.hpp"
#include "eddy/runtime/task_header.hpp"
#include "eddy/stream/buffer_policy.hpp"
#include "eddy/stream/concept.hpp"
#include "eddy/stream/detail/hot.hpp"
#include "eddy/stream/detail/port.hpp"
#include "eddy/stream/stage.hpp"
#include "eddy/sync/send_result.hpp"

namespace eddy {

template <class T>
class subject;
template <class T>
class subject_stream;

namespace detail {

template <class T>
class subject_state final : public shared_block {
 public:
  struct sender_node : waiter_node {
    T* value = nullptr;
    bool done = false;
#if EDDY_HAS_EXCEPTIONS
    std::exception_ptr failed;  ///< a copy of the value threw: delivered to nobody
#endif
  };

  subject_state(buffer_policy p, std::size_t replay_n)
      : shared_block(&destroy), policy(p), replay(replay_n, true) {}

  spin_lock lock;
  /// The subject's name in task dumps, or null (`subject::name`; not copied).
  std::atomic<const char*> name{nullptr};
  /// Task dumps: `subject::next on subject 'prices'`.
  static void describe(const wait_kind& k, const void* obj, dump_sink& out) {
    out << k.what << " on subject";
    out.name(static_cast<const subject_state*>(obj)->name.load(std::memory_order_relaxed));
  }
  static constexpr wait_kind next_wait{"subject::next", &describe};  ///< a subscriber waits
  static constexpr wait_kind send_wait{"subject::send", &describe};  ///< a send waits for room
  hot_list<T> subs;                                                  // under lock
  waiter_list senders;                                               // under lock: sender_node
  bool closed = false;                                               // under lock
  std::size_t handles = 1;                                           // under lock
  buffer_policy policy;
  item_ring<T> replay;               // under lock: the last values sent (replay subjects only)
  std::optional<error> final_error;  // under lock: what `error()` closed a replay subject with

  /// Gives a new subscriber's buffer `b` the replayed values (the newest that fit), then, on a
  /// closed subject, its end. A copy that throws becomes an `errc::exception` error item in
  /// `b`. Under lock.
  void replay_to(hot_buffer<T>& b, std::size_t capacity) {
    replay_into(replay, b, capacity);
    if (closed) b.end(final_error);
  }

  /// Under lock.
  bool can_place() const noexcept { return !subs.any_blocks(); }
  /// Delivers `v` to every subscriber, or to none: a copy for each subscriber that keeps it is
  /// made first (the last one gets `v` moved when `T`'s move cannot throw), then all are
  /// placed. If a copy throws, the copies made are destroyed, `v` is unchanged, nobody got
  /// anything and the exception propagates. Under lock.
  void place(T& v) {
    hot_buffer<T>* last = nullptr;
    for (hot_buffer<T>* b = subs.head(); b; b = b->next) {
      if (b->wants()) last = b;
    }
    const bool replaying = replay.capacity() > 0;
#if EDDY_HAS_EXCEPTIONS
    try {
#endif
      if (replaying) replay.stage(std::as_const(v));
      for (hot_buffer<T>* b = subs.head(); b; b = b->next) {
        if (!b->wants()) continue;
        if constexpr (std::is_nothrow_move_constructible_v<T>) {
          if (b == last) {
            b->stage(std::move(v));
            continue;
          }
        }
        b->stage(std::as_const(v));
      }
#if EDDY_HAS_EXCEPTIONS
    } catch (...) {
      for (hot_buffer<T>* b = subs.head(); b; b = b->next) b->unstage();
      if (replaying) replay.unstage();
      throw;
    }
#endif
    if (replaying) replay.commit_staged();
    for (hot_buffer<T>* b = subs.head(); b; b = b->next) {
      if (b->commit()) b->wake();
    }
  }
  /// Completes waiting sends while there is room; a send whose value cannot be copied is
  /// completed with that failure (its value stays with it). Never throws. Under lock.
  void serve() noexcept {
    while (!senders.empty() && can_place()) {
      auto* n = static_cast<sender_node*>(senders.pop_front());
#if EDDY_HAS_EXCEPTIONS
      try {
        place(*n->value);
        n->done = true;
      } catch (...) {
        n->failed = std::current_exception();
      }
#else
      place(*n->value);
      n->done = true;
#endif
      n->w.wake();
    }
  }
  /// Under lock.
  void close(std::optional<error> e) {
    if (closed) return;
    closed = true;
    if (replay.capacity() > 0) final_error = e;
    for (hot_buffer<T>* b = subs.head(); b; b = b->next) {
      b->end(e);
      b->wake();
    }
    while (waiter_node* n = senders.pop_front()) n->w.wake();
  }

 private:
  static void destroy(shared_block* b) noexcept { delete static_cast<subject_state*>(b); }
};

}  // namespace detail

/// A subscriber of a `subject<T>`: a stream of `T`. See subject.hpp.
template <class T>
class subject_stream {
  using state = detail::subject_state<T>;

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = T;

  /// Move; only while no `next()` is in flight. The moved-from subscriber is empty.
  subject_stream(subject_stream&& o) noexcept
      : s_(std::exchange(o.s_, nullptr)), b_(std::exchange(o.b_, nullptr)), check_(o.check_) {}
  /// Unsubscribes this one and takes over `o`; only while no `next()` is in flight.
  subject_stream& operator=(subject_stream&& o) noexcept {
    if (this != &o) {
      reset();
      s_ = std::exchange(o.s_, nullptr);
      b_ = std::exchange(o.b_, nullptr);
      check_ = o.check_;
    }
    return *this;
  }
  subject_stream(const subject_stream&) = delete;
  subject_stream& operator=(const subject_stream&) = delete;
  ~subject_stream() { reset(); }

  /// The awaiter of `next()`. Destroying it while suspended deregisters its waits and gives back
  /// what it was handed (cancel-safe); the stream stays usable.
  class awaiter {
   public:
    /// Made by `next()`.
    explicit awaiter(subject_stream* st) noexcept : st_(st) {}
    /// Movable until it suspends (moving a waiting awaiter panics).
    awaiter(awaiter&& o) noexcept : st_(o.st_), out_(std::move(o.out_)) {
      if (o.me_) panic("eddy: a subject_stream next() awaiter was moved while waiting");
    }
    awaiter& operator=(awaiter&&) = delete;
    ~awaiter() {
      if (me_) {
        detail::lock_guard<detail::spin_lock> g(st_->s_->lock);
        if (st_->b_->reader == me_) st_->b_->reader = waker{};
      }
    }
    bool await_ready() { return st_->take(out_); }
    bool await_suspend(coro::coroutine_handle<> h) {
      detail::lock_guard<detail::spin_lock> g(st_->s_->lock);
      if (st_->take_locked(out_)) return false;
      me_ = detail::suspend_here(h, detail::subject_state<T>::next_wait, st_->s_);
      st_->b_->reader = me_;
      return true;
    }
    std::optional<item<T>> await_resume() {
      if (me_) {
        me_ = waker{};
        st_->take(out_);
      }
      return std::move(out_);
    }

   private:
    subject_stream* st_;
    std::optional<item<T>> out_;
    waker me_;
  };

  /// The next element: an awaitable of `std::optional<item<value_type>>` (empty at the end).
  /// One `next()` at a time; cancel-safe (see stream/concept.hpp).
  awaiter next() noexcept { return awaiter(this); }

  /// Answers when an item (or the end) is buffered.
  template <class V>
  bool try_visit(V& v) {
    std::optional<item<T>> out;
    if (!take(out)) return false;
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
  friend class subject<T>;
  subject_stream(state* s, buffer_policy p) : s_(s) {
    if (!p.valid()) {
      check_ = detail::arg_check("subject: subscriber buffer capacity must be at least 1");
      return;
    }
    b_ = new detail::hot_buffer<T>(p, true);  // staging: all-or-nothing delivery
    detail::lock_guard<detail::spin_lock> g(s_->lock);
    if (s_->replay.capacity() > 0)
      s_->replay_to(*b_, p.capacity);
    else if (s_->closed)
      b_->end();
    s_->subs.push(b_);
  }
  /// An ended stream (a moved-from subject).
  subject_stream() noexcept = default;

  bool take(std::optional<item<T>>& out) {
    if (!b_) return take_locked(out);
    detail::lock_guard<detail::spin_lock> g(s_->lock);
    return take_locked(out);
  }
  bool take_locked(std::optional<item<T>>& out) {
    if (!b_) {
      if (check_.bad()) {
        struct em {
          std::optional<item<T>>& o;
          void error(eddy::error&& e) { o.emplace(std::move(e)); }
          void end() noexcept {}
        } e{out};
        check_.report(e);
      }
      return true;
    }
    bool was_full = false;
    if (!b_->take(out, was_full)) return false;
    if (was_full) s_->serve();
    return true;
  }
  void reset() noexcept {
    if (s_) {
      if (b_) {
        detail::lock_guard<detail::spin_lock> g(s_->lock);
        s_->subs.remove(b_);
        s_->serve();
      }
      delete std::exchange(b_, nullptr);
      std::exchange(s_, nullptr)->release();
    }
  }

  state* s_ = nullptr;
  detail::hot_buffer<T>* b_ = nullptr;
  detail::arg_check check_;
};

/// A hot multicast source: each `subscribe()` gets a stream of the items sent from then on,
/// with its own bounded buffer and overflow policy (see the file comment). A copyable handle:
/// copies share one subject; every member is thread-safe.
template <class T>
class subject {
  using state = detail::subject_state<T>;

 public:
  /// The type of the values sent.
  using value_type = T;

  /// A new, open subject; `default_policy` is what `subscribe()` uses.
  explicit subject(buffer_policy default_policy = {}) : s_(new state(default_policy, 0)) {}
  /// Another handle to the same subject.
  subject(const subject& o) noexcept : s_(o.s_) { acquire(); }
  /// Takes over the handle; `o` becomes invalid.
  subject(subject&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  /// Drops this handle and shares `o`'s subject.
  subject& operator=(const subject& o) noexcept {
    if (this != &o) {
      drop();
      s_ = o.s_;
      acquire();
    }
    return *this;
  }
  /// Drops this handle and takes over `o`'s; `o` becomes invalid.
  subject& operator=(subject&& o) noexcept {
    if (this != &o) {
      drop();
      s_ = std::exchange(o.s_, nullptr);
    }
    return *this;
  }
  ~subject() { drop(); }

  /// Names the subject in task dumps (`subject::next on subject 'prices'`); `n` is not copied
  /// (a string literal, or outliving the subject). Thread-safe; every handle shares the name.
  subject& name(const char* n) noexcept {
    if (s_) s_->name.store(n, std::memory_order_relaxed);
    return *this;
  }
  /// The name given with `name(n)`, or null. Thread-safe.
  const char* name() const noexcept {
    return s_ ? s_->name.load(std::memory_order_relaxed) : nullptr;
  }

  /// A new subscriber with the default policy. See the file comment.
  subject_stream<T> subscribe() { return s_ ? subscribe(s_->policy) : subject_stream<T>(); }
  /// A new subscriber with policy `p`. See the file comment.
  subject_stream<T> subscribe(buffer_policy p) {
    if (!s_) return subject_stream<T>();
    s_->add_ref();
    return subject_stream<T>(s_, p);
  }

  /// The awaitable of `send(v)`. Destroying it while it waits (a full `wait`-policy buffer)
  /// deregisters it; the value is then not sent. Movable only before it is awaited.
  class [[nodiscard]] send_awaiter {
   public:
    /// Made by `send(v)`.
    send_awaiter(state* s, T&& v) : s_(s), v_(std::move(v)) {}
    /// Movable only before it is awaited (moving a waiting awaiter panics).
    send_awaiter(send_awaiter&& o) : s_(o.s_), v_(std::move(o.v_)), code_(o.code_) {
      if (o.queued_) panic("eddy::subject: a send awaiter was moved while waiting");
    }
    send_awaiter& operator=(send_awaiter&&) = delete;
    ~send_awaiter() {
      if (queued_) {
        detail::lock_guard<detail::spin_lock> g(s_->lock);
        s_->senders.remove(&node_);
      }
    }
    bool await_ready() {
      if (!s_) {
        code_ = errc::invalid_argument;
        return true;
      }
      detail::lock_guard<detail::spin_lock> g(s_->lock);
      return try_now();
    }
    bool await_suspend(coro::coroutine_handle<> h) {
      detail::lock_guard<detail::spin_lock> g(s_->lock);
      if (try_now()) return false;
      node_.value = &v_;
      node_.w = detail::suspend_here(h, state::send_wait, s_);
      s_->senders.push_back(&node_);
      queued_ = true;
      return true;
    }
    send_result<T> await_resume() {
      if (queued_) {
        queued_ = false;  // woken: `node_` was unlinked by the waker
#if EDDY_HAS_EXCEPTIONS
        if (node_.failed) return send_result<T>(std::move(node_.failed), std::move(v_));
#endif
        if (!node_.done) code_ = errc::closed;
      }
#if EDDY_HAS_EXCEPTIONS
      if (failed_) return send_result<T>(std::move(failed_), std::move(v_));
#endif
      if (code_ == errc{}) return send_result<T>();
      return send_result<T>(code_, std::move(v_));
    }

   private:
    /// Under lock: completes now if it can (closed, or room and nobody waiting before it).
    bool try_now() {
      if (s_->closed) {
        code_ = errc::closed;
        return true;
      }
      if (!s_->senders.empty() || !s_->can_place()) return false;
#if EDDY_HAS_EXCEPTIONS
      try {
        s_->place(v_);
      } catch (...) {
        failed_ = std::current_exception();
      }
#else
      s_->place(v_);
#endif
      return true;
    }
    state* s_;
    T v_;
    typename state::sender_node node_;
    errc code_{};
    bool queued_ = false;
#if EDDY_HAS_EXCEPTIONS
    std::exception_ptr failed_;
#endif
  };

  /// `co_await send(v) -> send_result<T>`. See the file comment.
  send_awaiter send(T v) { return send_awaiter(s_, std::move(v)); }

  /// Never waits. See the file comment.
  send_result<T> try_send(T v) {
    if (!s_) return send_result<T>(errc::invalid_argument, std::move(v));
    detail::lock_guard<detail::spin_lock> g(s_->lock);
    if (s_->closed) return send_result<T>(errc::closed, std::move(v));
    if (!s_->senders.empty() || !s_->can_place()) return send_result<T>(errc::full, std::move(v));
#if EDDY_HAS_EXCEPTIONS
    try {
      s_->place(v);
    } catch (...) {
      return send_result<T>(std::current_exception(), std::move(v));
    }
#else
    s_->place(v);
#endif
    return send_result<T>();
  }

  /// Delivers `e` after what each subscriber has buffered, then ends them; closes the subject.
  void error(eddy::error e) {
    if (!s_) return;
    detail::lock_guard<detail::spin_lock> g(s_->lock);
    s_->close(std::move(e));
  }
  /// Ends every subscriber after what it has buffered; closes the subject. Idempotent.
  void close() {
    if (!s_) return;
    detail::lock_guard<detail::spin_lock> g(s_->lock);
    s_->close(std::nullopt);
  }
  /// True once `close()` or `error()` was called (or for a moved-from handle).
  bool is_closed() const {
    if (!s_) return true;
    detail::lock_guard<detail::spin_lock> g(s_->lock);
    return s_->closed;
  }
  /// The number of live subscribers (0 for a moved-from handle).
  std::size_t subscriber_count() const {
    if (!s_) return 0;
    detail::lock_guard<detail::spin_lock> g(s_->lock);
    return s_->subs.size();
  }
  /// False for a moved-from handle.
  bool valid() const noexcept { return s_ != nullptr; }

 protected:
  /// A subject that replays its last `replay_n` values to each new subscriber
  /// (`replay_subject`, `behavior_subject`).
  subject(buffer_policy default_policy, std::size_t replay_n)
      : s_(new state(default_policy, replay_n)) {}
  /// Under the subject's lock: `f(replay ring)` (null `s_`: not called).
  template <class F>
  void with_replay(F&& f) const {
    if (!s_) return;
    detail::lock_guard<detail::spin_lock> g(s_->lock);
    f(s_->replay);
  }

 private:
  void acquire() noexcept {
    if (!s_) return;
    s_->add_ref();
    detail::lock_guard<detail::spin_lock> g(s_->lock);
    ++s_->handles;
  }
  void drop() noexcept {
    if (!s_) return;
    {
      detail::lock_guard<detail::spin_lock> g(s_->lock);
      if (--s_->handles == 0) s_->close(std::nullopt);
    }
    std::exchange(s_, nullptr)->release();
  }

  state* s_;
};

}  // namespace eddy
