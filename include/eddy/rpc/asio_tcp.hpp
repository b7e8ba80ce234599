// SPDX-License-Identifier: BSL-1.0
/// \file
/// `rpc::asio_tcp_transport`: a `message_transport` over a connected standalone-Asio TCP socket
/// (target `eddy::asio` with `eddy::rpc`), each message preceded by its u32 length
/// (rpc/frame.hpp).
///
/// ```cpp
/// asio::ip::tcp::socket s{io};
/// co_await s.async_connect(endpoint, eddy::use_task);
/// eddy::rpc::client<eddy::rpc::asio_tcp_transport> c{eddy::rpc::asio_tcp_transport{std::move(s)}};
/// ```
///
/// - `send` writes the prefix and the message with one `async_write`; `receive` reads in
///   chunks of 16 KiB and decodes with `frame_decoder`, so any split of the byte stream works.
///   A message over `max_message` is refused by `send` and, received, is
///   `errc::invalid_argument` (the connection is then unusable: the session closes it).
/// - Errors: the peer's close (end of file, reset) and `close()` give `errc::closed`; other
///   system errors `errc::io` with the error number as count.
/// - Threads: the socket's operations must not run concurrently on several threads, as Asio
///   requires; run its `io_context` on one thread, or give the socket a strand.
/// - Cancel-safe as the concept says (Asio cancellation through `use_task`; the transport must
///   outlive the cancelled operation, which the session's tasks guarantee).
#pragma once
#include "eddy/runtime/asio_runtime.hpp"  // first: it orders the standard library before Asio
// (the runtime header first)
#include <array>
#include <asio/buffer.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>
#include <cstddef>
#include <span>
#include <system_error>
#include <utility>
#include <vector>

#include "eddy/asio/use_task.hpp"
#include "eddy/core/result.hpp"
#include "eddy/core/task.hpp"
#include "eddy/core/unit.hpp"
#include "eddy/rpc/detail/byte_stream.hpp"
#include "eddy/rpc/frame.hpp"
#include "eddy/rpc/transport.hpp"

namespace eddy::rpc {

/// A TCP connection carrying length-prefixed messages (see the file comment). Move-only.
class asio_tcp_transport {
 public:
  /// Takes a connected socket and turns Nagle's algorithm off on it (`TCP_NODELAY`: a small
  /// message goes out at once rather than after the peer's delayed ACK of the one before);
  /// messages over `max_message` bytes are refused.
  explicit asio_tcp_transport(::asio::ip::tcp::socket s,
                              std::size_t max_message = default_max_message)
      : sock_(std::move(s)), frames_(max_message) {
    std::error_code ec;
    sock_.set_option(::asio::ip::tcp::no_delay(true), ec);
  }
  /// Moves the connection (only while no operation is in flight).
  asio_tcp_transport(asio_tcp_transport&&) noexcept = default;

  /// Writes `msg` with its length prefix; completes when Asio has handed it all to the kernel.
  task<result<unit>> send(std::span<const std::byte> msg) {
    std::byte prefix[4];
    if (auto r = frames_.begin_send(msg.size(), prefix); !r) co_return r.error();
    std::array<::asio::const_buffer, 2> bufs{::asio::buffer(prefix, 4),
                                             ::asio::buffer(msg.data(), msg.size())};
    auto [ec, n] = co_await ::asio::async_write(sock_, bufs, use_task);
    (void)n;
    if (ec) co_return failure(ec);
    co_return unit{};
  }
  /// The next whole message into `buf` (see the file comment).
  task<result<std::size_t>> receive(std::vector<std::byte>& buf) {
    for (;;) {
      auto r = frames_.next(buf);
      if (!r) co_return r.error();
      if (*r) co_return buf.size();
      auto space = frames_.space();
      auto [ec, n] =
          co_await sock_.async_read_some(::asio::buffer(space.data(), space.size()), use_task);
      if (ec) co_return failure(ec);
      frames_.filled(n);
    }
  }
  /// Closes the socket: pending operations complete with `errc::closed`. Idempotent.
  void close() noexcept {
    frames_.close();
    std::error_code ec;
    sock_.close(ec);
  }
  /// The socket (for its endpoints and options).
  ::asio::ip::tcp::socket& socket() noexcept { return sock_; }

 private:
  error failure(const std::error_code& ec) const noexcept {
    if (frames_.closed() || ec == ::asio::error::eof || ec == ::asio::error::connection_reset ||
        ec == ::asio::error::operation_aborted || ec == ::asio::error::broken_pipe)
      return error{errc::closed};
    return error{errc::io, static_cast<std::uint64_t>(ec.value())};
  }
  ::asio::ip::tcp::socket sock_;
  detail::framed_stream frames_;
};

static_assert(message_transport<asio_tcp_transport>);

}  // namespace eddy::rpc
