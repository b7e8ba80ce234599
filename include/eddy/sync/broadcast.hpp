// SPDX-License-Identifier: BSL-1.0
/// \file
/// `broadcast::channel<T>(cap)`: many senders, many receivers; every receiver sees every value
/// sent after it subscribed, in order, unless it falls more than `cap` values behind.
///
/// ```
/// auto [tx, rx] = broadcast::channel<int>(2);
/// tx.send(1); tx.send(2); tx.send(3);        // keeps the last 2: [2, 3]
/// co_await rx.recv()  -> errc::lagged, error().count() == 1   (value 1 was overwritten)
/// co_await rx.recv()  -> 2                   (the oldest value still retained)
/// co_await rx.recv()  -> 3
/// tx = {};                                   // the last sender is gone
/// co_await rx.recv()  -> errc::closed        (after everything was seen)
/// ```
///
/// Contract:
/// - The channel keeps exactly the last `cap` values in a ring of `cap` slots allocated at
///   creation (no rounding, no allocation per send or per wake). `channel<T>(0)` panics (throws
///   `panic_error` with exceptions); `try_channel<T>(0)` returns `errc::invalid_argument` (also
///   for a `cap` whose size in bytes cannot be represented), and `errc::out_of_memory` when the
///   ring cannot be allocated (`channel` panics then).
/// - `sender::send(v)` never suspends. It gives the number of receivers the value was queued
///   for, or hands `v` back with `errc::closed` when no receiver is alive (the value is not
///   stored). The value overwrites the oldest slot when the ring is full: receivers that had not
///   read it learn that they lagged.
/// - `sender::subscribe()` / `receiver::resubscribe()`: a new receiver that sees only the values
///   sent after the call.
/// - `co_await receiver::recv()` gives `result<T>`: the next value; or `errc::lagged` with
///   `error().count()` = exactly how many values this receiver missed, after which it goes on
///   from the oldest value still retained; or `errc::closed` once every sender is gone and it
///   has seen everything. Lagged is reported before the retained values, closed only after them.
///   `try_recv()` is the same without suspending (`errc::empty` when nothing is there).
/// - Values are released as soon as every receiver that will see them has: the last receiver to
///   read a value gets it moved out (a single receiver never copies), the others get copies.
/// - Cancel safety: a task aborted (or timed out) while waiting in `recv()` consumes nothing and
///   leaves no waiter behind; the receiver goes on exactly where it was.
///
/// Handles: `sender` is copyable (the channel closes when the last copy is gone). `receiver` is
/// copyable: a copy is a new receiver at the same position (it will see exactly what the
/// original would; copying walks the retained values, O(cap)). Dropping a receiver releases its
/// claim on the values it had not read. A default-constructed or moved-from handle is empty:
/// `valid()` is false, `send` hands the value back with `errc::invalid_argument`, `recv` /
/// `try_recv` give `errc::invalid_argument`, `subscribe` gives an empty receiver, counts are 0.
///
/// Thread-safety: the channel is thread-safe; different handles may be used on different threads
/// and runtimes. `send`/`subscribe` on one sender object may be called concurrently. A receiver
/// object is meant for one task at a time: while a `recv()` waits, another `recv()` or
/// `try_recv()` on the same object gives `errc::invalid_argument` instead of stealing its value.
/// An awaiter must not outlive its receiver; construction, assignment and destruction of a handle
/// are not concurrent with other use of that same object.
///
/// Requirements on `T`: copy-constructible and nothrow move-constructible. T's copy/move
/// constructors and destructor run under the channel's short internal lock: they must not use
/// this channel (wrap big payloads in `std::shared_ptr<const U>` to keep copies cheap). A copy
/// that throws leaves the receiver where it was.
/// Name: `broadcast::channel<T>(cap, "ticks")` names the channel in task dumps
/// (`broadcast::recv on channel 'ticks'`; `runtime::dump`). Not copied: a string literal.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
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

template <class T>
struct broadcast_slot {
  std::optional<T> val;
  std::size_t rem = 0;  ///< receivers that will still read (or drop their claim on) this value
};

/// The shared state. Everything below is guarded by `lock`. It is freed by the last handle.
///
/// Invariants: positions count values since creation; the ring holds positions
/// [oldest(), tail). A receiver at `pos` holds a claim (one unit of `rem`) on every retained
/// position >= pos; so the positions with `rem > 0` form a suffix of the retained window.
template <class T>
class broadcast_state {
 public:
  /// A ring of `c` slots; the allocation is nothrow (`ring` is null when it failed).
  explicit broadcast_state(std::size_t c) noexcept
      : cap(c), ring(new(std::nothrow) broadcast_slot<T>[c]) {}

