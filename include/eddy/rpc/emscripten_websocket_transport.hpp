// SPDX-License-Identifier: BSL-1.0
/// \file
/// `rpc::browser_websocket_transport`: an `rpc::message_transport` over the browser's WebSocket
/// API, for `emscripten_runtime` (Emscripten's `<emscripten/websocket.h>`; link with
/// `-lwebsocket.js`).
///
/// ```cpp
/// auto t = co_await eddy::rpc::browser_websocket_transport::connect("ws://127.0.0.1:8080/rpc");
/// if (!t) co_return t.error();
/// eddy::rpc::client<eddy::rpc::browser_websocket_transport> c{std::move(*t)};
/// ```
///
/// - One RPC message is one binary WebSocket message (the socket's `binaryType` is
///   `arraybuffer`). A text message or one over `read_message_max` makes `receive` give
///   `errc::invalid_argument`; the socket is closed then (code 1009 or 1003).
/// - The browser's callbacks (open, message, close, error) run on the JavaScript event loop,
///   which is the thread `emscripten_runtime` runs on: they hand each message to an unbounded
///   eddy channel that `receive` reads. The WebSocket API cannot pause reading, so this queue
///   has no bound: the session's stream window is what bounds it (the server sends at most a
///   window of stream items ahead of the consumer).
/// - `send` hands the message to the browser (`WebSocket.send` copies it) and completes at
///   once, unless the browser's own queue (`bufferedAmount`) is over `send_buffer_max`: then it
///   waits, checking every millisecond of the runtime clock, until it drains under it (the API
///   has no "drained" event). So a slow wire slows the session.
/// - `close()` closes the socket (code 1000); pending and later operations give
///   `errc::closed`. The peer closing, or an error, ends `receive` with `errc::closed` once the
///   messages that arrived before are read.
/// - Thread-safety: one thread, the browser's (wasm without threads).
#pragma once
#include <emscripten/websocket.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "eddy/core/result.hpp"
#include "eddy/core/task.hpp"
#include "eddy/core/unit.hpp"
#include "eddy/rpc/transport.hpp"
#include "eddy/runtime/sleep.hpp"
#include "eddy/sync/mpsc.hpp"
#include "eddy/sync/oneshot.hpp"

namespace eddy::rpc {

/// Settings of a `browser_websocket_transport`.
struct browser_websocket_options {
  /// The largest message `receive` accepts, in bytes; a bigger one gives
  /// `errc::invalid_argument`.
  std::size_t read_message_max = 1 << 20;
  /// `send` waits while the browser holds more than this many bytes not yet sent.
  std::size_t send_buffer_max = 1 << 20;
};

namespace detail {

/// What the browser's callbacks and the transport share; on the heap, at a fixed address (the
/// callbacks' user data).
struct browser_ws_state {
  EMSCRIPTEN_WEBSOCKET_T sock = 0;
  browser_websocket_options opts;
  mpsc::sender<std::vector<std::byte>> tx;  // dropped at the end of the connection
  mpsc::receiver<std::vector<std::byte>> rx;
  oneshot::sender<bool> opened;  // connect's answer: true once open, false on error or close
  bool closed = false;           // close() was called, or the connection ended
  bool bad_message = false;      // a text or oversized message ended the connection
  bool shut = false;             // close() was called: nothing more is received

  browser_ws_state() {
    auto [t, r] = mpsc::unbounded_channel<std::vector<std::byte>>();
    tx = std::move(t);
    rx = std::move(r);
  }
  ~browser_ws_state() {
    if (sock > 0) {
      if (!closed) emscripten_websocket_close(sock, 1000, nullptr);
      emscripten_websocket_delete(sock);  // no callback runs after this
    }
  }
  // The connection is over: receive drains what came before, then gives closed.
  void end() noexcept {
    closed = true;
    tx = {};
    if (opened.valid()) (void)opened.send(false);
  }

