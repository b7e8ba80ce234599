// SPDX-License-Identifier: BSL-1.0
/// \file
/// `from_broadcast(rx)`: a broadcast receiver as a stream.
///
/// ```
/// sent (cap 2):   --1--2--3--4------5--(every sender gone)
/// rx reads late:           ^ lagged by 2
/// from_broadcast(rx)
/// output:         ---------E(lagged, 2)-3-4--5--|
/// ```
/// - Each `next()` is one `rx.recv()`: a value becomes a value item; a lag becomes an error item
///   with `errc::lagged` whose `error().count()` is the number of values missed, and the stream
///   goes on with the oldest value still retained; `errc::closed` (every sender gone, everything
///   read) is the end. An empty receiver gives one `errc::invalid_argument` error item, then the
///   end. The stream is fused.
/// - The stream owns the receiver (pass it by move; `receiver()` reaches it). It buffers nothing
///   itself: the channel's ring is the buffer, and a slow consumer lags as any receiver does.
/// - Suspends while nothing was sent; destroying the awaiter cancels the `recv()` (the
///   receiver's cancel-safety applies: nothing is consumed). Resumes on the consumer's runtime.
/// - Has the synchronous fast path (`try_visit`, through `try_recv()`).
/// - Items carry no timestamp of their own (as `from_receiver`): send stamped values (e.g.
///   `stamped<T>`) when a time-ordered operator follows.
#pragma once
#include <optional>
#include <utility>

#include "eddy/core/panic.hpp"
#include "eddy/core/result.hpp"
#include "eddy/stream/concept.hpp"
#include "eddy/sync/broadcast.hpp"

namespace eddy {

/// The stream of `from_broadcast`: see the file comment and stream/concept.hpp.
template <class T>
class broadcast_stream {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = T;

  /// Made by `from_broadcast(...)`.
  explicit broadcast_stream(broadcast::receiver<T> rx) noexcept : rx_(std::move(rx)) {}

  /// The awaiter of `next()`. Destroying it while suspended deregisters the `recv()` and
  /// consumes nothing; the stream stays usable.
  class [[nodiscard]] awaiter {
   public:
    /// Made by `next()`.
    explicit awaiter(broadcast_stream* s) noexcept : s_(s), in_(s->rx_.recv()) {}
    /// Movable until it suspends.
    awaiter(awaiter&& o) noexcept : s_(o.s_), in_(std::move(o.in_)) {}
    awaiter& operator=(awaiter&&) = delete;

    bool await_ready() { return s_->done_ || in_.await_ready(); }
    bool await_suspend(coro::coroutine_handle<> h) { return in_.await_suspend(h); }
    std::optional<item<T>> await_resume() {
      if (s_->done_) return std::nullopt;
      return s_->convert(in_.await_resume());
    }

   private:
    broadcast_stream* s_;
    typename broadcast::receiver<T>::recv_awaiter in_;
  };

  /// The next element: an awaitable of `std::optional<item<T>>` (empty at the end).
  /// One `next()` at a time; cancel-safe (see stream/concept.hpp).
  awaiter next() noexcept { return awaiter(this); }

  /// The synchronous fast path: an item or the end when `try_recv()` has an answer.
  template <class Vis>
  bool try_visit(Vis& v) {
    if (done_) {
      v.end();
      return true;
    }
    result<T> r = rx_.try_recv();
    if (!r.has_value() && r.error() == errc::empty) return false;
    detail::visit_result(convert(std::move(r)), v);
    return true;
  }

  /// The receiver (e.g. to `resubscribe()` it).
  broadcast::receiver<T>& receiver() noexcept { return rx_; }

 private:
  std::optional<item<T>> convert(result<T>&& r) {
    if (r.has_value()) return std::optional<item<T>>(std::in_place, std::move(r).value());
    if (r.error() == errc::closed) {
      done_ = true;
      return std::nullopt;
    }
    if (r.error() == errc::invalid_argument) done_ = true;  // empty receiver: report, then end
    return std::optional<item<T>>(std::in_place, r.error());
  }

  broadcast::receiver<T> rx_;
  bool done_ = false;
};

/// See the file comment.
template <class T>
broadcast_stream<T> from_broadcast(broadcast::receiver<T> rx) {
  return broadcast_stream<T>(std::move(rx));
}

}  // namespace eddy
