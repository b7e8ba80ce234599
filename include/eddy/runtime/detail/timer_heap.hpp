// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::timer_heap`: an intrusive pairing heap of `timer_node`s for backends. O(1) push,
/// O(log n) amortized pop and remove, no allocation. Not thread-safe: the backend locks it.
/// Equal deadlines pop in push order.
#pragma once
#include <cstddef>

#include "eddy/runtime/runtime.hpp"

namespace eddy::detail {

class timer_heap {
 public:
  bool empty() const noexcept { return root_ == nullptr; }
  std::size_t size() const noexcept { return size_; }
  timer_node* top() const noexcept { return root_; }
  void push(timer_node* n) noexcept;
  timer_node* pop() noexcept;
  /// Removes `n` if it is in this heap; false if it is not.
  bool remove(timer_node* n) noexcept;
  bool contains(const timer_node* n) const noexcept { return n == root_ || n->heap_prev; }

 private:
  static bool less(const timer_node* a, const timer_node* b) noexcept {
    return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
  }
  static timer_node* meld(timer_node* a, timer_node* b) noexcept;
  static timer_node* merge_pairs(timer_node* first) noexcept;

  timer_node* root_ = nullptr;
  std::size_t size_ = 0;
  std::uint64_t seq_ = 0;
};

}  // namespace eddy::detail
