// SPDX-License-Identifier: BSL-1.0
/// \file
/// The RPC wire format: one message (`rpc::message`, `encode`, `decode`) and, for byte streams
/// such as TCP, the length prefix around it (`frame_decoder`, `put_length_prefix`).
///
/// A message is, in little-endian order:
///
/// | bytes | field |
/// |---|---|
/// | 1 | kind (`rpc::kind`) |
/// | 8 | request id (chosen by the client, unique per connection while in use) |
/// | 2 | length `m` of the method name |
/// | m | method name (call and stream_open; empty for the other kinds) |
/// | rest | payload: opaque bytes (stream_credit: a u32 count; stream_open: the u32 window, then
///   the application's bytes; error: a u8 `errc` and a u64 count) |
///
/// On a byte stream each message is preceded by its length as a u32 (little-endian).
///
/// Decoding is total: any input gives a message or `errc::invalid_argument` with a static
/// message saying what is wrong (truncated, oversized, unknown kind, bad field), never undefined
/// behaviour. Everything here is a plain function or value type: thread-compatible, no
/// suspension.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "eddy/core/error.hpp"
#include "eddy/core/result.hpp"

namespace eddy::rpc {

/// Bytes as they travel: payloads and whole messages.
using bytes = std::vector<std::byte>;

/// The kind of a message (its first byte).
enum class kind : std::uint8_t {
  call = 1,     ///< client → server: call `method` with the payload; answered once
  response,     ///< server → client: the call's result (payload)
  error,        ///< server → client: the call or stream failed (payload: u8 errc, u64 count)
  cancel,       ///< client → server: give up the call or stream with this id
  stream_open,  ///< client → server: start the stream `method` (payload: u32 window, then bytes)
  stream_item,  ///< server → client: one item of the stream (payload)
  stream_end,   ///< server → client: the stream ended normally
  stream_credit,  ///< client → server: the client consumed items: the window grows (payload u32)
};

/// Size of the fixed part of a message (kind, id, method length).
inline constexpr std::size_t header_size = 11;
/// The default largest message a transport accepts (1 MiB).
inline constexpr std::size_t default_max_message = std::size_t{1} << 20;

/// A decoded message. `method` and `payload` point into the decoded buffer (valid while it
/// lives and is unchanged).
struct message {
  rpc::kind kind = rpc::kind::call;    ///< what it is
  std::uint64_t id = 0;                ///< the request it belongs to
  std::string_view method;             ///< call / stream_open: the method's name
  std::span<const std::byte> payload;  ///< the rest of the message
};

namespace detail {

inline void put_le(bytes& out, std::uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xffu));
}
inline std::uint64_t get_le(const std::byte* p, int n) noexcept {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= std::uint64_t(std::to_integer<std::uint8_t>(p[i])) << (8 * i);
  return v;
}
inline error frame_error(const char* what) noexcept {
  return error{errc::invalid_argument, 0, what};
}

}  // namespace detail

/// Appends the encoding of a message to `out` (cleared first; its capacity is reused). A method
/// name longer than 65535 bytes is `errc::invalid_argument` (nothing written).
inline result<void> encode(bytes& out, kind k, std::uint64_t id, std::string_view method,
                           std::span<const std::byte> payload) {
  out.clear();
  if (method.size() > 0xffff) return detail::frame_error("rpc: method name too long");
  out.reserve(header_size + method.size() + payload.size());
  out.push_back(static_cast<std::byte>(k));
  detail::put_le(out, id, 8);
  detail::put_le(out, method.size(), 2);
  for (char c : method) out.push_back(static_cast<std::byte>(c));
  out.insert(out.end(), payload.begin(), payload.end());
  return {};
}

/// Decodes one message (see the file comment); `max` is the largest size accepted. Errors
/// (`errc::invalid_argument`): oversized, truncated, unknown kind, a method on a kind that has
/// none or none on one that needs it, a credit or error payload of the wrong size, a credit of 0.
inline result<message> decode(std::span<const std::byte> in,
                              std::size_t max = default_max_message) noexcept {
  if (in.size() > max) return detail::frame_error("rpc: message over the maximum size");
  if (in.size() < header_size) return detail::frame_error("rpc: truncated message header");
  const auto k = std::to_integer<std::uint8_t>(in[0]);
  if (k < std::uint8_t(kind::call) || k > std::uint8_t(kind::stream_credit))
    return detail::frame_error("rpc: unknown message kind");
  message m;
  m.kind = static_cast<kind>(k);
  m.id = detail::get_le(in.data() + 1, 8);
  const auto mlen = static_cast<std::size_t>(detail::get_le(in.data() + 9, 2));
  if (mlen > in.size() - header_size) return detail::frame_error("rpc: truncated method name");
  m.method = std::string_view(reinterpret_cast<const char*>(in.data() + header_size), mlen);
  m.payload = in.subspan(header_size + mlen);
  const bool named = m.kind == kind::call || m.kind == kind::stream_open;
  if (named && mlen == 0) return detail::frame_error("rpc: call without a method name");
  if (!named && mlen != 0) return detail::frame_error("rpc: method name on a reply");
  switch (m.kind) {
    case kind::stream_open:
    case kind::stream_credit:
      if (m.payload.size() < 4 || (m.kind == kind::stream_credit && m.payload.size() != 4))
        return detail::frame_error("rpc: bad credit size");
      if (detail::get_le(m.payload.data(), 4) == 0) return detail::frame_error("rpc: credit of 0");
      break;
    case kind::error:
      if (m.payload.size() != 9) return detail::frame_error("rpc: bad error payload");
      break;
    case kind::cancel:
    case kind::stream_end:
      if (!m.payload.empty()) return detail::frame_error("rpc: payload on a control message");
      break;
    default:
      break;
  }
  return m;
}

