// SPDX-License-Identifier: BSL-1.0
/// \file
/// `rpc::memory_transport`: an in-process `message_transport` pair, for tests on any runtime
/// (sim_runtime included) and for sessions inside one program.
///
/// ```cpp
/// auto [a, b] = eddy::rpc::memory_pair();    // a: the client's end, b: the server's
/// ```
///
/// Each direction is a bounded channel of `capacity` messages: a sender waits while the peer
/// has that many unread (backpressure, as a socket's buffer). Messages over `max_message` are
/// refused by `send` with `errc::invalid_argument` (as a TCP peer would refuse them).
/// `close()` on either end takes the connection down in both directions (like a reset): the
/// peer still reads what was sent before, then `errc::closed`; everything pending or later on
/// the closing end completes with `errc::closed`. Thread-safety: as the concept says (one
/// runtime's tasks; a send and a receive may be in flight at once); the two ends may live on
/// different runtimes.
#pragma once
#include <atomic>
#include <cstddef>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "eddy/core/result.hpp"
#include "eddy/core/task.hpp"
#include "eddy/core/unit.hpp"
#include "eddy/rpc/frame.hpp"
#include "eddy/rpc/transport.hpp"
#include "eddy/sync/mpsc.hpp"

namespace eddy::rpc {

namespace detail {
/// The two channels of a pair; end `i` sends on `tx[i]` and receives on `rx[i]`.
struct memory_link {
  explicit memory_link(std::size_t cap) {
    auto [t0, r1] = mpsc::channel<bytes>(cap);
    auto [t1, r0] = mpsc::channel<bytes>(cap);
    tx[0] = std::move(t0);
    tx[1] = std::move(t1);
    rx[0] = std::move(r0);
    rx[1] = std::move(r1);
  }
  mpsc::sender<bytes> tx[2];
  mpsc::receiver<bytes> rx[2];
};
}  // namespace detail

/// One end of an in-memory connection (see the file comment). Move-only; made by `memory_pair`.
class memory_transport {
 public:
  /// End `side` (0 or 1) of `link`.
  memory_transport(std::shared_ptr<detail::memory_link> link, int side,
                   std::size_t max_message) noexcept
      : link_(std::move(link)), side_(side), max_(max_message) {}
  /// Moves the end (only while no operation is in flight).
  ///@{
  memory_transport(memory_transport&& o) noexcept
      : link_(std::move(o.link_)), side_(o.side_), max_(o.max_), closed_(o.closed_.load()) {}
  memory_transport& operator=(memory_transport&& o) noexcept {
    if (this != &o) {
      close();
      link_ = std::move(o.link_);
      side_ = o.side_;
      max_ = o.max_;
      closed_.store(o.closed_.load());
    }
    return *this;
  }
  ///@}
  /// Closes the connection.
  ~memory_transport() { close(); }

  /// Hands a copy of `msg` to the peer; waits while the peer has `capacity` unread messages.
  task<result<unit>> send(std::span<const std::byte> msg) {
    if (!link_ || closed_) co_return error{errc::closed};
    if (msg.size() > max_)
      co_return error{errc::invalid_argument, 0, "rpc: message over the maximum size"};
    mpsc::sender<bytes> tx = link_->tx[side_];  // a copy: close() may run meanwhile
    auto r = co_await tx.send(bytes(msg.begin(), msg.end()));
    if (!r) co_return error{errc::closed};
    co_return unit{};
  }
  /// The next message from the peer, into `buf`; `errc::closed` at the end.
  task<result<std::size_t>> receive(std::vector<std::byte>& buf) {
    if (!link_ || closed_) co_return error{errc::closed};
    auto m = co_await link_->rx[side_].recv();
    if (!m || closed_) co_return error{errc::closed};
    buf.swap(*m);  // the message's own buffer: no copy
    co_return buf.size();
  }
  /// Takes the connection down in both directions. Idempotent.
  void close() noexcept {
    if (!link_ || closed_.exchange(true)) return;
    link_->rx[0].close();
    link_->rx[1].close();
  }

 private:
  std::shared_ptr<detail::memory_link> link_;
  int side_ = 0;
  std::size_t max_ = default_max_message;
  std::atomic<bool> closed_{false};  // close() may run on another thread of the runtime
};

static_assert(message_transport<memory_transport>);

/// A connected pair of in-memory ends, each direction holding at most `capacity` unread
/// messages (at least 1) of at most `max_message` bytes.
inline std::pair<memory_transport, memory_transport> memory_pair(
    std::size_t capacity = 64, std::size_t max_message = default_max_message) {
  auto link = std::make_shared<detail::memory_link>(capacity ? capacity : 1);
  return {memory_transport{link, 0, max_message}, memory_transport{link, 1, max_message}};
}

}  // namespace eddy::rpc
