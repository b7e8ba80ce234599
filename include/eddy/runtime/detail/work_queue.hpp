// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::work_queue`: an intrusive FIFO of `work_node`s. Not thread-safe; O(1) push/pop.
#pragma once
#include "eddy/runtime/runtime.hpp"

namespace eddy::detail {

class work_queue {
 public:
  bool empty() const noexcept { return head_ == nullptr; }
  /// The node `pop` gives next (null when empty).
  work_node* front() const noexcept { return head_; }
  void push(work_node* n) noexcept {
    n->next = nullptr;
    if (tail_)
      tail_->next = n;
    else
      head_ = n;
    tail_ = n;
  }
  work_node* pop() noexcept {
    work_node* n = head_;
    if (n) {
      head_ = n->next;
      if (!head_) tail_ = nullptr;
      n->next = nullptr;
    }
    return n;
  }
  /// Moves all of `o` to the back of this queue.
  void splice(work_queue& o) noexcept {
    if (o.empty()) return;
    if (tail_)
      tail_->next = o.head_;
    else
      head_ = o.head_;
    tail_ = o.tail_;
    o.head_ = o.tail_ = nullptr;
  }

 private:
  work_node* head_ = nullptr;
  work_node* tail_ = nullptr;
};

}  // namespace eddy::detail
