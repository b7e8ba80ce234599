// SPDX-License-Identifier: BSL-1.0
/// \file
/// What both sides of an RPC session share: the transport, the outbox and its writer task, and
/// the shutdown path. Internal to eddy/rpc/client.hpp and eddy/rpc/server.hpp.
///
/// Every message a side sends goes through one bounded outbox (an `mpsc` channel) drained by one
/// writer task, the only caller of `transport.send`: a task that is aborted while it sends
/// (a cancelled call, an aborted server handler) leaves the outbox untouched or its message
/// whole, never half a frame on the wire; and a full outbox slows the senders down.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>

#include "eddy/core/lock.hpp"
#include "eddy/core/result.hpp"
#include "eddy/core/task.hpp"
#include "eddy/core/unit.hpp"
#include "eddy/rpc/frame.hpp"
#include "eddy/rpc/transport.hpp"
#include "eddy/runtime/join_handle.hpp"
#include "eddy/runtime/spawn.hpp"
#include "eddy/sync/mpsc.hpp"

namespace eddy::rpc::detail {

/// Transport + outbox + writer. Shared (`std::shared_ptr`) by the side's object and its tasks.
template <message_transport T>
struct connection {
  connection(T t, std::size_t outbox) : transport(std::move(t)) {
    auto [tx, rx] = mpsc::channel<bytes>(outbox ? outbox : 1);
    out = std::move(tx);
    out_rx = std::move(rx);
  }
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  /// Encodes a message and queues it for the writer; waits while the outbox is full.
  /// `errc::closed` once the connection is down.
  task<result<unit>> post(kind k, std::uint64_t id, std::string_view method,
                          std::span<const std::byte> payload) {
    if (closed.load(std::memory_order_acquire)) co_return error{errc::closed};
    bytes m;
    if (auto e = encode(m, k, id, method, payload); !e) co_return e.error();
    mpsc::sender<bytes> tx = out;
    auto r = co_await tx.send(std::move(m));
    if (!r) co_return error{errc::closed};
    co_return unit{};
  }
  /// `post` without waiting (from destructors): true if queued. A full outbox gives false.
  bool try_post(kind k, std::uint64_t id, std::span<const std::byte> payload) {
    if (closed.load(std::memory_order_acquire)) return false;
    bytes m;
    if (!encode(m, k, id, {}, payload)) return false;
    return bool(out.try_send(std::move(m)));
  }

  /// Closes the transport and stops the writer (unless the writer itself calls). Idempotent.
  /// Gives true the first time.
  bool close_transport(bool from_writer) noexcept {
    if (closed.exchange(true, std::memory_order_acq_rel)) return false;
    out_rx.close();
    transport.close();
    if (!from_writer) writer.abort();
    return true;
  }

  T transport;
  mpsc::sender<bytes> out;
  mpsc::receiver<bytes> out_rx;  ///< taken by the writer; closed at shutdown
  join_handle<void> writer;
  std::atomic<bool> closed{false};
  eddy::detail::spin_lock lock;  ///< guards the side's tables
};

/// The writer: sends what the outbox holds, in order; closes the connection on a send error.
/// `c` keeps the connection alive while it runs.
template <class C>
task<void> write_loop(std::shared_ptr<C> c, mpsc::receiver<bytes>* rx) {
  while (auto m = co_await rx->recv()) {
    auto r = co_await c->transport.send(std::span<const std::byte>(*m));
    if (!r) {
      c->shutdown(/*from_reader=*/false, /*from_writer=*/true);
      co_return;
    }
  }
}

}  // namespace eddy::rpc::detail
