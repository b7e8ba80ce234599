// SPDX-License-Identifier: BSL-1.0
/// \file
/// `group_by(key_fn)`: splits one stream into one stream per key: a stream of groups, each a
/// key and the stream of the values with that key.
///
/// ```
/// source:   --a1--b1--a2--E--c1--b2--|          (letter = key)
///           auto groups = std::move(source) | group_by(letter);
/// groups:   --A---B-------E--C-------|          (A = group{'a', ...}, E = the error)
/// A:        --a1------a2-------------|
/// B:        ------b1-------------b2--|
/// C:        -----------------c1------|
/// ```
/// - `s | group_by(key_fn, group_by_options{.policy = p, .max_groups = m})` moves `s` in and
///   returns a `grouped<S, F>`: a stream of `group<K, group_stream<S, F>>` (`key`, `stream`),
///   `K` the decayed result of `key_fn(const T&)` (copyable, compared with `==`; keys are
///   compared and copied under the state's short lock, so they must not use eddy primitives). A
///   group appears on the outer stream when the first value of its key is routed; its stream yields
///   that value and every later value with an equal key, through its own bounded buffer with
///   policy `p` (buffer_policy.hpp).
/// - **Bound on live groups:** at most `max_groups` (default 64) groups are live (announced
///   and not yet destroyed). A value with a new key while `max_groups` are live is dropped and
///   the outer stream gets one `errc::full` error item for it (counted by the outer
///   `dropped()`); once a group is destroyed its key, or another, can open a group again.
/// - **A destroyed group reopens:** dropping a group's stream discards what it buffered; the
///   next value with that key opens a new group (a new item on the outer stream).
/// - **Errors go to the outer stream only** and end nothing (the groups carry values only, so
///   flattening the groups back does not repeat an error); a `key_fn` that throws (exceptions
///   on) gives an `errc::exception` error on the outer stream and its value is dropped.
/// - **The end** of the source ends every group (after what it buffered) and the outer stream.
/// - **Dropping the outer stream** destroys the groups it had not handed out yet; the groups
///   handed out go on. From then on values with a key that has no live group, and errors, are
///   discarded.
/// - Pull-driven like `partition` (whose n-way generalisation this is; no background task of its
///   own; a synchronous source is pulled inline, an asynchronous one through a pump task): the
///   stream (outer or group) that asks for an item while its buffer is empty pulls the source,
///   routes the item and keeps pulling until it gets one.
/// - Buffering bound and backpressure: each group buffers at most `p.capacity` values; the
///   outer stream buffers at most `p.capacity` groups and errors (always with `overflow::wait`);
///   one more item is held while its target is full. Under `overflow::wait` (the default) a
///   full group, or a full outer stream, stops the pulling until it is read: consume the outer
///   stream and every group concurrently (e.g. `merge_map`), or use a dropping policy. Dropping
///   policies never hold the others back.
/// - Bad arguments (`p.capacity == 0` or `max_groups == 0`): the outer stream yields one
///   `errc::invalid_argument` error, then ends; the source is never pulled.
/// - Output timestamps: values pass unchanged (a group item is made when its first value
///   arrives). Thread-safety: the outer stream and the groups may be consumed from different
///   threads and runtimes (each one consumer at a time); `key_fn` runs on the task that pulled.
/// - Cost: one allocation for the shared state (with the outer ring), one per group (its node and
///   ring, made under the state's lock when its first value arrives), the pump task once if the
///   source is asynchronous; per value a linear scan of the live groups for its key.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/stream/buffer_policy.hpp"
#include "eddy/stream/detail/emit.hpp"
#include "eddy/stream/detail/pulled.hpp"
#include "eddy/stream/pipe.hpp"
#include "eddy/stream/stage.hpp"

