// SPDX-License-Identifier: BSL-1.0
/// \file
/// `from_watch(rx)`: a watch receiver as a stream of its current value, then each change (a
/// behaviour-subject source).
///
/// ```
/// value:          0 --1--2-----3--(sender gone)
/// from_watch(rx)     (subscribed when the value was 0)
/// output:         0 --1--2-----3--|      (a slow consumer sees only the latest of a burst)
/// ```
/// - The first `next()` gives the current value at once (`borrow_and_update()`: it marks it
///   seen). Each later `next()` waits for `rx.changed()` and gives the value current then,
///   marking it seen: intermediate values of a burst are skipped, and no version is given twice.
/// - The end comes when the sender is gone and every change was given (`errc::closed`). An empty
///   receiver gives one `errc::invalid_argument` error item, then the end. The stream is fused.
/// - The stream owns the receiver (pass it by move; `receiver()` reaches it). Buffers nothing.
/// - Destroying a waiting awaiter cancels the `changed()` (the receiver's cancel-safety applies:
///   nothing is marked seen). Resumes on the consumer's runtime.
/// - Has the synchronous fast path (`try_visit`, through `has_changed()`).
/// - Items carry no timestamp of their own (as `from_receiver`).
#pragma once
#include <optional>
#include <utility>

#include "eddy/core/result.hpp"
#include "eddy/stream/concept.hpp"
#include "eddy/sync/watch.hpp"

namespace eddy {

/// The stream of `from_watch`: see the file comment and stream/concept.hpp.
template <class T>
class watch_stream {
 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = T;

  /// Made by `from_watch(...)`.
  explicit watch_stream(watch::receiver<T> rx) noexcept : rx_(std::move(rx)) {}

  /// The awaiter of `next()`. Destroying it while suspended deregisters the `changed()` and
  /// marks nothing seen; the stream stays usable.
  class [[nodiscard]] awaiter {
   public:
    /// Made by `next()`.
    explicit awaiter(watch_stream* s) noexcept : s_(s), in_(s->rx_.changed()) {}
    /// Movable until it suspends.
    awaiter(awaiter&& o) noexcept : s_(o.s_), in_(std::move(o.in_)) {}
    awaiter& operator=(awaiter&&) = delete;

    bool await_ready() noexcept { return s_->done_ || s_->first_ || in_.await_ready(); }
    bool await_suspend(coro::coroutine_handle<> h) noexcept { return in_.await_suspend(h); }
    std::optional<item<T>> await_resume() {
      if (s_->done_) return std::nullopt;
      if (s_->first_) return s_->first();
      return s_->after(in_.await_resume());
    }

   private:
    watch_stream* s_;
    typename watch::receiver<T>::changed_awaiter in_;
  };

  /// The next element: an awaitable of `std::optional<item<T>>` (empty at the end).
  /// One `next()` at a time; cancel-safe (see stream/concept.hpp).
  awaiter next() noexcept { return awaiter(this); }

  /// The synchronous fast path: the first value, a change, or the end when known now.
  template <class Vis>
  bool try_visit(Vis& v) {
    std::optional<item<T>> out;
    if (done_) {
      out = std::nullopt;
    } else if (first_) {
      out = first();
    } else {
      result<bool> c = rx_.has_changed();
      if (c.has_value() && !c.value()) return false;
      out = after(c.has_value() ? result<void>{} : result<void>{c.error()});
    }
    detail::visit_result(std::move(out), v);
    return true;
  }

  /// The receiver.
  watch::receiver<T>& receiver() noexcept { return rx_; }

 private:
  std::optional<item<T>> first() {
    first_ = false;
    if (!rx_.valid()) return fail();
    return std::optional<item<T>>(std::in_place, rx_.borrow_and_update());
  }
  std::optional<item<T>> after(result<void> r) {
    if (r.has_value()) return std::optional<item<T>>(std::in_place, rx_.borrow_and_update());
    if (r.error() == errc::closed) {
      done_ = true;
      return std::nullopt;
    }
    done_ = true;
    return std::optional<item<T>>(std::in_place, r.error());
  }
  std::optional<item<T>> fail() {
    done_ = true;
    return std::optional<item<T>>(std::in_place,
                                  error{errc::invalid_argument, 0, "from_watch: empty receiver"});
  }

  watch::receiver<T> rx_;
  bool first_ = true;
  bool done_ = false;
};

/// See the file comment.
template <class T>
watch_stream<T> from_watch(watch::receiver<T> rx) {
  return watch_stream<T>(std::move(rx));
}

}  // namespace eddy
