// SPDX-License-Identifier: BSL-1.0
/// \file
/// `watch::channel<T>(v)`: one sender publishes "the current value"; receivers wait for it to
/// change and read the latest one. Intermediate values may be skipped; changes are counted by a
/// version number so that no change is reported twice.
///
/// ```
/// auto [tx, rx] = watch::channel<int>(0);     // version 0, value 0; rx has seen version 0
/// tx.send(1); tx.send(2);                     // version 2
/// co_await rx.changed()  -> ok                // marks version 2 seen
/// rx.borrow()            -> 2
/// co_await rx.changed()  ... waits until the next send (or until the sender is gone: closed)
/// ```
///
/// Contract:
/// - `sender::send(v)` stores `v`, bumps the version and wakes every waiting receiver; with no
///   live receiver it stores nothing and hands `v` back with `errc::closed`. `send_replace(v)`
///   and `send_modify(f)` store even with no receiver (a later `subscribe()` sees the value).
/// - `co_await receiver::changed()` -> `result<void>`: ok when the version differs from the one
///   this receiver has seen (it then marks the current version seen), at once if it already
///   does; `errc::closed` when the sender is gone and there is no unseen change (an unseen
///   change is reported first). Cancel-safe: an aborted or timed-out wait marks nothing seen and
///   leaves no waiter behind.
/// - `receiver::borrow()` returns a copy of the current value (taken under the lock, so it is
///   never torn); it does not mark anything seen. `borrow_and_update()` also marks the current
///   version seen. `has_changed()` answers `changed()`'s question without waiting or marking
///   (`true`, `false`, or `errc::closed`).
/// - A receiver starts having seen the version current when it was made: `channel`'s receiver
///   version 0, `subscribe()`'s the current one. A copy starts with the original's seen version
///   and then tracks its own.
///
/// Handles: `sender` is move-only (one producer; `closed` means it is gone). `receiver` is
/// copyable. A default-constructed or moved-from handle is empty: `valid()` is false, `send`
/// hands the value back with `errc::invalid_argument`, `send_replace`/`send_modify`/`changed`/
/// `has_changed` give `errc::invalid_argument`, `subscribe` gives an empty receiver, and
/// `borrow()` / `borrow_and_update()` panic (there is no value to return).
///
/// Thread-safety: the channel is thread-safe; handles may live on different threads and
/// runtimes. A receiver object is meant for one task at a time: while a `changed()` waits,
/// another `changed()` on the same object gives `errc::invalid_argument`, and
/// `borrow_and_update()` does not mark (it acts as `borrow()`). T's copy/move and the function
/// given to `send_modify` run under the channel's short internal lock: they must not use this
/// channel. For a big `T`, store a `std::shared_ptr<const U>` so that `borrow()` is cheap.
/// Name: `watch::channel(v, "config")` names the channel in task dumps (`watch::changed on
/// channel 'config'`; `runtime::dump`). Not copied: a string literal.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/core/lock.hpp"
#include "eddy/core/panic.hpp"
#include "eddy/core/result.hpp"
#include "eddy/runtime/detail/waiter_list.hpp"
#include "eddy/sync/send_result.hpp"

namespace eddy {

namespace detail {

/// The shared state; every field is guarded by `lock`. Freed by the last handle.
template <class T>
class watch_state {
 public:
  template <class U>
  explicit watch_state(U&& v) : value(std::forward<U>(v)) {}

  void wake_all() noexcept {
    while (waiter_node* n = waiters.pop_front()) n->w.wake();
  }
  /// `changed()`'s check for a receiver that has seen `seen`: ok (marking), closed, or nothing.
  std::optional<result<void>> poll(std::uint64_t& seen) noexcept {
    if (seen != version) {
      seen = version;
      return result<void>{};
    }
    if (!sender_alive) return result<void>{errc::closed};
    return std::nullopt;
  }

  spin_lock lock;
  /// The channel's name in task dumps, or null (set at creation; not copied).
  const char* name = nullptr;
  /// Task dumps: `watch::changed on channel 'name'`.
  static void describe(const wait_kind& k, const void* obj, dump_sink& out) {
    out << k.what << " on channel";
    out.name(static_cast<const watch_state*>(obj)->name);
  }
  static constexpr wait_kind changed_wait{"watch::changed", &describe};  ///< changed() waits
  T value;
  std::uint64_t version = 0;
  bool sender_alive = true;
  std::size_t receivers = 1;
  waiter_list waiters;
};

}  // namespace detail

namespace watch {

template <class T>
class sender;
template <class T>
class receiver;

/// The outcome of `sender::send`: success, or an error (`closed`: no receiver alive;
/// `invalid_argument`: empty sender) with the value handed back (`returned()`). The shared
/// shape of `sync/send_result.hpp`.
template <class T>
using send_result = eddy::send_result<T>;

/// The publishing side. Move-only; see the file comment.
template <class T>
class sender {
  static_assert(std::is_copy_constructible_v<T>, "watch::receiver::borrow copies the value");
  using state = eddy::detail::watch_state<T>;
  using guard = eddy::detail::lock_guard<eddy::detail::spin_lock>;

