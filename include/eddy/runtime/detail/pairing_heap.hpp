// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::pairing_heap`: an intrusive pairing heap of `timer_node`s, ordered by deadline, then
/// by `seq` (which the owner sets). O(1) insert, O(log n) amortized pop and remove, no
/// allocation. One of the parts of `timer_heap`. Not thread-safe: the backend locks it.
#pragma once
#include "eddy/runtime/runtime.hpp"

namespace eddy::detail {

class pairing_heap {
 public:
  bool empty() const noexcept { return root_ == nullptr; }
  /// The first node (null when empty).
  timer_node* top() const noexcept { return root_; }
  /// Adds `n` (not in any heap), keeping its `seq`.
  void insert(timer_node* n) noexcept;
  /// Takes the first node off (null when empty).
  timer_node* pop() noexcept;
  /// Takes `n`, which must be in this heap, off.
  void remove(timer_node* n) noexcept;
  /// Orders by deadline, then by `seq`.
  static bool less(const timer_node* a, const timer_node* b) noexcept {
    return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
  }

 private:
  static timer_node* meld(timer_node* a, timer_node* b) noexcept;
  static timer_node* merge_pairs(timer_node* first) noexcept;

  timer_node* root_ = nullptr;
};

}  // namespace eddy::detail
