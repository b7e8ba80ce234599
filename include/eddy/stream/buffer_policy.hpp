// SPDX-License-Identifier: BSL-1.0
/// \file
/// `buffer_policy`: the bound and the overflow rule of every subscriber buffer of a hot source
/// (`subject`, `share`, `partition`). Nothing in eddy buffers without a bound.
///
/// - `capacity`: the most items (values and errors) a subscriber's buffer holds. 0 is an
///   argument error: the subscriber's stream yields one `errc::invalid_argument` error and
///   ends.
/// - `on_full`, what happens to an item that finds the buffer full:
///   - `overflow::wait` (the default): lossless backpressure. The producer waits until every
///     waiting-policy subscriber has room (`subject::send` suspends; `share`/`partition` stop
///     pulling their upstream). Nothing is dropped; a subscriber that never reads stalls the
///     others once its buffer is full.
///   - `overflow::drop_oldest`: the oldest buffered item is dropped to make room (the
///     subscriber sees the newest `capacity` items).
///   - `overflow::drop_newest`: the new item is dropped (the subscriber keeps what it had).
///   - `overflow::error`: the subscriber is cut off: it gets what it had buffered, then one
///     `errc::full` error, then the end; later items are not delivered to it.
///   The producer is never slowed down by a subscriber with a dropping or error policy.
/// - Each subscriber's stream reports `dropped()`: how many items its policy dropped.
#pragma once
#include <cstddef>

namespace eddy {

/// What a full subscriber buffer does with a new item. See the file comment.
enum class overflow : unsigned char {
  wait,         ///< the producer waits (lossless backpressure)
  drop_oldest,  ///< drop the oldest buffered item
  drop_newest,  ///< drop the new item
  error,        ///< cut the subscriber off with an `errc::full` error
};

/// The bound and overflow rule of a subscriber buffer. See the file comment.
struct buffer_policy {
  /// How many items a subscriber's buffer holds (at least 1; 0 is `errc::invalid_argument`).
  std::size_t capacity = 64;
  /// What happens when a new item finds the buffer full.
  overflow on_full = overflow::wait;

  /// Lossless backpressure: the producer waits for room.
  static constexpr buffer_policy wait(std::size_t capacity) noexcept {
    return {capacity, overflow::wait};
  }
  /// A full buffer drops its oldest item to make room.
  static constexpr buffer_policy drop_oldest(std::size_t capacity) noexcept {
    return {capacity, overflow::drop_oldest};
  }
  /// A full buffer drops the new item.
  static constexpr buffer_policy drop_newest(std::size_t capacity) noexcept {
    return {capacity, overflow::drop_newest};
  }
  /// A full buffer cuts the subscriber off with an `errc::full` error item, then its end.
  static constexpr buffer_policy fail(std::size_t capacity) noexcept {
    return {capacity, overflow::error};
  }
  /// False when `capacity` is 0.
  constexpr bool valid() const noexcept { return capacity > 0; }
};

}  // namespace eddy
