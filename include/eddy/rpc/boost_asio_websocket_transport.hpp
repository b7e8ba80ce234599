// SPDX-License-Identifier: BSL-1.0
/// \file
/// `rpc::beast_websocket_transport`: an `rpc::message_transport` over a Boost.Beast WebSocket
/// (`boost::beast::websocket::stream<boost::beast::tcp_stream>`) on `boost_asio_runtime`
/// (target `eddy::rpc_websocket`, built when Boost 1.81 is found).
///
/// ```cpp
/// // server: a tcp::socket accepted on the io_context
/// auto t = co_await rpc::beast_websocket_transport::accept(std::move(socket));
/// // client
/// auto c = co_await rpc::beast_websocket_transport::connect(io.get_executor(), endpoint);
/// ```
///
/// - One RPC message is one binary WebSocket message. A text message, or a message over
///   `beast_websocket_options::read_message_max` (Beast's `read_message_max`), makes `receive`
///   give `errc::invalid_argument`; the connection is unusable after that (close it).
/// - Every operation is a Beast asynchronous operation awaited with `eddy::use_task`, so an
///   abort or a `timeout` around `send` / `receive` cancels it as Boost.Asio cancels (a terminal
///   cancellation: the WebSocket is unusable afterwards, `close()` still works) and the task's
///   frames live until Beast has finished with the buffers.
/// - `close()` closes the TCP socket at once (pending operations complete with `errc::closed`);
///   `close_gracefully()` first runs the WebSocket closing handshake.
/// - Needs exceptions (Beast does).
/// - Thread-safety: the transport is used from tasks of one `boost_asio_runtime` whose
///   `io_context` runs on one thread (Beast streams are not thread-safe: everything, the
///   completions included, must run on that thread). One `send` and one `receive` may be in
///   flight at the same time, as the `message_transport` contract says.
///
/// Why Beast: it is the Boost.Asio backend's own WebSocket library, header-only, with the same
/// executor and completion-token model, so its operations are awaited with the same
/// `use_task` as a socket read and are cancelled the same way; no second event loop is needed
/// next to the `io_context`.
#pragma once
#include "eddy/asio/detail/std_config_first.hpp"  // before any Asio header

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <cstddef>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "eddy/boost_asio/use_task.hpp"
#include "eddy/core/result.hpp"
#include "eddy/core/task.hpp"
#include "eddy/core/unit.hpp"
#include "eddy/rpc/transport.hpp"

namespace eddy::rpc {

/// Settings of a `beast_websocket_transport`.
struct beast_websocket_options {
  /// The largest message `receive` accepts, in bytes (Beast's `read_message_max`); a bigger
  /// one gives `errc::invalid_argument`.
  std::size_t read_message_max = 1 << 20;
  /// The request target the connecting side asks for (`connect`): a string that outlives the
  /// call (a literal). A `const char*`, so that the options stay trivially copyable (g++ 12
  /// mis-copies a class-type coroutine parameter with a non-trivial destructor given by a
  /// default argument).
  const char* target = "/";
};

/// An `rpc::message_transport` over a Beast WebSocket (see the file comment). Move-only; move
/// it only while no operation is in flight. Owns the stream; destroying it closes the socket.
class beast_websocket_transport {
 public:
  /// The WebSocket stream type.
  using stream_type = ::boost::beast::websocket::stream<::boost::beast::tcp_stream>;
  /// The HTTP request of a WebSocket upgrade, as read by `boost::beast::http::async_read`.
  using upgrade_request = ::boost::beast::http::request<::boost::beast::http::string_body>;

  /// Wraps a stream whose handshake is done (it lives on the heap from then on, so the
  /// transport can move). Sets binary messages and the maximum size.
  beast_websocket_transport(std::unique_ptr<stream_type> ws, const beast_websocket_options& o)
      : ws_(std::move(ws)) {
    ws_->binary(true);
    ws_->read_message_max(o.read_message_max);
  }
  beast_websocket_transport(beast_websocket_transport&&) noexcept = default;             ///< Moves.
  beast_websocket_transport& operator=(beast_websocket_transport&&) noexcept = default;  ///< Moves.
  ~beast_websocket_transport() = default;  ///< Closes the socket (the stream's destructor).

  /// Server side: runs the WebSocket handshake on an accepted socket. Gives the transport, or
  /// `errc::io` (the peer did not ask for a WebSocket; the error number is Beast's).
  static task<result<beast_websocket_transport>> accept(::boost::asio::ip::tcp::socket s,
                                                        beast_websocket_options o = {}) {
    auto ws = std::make_unique<stream_type>(std::move(s));
    prepare(*ws, ::boost::beast::role_type::server);
    no_delay(*ws);
    auto ec = co_await ws->async_accept(use_task);
    if (ec) co_return io_error(ec);
    co_return beast_websocket_transport{std::move(ws), o};
  }

  /// Server side, when the HTTP request was already read (a server that also serves files on
  /// the same port): answers the upgrade request `req` read from `s`.
  static task<result<beast_websocket_transport>> accept(::boost::beast::tcp_stream s,
                                                        upgrade_request req,
                                                        beast_websocket_options o = {}) {
    auto ws = std::make_unique<stream_type>(std::move(s));
    prepare(*ws, ::boost::beast::role_type::server);
    no_delay(*ws);
    auto ec = co_await ws->async_accept(req, use_task);
    if (ec) co_return io_error(ec);
    co_return beast_websocket_transport{std::move(ws), o};
  }