namespace eddy {

/// One group of a `group_by`: its key and the stream of its values. See group_by.hpp.
template <class K, class G>
struct group {
  K key;     ///< the key every value of `stream` has
  G stream;  ///< the values with this key (a `group_stream`)
};

/// The options of `group_by`. See group_by.hpp.
struct group_by_options {
  /// Each group's buffer (and the capacity of the outer stream's, which always waits).
  buffer_policy policy{};
  /// The most groups live at once (at least 1).
  std::size_t max_groups = 64;
};

template <class S, class F>
class grouped;
template <class S, class F>
class group_stream;

namespace detail {

template <class S, class F>
using group_key_t = std::decay_t<std::invoke_result_t<F&, const stream_value_t<S>&>>;

/// How groups open and close, beyond `group_by`'s defaults (`window_count` is `group_by` with
/// a counting key): `close_after` (0: never) ends a group after that many values; `sequential`
/// keys are 0, 1, 2... and a key opens a group only once (a value whose group was dropped is
/// discarded instead of reopening it). `bad` overrides the bad-argument message.
struct group_mode {
  std::uint64_t close_after = 0;
  bool sequential = false;
  const char* bad = nullptr;
};

/// One live group: its key and buffer, linked in the state's list. Under the state's lock.
template <class T, class K>
struct group_node {
  group_node(K k, buffer_policy p) : key(std::move(k)), buf(p) {}
  K key;
  hot_buffer<T> buf;
  std::uint64_t count = 0;  ///< values routed to it (for `group_mode::close_after`)
  group_node* prev = nullptr;
  group_node* next = nullptr;
};

template <class S, class F>
class group_by_state final : public pulled_source<S> {
 public:
  using T = stream_value_t<S>;
  using K = group_key_t<S, F>;
  using node = group_node<T, K>;

  group_by_state(S s, F f, group_by_options o, group_mode m)
      : pulled_source<S>(&destroy, std::move(s), 1, "group_by"),
        key_fn(std::move(f)),
        opts(o),
        mode(m),
        outer(buffer_policy::wait(o.policy.capacity ? o.policy.capacity : 1)) {}
  ~group_by_state() {
    while (head) {
      node* n = head;
      unlink(n);
      delete n;
    }
  }

  F key_fn;  // used by the role holder only
  group_by_options opts;
  group_mode mode;
  // under lock:
  hot_buffer<node*> outer;         ///< groups to announce, and errors
  node* head = nullptr;            ///< live groups (announced or handed out)
  std::size_t live = 0;            ///< the length of that list
  bool outer_alive = true;         ///< the outer stream exists
  std::uint64_t discarded = 0;     ///< values no group could take
  std::optional<item<T>> pending;  ///< an item pulled but not yet placed
  std::optional<K> pending_key;    ///< its key (values only)
  bool pending_end = false;        ///< the source ended
  std::uint64_t opened = 0;        ///< groups opened so far

  bool bad_args() const noexcept { return !opts.policy.valid() || opts.max_groups == 0; }

  void unlink(node* n) noexcept {
    if (n->prev)
      n->prev->next = n->next;
    else
      head = n->next;
    if (n->next) n->next->prev = n->prev;
    n->prev = n->next = nullptr;
    --live;
  }
  void wake_all() noexcept {
    outer.wake();
    for (node* n = head; n; n = n->next) n->buf.wake();
  }
  /// Places the pending item if its target has room (see the file comment). Under lock.
  void place() {
    if (pending_end) {
      for (node* n = head; n; n = n->next) {
        n->buf.end();
        n->buf.wake();
      }
      outer.end();
      outer.wake();
      return;
    }
    if (!pending) return;
    if (pending->is_error()) {
      if (outer_alive) {
        if (outer.blocks()) return;
        if (outer.offer(item<node*>(std::move(*pending).error()))) outer.wake();
      }
      pending.reset();
      return;
    }
    node* g = head;
    while (g && !(g->key == *pending_key)) g = g->next;
    if (g) {
      if (g->buf.blocks()) return;
      if (g->buf.offer(std::move(*pending))) g->buf.wake();
      counted(g);
    } else if (!outer_alive || reopened()) {
      ++discarded;
    } else if (outer.blocks()) {
      return;
    } else if (live >= opts.max_groups) {
      ++discarded;
      if (outer.offer(item<node*>(error{errc::full, 0, "group_by: too many live groups"})))
        outer.wake();
    } else {
      g = new node(std::move(*pending_key), opts.policy);
      g->next = head;
      if (head) head->prev = g;
      head = g;
      ++live;
      g->buf.offer(std::move(*pending));  // a new buffer has room
      ++opened;
      counted(g);
      outer.offer(item<node*>(g));
      outer.wake();
    }
    pending.reset();
    pending_key.reset();
  }

