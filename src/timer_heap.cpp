// SPDX-License-Identifier: BSL-1.0
// The backends' timer queue (see eddy/runtime/detail/timer_heap.hpp).
#include "eddy/runtime/detail/timer_heap.hpp"

namespace eddy::detail {

std::uint64_t timer_heap::slot_of(const timer_node* n) noexcept {
  // The deadline as an unsigned number in the same order (negative times come first).
  const auto t = static_cast<std::uint64_t>(n->deadline.time_since_epoch().count());
  return (t ^ (std::uint64_t{1} << 63)) >> slot_bits;
}

void timer_heap::push(timer_node* n) noexcept {
  n->seq = seq_++ & number_bits;
  if (size_++ == 0) {
    base_ = slot_of(n) + 1;  // an empty queue starts its wheel behind the first timer
    to_near(n);
    return;
  }
  place(n);
}

void timer_heap::place(timer_node* n) noexcept {
  const std::uint64_t s = slot_of(n);
  if (s < base_)
    to_near(n);
  else if (s - base_ < slot_count)
    to_wheel(n, s);
  else
    to_far(n);
}

void timer_heap::to_near(timer_node* n) noexcept {
  set_where(n, in_near);
  near_.insert(n);
}

void timer_heap::to_far(timer_node* n) noexcept {
  set_where(n, in_far);
  far_.insert(n);
}

void timer_heap::set_occupied(std::size_t i, bool on) noexcept {
  const std::uint64_t bit = std::uint64_t{1} << (i % 64);
  if (on)
    occupied_[i / 64] |= bit;
  else
    occupied_[i / 64] &= ~bit;
}

void timer_heap::to_wheel(timer_node* n, std::uint64_t slot) noexcept {
  const std::size_t i = static_cast<std::size_t>(slot % slot_count);
  set_where(n, in_wheel);
  n->heap_child = nullptr;
  n->heap_prev = nullptr;
  n->heap_sibling = wheel_[i];
  if (wheel_[i]) wheel_[i]->heap_prev = n;
  wheel_[i] = n;
  set_occupied(i, true);
  ++in_wheel_;
}

void timer_heap::unlink(timer_node* n) noexcept {
  const std::size_t i = static_cast<std::size_t>(slot_of(n) % slot_count);
  if (n->heap_prev)
    n->heap_prev->heap_sibling = n->heap_sibling;
  else
    wheel_[i] = n->heap_sibling;
  if (n->heap_sibling) n->heap_sibling->heap_prev = n->heap_prev;
  n->heap_sibling = n->heap_prev = nullptr;
  if (!wheel_[i]) set_occupied(i, false);
  --in_wheel_;
}

timer_node* timer_heap::pop() noexcept {
  timer_node* r = near_.pop();
  if (!r) return nullptr;
  set_where(r, nowhere);
  if (--size_ != 0 && near_.empty()) refill();
  return r;
}

bool timer_heap::remove(timer_node* n) noexcept {
  switch (where(n)) {
    case in_near:
      near_.remove(n);
      break;
    case in_wheel:
      unlink(n);
      break;
    case in_far:
      far_.remove(n);
      break;
    default:
      return false;
  }
  set_where(n, nowhere);
  if (--size_ != 0 && near_.empty()) refill();
  return true;
}

std::size_t timer_heap::first_occupied(std::size_t from) const noexcept {
  // From `from` to the end, then from the start: the wheel's lists in slot order.
  for (std::size_t k = 0; k <= words; ++k) {
    const std::size_t w = (from / 64 + k) % words;
    std::uint64_t bits = occupied_[w];
    if (k == 0) bits &= ~std::uint64_t{0} << (from % 64);           // at or after `from`
    if (k == words) bits &= (std::uint64_t{1} << (from % 64)) - 1;  // wrapped: before it
    if (bits) return w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits));
  }
  return slot_count;  // not reached while `in_wheel_` is not zero
}

void timer_heap::refill() noexcept {
  if (in_wheel_ == 0) {  // all are far: the wheel jumps to the first of them
    base_ = slot_of(far_.top());
    pull_far();
  }
  const std::size_t start = static_cast<std::size_t>(base_ % slot_count);
  const std::size_t i = first_occupied(start);
  const std::uint64_t slot = base_ + (i + slot_count - start) % slot_count;
  timer_node* n = wheel_[i];
  wheel_[i] = nullptr;
  set_occupied(i, false);
  while (n) {
    timer_node* const next = n->heap_sibling;
    --in_wheel_;
    to_near(n);
    n = next;
  }
  base_ = slot + 1;
  pull_far();
}

void timer_heap::pull_far() noexcept {
  while (timer_node* f = far_.top()) {
    const std::uint64_t s = slot_of(f);
    if (s - base_ >= slot_count) return;  // (never before base_: far timers are after the wheel)
    far_.pop();
    to_wheel(f, s);
  }
}

}  // namespace eddy::detail
