// SPDX-License-Identifier: BSL-1.0
/// \file
/// `semaphore`: a fair (FIFO) counting semaphore, and its RAII `semaphore_permit`.
///
/// - `semaphore s{n}` starts with `n` permits. Its *maximum* is the number of permits it owns:
///   `n`, plus every `add_permits(k)`, minus every `permit.forget()`. `max_permits()` reads it.
/// - `co_await s.acquire(k)` gives `result<semaphore_permit>`: a permit holding `k` permits, or
///   `errc::invalid_argument` at once (never a hang) when `k` is above the maximum. `k == 0`
///   completes at once with an empty permit. A waiter whose `k` becomes impossible because
///   permits were forgotten is resumed with `errc::invalid_argument` too.
/// - FIFO, no barging: waiters are served in order, and a large request at the head blocks later
///   small ones (so it cannot starve). A new `acquire` or `try_acquire` never overtakes a waiter.
/// - `try_acquire(k)` never suspends: a permit, `errc::empty` (not enough permits free, or tasks
///   waiting), or `errc::invalid_argument` (k above the maximum).
/// - Cancel-safe: a task aborted (or timed out) while waiting leaves the queue (which may let
///   the waiters behind it through); permits already handed to it go back to the semaphore and
///   on to the next waiters. No permit is ever leaked.
///
/// Thread-safety: every member is thread-safe; a permit may be released from any thread or task.
/// No allocation: a waiter is a node inside the awaiting coroutine's frame.
/// Lifetime: the semaphore must outlive its permits and waiters (destroying it while tasks wait
/// is a programming error: `eddy::panic`).
///
/// ```cpp
/// eddy::semaphore s{3};                  // at most 3 downloads at once
/// task<void> download(url u) {
///   auto p = co_await s.acquire();       // result<semaphore_permit>
///   co_await fetch(u);
/// }                                      // the permit goes back here
/// ```
/// Name: `eddy::semaphore s{4, "pool"}` names it in task dumps (`semaphore::acquire 'pool'`;
/// `runtime::dump`). Not copied: a string literal.
#pragma once
#include <cstddef>
#include <limits>
#include <utility>

#include "eddy/core/lock.hpp"
#include "eddy/core/panic.hpp"
#include "eddy/core/result.hpp"
#include "eddy/runtime/detail/list_awaiter.hpp"
#include "eddy/runtime/detail/waiter_list.hpp"
#include "eddy/runtime/task_header.hpp"

namespace eddy {

class semaphore;

/// Holds `count()` permits of a `semaphore` (or none). Move-only. Destroying it, or `release()`,
/// gives them back; `forget()` drops them for good (lowering the semaphore's maximum). An empty
/// permit (default-constructed, moved-from, released, forgotten, or of `acquire(0)`) does nothing.
class [[nodiscard]] semaphore_permit {
 public:
  semaphore_permit() noexcept = default;
  /// Takes over `o`'s permits; `o` becomes empty.
  semaphore_permit(semaphore_permit&& o) noexcept
      : s_(std::exchange(o.s_, nullptr)), n_(std::exchange(o.n_, 0)) {}
  /// Releases this one's permits, then takes over `o`'s.
  semaphore_permit& operator=(semaphore_permit&& o) noexcept {
    if (this != &o) {
      release();
      s_ = std::exchange(o.s_, nullptr);
      n_ = std::exchange(o.n_, 0);
    }
    return *this;
  }
  semaphore_permit(const semaphore_permit&) = delete;
  semaphore_permit& operator=(const semaphore_permit&) = delete;
  ~semaphore_permit() { release(); }

  /// Gives the permits back now (serving waiters). No-op when empty. Idempotent.
  inline void release() noexcept;
  /// Drops the permits without giving them back: the semaphore's maximum shrinks by `count()`.
  inline void forget() noexcept;
  /// How many permits this holds (0 when empty).
  std::size_t count() const noexcept { return n_; }
  /// True while this holds at least one permit.
  explicit operator bool() const noexcept { return n_ != 0; }