  /// `group_mode::sequential`: the pending key is not the next one (its group was dropped).
  bool reopened() const noexcept {
    if constexpr (std::is_convertible_v<const K&, std::uint64_t>) {
      return mode.sequential && static_cast<std::uint64_t>(*pending_key) != opened;
    } else {
      return false;
    }
  }
  /// A value was routed to `g`: `group_mode::close_after` ends it. Under lock.
  void counted(node* g) noexcept {
    if (mode.close_after != 0 && ++g->count == mode.close_after) {
      g->buf.end();
      g->buf.wake();
    }
  }

  /// One attempt of a reader (see detail/pulled.hpp): `take()` (under lock) gives the reader
  /// its next thing if it has one. Returns a `hot_step` value.
  template <class Take>
  int attempt(bool& role, Take&& take) {
    if (!role) {
      lock_guard<spin_lock> g(this->lock);
      if (take()) return hot_step::done;
      place();
      if (take()) return hot_step::done;
      if (pending || this->pulling) return hot_step::wait_buffer;
      this->pulling = true;
      role = true;
    }
    std::optional<item<T>> r;
    bool end = false;
    head_visitor<T> hv{r, end};
    if (!this->up.poll(*this, *this, hv)) return hot_step::wait_upstream;
    std::optional<K> key;
    if (r && r->is_value()) {
      struct em {
        std::optional<item<T>>& r;
        void error(eddy::error&& e) { r.emplace(std::move(e)); }
      } e{r};
      guarded(
          e, [&] { return K(key_fn(std::as_const(r->value()))); },
          [&](K&& k) { key.emplace(std::move(k)); });
    }
    lock_guard<spin_lock> g(this->lock);
    role = false;
    this->pulling = false;
    if (!r) {
      pending_end = true;
    } else {
      pending = std::move(r);
      pending_key = std::move(key);
    }
    place();
    wake_all();
    if (take()) return hot_step::done;
    return hot_step::wait_buffer;
  }
  /// After a take that made room: the pending item may fit now. Under lock.
  void made_room() {
    place();
    wake_all();
  }

 private:
  static void destroy(shared_block* b) noexcept { delete static_cast<group_by_state*>(b); }
};

}  // namespace detail

/// One group of a `group_by`: a stream of the source's values with one key. Destroying it
/// discards what it buffered; the key's next value opens a new group. See group_by.hpp.
template <class S, class F>
class group_stream : public detail::hot_reader<group_stream<S, F>, stream_value_t<S>> {
  using state = detail::group_by_state<S, F>;
  using T = stream_value_t<S>;
  using base = detail::hot_reader<group_stream<S, F>, T>;

 public:
  /// The type of the values this stream yields.
  using value_type = T;

  /// Move; only while no `next()` is in flight. The moved-from stream may only be destroyed.
  group_stream(group_stream&& o) noexcept
      : base(std::move(o)), s_(std::exchange(o.s_, nullptr)), n_(std::exchange(o.n_, nullptr)) {}
  group_stream& operator=(group_stream&&) = delete;
  group_stream(const group_stream&) = delete;
  /// Leaves the group (see the class comment); the last of the outer stream and the groups
  /// stops the source.
  ~group_stream() {
    if (!s_) return;
    {
      detail::lock_guard<detail::spin_lock> g(s_->lock);
      s_->unlink(n_);
      s_->place();  // a pending value for this key now opens a new group
      s_->wake_all();
    }
    delete n_;
    s_->drop_external();
  }

  /// Items this group's policy dropped so far. Thread-safe.
  std::uint64_t dropped() const {
    detail::lock_guard<detail::spin_lock> g(s_->lock);
    return n_->buf.dropped();
  }

 private:
  friend class grouped<S, F>;
  friend base;

  /// Under the state's lock (by the outer stream, which took `n` from its buffer).
  group_stream(state* s, typename state::node* n) noexcept : s_(s), n_(n) {
    s_->add_ref();
    ++s_->externals;
  }

  state* source() const noexcept { return s_; }
  waker& reader() noexcept { return n_->buf.reader; }
  /// Under lock.
  bool can_go() const noexcept { return n_->buf.has_something() || (!s_->pulling && !s_->pending); }
  int step_once(std::optional<item<T>>& out, bool& role) {
    return s_->attempt(role, [&] {
      bool was_full = false;
      if (!n_->buf.take(out, was_full)) return false;
      if (was_full) s_->made_room();
      return true;
    });
  }

