// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::list_awaiter<Owner, Node>`: the part every awaiter that queues on a primitive's
/// `waiter_list` shares (mutex, shared_mutex, semaphore, notify, latch, barrier, once_cell).
///
/// It holds the primitive, the queue node (inside the awaiting frame: no allocation) and the
/// "queued, not yet resumed" flag, and it gives the three rules they all follow:
/// - movable only before it is awaited: moving a queued awaiter panics (the queue points at it);
/// - `enqueue(list, h)`, under the primitive's lock, queues the node and suspends `h`;
/// - destroyed while queued (abort, timeout, a losing `when_any` branch), it leaves the queue
///   through `Owner::cancel_wait(Node*)`, which the primitive implements to pass on whatever it
///   had already handed to this node (a lock, permits, a turn). That call takes the primitive's
///   lock itself. A derived awaiter's own destructor runs first.
///
/// The derived awaiter writes `await_ready`, `await_suspend` (its "take it now" check, then
/// `enqueue`) and `await_resume` (`resumed()` tells whether the primitive woke it).
#pragma once
#include <utility>

#include "eddy/core/coro.hpp"
#include "eddy/core/panic.hpp"
#include "eddy/runtime/detail/waiter_list.hpp"
#include "eddy/runtime/task_header.hpp"

namespace eddy::detail {

template <class Owner, class Node = waiter_node>
class list_awaiter {
 public:
  list_awaiter& operator=(list_awaiter&&) = delete;

 protected:
  explicit list_awaiter(Owner* o) noexcept : owner_(o) {}
  /// Move before awaiting; `what` is the panic message for a move while queued. The node's own
  /// fields (what the derived awaiter set up) are the derived move constructor's business.
  list_awaiter(list_awaiter&& o, const char* what) noexcept : owner_(o.owner_) {
    if (o.queued_) panic(what);
  }
  ~list_awaiter() {
    if (queued_) owner_->cancel_wait(&node_);
  }

  /// Under the owner's lock: queue on `l` and suspend `h`, recording the wait as `kind` on the
  /// owner (task dumps). Returns true (for await_suspend).
  bool enqueue(waiter_list& l, coro::coroutine_handle<> h,
               const wait_kind& kind = generic_wait) noexcept {
    node_.w = suspend_here(h, kind, owner_);
    l.push_back(&node_);
    queued_ = true;
    return true;
  }
  /// In await_resume: whether the owner woke this awaiter (then the node's state is final).
  /// Clears the flag, so the destructor does not leave the queue again.
  bool resumed() noexcept { return std::exchange(queued_, false); }

  Owner* owner_;
  Node node_;

 private:
  bool queued_ = false;
};

}  // namespace eddy::detail
