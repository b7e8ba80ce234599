// SPDX-License-Identifier: BSL-1.0
/// \file
/// The pieces shared by the hot sources (`subject`, `share`, `partition`, `group_by`):
/// `hot_buffer<T>`, a subscriber's bounded buffer with its overflow policy and terminal state,
/// an intrusive list of them, and `replay_into` (what a replaying source hands a new
/// subscriber). A reader waits for its buffer with `locked_wait` (detail/wait.hpp). Every member is
/// used under the owning source's lock; wakes happen under that lock (task_header.hpp protocol).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include "eddy/core/lock.hpp"
#include "eddy/runtime/task_header.hpp"
#include "eddy/stream/buffer_policy.hpp"
#include "eddy/stream/detail/timed.hpp"
#include "eddy/stream/item.hpp"

namespace eddy::detail {

/// One subscriber's buffer. Under the owner's lock.
///
/// `offer` places an item at once. With `staging` (subject), `wants` / `stage` / `unstage` /
/// `commit` do the same in two steps, so that a source delivers one value to all its
/// subscribers or, when a copy throws, to none: it stages a copy in each buffer that will keep
/// it (that may throw: it unstages them all), then commits every buffer (that cannot throw).
template <class T>
class hot_buffer {
 public:
  explicit hot_buffer(buffer_policy p, bool staging = false)
      : ring_(p.capacity, staging), policy_(p.on_full) {}

  /// A new item cannot be placed now without waiting (wait policy, full, still open).
  bool blocks() const noexcept {
    return policy_ == overflow::wait && ring_.full() && !cut_ && !ended_;
  }
  /// Accepts one item by the policy (the caller checked `blocks()` for the wait policy).
  /// True when the reader should look (something new to take).
  template <class U>
  bool offer(U&& it) {
    if (ended_) return false;
    if (cut_) {
      ++dropped_;
      return false;
    }
    if (!ring_.full()) {
      ring_.push(std::forward<U>(it));
      return true;
    }
    ++dropped_;
    switch (policy_) {
      case overflow::drop_oldest:
        ring_.pop();
        ring_.push(std::forward<U>(it));
        return true;
      case overflow::error:
        cut_ = true;
        return true;
      case overflow::wait:
      case overflow::drop_newest:
        break;
    }
    return false;
  }
  /// `offer` would keep a new item (and so `commit` needs one staged).
  bool wants() const noexcept {
    if (ended_ || cut_) return false;
    return !ring_.full() || policy_ == overflow::drop_oldest;
  }
  /// Builds the item `commit` will place (only when `wants()`). May throw: nothing changed.
  template <class U>
  void stage(U&& v) {
    ring_.stage(std::forward<U>(v));
    staged_ = true;
  }
  /// Destroys a staged item (a delivery that failed elsewhere).
  void unstage() noexcept {
    if (staged_) ring_.unstage();
    staged_ = false;
  }
  /// `offer` with the staged item (or none when `!wants()`). True when the reader should look.
  bool commit() noexcept {
    const bool had = std::exchange(staged_, false);
    if (ended_) return false;
    if (cut_) {
      ++dropped_;
      return false;
    }
    if (had) {
      if (ring_.full()) ++dropped_;  // drop_oldest: the oldest goes
      ring_.commit_staged();
      return true;
    }
    ++dropped_;  // full: drop_newest drops it, error cuts, wait never gets here
    if (policy_ == overflow::error) {
      cut_ = true;
      return true;
    }
    return false;
  }
  /// The source ended (after `e`, if given): the reader gets the buffer, then `e`, then the end.
  void end(std::optional<error> e = std::nullopt) {
    if (ended_) return;
    ended_ = true;
    final_ = std::move(e);
  }
  /// Takes the next thing to deliver: an item, or (`out` left empty) the end; false if
  /// nothing is there yet. `was_full` tells whether the buffer was full before the take.
  bool take(std::optional<item<T>>& out, bool& was_full) {
    was_full = ring_.full();
    if (!ring_.empty()) {
      out.emplace(std::move(ring_.front()));  // a move that throws leaves the item buffered
      ring_.drop_front();
      return true;
    }
    if (cut_) {
      if (!cut_reported_) {
        cut_reported_ = true;
        out.emplace(error{errc::full, 0, "hot source: subscriber buffer overflowed"});
      }
      return true;
    }
    if (final_) {
      out.emplace(std::move(*final_));
      final_.reset();
      return true;
    }
    return ended_;
  }
  /// Something to take (an item or a terminal).
  bool has_something() const noexcept { return !ring_.empty() || cut_ || ended_; }
  bool finished() const noexcept { return ended_ || cut_; }
  std::uint64_t dropped() const noexcept { return dropped_; }
  void clear() noexcept { ring_.clear(); }

  waker reader;                ///< the subscriber waiting for its buffer
  hot_buffer* prev = nullptr;  ///< the owner's subscriber list
  hot_buffer* next = nullptr;

  /// Wakes the reader if it waits.
  void wake() noexcept {
    if (reader) std::exchange(reader, waker{}).wake();
  }

 private:
  item_ring<item<T>> ring_;
  overflow policy_;
  std::uint64_t dropped_ = 0;
  bool staged_ = false;        ///< an item is staged (see `stage`)
  bool cut_ = false;           ///< overflow::error happened
  bool cut_reported_ = false;  ///< the errc::full error was taken
  bool ended_ = false;
  std::optional<error> final_;
};

/// An intrusive list of buffers.
template <class T>
class hot_list {
 public:
  void push(hot_buffer<T>* b) noexcept {
    b->prev = nullptr;
    b->next = head_;
    if (head_) head_->prev = b;
    head_ = b;
    ++size_;
  }
  void remove(hot_buffer<T>* b) noexcept {
    if (b->prev)
      b->prev->next = b->next;
    else
      head_ = b->next;
    if (b->next) b->next->prev = b->prev;
    b->prev = b->next = nullptr;
    --size_;
  }
  hot_buffer<T>* head() const noexcept { return head_; }
  std::size_t size() const noexcept { return size_; }
  template <class F>
  void each(F&& f) {
    for (hot_buffer<T>* b = head_; b; b = b->next) f(*b);
  }
  /// Some buffer blocks (see `hot_buffer::blocks`).
  bool any_blocks() const noexcept {
    for (hot_buffer<T>* b = head_; b; b = b->next) {
      if (b->blocks()) return true;
    }
    return false;
  }

 private:
  hot_buffer<T>* head_ = nullptr;
  std::size_t size_ = 0;
};

/// Gives a new subscriber's buffer `b` (of capacity `capacity`) the values kept in `kept`,
/// oldest first: the newest that fit. A copy that throws becomes an `errc::exception` error
/// item in `b` in its place. Under the owner's lock, before `b` is linked, so that the replayed
/// values and the live ones meet with no gap and no repeat (`subject`'s replay, `share`'s).
template <class T>
void replay_into(const item_ring<T>& kept, hot_buffer<T>& b, std::size_t capacity) {
  const std::size_t n = kept.size();
  for (std::size_t i = n > capacity ? n - capacity : 0; i < n; ++i) {
#if EDDY_HAS_EXCEPTIONS
    try {
      b.offer(item<T>(kept.at(i)));
    } catch (...) {
      b.offer(item<T>(error::from_exception(std::current_exception())));
    }
#else
    b.offer(item<T>(kept.at(i)));
#endif
  }
}

}  // namespace eddy::detail
