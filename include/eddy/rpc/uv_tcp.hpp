// SPDX-License-Identifier: BSL-1.0
/// \file
/// `rpc::uv_tcp_transport`: a `message_transport` over a connected libuv TCP stream
/// (`eddy::uv::tcp_stream`; target `eddy::uv` with `eddy::rpc`), each message preceded by its
/// u32 length (rpc/frame.hpp).
///
/// ```cpp
/// auto s = co_await eddy::uv::connect(rt, addr);
/// eddy::rpc::client<eddy::rpc::uv_tcp_transport> c{eddy::rpc::uv_tcp_transport{std::move(*s)}};
/// ```
///
/// - `send` writes the prefix, then the message (libuv keeps writes in order; the session has
///   one send in flight); `receive` reads in chunks of 16 KiB and decodes with
///   `frame_decoder`, so any split of the byte stream works. A message over `max_message` is
///   refused by `send` and, received, is `errc::invalid_argument` (the session then closes).
/// - Errors: the peer's close and `close()` give `errc::closed`; libuv failures `errc::io`.
/// - Threads and cancellation: as `eddy::uv::tcp_stream` (eddy/uv/stream.hpp): the tasks may
///   run on any runtime, the libuv calls run on the loop's thread; a cancelled write closes the
///   stream (so does the session's shutdown).
#pragma once
#include <cstddef>
#include <span>
#include <utility>
#include <vector>

#include "eddy/core/result.hpp"
#include "eddy/core/task.hpp"
#include "eddy/core/unit.hpp"
#include "eddy/rpc/detail/byte_stream.hpp"
#include "eddy/rpc/frame.hpp"
#include "eddy/rpc/transport.hpp"
#include "eddy/uv/stream.hpp"

namespace eddy::rpc {

/// A libuv TCP connection carrying length-prefixed messages (see the file comment). Move-only.
class uv_tcp_transport {
 public:
  /// Takes a connected stream and turns Nagle's algorithm off on it (`TCP_NODELAY`, see
  /// `uv::tcp_stream::set_no_delay`); messages over `max_message` bytes are refused. On the
  /// loop's thread.
  explicit uv_tcp_transport(uv::tcp_stream s, std::size_t max_message = default_max_message)
      : s_(std::move(s)), frames_(max_message) {
    s_.set_no_delay(true);
  }
  /// Moves the connection (only while no operation is in flight).
  uv_tcp_transport(uv_tcp_transport&&) noexcept = default;

  /// Writes `msg` with its length prefix; completes when libuv has handed it to the kernel.
  task<result<unit>> send(std::span<const std::byte> msg) {
    std::byte prefix[4];
    if (auto r = frames_.begin_send(msg.size(), prefix); !r) co_return r.error();
    auto w1 = co_await s_.write(std::span<const char>(reinterpret_cast<const char*>(prefix), 4));
    if (!w1) co_return failure(w1.error());
    auto w2 = co_await s_.write(
        std::span<const char>(reinterpret_cast<const char*>(msg.data()), msg.size()));
    if (!w2) co_return failure(w2.error());
    co_return unit{};
  }
  /// The next whole message into `buf` (see the file comment).
  task<result<std::size_t>> receive(std::vector<std::byte>& buf) {
    for (;;) {
      auto r = frames_.next(buf);
      if (!r) co_return r.error();
      if (*r) co_return buf.size();
      auto space = frames_.space();
      auto n =
          co_await s_.read(std::span<char>(reinterpret_cast<char*>(space.data()), space.size()));
      if (!n) co_return failure(n.error());
      if (*n == 0) co_return error{errc::closed};
      frames_.filled(*n);
    }
  }
  /// Closes the stream (libuv frees the handle later): pending operations complete with
  /// `errc::closed`. Idempotent.
  void close() noexcept {
    frames_.close();
    s_ = uv::tcp_stream{};
  }

 private:
  error failure(const error& e) const noexcept {
    return frames_.closed() ? error{errc::closed} : e;
  }
  uv::tcp_stream s_;
  detail::framed_stream frames_;
};

static_assert(message_transport<uv_tcp_transport>);

}  // namespace eddy::rpc
