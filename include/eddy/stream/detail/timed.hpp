// SPDX-License-Identifier: BSL-1.0
/// \file
/// `detail::timed_input<S>`: the one input of a time operator (`debounce`, `sample`, `delay`,
/// `timeout`, `buffer_time`, `window_time`): a port (see detail/port.hpp) with a one-item head
/// and the head's arrival time on the runtime clock (when the pump received it, or `now()` for
/// a synchronous answer), so that every decision compares exact arrival times and does not
/// depend on when the consumer happened to run. Also `detail::checked_duration` and
/// `detail::item_ring<T>` (a fixed-capacity FIFO allocated once).
#pragma once
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <utility>

#include "eddy/core/detail/chrono.hpp"
#include "eddy/stream/detail/hub.hpp"

namespace eddy::detail {

/// `D` is a `std::chrono::duration` (what the time operators take).
template <class D>
inline constexpr bool is_duration = false;
template <class Rep, class Period>
inline constexpr bool is_duration<std::chrono::duration<Rep, Period>> = true;

/// A positive duration, or the message of an argument error. Converted with saturation: a
/// duration too large for nanoseconds is `duration::max()` (the operator's deadlines are then
/// `never`, see runtime/time.hpp).
struct checked_duration {
  duration d{};
  const char* bad = nullptr;
  template <class Rep, class Period>
  static checked_duration make(std::chrono::duration<Rep, Period> in, const char* msg) {
    checked_duration c;
    c.d = saturating_duration(in);
    if (c.d <= duration::zero()) c.bad = msg;
    return c;
  }
};

/// The end of the period of length `d` (periods `[start + k*d, start + (k+1)*d)`) that
/// contains `t >= start`, saturating at `never`.
inline time_point next_period(time_point start, duration d, time_point t) noexcept {
  const std::int64_t q = saturating_sub(t, start) / d;
  if (q == std::numeric_limits<std::int64_t>::max()) return never;
  return saturating_add(start, saturating_mul(d, q + 1));
}

/// A FIFO of at most `capacity` elements, allocated once at construction. With `spare`, one
/// more slot lets an element be built ahead (`stage`) and then added (`commit_staged`, which
/// cannot throw) or destroyed (`unstage`): an all-or-nothing delivery to several rings.
template <class T>
class item_ring {
 public:
  item_ring() noexcept = default;
  explicit item_ring(std::size_t capacity, bool spare = false)
      : slots_(capacity ? std::make_unique<std::optional<T>[]>(capacity + (spare ? 1 : 0))
                        : nullptr),
        cap_(capacity),
        slots_n_(capacity ? capacity + (spare ? 1 : 0) : 0) {}

  std::size_t capacity() const noexcept { return cap_; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  bool full() const noexcept { return size_ == cap_; }
  template <class... A>
  void push(A&&... a) {
    slots_[(head_ + size_) % slots_n_].emplace(std::forward<A>(a)...);
    ++size_;
  }
  T& front() noexcept { return *slots_[head_]; }
  /// The element `i` places after the front (`i < size()`).
  const T& at(std::size_t i) const noexcept { return *slots_[(head_ + i) % slots_n_]; }
  T pop() {
    T v = std::move(*slots_[head_]);
    drop_front();
    return v;
  }
  /// Destroys the front element.
  void drop_front() noexcept {
    slots_[head_].reset();
    head_ = (head_ + 1) % slots_n_;
    --size_;
  }
  void clear() noexcept {
    while (size_) drop_front();
  }
  /// Builds an element in the slot after the last one (spare rings; at most one staged). May
  /// throw: then nothing changed.
  template <class... A>
  void stage(A&&... a) {
    slots_[(head_ + size_) % slots_n_].emplace(std::forward<A>(a)...);
  }
  /// Destroys the staged element.
  void unstage() noexcept { slots_[(head_ + size_) % slots_n_].reset(); }
  /// Adds the staged element at the back; a full ring first drops its front (the staged slot
  /// is then the back one, see the class comment).
  void commit_staged() noexcept {
    if (full()) drop_front();
    ++size_;
  }

 private:
  std::unique_ptr<std::optional<T>[]> slots_;
  std::size_t cap_ = 0;
  std::size_t slots_n_ = 0;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

/// The input of a time operator. See the file comment.
template <class S>
class timed_input {
 public:
  using value_type = stream_value_t<S>;
  using block_type = port_block<port<S>>;

  explicit timed_input(S s) : b_(new block_type(std::move(s))) {}
  timed_input(timed_input&& o) noexcept
      : b_(std::exchange(o.b_, nullptr)),
        head_(std::move(o.head_)),
        arrival_(o.arrival_),
        ended_(o.ended_) {}
  timed_input& operator=(timed_input&&) = delete;
  ~timed_input() {
    if (!b_) return;
    b_->ports.stop();
    b_->release();
  }

  port_hub* hub() const noexcept { return b_; }
  /// Asks for a head if there is none (without waiting). True if a head is held.
  bool fill() {
    if (head_) return true;
    if (ended_) return false;
    head_visitor<value_type> hv{head_, ended_};
    if (b_->ports.poll(*b_, *b_, hv)) {
      arrival_ = b_->ports.from_pump() ? b_->ports.arrival() : now();
    }
    return head_.has_value();
  }
  std::optional<item<value_type>>& head() noexcept { return head_; }
  /// When the head (or, once `ended()`, the end) arrived.
  time_point arrival() const noexcept { return arrival_; }
  /// Moves the head out.
  item<value_type> take() {
    item<value_type> r = std::move(*head_);
    head_.reset();
    return r;
  }
  /// The input has ended (and every head was taken).
  bool ended() const noexcept { return ended_ && !head_; }
  /// Stops the pump (the operator ended early).
  void stop() noexcept { b_->ports.stop(); }

 private:
  block_type* b_;
  std::optional<item<value_type>> head_;
  time_point arrival_{};
  bool ended_ = false;
};

}  // namespace eddy::detail
