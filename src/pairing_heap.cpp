// SPDX-License-Identifier: BSL-1.0
// The pairing heap under `timer_heap` (see eddy/runtime/detail/pairing_heap.hpp).
#include "eddy/runtime/detail/pairing_heap.hpp"

namespace eddy::detail {

timer_node* pairing_heap::meld(timer_node* a, timer_node* b) noexcept {
  if (less(b, a)) {
    timer_node* t = a;
    a = b;
    b = t;
  }
  b->heap_sibling = a->heap_child;
  if (a->heap_child) a->heap_child->heap_prev = b;
  b->heap_prev = a;
  a->heap_child = b;
  return a;
}

timer_node* pairing_heap::merge_pairs(timer_node* first) noexcept {
  if (!first) return nullptr;
  timer_node* pairs = nullptr;  // melded pairs, reversed, linked through heap_sibling
  while (first) {
    timer_node* a = first;
    timer_node* b = a->heap_sibling;
    a->heap_prev = nullptr;
    if (!b) {
      a->heap_sibling = pairs;
      pairs = a;
      break;
    }
    first = b->heap_sibling;
    a->heap_sibling = b->heap_sibling = nullptr;
    b->heap_prev = nullptr;
    timer_node* m = meld(a, b);
    m->heap_sibling = pairs;
    pairs = m;
  }
  timer_node* r = pairs;
  pairs = pairs->heap_sibling;
  r->heap_sibling = nullptr;
  while (pairs) {
    timer_node* next = pairs->heap_sibling;
    pairs->heap_sibling = nullptr;
    r = meld(r, pairs);
    pairs = next;
  }
  r->heap_prev = nullptr;
  return r;
}

void pairing_heap::insert(timer_node* n) noexcept {
  n->heap_child = n->heap_sibling = n->heap_prev = nullptr;
  root_ = root_ ? meld(root_, n) : n;
  root_->heap_prev = nullptr;
}

timer_node* pairing_heap::pop() noexcept {
  timer_node* r = root_;
  if (!r) return nullptr;
  root_ = merge_pairs(r->heap_child);
  r->heap_child = r->heap_sibling = r->heap_prev = nullptr;
  return r;
}

void pairing_heap::remove(timer_node* n) noexcept {
  if (n == root_) {
    pop();
    return;
  }
  if (n->heap_prev->heap_child == n)
    n->heap_prev->heap_child = n->heap_sibling;
  else
    n->heap_prev->heap_sibling = n->heap_sibling;
  if (n->heap_sibling) n->heap_sibling->heap_prev = n->heap_prev;
  timer_node* sub = merge_pairs(n->heap_child);
  n->heap_child = n->heap_sibling = n->heap_prev = nullptr;
  if (sub) root_ = meld(root_, sub);
}

}  // namespace eddy::detail
