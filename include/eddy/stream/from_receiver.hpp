// SPDX-License-Identifier: BSL-1.0
/// \file
/// `from_receiver(rx)`: a channel receiver as a stream.
///
/// ```
/// rx receives:  --1--2------3--(all senders gone)
/// from_receiver(rx)
/// output:       --1--2------3--|
/// ```
/// - Works with any receiver type `R` whose `recv()` gives an awaitable of `std::optional<V>`
///   (empty when the channel is closed and drained), such as `mpsc::receiver<V>`. The stream
///   owns the receiver (pass it by move).
/// - A receiver of `item<T>` gives a stream of `T` (errors sent on the channel arrive as error
///   items); any other `V` gives values of `V`.
/// - Each `next()` is one `recv()`: it suspends while the channel is empty; destroying the
///   awaiter cancels the `recv()` (the receiver's cancel-safety applies: nothing is lost).
/// - Buffers nothing itself (the channel is the buffer).
#pragma once
#include <concepts>
#include <optional>
#include <type_traits>
#include <utility>

#include "eddy/core/panic.hpp"
#include "eddy/core/result.hpp"
#include "eddy/stream/concept.hpp"

namespace eddy {

/// The stream of `from_receiver`: see the file comment and stream/concept.hpp.
template <class R>
class receiver_stream {
  using recv_awaitable = decltype(std::declval<R&>().recv());
  using recv_result = std::remove_cvref_t<detail::await_result_of_t<recv_awaitable>>;
  using V = typename recv_result::value_type;

 public:
  /// The type of the values this stream yields (each element is an `item<value_type>`).
  using value_type = typename detail::range_item<V>::type;

  /// Made by `from_receiver(...)`.
  explicit receiver_stream(R rx) : rx_(std::move(rx)) {}

  /// The awaiter of `next()`. Destroying it while suspended deregisters its waits and gives back
  /// what it was handed (cancel-safe); the stream stays usable.
  class awaiter {
   public:
    /// Made by `next()`.
    explicit awaiter(R& rx) noexcept : rx_(&rx) {}
    /// Movable until it suspends (e.g. into `timeout`, which asks `await_ready` first): a
    /// `recv()` begun by `await_ready` is cancelled and begun again by the new awaiter.
    awaiter(awaiter&& o) noexcept : rx_(o.rx_) {
      if (o.suspended_) panic("eddy: a from_receiver next() awaiter was moved while waiting");
      if (o.live_) {
        o.in_.destroy();
        o.live_ = false;
      }
    }
    awaiter& operator=(awaiter&&) = delete;
    ~awaiter() {
      if (live_) in_.destroy();
    }
    bool await_ready() {
      in_.construct(detail::from_call, [this]() -> decltype(auto) { return rx_->recv(); });
      live_ = true;
      return in_->await_ready();
    }
    template <class P>
    decltype(auto) await_suspend(coro::coroutine_handle<P> h) {
      suspended_ = true;
      return in_->await_suspend(h);
    }
    std::optional<item<value_type>> await_resume() {
      std::optional<V> r = in_->await_resume();
      in_.destroy();
      live_ = false;
      if (!r) return std::nullopt;
      return std::optional<item<value_type>>(std::in_place, std::move(*r));
    }

   private:
    R* rx_;
    detail::manual_lifetime<detail::awaitable_holder<recv_awaitable>> in_;
    bool live_ = false;
    bool suspended_ = false;
  };

  /// The next element: an awaitable of `std::optional<item<value_type>>` (empty at the end).
  /// One `next()` at a time; cancel-safe (see stream/concept.hpp).
  awaiter next() noexcept { return awaiter(rx_); }

  /// The synchronous fast path, when the receiver has `try_recv() -> result<V>` (as
  /// `mpsc::receiver` does): an item at once, the end once `errc::closed`, otherwise no answer.
  template <class Vis>
  bool try_visit(Vis& v) {
    if constexpr (requires {
                    { rx_.try_recv() } -> std::same_as<result<V>>;
                  }) {
      result<V> r = rx_.try_recv();
      if (r.has_value()) {
        if constexpr (detail::is_item<V>::value) {
          detail::visit_result(std::optional<V>(std::move(r).value()), v);
        } else {
          v.value(std::move(r).value());
        }
        return true;
      }
      if (r.error() == errc::closed) {
        v.end();
        return true;
      }
      return false;
    } else {
      return false;
    }
  }
  /// The receiver (e.g. to `close()` it).
  R& receiver() noexcept { return rx_; }

 private:
  R rx_;
};

/// See the file comment.
template <class R>
auto from_receiver(R rx) {
  return receiver_stream<R>(std::move(rx));
}

}  // namespace eddy
