// SPDX-License-Identifier: BSL-1.0
/// \file
/// `barrier`: a reusable rendezvous of `n` tasks (like tokio's `Barrier`).
///
/// - `barrier b{n}` needs `n >= 1` tasks per generation (`n <= 0` panics).
/// - `co_await b.arrive_and_wait()` gives a `barrier_wait_result`. The first `n - 1` tasks of a
///   generation wait; the `n`-th completes the generation at once and is its *leader*
///   (`is_leader()`, exactly one per generation), and every waiter of that generation resumes.
///   The barrier is then empty and ready for the next generation.
/// - Cancel-safe: a task aborted (or timed out) while waiting withdraws its arrival, as if it
///   had never arrived, so the generation still needs `n` live tasks; a retry arrives afresh.
///   Once its generation has completed, it is no longer waiting and nothing is withdrawn.
///
/// Thread-safety: every member is thread-safe. No allocation: a waiter is a node inside the
/// awaiting coroutine's frame. The barrier must outlive its waiters (destroying it while tasks
/// wait is a programming error: `eddy::panic`).
///
/// ```cpp
/// eddy::barrier step{4};
/// task<void> worker() {
///   for (int round = 0; round < 10; ++round) {
///     compute(round);
///     if ((co_await step.arrive_and_wait()).is_leader()) publish(round);
///   }
/// }
/// ```
#pragma once
#include <cstddef>
#include <cstdint>
#include <utility>

#include "eddy/core/lock.hpp"
#include "eddy/core/panic.hpp"
#include "eddy/runtime/detail/list_awaiter.hpp"
#include "eddy/runtime/detail/waiter_list.hpp"
#include "eddy/runtime/task_header.hpp"

namespace eddy {

/// What `barrier::arrive_and_wait` gives: whether this task completed the generation.
class barrier_wait_result {
 public:
  /// `leader`: whether this task completed the generation.
  explicit barrier_wait_result(bool leader) noexcept : leader_(leader) {}
  /// True for exactly one task per generation (the one that arrived last).
  bool is_leader() const noexcept { return leader_; }

 private:
  bool leader_;
};

/// A reusable rendezvous of `n` tasks (see the file comment). Thread-safe; cancel-safe (an
/// aborted waiter withdraws its arrival); must outlive its waiters.
class barrier {
 public:
  /// Awaitable returned by `arrive_and_wait()`. The arrival happens when it is awaited.
  /// Movable only before it is awaited (`detail/list_awaiter.hpp`: the queue and cancel safety).
  class [[nodiscard]] wait_awaiter : detail::list_awaiter<barrier> {
   public:
    /// Made by `arrive_and_wait()`.
    explicit wait_awaiter(barrier* b) noexcept : list_awaiter(b) {}
    /// Movable only before it is awaited (moving a suspended awaiter panics).
    wait_awaiter(wait_awaiter&& o) noexcept
        : list_awaiter(std::move(o), "eddy::barrier: an awaiter was moved while waiting") {}

    bool await_ready() const noexcept { return false; }
    bool await_suspend(coro::coroutine_handle<> h) noexcept {
      barrier& b = *owner_;
      detail::lock_guard<detail::spin_lock> g(b.lock_);
      if (++b.arrived_ == b.n_) {  // last to arrive: release the generation, lead it
        b.arrived_ = 0;
        ++b.generation_;
        while (auto* n = b.waiters_.pop_front()) n->w.wake();  // last touch of *n
        leader_ = true;
        return false;
      }
      return enqueue(b.waiters_, h, wait_wait);
    }
    barrier_wait_result await_resume() noexcept {
      resumed();
      return barrier_wait_result{leader_};
    }

   private:
    bool leader_ = false;
  };

  /// A barrier for `n` tasks; `n <= 0` panics.
  explicit barrier(std::ptrdiff_t n) : n_(n) {
    if (n <= 0) panic("eddy::barrier: the number of tasks must be at least 1");
  }
  barrier(const barrier&) = delete;
  barrier& operator=(const barrier&) = delete;
  ~barrier() {
    if (!waiters_.empty()) panic("eddy::barrier destroyed while tasks wait for it");
  }

  /// `co_await b.arrive_and_wait()` -> `barrier_wait_result`. See the file comment.
  wait_awaiter arrive_and_wait() noexcept { return wait_awaiter{this}; }

  /// Tasks per generation.
  std::ptrdiff_t size() const noexcept { return n_; }
  /// Tasks waiting in the current generation (a snapshot).
  std::ptrdiff_t arrived() const noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    return arrived_;
  }
  /// Completed generations (a snapshot).
  std::uint64_t generation() const noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    return generation_;
  }

 private:
  friend class detail::list_awaiter<barrier>;

  void cancel_wait(detail::waiter_node* n) noexcept {
    detail::lock_guard<detail::spin_lock> g(lock_);
    if (waiters_.remove(n)) --arrived_;  // still in its generation: withdraw the arrival
  }

  mutable detail::spin_lock lock_;  ///< guards everything below
  const std::ptrdiff_t n_;
  std::ptrdiff_t arrived_ = 0;
  std::uint64_t generation_ = 0;
  detail::waiter_list waiters_;
  static constexpr detail::wait_kind wait_wait{"barrier::wait", nullptr};
};

}  // namespace eddy