 public:
  /// An empty sender (see "Handles").
  sender() noexcept = default;
  /// Moves leave the source empty; assigning over a sender first closes the channel it held
  /// (as its destructor does).
  ///@{
  sender(sender&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  sender& operator=(sender&& o) noexcept {
    if (this != &o) {
      release();
      s_ = std::exchange(o.s_, nullptr);
    }
    return *this;
  }
  ///@}
  sender(const sender&) = delete;
  sender& operator=(const sender&) = delete;
  /// Closes the channel: waiting receivers wake with `errc::closed` (after any unseen change).
  ~sender() { release(); }

  /// Publishes `v` (see the file comment). Never suspends.
  send_result<T> send(T v) {
    if (!s_) return {errc::invalid_argument, std::move(v)};
    {
      guard g(s_->lock);
      if (s_->receivers != 0) {
        s_->value = std::move(v);
        ++s_->version;
        s_->wake_all();
        return {};
      }
    }
    return {errc::closed, std::move(v)};
  }

  /// Publishes `v` even with no receiver; gives the previous value.
  result<T> send_replace(T v) {
    if (!s_) return error{errc::invalid_argument, 0, "watch::sender is empty"};
    {
      guard g(s_->lock);
      std::swap(s_->value, v);
      ++s_->version;
      s_->wake_all();
    }
    return result<T>{std::move(v)};
  }

  /// Calls `f(T&)` on the current value in place, then bumps the version and wakes receivers,
  /// even with no receiver. `f` runs under the channel lock: keep it short, and it must not use
  /// this channel. If `f` throws, the version is not bumped and nobody is woken.
  template <class F>
  result<void> send_modify(F&& f) {
    if (!s_) return error{errc::invalid_argument, 0, "watch::sender is empty"};
    guard g(s_->lock);
    static_cast<F&&>(f)(s_->value);
    ++s_->version;
    s_->wake_all();
    return {};
  }

  /// A copy of the current value. Panics on an empty sender.
  T borrow() const {
    if (!s_) panic("eddy::watch::sender::borrow on an empty sender");
    guard g(s_->lock);
    return s_->value;
  }

  /// A new receiver that has seen the current version. Empty if this sender is.
  receiver<T> subscribe() const noexcept {
    if (!s_) return {};
    guard g(s_->lock);
    ++s_->receivers;
    return receiver<T>{s_, s_->version};
  }

  /// Live receivers (0 for an empty sender).
  std::size_t receiver_count() const noexcept {
    if (!s_) return 0;
    guard g(s_->lock);
    return s_->receivers;
  }
  /// True when no receiver is alive (or the sender is empty): `send` would fail.
  bool is_closed() const noexcept { return receiver_count() == 0; }
  /// True if this handle refers to a channel (false when empty or moved-from).
  bool valid() const noexcept { return s_ != nullptr; }

 private:
  void release() noexcept {
    if (!s_) return;
    bool last;
    {
      guard g(s_->lock);
      s_->sender_alive = false;
      s_->wake_all();
      last = s_->receivers == 0;
    }
    if (last) delete s_;
    s_ = nullptr;
  }

  explicit sender(state* s) noexcept : s_(s) {}
  template <class U>
  friend std::pair<sender<U>, receiver<U>> channel(U initial, const char* name);

  state* s_ = nullptr;
};

/// The observing side. Copyable; each copy tracks its own seen version.
template <class T>
class receiver {
  using state = eddy::detail::watch_state<T>;
  using guard = eddy::detail::lock_guard<eddy::detail::spin_lock>;

 public:
  /// An empty receiver (see "Handles").
  receiver() noexcept = default;
  /// A copy is a new receiver of the same channel that starts with `o`'s seen version and then
  /// tracks its own; a move leaves the source empty. Assigning over a receiver first drops the
  /// one it held. Takes the channel lock briefly.
  ///@{
  receiver(const receiver& o) noexcept : s_(o.s_) {
    if (!s_) return;
    guard g(s_->lock);
    seen_ = o.seen_;
    ++s_->receivers;
  }
  receiver(receiver&& o) noexcept : s_(std::exchange(o.s_, nullptr)), seen_(o.seen_) {}
  // Separate copy and move assignment (not one by-value operator=): clang 16 never destroys the
  // by-value parameter of `h = {}` inside a template, which would leak the old handle.
  receiver& operator=(const receiver& o) noexcept { return swap_in(receiver{o}); }
  receiver& operator=(receiver&& o) noexcept { return swap_in(receiver{std::move(o)}); }
  ///@}
  /// Drops this receiver; once the last one is gone, `send` fails with `errc::closed`.
  ~receiver() {
    if (!s_) return;
    bool last;
    {
      guard g(s_->lock);
      --s_->receivers;
      last = s_->receivers == 0 && !s_->sender_alive;
    }
    if (last) delete s_;
  }