  /// Client side: connects to `ep` on `ex` (a Boost.Asio executor of the runtime's
  /// `io_context`) and runs the handshake for `o.target`. `errc::closed` when nobody listens,
  /// `errc::io` for another failure.
  static task<result<beast_websocket_transport>> connect(::boost::asio::any_io_executor ex,
                                                         ::boost::asio::ip::tcp::endpoint ep,
                                                         beast_websocket_options o = {}) {
    auto ws = std::make_unique<stream_type>(ex);
    prepare(*ws, ::boost::beast::role_type::client);
    auto cec = co_await ::boost::beast::get_lowest_layer(*ws).socket().async_connect(ep, use_task);
    if (cec) co_return map_error(cec, false);
    no_delay(*ws);
    const std::string host = ep.address().to_string() + ":" + std::to_string(ep.port());
    auto hec = co_await ws->async_handshake(host, o.target, use_task);
    if (hec) co_return io_error(hec);
    co_return beast_websocket_transport{std::move(ws), o};
  }

  /// Sends `msg` as one binary message; completes once Beast has written it. `errc::closed`
  /// once the connection is gone, `errc::io` for another failure.
  task<result<unit>> send(std::span<const std::byte> msg) {
    if (closed_) co_return errc::closed;
    auto [ec, n] =
        co_await ws_->async_write(::boost::asio::buffer(msg.data(), msg.size()), use_task);
    (void)n;
    if (ec) co_return map_error(ec, closed_);
    co_return unit{};
  }

  /// Waits for the next message and stores it in `buf` (its capacity is reused). Gives its
  /// size, `errc::closed` at the end of the connection, `errc::invalid_argument` for a text or
  /// oversized message, `errc::io` for another failure.
  task<result<std::size_t>> receive(std::vector<std::byte>& buf) {
    if (closed_) co_return errc::closed;
    buf.clear();
    auto db = ::boost::asio::dynamic_buffer(buf);  // a frame local: Beast holds it by reference
    auto [ec, n] = co_await ws_->async_read(db, use_task);
    if (ec) co_return map_error(ec, closed_);
    if (!ws_->got_binary()) co_return error{errc::invalid_argument, 0, "a text WebSocket message"};
    co_return n;
  }

  /// Closes the TCP connection at once; pending and later operations give `errc::closed`.
  /// Idempotent. Call it on the `io_context`'s thread (from a task of the runtime).
  void close() noexcept {
    closed_ = true;
    if (!ws_) return;
    auto& sock = ::boost::beast::get_lowest_layer(*ws_).socket();
    ::boost::system::error_code ec;
    if (sock.is_open()) {
      sock.shutdown(::boost::asio::ip::tcp::socket::shutdown_both, ec);
      sock.close(ec);
    }
  }

  /// Runs the WebSocket closing handshake (code 1000), then closes. Must not overlap a `send`
  /// (it writes the close frame); a pending `receive` completes with `errc::closed`.
  task<result<unit>> close_gracefully() {
    if (closed_) co_return unit{};
    auto ec = co_await ws_->async_close(::boost::beast::websocket::close_code::normal, use_task);
    close();
    if (ec) co_return map_error(ec, closed_);
    co_return unit{};
  }

  /// The Beast stream (for options such as `auto_fragment`; do not run operations on it).
  /// Not on a moved-from transport.
  stream_type& stream() noexcept { return *ws_; }

 private:
  static void prepare(stream_type& ws, ::boost::beast::role_type role) {
    ws.set_option(::boost::beast::websocket::stream_base::timeout::suggested(role));
  }
  // Nagle's algorithm off: a small message behind one whose ACK the peer delays (up to 40 ms
  // on Linux) would otherwise wait for that ACK, as a call's cancel did.
  static void no_delay(stream_type& ws) {
    ::boost::system::error_code ec;
    ::boost::beast::get_lowest_layer(ws).socket().set_option(::boost::asio::ip::tcp::no_delay(true),
                                                             ec);
  }
  static error io_error(const ::boost::system::error_code& ec) {
    return error{errc::io, static_cast<std::uint64_t>(static_cast<unsigned>(ec.value())),
                 "WebSocket handshake failed"};
  }
  // What an error of a Beast operation means to the session.
  static error map_error(const ::boost::system::error_code& ec, bool closed) noexcept {
    namespace ws = ::boost::beast::websocket;
    namespace ae = ::boost::asio::error;
    if (ec == ws::error::message_too_big || ec == ws::error::buffer_overflow)
      return error{errc::invalid_argument, 0, "a WebSocket message over read_message_max"};
    if (closed || ec == ws::error::closed || ec == ae::eof || ec == ae::connection_reset ||
        ec == ae::connection_aborted || ec == ae::broken_pipe || ec == ae::operation_aborted ||
        ec == ae::not_connected || ec == ae::connection_refused ||
        ec == ::boost::beast::error::timeout)
      return error{errc::closed};
    return error{errc::io, static_cast<std::uint64_t>(static_cast<unsigned>(ec.value()))};
  }

  std::unique_ptr<stream_type> ws_;
  bool closed_ = false;
};

static_assert(message_transport<beast_websocket_transport>);

}  // namespace eddy::rpc