  state* s_;
  typename state::node* n_;
};

/// The outer stream of a `group_by`: a stream of `group<K, group_stream<S, F>>` and the
/// source's errors. See group_by.hpp.
template <class S, class F>
class grouped : public detail::hot_reader<grouped<S, F>,
                                          group<detail::group_key_t<S, F>, group_stream<S, F>>> {
  using state = detail::group_by_state<S, F>;
  using K = detail::group_key_t<S, F>;

 public:
  /// The type of the values this stream yields: a key and its group's stream.
  using value_type = group<K, group_stream<S, F>>;

 private:
  using base = detail::hot_reader<grouped<S, F>, value_type>;

 public:
  /// Made by `group_by(key_fn, o)`: moves `s` into the shared state (one allocation). Pulls
  /// nothing yet.
  grouped(S s, F key_fn, group_by_options o) : grouped(std::move(s), std::move(key_fn), o, {}) {}
  /// With a `detail::group_mode` (`window_count`).
  grouped(S s, F key_fn, group_by_options o, detail::group_mode m)
      : s_(new state(std::move(s), std::move(key_fn), o, m)) {
    if (m.bad)
      check_ = detail::arg_check(m.bad);
    else if (s_->bad_args())
      check_ = detail::arg_check("group_by: capacity and max_groups must be at least 1");
  }
  /// Move; only while no `next()` is in flight. The moved-from stream may only be destroyed.
  grouped(grouped&& o) noexcept
      : base(std::move(o)), s_(std::exchange(o.s_, nullptr)), check_(o.check_) {}
  grouped& operator=(grouped&&) = delete;
  grouped(const grouped&) = delete;
  /// Destroys the groups not handed out yet (see the file comment); the groups handed out go
  /// on. The last of the outer stream and the groups stops the source.
  ~grouped() {
    if (!s_) return;
    {
      detail::lock_guard<detail::spin_lock> g(s_->lock);
      s_->outer_alive = false;
      std::optional<item<typename state::node*>> o;
      bool was_full = false;
      while (s_->outer.take(o, was_full) && o) {
        if (o->is_value()) {
          s_->unlink(o->value());
          delete o->value();
        }
        o.reset();
      }
      s_->outer.end();
      s_->place();
      s_->wake_all();
    }
    s_->drop_external();
  }

  /// Values dropped because no group could take them (`max_groups` live). Thread-safe.
  std::uint64_t dropped() const {
    detail::lock_guard<detail::spin_lock> g(s_->lock);
    return s_->discarded;
  }
  /// Groups live now (announced and not destroyed). Thread-safe.
  std::size_t live_groups() const {
    detail::lock_guard<detail::spin_lock> g(s_->lock);
    return s_->live;
  }

 private:
  friend base;
  using base::done;

  state* source() const noexcept { return s_; }
  waker& reader() noexcept { return s_->outer.reader; }
  /// Under lock.
  bool can_go() const noexcept {
    return s_->outer.has_something() || (!s_->pulling && !s_->pending);
  }
  int step_once(std::optional<item<value_type>>& out, bool& role) {
    if (check_.bad()) {
      struct em {
        std::optional<item<value_type>>& o;
        void error(eddy::error&& e) { o.emplace(std::move(e)); }
        void end() noexcept {}
      } e{out};
      check_.report(e);
      return done;
    }
    return s_->attempt(role, [&] {
      std::optional<item<typename state::node*>> o;
      bool was_full = false;
      if (!s_->outer.take(o, was_full)) return false;
      if (was_full) s_->made_room();
      if (!o) return true;  // the end
      if (o->is_error()) {
        out.emplace(std::move(*o).error());
      } else {
        typename state::node* n = o->value();
        out.emplace(std::in_place, value_type{n->key, group_stream<S, F>(s_, n)});
      }
      return true;
    });
  }

  state* s_;
  detail::arg_check check_;
};

/// `s | group_by(key_fn, options)`: see the file comment.
template <class F>
auto group_by(F key_fn, group_by_options options = {}) {
  return detail::bind_stream<grouped, F>(std::move(key_fn), options);
}

}  // namespace eddy