  std::uint64_t oldest() const noexcept { return tail > cap ? tail - cap : 0; }
  std::size_t next(std::size_t i) const noexcept { return i + 1 == cap ? 0 : i + 1; }
  /// Ring index of retained position `p` (oldest() <= p < tail), without a division.
  std::size_t index_of(std::uint64_t p) const noexcept {
    const auto back = static_cast<std::size_t>(tail - p);  // 1..cap
    return tail_idx >= back ? tail_idx - back : tail_idx + cap - back;
  }

  /// Adds `delta` (+1 / -1) to the claims of a receiver at (pos, idx) on retained values;
  /// destroys values whose last claim goes.
  void claim(std::uint64_t pos, std::size_t idx, int delta) noexcept {
    std::uint64_t p = pos;
    if (p < oldest()) {  // lagging: its claim starts at the oldest retained value
      p = oldest();
      idx = tail_idx;
    }
    for (; p < tail; ++p, idx = next(idx)) {
      broadcast_slot<T>& sl = ring[idx];
      if (delta > 0) {
        ++sl.rem;
      } else if (--sl.rem == 0) {
        sl.val.reset();
      }
    }
  }

  /// Stores `v` for `receivers` receivers and wakes every waiter. Requires receivers > 0.
  void push(T&& v) noexcept {
    broadcast_slot<T>& sl = ring[tail_idx];
    sl.val.reset();
    sl.val.emplace(std::move(v));
    sl.rem = receivers;
    ++tail;
    tail_idx = next(tail_idx);
    wake_all();
  }

  void wake_all() noexcept {
    while (waiter_node* n = waiters.pop_front()) n->w.wake();
  }

  /// One receive step for a receiver at (pos, idx): fills `out` and returns true, or returns
  /// false when there is nothing yet and a sender is alive. A throwing copy changes nothing.
  bool take(std::uint64_t& pos, std::size_t& idx, std::optional<result<T>>& out) {
    if (pos == tail) {
      if (senders != 0) return false;
      out.emplace(error{errc::closed});
      return true;
    }
    const std::uint64_t old = oldest();
    if (pos < old) {
      out.emplace(error{errc::lagged, old - pos});
      pos = old;
      idx = tail_idx;
      return true;
    }
    broadcast_slot<T>& sl = ring[idx];
    if (sl.rem == 1) {  // the last reader: move the value out and release the slot
      out.emplace(std::move(*sl.val));
      sl.val.reset();
      sl.rem = 0;
    } else {
      out.emplace(*sl.val);  // may throw: nothing changed yet
      --sl.rem;
    }
    ++pos;
    idx = next(idx);
    return true;
  }

  /// How many retained values are still unread by some receiver (binary search on the suffix).
  std::size_t queued() const noexcept {
    std::uint64_t lo = oldest(), hi = tail;
    while (lo < hi) {
      const std::uint64_t mid = lo + (hi - lo) / 2;
      if (ring[index_of(mid)].rem > 0)
        hi = mid;
      else
        lo = mid + 1;
    }
    return static_cast<std::size_t>(tail - lo);
  }

  spin_lock lock;
  /// The channel's name in task dumps, or null (set at creation; not copied).
  const char* name = nullptr;
  /// Task dumps: `broadcast::recv on channel 'name'`.
  static void describe(const wait_kind& k, const void* obj, dump_sink& out) {
    out << k.what << " on channel";
    out.name(static_cast<const broadcast_state*>(obj)->name);
  }
  static constexpr wait_kind recv_wait{"broadcast::recv", &describe};  ///< a recv waits
  const std::size_t cap;
  const std::unique_ptr<broadcast_slot<T>[]> ring;  // not `slots`: a Qt keyword macro
  std::uint64_t tail = 0;    ///< values sent so far: the position of the next one
  std::size_t tail_idx = 0;  ///< tail % cap
  std::size_t senders = 1;
  std::size_t receivers = 1;
  waiter_list waiters;
};

}  // namespace detail

