// SPDX-License-Identifier: BSL-1.0
/// \file
/// What the byte-stream transports (TCP over Asio, over libuv) share: the receive side of the
/// length-prefix framing over a read buffer. Internal to eddy/rpc/asio_tcp.hpp and uv_tcp.hpp.
#pragma once
#include <cstddef>
#include <span>
#include <vector>

#include "eddy/core/result.hpp"
#include "eddy/rpc/frame.hpp"

namespace eddy::rpc::detail {

/// Bytes read from the socket and not yet decoded, with the frame decoder.
class framed_reader {
 public:
  explicit framed_reader(std::size_t max, std::size_t chunk = 16 * 1024)
      : decoder_(max), chunk_(chunk) {}

  /// Decodes from the bytes already read: true and a message in `out`, false when more bytes
  /// must be read first (then `space()` is where they go, `filled(n)` says how many came), or
  /// `errc::invalid_argument` for a message over the maximum.
  result<bool> next(bytes& out) {
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

 private:
  frame_decoder decoder_;
  std::vector<std::byte> chunk_;
  std::size_t pos_ = 0, len_ = 0;
};

}  // namespace eddy::rpc::detail