 private:
  friend class semaphore;
  semaphore_permit(semaphore* s, std::size_t n) noexcept : s_(n ? s : nullptr), n_(n) {}
  semaphore* s_ = nullptr;
  std::size_t n_ = 0;
};

/// A fair (FIFO) counting semaphore (see the file comment). Thread-safe; cancel-safe (no
/// permit is leaked); must outlive its permits and waiters.
class semaphore {
  enum class status : unsigned char { waiting, granted, failed };
  struct node : detail::waiter_node {
    std::size_t wanted = 0;
    status st = status::waiting;  ///< under lock_
  };

 public:
  /// The largest number of permits a semaphore can own.
  static constexpr std::size_t max_permits_limit =
      static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::max());

  /// Awaitable returned by `acquire(k)`; gives `result<semaphore_permit>`. Movable only before
  /// it is awaited (`detail/list_awaiter.hpp`: the queue and cancel safety).
  class [[nodiscard]] acquire_awaiter : detail::list_awaiter<semaphore, node> {
   public:
    /// Made by `acquire(k)`.
    acquire_awaiter(semaphore* s, std::size_t k) noexcept : list_awaiter(s) { node_.wanted = k; }
    /// Movable only before it is awaited (moving a suspended awaiter panics).
    acquire_awaiter(acquire_awaiter&& o) noexcept
        : list_awaiter(std::move(o), "eddy::semaphore: an acquire awaiter was moved while waiting"),
          taken_(std::exchange(o.taken_, false)),
          invalid_(o.invalid_) {
      node_.wanted = o.node_.wanted;
    }
    ~acquire_awaiter() {
      if (taken_) owner_->release(node_.wanted);  // taken by await_ready but never resumed
    }

    bool await_ready() noexcept {
      detail::lock_guard<detail::spin_lock> g(owner_->lock_);
      return try_now();
    }
    bool await_suspend(coro::coroutine_handle<> h) noexcept {
      detail::lock_guard<detail::spin_lock> g(owner_->lock_);
      if (try_now()) return false;
      node_.st = status::waiting;
      return enqueue(owner_->waiters_, h, acquire_wait);
    }
    result<semaphore_permit> await_resume() noexcept {
      if (resumed()) {  // resumed by the semaphore: st is final
        if (node_.st == status::failed) return error{errc::invalid_argument, 0, too_many};
        return semaphore_permit{owner_, node_.wanted};
      }
      if (invalid_) return error{errc::invalid_argument, 0, too_many};
      taken_ = false;
      return semaphore_permit{owner_, node_.wanted};
    }

   private:
    static constexpr const char* too_many =
        "eddy::semaphore::acquire: more permits than the semaphore's maximum";
    // Under the semaphore's lock: completes at once if it can (taken or invalid).
    bool try_now() noexcept {
      semaphore& s = *owner_;
      if (node_.wanted > s.max_) {
        invalid_ = true;
        return true;
      }
      if (node_.wanted == 0 || (s.waiters_.empty() && s.avail_ >= node_.wanted)) {
        s.avail_ -= node_.wanted;
        taken_ = true;
        return true;
      }
      return false;
    }

    bool taken_ = false;    ///< holds permits not yet given to a semaphore_permit
    bool invalid_ = false;  ///< k above the maximum
  };

  /// A semaphore with `permits` permits (its maximum). Above `max_permits_limit` (e.g. a
  /// negative count converted to size_t) panics.
  /// `name` names it in task dumps (`semaphore::acquire 'pool'`; not copied: it must outlive
  /// the semaphore).
  explicit semaphore(std::size_t permits, const char* name = nullptr)
      : avail_(permits), max_(permits), name_(name) {
    if (permits > max_permits_limit) panic("eddy::semaphore: permit count out of range");
  }
  semaphore(const semaphore&) = delete;
  semaphore& operator=(const semaphore&) = delete;
  ~semaphore() {
    if (!waiters_.empty()) panic("eddy::semaphore destroyed while tasks wait for it");
  }