namespace broadcast {

template <class T>
class sender;
template <class T>
class receiver;

/// The outcome of `sender::send`: the number of receivers the value was queued for
/// (`value()`), or an error (`closed`: no receiver alive; `invalid_argument`: empty sender) with
/// the value handed back (`returned()`). The shared shape of `sync/send_result.hpp`.
template <class T>
using send_result = eddy::send_result<T, std::size_t>;

/// The sending side. Copyable; see the file comment.
template <class T>
class sender {
  static_assert(std::is_copy_constructible_v<T>, "broadcast values are copied to each receiver");
  static_assert(std::is_nothrow_move_constructible_v<T>, "broadcast needs a nothrow move");
  using state = eddy::detail::broadcast_state<T>;

 public:
  /// An empty sender (see "Handles").
  sender() noexcept = default;
  /// A copy is another sender of the same channel (it stays open while any copy lives); a
  /// move leaves the source empty. Assigning over a sender first drops the one it held.
  /// Takes the channel lock briefly.
  ///@{
  sender(const sender& o) noexcept : s_(o.s_) {
    if (!s_) return;
    eddy::detail::lock_guard<eddy::detail::spin_lock> g(s_->lock);
    ++s_->senders;
  }
  sender(sender&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  // Separate copy and move assignment (not one by-value operator=): clang 16 never destroys the
  // by-value parameter of `h = {}` inside a template, which would leak the old handle.
  sender& operator=(const sender& o) noexcept { return swap_in(sender{o}); }
  sender& operator=(sender&& o) noexcept { return swap_in(sender{std::move(o)}); }
  ///@}
  /// Drops this sender; when it was the last, waiting receivers wake and see `errc::closed`
  /// once they have read everything.
  ~sender() { release(); }

  /// Queues `v` for every live receiver and wakes those waiting. Never suspends. See
  /// `send_result`.
  send_result<T> send(T v) {
    if (!s_) return {errc::invalid_argument, std::move(v)};
    std::size_t n;
    {
      eddy::detail::lock_guard<eddy::detail::spin_lock> g(s_->lock);
      n = s_->receivers;
      if (n != 0) s_->push(std::move(v));
    }
    if (n == 0) return {errc::closed, std::move(v)};
    return send_result<T>{n};
  }

  /// A new receiver that sees the values sent from now on. Empty if this sender is.
  receiver<T> subscribe() const noexcept {
    if (!s_) return {};
    eddy::detail::lock_guard<eddy::detail::spin_lock> g(s_->lock);
    ++s_->receivers;
    return receiver<T>{s_, s_->tail, s_->tail_idx};
  }

  /// Live receivers (0 for an empty sender).
  std::size_t receiver_count() const noexcept {
    return locked([](state* s) { return s->receivers; });
  }
  /// Retained values that some live receiver has not read yet (0..cap): the slowest receiver's
  /// backlog. A producer may wait while it is high to avoid lagging its receivers.
  std::size_t len() const noexcept {
    return locked([](state* s) { return s->queued(); });
  }
  /// The capacity (0 for an empty sender).
  std::size_t capacity() const noexcept { return s_ ? s_->cap : 0; }
  /// True if this handle refers to a channel (false when empty or moved-from).
  bool valid() const noexcept { return s_ != nullptr; }

 private:
  template <class F>
  std::size_t locked(F f) const noexcept {
    if (!s_) return 0;
    eddy::detail::lock_guard<eddy::detail::spin_lock> g(s_->lock);
    return f(s_);
  }
  void release() noexcept {
    if (!s_) return;
    bool last;
    {
      eddy::detail::lock_guard<eddy::detail::spin_lock> g(s_->lock);
      if (--s_->senders == 0) s_->wake_all();  // waiters see closed
      last = s_->senders == 0 && s_->receivers == 0;
    }
    if (last) delete s_;
    s_ = nullptr;
  }

  sender& swap_in(sender&& tmp) noexcept {  // `tmp` is a temporary: it releases the old state
    std::swap(s_, tmp.s_);
    return *this;
  }
  explicit sender(state* s) noexcept : s_(s) {}
  template <class U>
  friend result<std::pair<sender<U>, receiver<U>>> try_channel(std::size_t cap, const char* name);

  state* s_ = nullptr;
};

/// The receiving side. Copyable; see the file comment.
template <class T>
class receiver {
  using state = eddy::detail::broadcast_state<T>;

