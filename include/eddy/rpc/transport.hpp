// SPDX-License-Identifier: BSL-1.0
/// \file
/// `rpc::message_transport`: what the RPC session needs from a wire. A transport carries whole
/// messages, in order, in both directions; the session never sees bytes in between. TCP frames
/// each message with a length prefix (rpc/frame.hpp); a WebSocket carries one message per binary
/// WebSocket message; the tests use an in-memory pair.
///
/// Contract for implementers:
/// - `send(msg)`: completes once `msg` is handed to the wire (its bytes may be reused then).
///   At most one `send` is in flight at a time (the session serialises its writers): a slow
///   wire therefore slows the session down instead of growing a buffer. Returns `errc::closed`
///   once the connection is gone, `errc::io` when the system reports an error.
/// - `receive(buf)`: waits for the next whole message and stores it in `buf` (resized to the
///   message; its capacity is reused from call to call, so a steady stream of messages does not
///   allocate). Returns the message's size, `errc::closed` at the end of the connection, or
///   `errc::invalid_argument` for a message over the transport's configured maximum (the
///   connection is unusable after that). At most one `receive` is in flight at a time.
/// - `close()`: closes the connection; pending and later `send` / `receive` complete with
///   `errc::closed`. Idempotent. Called from the task that owns the transport.
/// - Both awaitables are cancel-safe: destroying them at their suspension point (abort,
///   `timeout`) leaves the transport usable for `close()`.
/// - Thread-safety: one transport is used from tasks of one runtime; `send` and `receive` may be
///   in flight at the same time (from two tasks).
#pragma once
#include <concepts>
#include <cstddef>
#include <span>
#include <vector>

#include "eddy/core/result.hpp"
#include "eddy/core/task.hpp"
#include "eddy/core/unit.hpp"

namespace eddy::rpc {

/// A connected, message-oriented, bidirectional wire (see the file comment).
template <class T>
concept message_transport =
    requires(T& t, std::span<const std::byte> msg, std::vector<std::byte>& buf) {
      { t.send(msg) } -> std::same_as<task<result<unit>>>;
      { t.receive(buf) } -> std::same_as<task<result<std::size_t>>>;
      { t.close() } noexcept;
    };

}  // namespace eddy::rpc