  static EM_BOOL on_open(int, const EmscriptenWebSocketOpenEvent*, void* self) {
    auto* s = static_cast<browser_ws_state*>(self);
    if (s->opened.valid()) (void)s->opened.send(true);
    return EM_TRUE;
  }
  static EM_BOOL on_message(int, const EmscriptenWebSocketMessageEvent* e, void* self) {
    auto* s = static_cast<browser_ws_state*>(self);
    if (s->closed) return EM_TRUE;
    if (e->isText || e->numBytes > s->opts.read_message_max) {
      s->bad_message = true;
      emscripten_websocket_close(s->sock, e->isText ? 1003 : 1009, nullptr);
      s->end();
      return EM_TRUE;
    }
    const auto* p = reinterpret_cast<const std::byte*>(e->data);
    (void)s->tx.try_send(std::vector<std::byte>(p, p + e->numBytes));
    return EM_TRUE;
  }
  static EM_BOOL on_close(int, const EmscriptenWebSocketCloseEvent*, void* self) {
    static_cast<browser_ws_state*>(self)->end();
    return EM_TRUE;
  }
  static EM_BOOL on_error(int, const EmscriptenWebSocketErrorEvent*, void* self) {
    static_cast<browser_ws_state*>(self)->end();
    return EM_TRUE;
  }
};

}  // namespace detail

/// An `rpc::message_transport` over the browser's WebSocket (see the file comment). Move-only;
/// destroying it closes the socket and detaches its callbacks.
class browser_websocket_transport {
 public:
  /// Opens a WebSocket to `url` (`ws://host:port/path`) and waits until it is open. Gives the
  /// transport, or `errc::closed` when the connection fails (the browser tells no more).
  static task<result<browser_websocket_transport>> connect(std::string url,
                                                           browser_websocket_options o) {
    auto s = std::make_unique<detail::browser_ws_state>();
    s->opts = o;
    auto [otx, orx] = oneshot::channel<bool>();
    s->opened = std::move(otx);
    EmscriptenWebSocketCreateAttributes attr;
    emscripten_websocket_init_create_attributes(&attr);
    attr.url = url.c_str();
    attr.protocols = nullptr;
    attr.createOnMainThread = EM_TRUE;
    const EMSCRIPTEN_WEBSOCKET_T sock = emscripten_websocket_new(&attr);
    if (sock <= 0) co_return error{errc::io, static_cast<std::uint64_t>(-sock)};
    s->sock = sock;
    emscripten_websocket_set_onopen_callback(sock, s.get(), &detail::browser_ws_state::on_open);
    emscripten_websocket_set_onmessage_callback(sock, s.get(),
                                                &detail::browser_ws_state::on_message);
    emscripten_websocket_set_onclose_callback(sock, s.get(), &detail::browser_ws_state::on_close);
    emscripten_websocket_set_onerror_callback(sock, s.get(), &detail::browser_ws_state::on_error);
    auto open = co_await orx;
    if (!open.has_value() || !open.value()) co_return error{errc::closed};
    co_return browser_websocket_transport{std::move(s)};
  }
  /// `connect(url, {})`.
  static task<result<browser_websocket_transport>> connect(std::string url) {
    return connect(std::move(url), browser_websocket_options{});
  }

  browser_websocket_transport(browser_websocket_transport&&) noexcept = default;  ///< Moves.
  browser_websocket_transport& operator=(browser_websocket_transport&&) noexcept =
      default;                               ///< Moves.
  ~browser_websocket_transport() = default;  ///< Closes the socket.

  /// Hands `msg` to the browser as one binary message (see the file comment for when it
  /// waits). `errc::closed` once the connection is gone.
  task<result<unit>> send(std::span<const std::byte> msg) {
    auto* s = s_.get();
    for (;;) {
      if (s->closed) co_return errc::closed;
      unsigned long long queued = 0;
      if (emscripten_websocket_get_buffered_amount(s->sock, &queued) != EMSCRIPTEN_RESULT_SUCCESS)
        co_return errc::closed;
      if (queued <= s->opts.send_buffer_max) break;
      co_await sleep(std::chrono::milliseconds(1));
    }
    // WebSocket.send copies the bytes out of the wasm heap before returning.
    auto* data = const_cast<std::byte*>(msg.data());
    if (emscripten_websocket_send_binary(s->sock, data, static_cast<std::uint32_t>(msg.size())) !=
        EMSCRIPTEN_RESULT_SUCCESS)
      co_return errc::closed;
    co_return unit{};
  }

  /// Waits for the next message and stores it in `buf`. Gives its size, `errc::closed` at the
  /// end of the connection, `errc::invalid_argument` after a text or oversized message.
  task<result<std::size_t>> receive(std::vector<std::byte>& buf) {
    auto* s = s_.get();
    if (s->shut) co_return errc::closed;
    if (s->closed && s->bad_message) co_return error{errc::invalid_argument};
    auto m = co_await s->rx.recv();
    if (s->shut) co_return errc::closed;
    if (!m) co_return error{s->bad_message ? errc::invalid_argument : errc::closed};
    buf.swap(*m);
    co_return buf.size();
  }

  /// Closes the socket (code 1000): pending and later operations give `errc::closed`.
  /// Idempotent.
  void close() noexcept {
    auto* s = s_.get();
    if (!s || s->shut) return;
    s->shut = true;
    emscripten_websocket_close(s->sock, 1000, nullptr);
    s->end();
  }

 private:
  explicit browser_websocket_transport(std::unique_ptr<detail::browser_ws_state> s) noexcept
      : s_(std::move(s)) {}
  std::unique_ptr<detail::browser_ws_state> s_;
};

static_assert(message_transport<browser_websocket_transport>);

}  // namespace eddy::rpc
