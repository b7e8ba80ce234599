// SPDX-License-Identifier: BSL-1.0
/// \file
/// What the byte-stream transports (TCP over Asio, over libuv) share: the length-prefix
/// framing over a read buffer, the maximum message size and the closed flag, that is the front
/// of `send` (closed check, size check, prefix) and of `receive` (closed check, decoding).
/// Internal to eddy/rpc/asio_tcp.hpp and uv_tcp.hpp.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "eddy/core/error.hpp"
#include "eddy/core/result.hpp"
#include "eddy/core/unit.hpp"
#include "eddy/rpc/frame.hpp"

namespace eddy::rpc::detail {

/// The framing state of one byte-stream connection: bytes read from the socket and not yet
/// decoded, the frame decoder, the maximum message size and whether `close()` was called.
/// Thread-compatible (the transport's operations do not run concurrently); movable while no
/// operation is in flight.
class framed_stream {
 public:
  /// Messages over `max` bytes are refused (sent) or an error (received); reads go in chunks
  /// of `chunk` bytes.
  explicit framed_stream(std::size_t max, std::size_t chunk = 16 * 1024)
      : decoder_(max), chunk_(chunk), max_(max) {}

  /// The front of `send` for a message of `n` bytes: `errc::closed` once closed,
  /// `errc::invalid_argument` over the maximum, else the length prefix written to `prefix`.
  result<unit> begin_send(std::size_t n, std::byte (&prefix)[4]) const {
    if (closed_) return error{errc::closed};
    if (n > max_) return error{errc::invalid_argument, 0, "rpc: message over the maximum size"};
    put_length_prefix(prefix, static_cast<std::uint32_t>(n));
    return unit{};
  }

  /// Decodes from the bytes already read: true and a message in `out`, false when more bytes
  /// must be read first (then `space()` is where they go, `filled(n)` says how many came),
  /// `errc::closed` once closed, or `errc::invalid_argument` for a message over the maximum.
  result<bool> next(bytes& out) {
    if (closed_) return error{errc::closed};
    std::span<const std::byte> in(chunk_.data() + pos_, len_ - pos_);
    auto r = decoder_.feed(in, out);
    pos_ = len_ - in.size();
    return r;
  }
  /// Where the next read puts its bytes (all decoded already when this is called).
  std::span<std::byte> space() noexcept { return chunk_; }
  /// `n` bytes were read into `space()`.
  void filled(std::size_t n) noexcept {
    pos_ = 0;
    len_ = n;
  }

  /// Marks the connection closed: `begin_send` and `next` give `errc::closed` from now on.
  void close() noexcept { closed_ = true; }
  /// True once `close()` was called.
  bool closed() const noexcept { return closed_; }

 private:
  frame_decoder decoder_;
  std::vector<std::byte> chunk_;
  std::size_t pos_ = 0, len_ = 0;
  std::size_t max_;
  bool closed_ = false;
};

}  // namespace eddy::rpc::detail