/// The u32 of a stream_open or stream_credit message (valid after `decode`).
inline std::uint32_t credit_of(const message& m) noexcept {
  return static_cast<std::uint32_t>(detail::get_le(m.payload.data(), 4));
}
/// The error carried by an `error` message (valid after `decode`). Its message is static.
inline error error_of(const message& m) noexcept {
  auto c = std::to_integer<std::uint8_t>(m.payload[0]);
  if (c < std::uint8_t(errc::aborted) || c > std::uint8_t(errc::initializing))
    c = std::uint8_t(errc::user);
  return error{static_cast<errc>(c), detail::get_le(m.payload.data() + 1, 8), "rpc: remote error"};
}
/// The payload of an `error` message for `e`.
inline void error_payload(std::byte (&out)[9], const error& e) noexcept {
  out[0] = static_cast<std::byte>(e.code());
  for (int i = 0; i < 8; ++i) out[1 + i] = static_cast<std::byte>((e.count() >> (8 * i)) & 0xffu);
}
/// The payload of a stream_open or stream_credit message for `n`.
inline void credit_payload(std::byte (&out)[4], std::uint32_t n) noexcept {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<std::byte>((n >> (8 * i)) & 0xffu);
}

/// Writes the 4-byte length prefix of a message of `n` bytes.
inline void put_length_prefix(std::byte (&out)[4], std::uint32_t n) noexcept {
  credit_payload(out, n);
}

/// The incremental decoder of the length-prefixed byte stream: feed it the bytes as they come,
/// split anywhere; it gives whole messages. Holds only the 4-byte prefix itself: the message's
/// bytes go straight into the caller's buffer. Thread-compatible.
class frame_decoder {
 public:
  /// Messages over `max` bytes are an error.
  explicit frame_decoder(std::size_t max = default_max_message) noexcept : max_(max) {}

  /// Consumes bytes from the front of `in` (advancing it) until a message is complete: then
  /// gives true and the message is in `out` (resized to it). Gives false when `in` is used up
  /// first (`out` holds a partial message: pass the same buffer next time). A length over the
  /// maximum is `errc::invalid_argument`, and so is every later call (the stream is unusable).
  result<bool> feed(std::span<const std::byte>& in, bytes& out) {
    if (failed_) return detail::frame_error("rpc: message over the maximum size");
    while (!in.empty()) {
      if (have_ < 4) {
        prefix_[have_++] = in[0];
        in = in.subspan(1);
        if (have_ < 4) continue;
        const auto n = static_cast<std::size_t>(detail::get_le(prefix_, 4));
        if (n > max_) {
          failed_ = true;
          return detail::frame_error("rpc: message over the maximum size");
        }
        out.resize(n);
        got_ = 0;
      }
      const std::size_t take = std::min(in.size(), out.size() - got_);
      if (take) std::memcpy(out.data() + got_, in.data(), take);
      got_ += take;
      in = in.subspan(take);
      if (got_ == out.size()) {
        have_ = 0;
        return true;
      }
    }
    return false;
  }

 private:
  std::size_t max_;
  std::size_t got_ = 0;
  std::byte prefix_[4]{};
  int have_ = 0;
  bool failed_ = false;
};

/// Small helpers for the examples and tests: payloads from and to a string or an int64.
///@{
inline bytes to_bytes(std::string_view s) {
  const auto* p = reinterpret_cast<const std::byte*>(s.data());
  return bytes(p, p + s.size());
}
inline std::string_view as_string(std::span<const std::byte> b) noexcept {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
inline bytes from_int(std::int64_t v) {
  bytes b;
  detail::put_le(b, static_cast<std::uint64_t>(v), 8);
  return b;
}
/// `errc::invalid_argument` unless `b` is 8 bytes.
inline result<std::int64_t> to_int(std::span<const std::byte> b) noexcept {
  if (b.size() != 8) return detail::frame_error("rpc: not an int64 payload");
  return static_cast<std::int64_t>(detail::get_le(b.data(), 8));
}
///@}

}  // namespace eddy::rpc
