// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::waiter_node` / `detail::waiter_list`: the intrusive FIFO every sync primitive keeps
/// its suspended tasks in. Nodes live in the awaiting coroutine's frame (no allocation).
/// Not thread-safe: the primitive guards it with its own lock, and by the protocol of
/// `runtime/task_header.hpp` wakes a waiter only while holding that lock.
#pragma once
#include <cstddef>

#include "eddy/runtime/task_header.hpp"

namespace eddy::detail {

struct waiter_node {
  waiter_node* prev = nullptr;
  waiter_node* next = nullptr;
  waker w;
  bool linked = false;
};

class waiter_list {
 public:
  bool empty() const noexcept { return head_ == nullptr; }
  /// The number of queued nodes: a walk, for the primitives' `waiter_count()` snapshots.
  std::size_t size() const noexcept {
    std::size_t n = 0;
    for (auto* w = head_; w; w = w->next) ++n;
    return n;
  }
  waiter_node* front() const noexcept { return head_; }
  void push_back(waiter_node* n) noexcept {
    n->next = nullptr;
    n->prev = tail_;
    if (tail_)
      tail_->next = n;
    else
      head_ = n;
    tail_ = n;
    n->linked = true;
  }
  waiter_node* pop_front() noexcept {
    waiter_node* n = head_;
    if (n) remove(n);
    return n;
  }
  /// Unlinks `n` if linked; returns whether it was.
  bool remove(waiter_node* n) noexcept {
    if (!n->linked) return false;
    if (n->prev)
      n->prev->next = n->next;
    else
      head_ = n->next;
    if (n->next)
      n->next->prev = n->prev;
    else
      tail_ = n->prev;
    n->prev = n->next = nullptr;
    n->linked = false;
    return true;
  }

 private:
  waiter_node* head_ = nullptr;
  waiter_node* tail_ = nullptr;
};

}  // namespace eddy::detail
