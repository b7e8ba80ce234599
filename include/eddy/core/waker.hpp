// SPDX-License-Identifier: BSL-1.0
/// \file
/// `waker`: the handle an awaiter keeps to resume its suspended task, and the combinator branch
/// it names. The protocol that uses it (register under the primitive's lock, wake exactly once
/// under it, deregister in the awaiter's destructor) is stated in runtime/task_header.hpp; the
/// wake itself is implemented there (src/task_header.cpp).
///
/// This header needs nothing from the runtime layer, so core primitives
/// (`cancellation_token`) can hold a waker without depending on the task runner.
#pragma once
#include <atomic>

#include "eddy/core/coro.hpp"
#include "eddy/core/detail/wait.hpp"

namespace eddy {

namespace detail {
class task_header;

/// One branch of a combinator (`when_all`, `when_any`) that runs several awaitables inside one
/// task. A suspension inside the branch gets a waker that names the branch: its wake marks the
/// branch (and every enclosing branch) ready, then wakes the task, whose combinator resumes
/// the ready branches. Lives in the combinator; see runtime/detail/when.hpp.
struct branch_node {
  std::atomic<bool> ready{false};   ///< a wake for this branch is pending
  branch_node* parent = nullptr;    ///< the branch that runs the combinator, or null
  coro::coroutine_handle<> leaf{};  ///< where the branch resumes (set by `suspend_here`)
  wait_desc wait{};                 ///< what the branch waits on (set by `suspend_here`)
};

/// Marks `b` and its enclosing branches ready (thread-safe; before the task's wake).
inline void notify_branch(branch_node* b) noexcept {
  while (b && !b->ready.exchange(true, std::memory_order_acq_rel)) b = b->parent;
}
}  // namespace detail

/// A handle that resumes one suspended task on its own executor. Trivially copyable.
/// `wake()` is thread-safe and may be called from any thread; call it once per suspension.
/// A waker made inside a branch of `when_all` / `when_any` also names the branch, so that the
/// combinator knows which of its awaitables to resume.
class waker {
 public:
  waker() noexcept = default;
  /// A waker for the task `t` (the awaiter protocol gets one from `detail::suspend_here`).
  explicit waker(detail::task_header* t, detail::branch_node* b = nullptr) noexcept
      : t_(t), b_(b) {}
  /// Resumes the task on its own executor (posts it there; never runs it inline). Thread-safe;
  /// exactly once per suspension.
  void wake() const noexcept;
  /// Lets the other ready tasks run, then resumes this suspension (`yield_now`); from inside
  /// the running task only.
  void request_yield() const noexcept;
  /// False for a default-constructed waker.
  explicit operator bool() const noexcept { return t_ != nullptr; }
  /// True when both wake the same suspension point (task and branch).
  friend bool operator==(waker a, waker b) noexcept { return a.t_ == b.t_ && a.b_ == b.b_; }
  /// The task this waker resumes (null when empty).
  detail::task_header* task() const noexcept { return t_; }
  /// The combinator branch this waker resumes (null outside `when_all` / `when_any`).
  detail::branch_node* branch() const noexcept { return b_; }

 private:
  detail::task_header* t_ = nullptr;
  detail::branch_node* b_ = nullptr;
};

}  // namespace eddy
