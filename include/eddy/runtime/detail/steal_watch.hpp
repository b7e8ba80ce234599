// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::steal_watch`: when an idle `thread_pool` worker may steal from another worker's
/// queue. Internal.
///
/// A thief takes only work that waits: items its owner has not got through within
/// `steal_watch::delay_ns`. It keeps one watch per other queue and, each time it looks, gives
/// the queue's size and the count of items taken out of it so far (`removed`, which only
/// grows):
/// - an empty queue: nothing to watch;
/// - work in a queue it was not watching: the watch begins now, with that size;
/// - `removed` grew by at least the size seen when the watch began: the owner got through that
///   work, so it is not stuck; the watch begins again from now;
/// - otherwise, once the delay has passed since the watch began: steal.
/// After a steal the watch stays expired (`stole`), so a thief that runs out again takes more at
/// once while the owner is still behind with what was left.
///
/// Thread-safety: none; each watch belongs to one thief. The figures it is given are relaxed
/// reads of another worker's counters; a stale read only moves a steal by one look.
#pragma once
#include <cstddef>
#include <cstdint>

namespace eddy::detail {

class steal_watch {
 public:
  /// How long queued work may wait, without its owner getting through it, before a steal (ns
  /// of the pool's clock).
  static constexpr std::int64_t delay_ns = 100'000;

  enum class verdict : unsigned char {
    idle,   ///< the queue is empty
    wait,   ///< it holds work that has not waited long enough; look again at `recheck()`
    steal,  ///< its owner is stuck behind what it holds: take half
  };

  /// Looks at a queue holding `size` items, out of which `removed` have been taken so far, at
  /// time `now` (ns).
  verdict look(std::size_t size, std::size_t removed, std::int64_t now) noexcept {
    if (size == 0) {
      since_ = -1;
      return verdict::idle;
    }
    if (since_ < 0 || removed - removed_ >= size_) {
      begin(size, removed, now);  // new work, or the owner got through what it had
      return verdict::wait;
    }
    return now - since_ >= delay_ns ? verdict::steal : verdict::wait;
  }
  /// After a steal, with the queue's size and count as they are now: expired at once, so the
  /// next look steals again unless the owner got through what is left.
  void stole(std::size_t size, std::size_t removed, std::int64_t now) noexcept {
    begin(size, removed, now - delay_ns);
  }
  /// When a `wait` verdict may turn into `steal`.
  std::int64_t recheck() const noexcept { return since_ + delay_ns; }
  /// True while the queue was seen holding work (a new item in an empty queue is news).
  bool watching() const noexcept { return since_ >= 0; }

 private:
  void begin(std::size_t size, std::size_t removed, std::int64_t at) noexcept {
    size_ = size;
    removed_ = removed;
    since_ = at;
  }

  std::size_t size_ = 0;     // the queue's size when the watch began
  std::size_t removed_ = 0;  // its `removed` then
  std::int64_t since_ = -1;  // when it began (ns); -1: not watching
};

}  // namespace eddy::detail