  /// A copy of the current value; marks nothing. Panics on an empty receiver.
  T borrow() const {
    if (!s_) panic("eddy::watch::receiver::borrow on an empty receiver");
    guard g(s_->lock);
    return s_->value;
  }
  /// A copy of the current value, marking its version seen (unless a `changed()` of this object
  /// is waiting). Panics on an empty receiver.
  T borrow_and_update() {
    if (!s_) panic("eddy::watch::receiver::borrow_and_update on an empty receiver");
    guard g(s_->lock);
    T v = s_->value;
    if (!waiting_) seen_ = s_->version;
    return v;
  }
  /// Whether `changed()` would complete at once with ok: true / false, or `errc::closed` (sender
  /// gone, nothing unseen), `errc::invalid_argument` (empty). Marks nothing.
  result<bool> has_changed() const noexcept {
    if (!s_) return error{errc::invalid_argument, 0, "watch::receiver is empty"};
    guard g(s_->lock);
    if (seen_ != s_->version) return true;
    if (!s_->sender_alive) return error{errc::closed};
    return false;
  }
  /// True if this handle refers to a channel (false when empty or moved-from).
  bool valid() const noexcept { return s_ != nullptr; }

  class changed_awaiter;
  /// `co_await rx.changed()` -> `result<void>`; see the file comment. Resumes on the caller's
  /// runtime. Cancel-safe.
  changed_awaiter changed() noexcept { return changed_awaiter{this}; }

  /// Awaitable returned by `changed()`; gives `result<void>` (see `changed`). Must not outlive
  /// its receiver. Destroyed while waiting (task aborted, `timeout`), it deregisters and marks
  /// nothing seen.
  class [[nodiscard]] changed_awaiter {
   public:
    /// Internal (made by `changed`): waits on `*r`.
    explicit changed_awaiter(receiver* r) noexcept : r_(r) {}
    /// Only before the first suspension (e.g. `timeout` moves it into a wrapper task).
    changed_awaiter(changed_awaiter&& o) noexcept : r_(o.r_), out_(std::move(o.out_)) {}
    changed_awaiter(const changed_awaiter&) = delete;
    changed_awaiter& operator=(const changed_awaiter&) = delete;
    ~changed_awaiter() {
      if (!registered_) return;  // cancelled while waiting, or woken but never resumed
      guard g(r_->s_->lock);
      r_->s_->waiters.remove(&node_);
      r_->waiting_ = false;
    }

    bool await_ready() noexcept {
      if (!r_->s_) return fail("watch::receiver is empty");
      guard g(r_->s_->lock);
      if (r_->waiting_) return fail("watch: a changed() is already waiting on this receiver");
      out_ = r_->s_->poll(r_->seen_);
      return out_.has_value();
    }
    bool await_suspend(coro::coroutine_handle<> h) noexcept {
      guard g(r_->s_->lock);
      if (r_->waiting_) {
        fail("watch: a changed() is already waiting on this receiver");
        return false;
      }
      out_ = r_->s_->poll(r_->seen_);
      if (out_) return false;
      node_.w = eddy::detail::suspend_here(h, state::changed_wait, r_->s_);
      r_->s_->waiters.push_back(&node_);
      r_->waiting_ = true;
      registered_ = true;
      return true;
    }
    result<void> await_resume() noexcept {
      if (registered_) {
        guard g(r_->s_->lock);
        // Woken by a change or by the sender leaving; nothing else marks this receiver while
        // it waits, so the poll succeeds.
        out_ = r_->s_->poll(r_->seen_);
        if (!out_) panic("eddy::watch: changed() woken with no change");
        r_->s_->waiters.remove(&node_);
        r_->waiting_ = false;
        registered_ = false;
      }
      return *out_;
    }

   private:
    bool fail(const char* msg) noexcept {
      out_.emplace(error{errc::invalid_argument, 0, msg});
      return true;
    }
    receiver* r_;
    std::optional<result<void>> out_;
    eddy::detail::waiter_node node_;
    bool registered_ = false;
  };

 private:
  receiver& swap_in(receiver&& tmp) noexcept {  // `tmp` is a temporary: it releases the old state
    std::swap(s_, tmp.s_);
    std::swap(seen_, tmp.seen_);
    return *this;
  }
  receiver(state* s, std::uint64_t seen) noexcept : s_(s), seen_(seen) {}
  friend class sender<T>;
  template <class U>
  friend std::pair<sender<U>, receiver<U>> channel(U initial, const char* name);

  state* s_ = nullptr;
  std::uint64_t seen_ = 0;  ///< the version this receiver has seen; under the channel lock
  bool waiting_ = false;    ///< a changed() of this object is registered; under the channel lock
};

/// A channel whose current value is `initial` (version 0), named `name` in task dumps
/// (`watch::changed on channel 'config'`; not copied: a string literal, or outliving the
/// channel; null: unnamed).
template <class T>
std::pair<sender<T>, receiver<T>> channel(T initial, const char* name) {
  auto* s = new eddy::detail::watch_state<T>(std::move(initial));
  s->name = name;
  return {sender<T>{s}, receiver<T>{s, 0}};
}

/// A channel whose current value is `initial` (version 0), unnamed.
template <class T>
std::pair<sender<T>, receiver<T>> channel(T initial) {
  return channel<T>(std::move(initial), nullptr);
}

}  // namespace watch
}  // namespace eddy