  /// `co_await s.acquire(k)` -> `result<semaphore_permit>`. See the file comment.
  acquire_awaiter acquire(std::size_t k = 1) noexcept { return acquire_awaiter{this, k}; }

  /// The name given at construction, or null (task dumps). Thread-safe.
  const char* name() const noexcept { return name_; }

  /// Takes `k` permits if they are free and nobody waits; never suspends.
  /// Errors: `errc::empty` (not now), `errc::invalid_argument` (k above the maximum).
  result<semaphore_permit> try_acquire(std::size_t k = 1) noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    if (k > max_) return error{errc::invalid_argument, 0, "eddy::semaphore: k above the maximum"};
    if (k == 0) return semaphore_permit{};
    if (!waiters_.empty() || avail_ < k)
      return error{errc::empty, 0, "eddy::semaphore: no permits"};
    avail_ -= k;
    return semaphore_permit{this, k};
  }

  /// Adds `k` new permits (raising the maximum by `k`) and serves waiters.
  /// `errc::invalid_argument` (nothing added) if the maximum would exceed `max_permits_limit`.
  result<void> add_permits(std::size_t k) noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    if (k > max_permits_limit - max_)
      return error{errc::invalid_argument, 0, "eddy::semaphore::add_permits: too many permits"};
    max_ += k;
    avail_ += k;
    grant_locked();
    return {};
  }

  /// Permits free right now (a snapshot).
  std::size_t available_permits() const noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    return avail_;
  }
  /// The maximum: permits owned by the semaphore, free or held (a snapshot).
  std::size_t max_permits() const noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    return max_;
  }
  /// The number of tasks waiting (a snapshot, for diagnostics and tests).
  std::size_t waiter_count() const noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    return waiters_.size();
  }

 private:
  friend class semaphore_permit;
  friend class detail::list_awaiter<semaphore, node>;

  void release(std::size_t k) noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    avail_ += k;
    grant_locked();
  }
  void forget(std::size_t k) noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    max_ -= k;
    // Waiters that can now never be served fail instead of hanging.
    for (auto* w = waiters_.front(); w;) {
      auto* n = static_cast<node*>(w);
      w = w->next;
      if (n->wanted > max_) {
        waiters_.remove(n);
        n->st = status::failed;
        n->w.wake();  // last touch of *n
      }
    }
    grant_locked();
  }
  /// Under lock_: serves waiters from the head while the head's request fits.
  void grant_locked() noexcept {
    while (!waiters_.empty()) {
      auto* n = static_cast<node*>(waiters_.front());
      if (n->wanted > avail_) return;
      waiters_.pop_front();
      avail_ -= n->wanted;
      n->st = status::granted;
      n->w.wake();  // last touch of *n
    }
  }
  /// The waiting awaiter at `n` goes away without having resumed (abort, timeout).
  void cancel_wait(node* n) noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    if (!waiters_.remove(n) && n->st == status::granted) avail_ += n->wanted;  // give them back
    grant_locked();  // leaving the head (or giving back) may let the next waiters through
  }

  mutable detail::spin_lock lock_;  ///< guards everything below and the nodes' `st`
  std::size_t avail_;
  std::size_t max_;
  detail::waiter_list waiters_;
  const char* name_;
  static constexpr detail::wait_kind acquire_wait{"semaphore::acquire",
                                                  &detail::describe_named<semaphore>};
};

inline void semaphore_permit::release() noexcept {
  if (s_) std::exchange(s_, nullptr)->release(std::exchange(n_, 0));
}
inline void semaphore_permit::forget() noexcept {
  if (s_) std::exchange(s_, nullptr)->forget(std::exchange(n_, 0));
}

}  // namespace eddy
