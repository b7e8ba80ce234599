// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::timer_heap`: the backends' queue of armed `timer_node`s. Pops in deadline order, and
/// in arming order among equal deadlines. Intrusive: no allocation. Not thread-safe: the backend
/// locks it.
///
/// Three parts, so that a burst of timers is sorted a little at a time, in small heaps:
/// - `near`: a pairing heap (detail/pairing_heap.hpp) of every timer whose deadline falls in a
///   slot before `base` (slots of 2^20 ns, about 1 ms); the first timer is its top;
/// - the wheel: `slot_count` lists of the timers in the `slot_count` slots from `base` on
///   (about 268 ms on hosted builds), one per slot, unsorted; O(1) arming and removal;
/// - `far`: a pairing heap of the timers beyond the wheel.
/// When `near` empties, the earliest occupied slot moves into it, the wheel moves on behind it,
/// and the far timers it now covers move into the wheel. `near` is empty only when all are.
/// A burst of N timers over M slots thus costs about N log(N / M) steps, not N log N, and each
/// sort touches only the timers of one slot.
#pragma once
#include <cstddef>
#include <cstdint>

#include "eddy/runtime/detail/pairing_heap.hpp"

namespace eddy::detail {

class timer_heap {
 public:
  /// Wheel slots (hosted: 256, about 268 ms; without threads, 32: firmware RAM is scarce).
  static constexpr std::size_t slot_count = EDDY_HAS_THREADS ? 256 : 32;
  /// A slot spans 2^slot_bits ns.
  static constexpr unsigned slot_bits = 20;

  timer_heap() noexcept = default;
  timer_heap(const timer_heap&) = delete;
  timer_heap& operator=(const timer_heap&) = delete;

  bool empty() const noexcept { return size_ == 0; }
  std::size_t size() const noexcept { return size_; }
  /// The timer with the earliest deadline (the earliest armed among equal ones), or null.
  timer_node* top() const noexcept { return near_.top(); }
  /// Arms `n` (not in this queue; `deadline` set).
  void push(timer_node* n) noexcept;
  /// Takes `top()` off (null when empty).
  timer_node* pop() noexcept;
  /// Removes `n` if it is in this queue; false if it is not.
  bool remove(timer_node* n) noexcept;
  bool contains(const timer_node* n) const noexcept { return where(n) != nowhere; }

 private:
  // Where a node is, in the top two bits of its `seq` (its arming number below them): the
  // nodes of one heap share the bits, so that they do not change the heap's order.
  static constexpr unsigned where_shift = 62;
  static constexpr std::uint64_t number_bits = (std::uint64_t{1} << where_shift) - 1;
  static constexpr std::uint64_t nowhere = 0, in_near = 1, in_wheel = 2, in_far = 3;
  static std::uint64_t where(const timer_node* n) noexcept { return n->seq >> where_shift; }
  static void set_where(timer_node* n, std::uint64_t w) noexcept {
    n->seq = (n->seq & number_bits) | (w << where_shift);
  }
  static std::uint64_t slot_of(const timer_node* n) noexcept;

  void place(timer_node* n) noexcept;  // by its slot: near, the wheel or far
  void to_near(timer_node* n) noexcept;
  void to_wheel(timer_node* n, std::uint64_t slot) noexcept;
  void to_far(timer_node* n) noexcept;
  void set_occupied(std::size_t i, bool on) noexcept;  // the wheel list `i` is (not) empty
  void unlink(timer_node* n) noexcept;                 // from its wheel list
  void refill() noexcept;                              // `near` is empty, the queue is not
  void pull_far() noexcept;                            // far timers the wheel now covers go to it
  std::size_t first_occupied(std::size_t from) const noexcept;

  static constexpr std::size_t words = (slot_count + 63) / 64;
  pairing_heap near_;
  pairing_heap far_;
  timer_node* wheel_[slot_count] = {};  // by slot % slot_count; linked by heap_sibling / heap_prev
  std::uint64_t occupied_[words] = {};  // the wheel's non-empty lists
  std::uint64_t base_ = 0;              // the first slot the wheel covers
  std::size_t size_ = 0;
  std::size_t in_wheel_ = 0;
  std::uint64_t seq_ = 0;
};

}  // namespace eddy::detail