 public:
  /// An empty receiver (see "Handles").
  receiver() noexcept = default;
  /// A copy is a new receiver at the same position as `o`: it will see exactly what `o`
  /// would (O(cap), under the channel lock). A move leaves the source empty. Assigning over a
  /// receiver first drops the one it held (releasing its claim on unread values).
  ///@{
  receiver(const receiver& o) noexcept : s_(o.s_) {
    if (!s_) return;
    eddy::detail::lock_guard<eddy::detail::spin_lock> g(s_->lock);
    pos_ = o.pos_;
    idx_ = o.idx_;
    ++s_->receivers;
    s_->claim(pos_, idx_, +1);
  }
  receiver(receiver&& o) noexcept : s_(std::exchange(o.s_, nullptr)), pos_(o.pos_), idx_(o.idx_) {}
  // Separate copy and move assignment (not one by-value operator=): clang 16 never destroys the
  // by-value parameter of `h = {}` inside a template, which would leak the old handle.
  receiver& operator=(const receiver& o) noexcept { return swap_in(receiver{o}); }
  receiver& operator=(receiver&& o) noexcept { return swap_in(receiver{std::move(o)}); }
  ///@}
  /// Drops this receiver and its claim on the values it had not read.
  ~receiver() {
    if (!s_) return;
    bool last;
    {
      eddy::detail::lock_guard<eddy::detail::spin_lock> g(s_->lock);
      s_->claim(pos_, idx_, -1);
      --s_->receivers;
      last = s_->senders == 0 && s_->receivers == 0;
    }
    if (last) delete s_;
  }

  class recv_awaiter;
  /// `co_await rx.recv()` -> `result<T>`: a value, `errc::lagged` (count = values missed),
  /// `errc::closed`, or `errc::invalid_argument` (empty receiver, or a recv already waiting on
  /// this object). Resumes on the caller's runtime. Cancel-safe.
  recv_awaiter recv() noexcept { return recv_awaiter{this}; }

  /// Like `recv()` without suspending: `errc::empty` when nothing is there yet.
  result<T> try_recv() {
    if (!s_) return error{errc::invalid_argument, 0, "broadcast::receiver is empty"};
    std::optional<result<T>> out;
    {
      eddy::detail::lock_guard<eddy::detail::spin_lock> g(s_->lock);
      if (waiting_)
        return error{errc::invalid_argument, 0, "broadcast: a recv is waiting on this receiver"};
      if (!s_->take(pos_, idx_, out)) return error{errc::empty};
    }
    return std::move(*out);
  }

  /// A new receiver that sees the values sent from now on (like `sender::subscribe`).
  receiver resubscribe() const noexcept {
    if (!s_) return {};
    eddy::detail::lock_guard<eddy::detail::spin_lock> g(s_->lock);
    ++s_->receivers;
    return receiver{s_, s_->tail, s_->tail_idx};
  }

  /// Retained values this receiver has not read yet (a pending lag is not counted).
  std::size_t len() const noexcept {
    if (!s_) return 0;
    eddy::detail::lock_guard<eddy::detail::spin_lock> g(s_->lock);
    const std::uint64_t from = pos_ < s_->oldest() ? s_->oldest() : pos_;
    return static_cast<std::size_t>(s_->tail - from);
  }
  /// True if this handle refers to a channel (false when empty or moved-from).
  bool valid() const noexcept { return s_ != nullptr; }

  /// Awaitable returned by `recv()`; gives `result<T>` (see `recv`). Must not outlive its
  /// receiver. Destroyed while waiting (task aborted, `timeout`), it deregisters and consumes
  /// nothing.
  class [[nodiscard]] recv_awaiter {
   public:
    /// Internal (made by `recv`): receives on `*r`.
    explicit recv_awaiter(receiver* r) noexcept : r_(r) {}
    /// Only before the first suspension (e.g. `timeout` moves it into a wrapper task).
    recv_awaiter(recv_awaiter&& o) noexcept : r_(o.r_), out_(std::move(o.out_)) {}
    recv_awaiter(const recv_awaiter&) = delete;
    recv_awaiter& operator=(const recv_awaiter&) = delete;
    ~recv_awaiter() {
      if (!registered_) return;  // cancelled while waiting, or woken but never resumed
      eddy::detail::lock_guard<eddy::detail::spin_lock> g(r_->s_->lock);
      r_->s_->waiters.remove(&node_);
      r_->waiting_ = false;
    }

    bool await_ready() {
      if (!r_->s_) return fail("broadcast::receiver is empty");
      eddy::detail::lock_guard<eddy::detail::spin_lock> g(r_->s_->lock);
      if (r_->waiting_) return fail("broadcast: a recv is already waiting on this receiver");
      return r_->s_->take(r_->pos_, r_->idx_, out_);
    }
    bool await_suspend(coro::coroutine_handle<> h) {
      eddy::detail::lock_guard<eddy::detail::spin_lock> g(r_->s_->lock);
      if (r_->waiting_) {
        fail("broadcast: a recv is already waiting on this receiver");
        return false;
      }
      if (r_->s_->take(r_->pos_, r_->idx_, out_)) return false;
      node_.w = eddy::detail::suspend_here(h, state::recv_wait, r_->s_);
      r_->s_->waiters.push_back(&node_);
      r_->waiting_ = true;
      registered_ = true;
      return true;
    }
    result<T> await_resume() {
      if (registered_) {
        eddy::detail::lock_guard<eddy::detail::spin_lock> g(r_->s_->lock);
        // Woken by a send or by the last sender leaving; this recv had the receiver to itself
        // since, so a value, a lag or the end is there.
        if (!r_->s_->take(r_->pos_, r_->idx_, out_)) {
          panic("eddy::broadcast: recv woken with nothing to receive");
        }
        r_->s_->waiters.remove(&node_);
        r_->waiting_ = false;
        registered_ = false;
      }
      return std::move(*out_);
    }

   private:
    bool fail(const char* msg) {
      out_.emplace(error{errc::invalid_argument, 0, msg});
      return true;
    }
    receiver* r_;
    std::optional<result<T>> out_;
    eddy::detail::waiter_node node_;
    bool registered_ = false;
  };

 private:
  receiver& swap_in(receiver&& tmp) noexcept {  // `tmp` is a temporary: it releases the old state
    std::swap(s_, tmp.s_);
    std::swap(pos_, tmp.pos_);
    std::swap(idx_, tmp.idx_);
    return *this;
  }
  receiver(state* s, std::uint64_t pos, std::size_t idx) noexcept : s_(s), pos_(pos), idx_(idx) {}
  friend class sender<T>;
  template <class U>
  friend result<std::pair<sender<U>, receiver<U>>> try_channel(std::size_t cap, const char* name);

  state* s_ = nullptr;
  std::uint64_t pos_ = 0;  ///< the next position to read; under the channel lock
  std::size_t idx_ = 0;    ///< pos_ % cap; under the channel lock
  bool waiting_ = false;   ///< a recv of this object is registered; under the channel lock
};

/// A channel keeping the last `cap` values; `errc::invalid_argument` when `cap` is 0 or its
/// size in bytes cannot be represented, `errc::out_of_memory` when the ring (or the channel)
/// cannot be allocated. Never throws: the allocations are nothrow (also without exceptions).
/// `name` names the channel in task dumps (`broadcast::recv on channel 'ticks'`; not copied: a
/// string literal, or outliving the channel; null: unnamed).
template <class T>
result<std::pair<sender<T>, receiver<T>>> try_channel(std::size_t cap, const char* name) {
  if (cap == 0)
    return error{errc::invalid_argument, 0,
                 "eddy::broadcast::channel: capacity must be at least 1"};
  if (cap > static_cast<std::size_t>(PTRDIFF_MAX) / sizeof(eddy::detail::broadcast_slot<T>))
    return error{errc::invalid_argument, 0, "eddy::broadcast::channel: capacity too large"};
  auto* s = new (std::nothrow) eddy::detail::broadcast_state<T>(cap);
  if (s && !s->ring) {
    delete s;
    s = nullptr;
  }
  if (!s) return error{errc::out_of_memory, 0, "eddy::broadcast::channel: out of memory"};
  s->name = name;
  return std::pair<sender<T>, receiver<T>>{sender<T>{s}, receiver<T>{s, 0, 0}};
}

/// A channel keeping the last `cap` values. A `cap` that `try_channel` refuses (0, too large,
/// out of memory) panics with its message (throws `panic_error` with exceptions).
/// `name`: see `try_channel`.
template <class T>
std::pair<sender<T>, receiver<T>> channel(std::size_t cap, const char* name = nullptr) {
  auto r = try_channel<T>(cap, name);
  if (!r) panic(r.error().message());
  return std::move(r).value();
}

/// `try_channel(cap, nullptr)`: an unnamed channel.
template <class T>
result<std::pair<sender<T>, receiver<T>>> try_channel(std::size_t cap) {
  return try_channel<T>(cap, nullptr);
}

}  // namespace broadcast
}  // namespace eddy
