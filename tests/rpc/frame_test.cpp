// SPDX-License-Identifier: BSL-1.0
// The RPC codec: every message kind round-trips; every malformed input is a defined
// errc::invalid_argument; the length-prefix decoder gives the same messages on every split.
#include <gtest/gtest.h>

#include <cstdint>
#include <eddy/rpc/frame.hpp>
#include <string>
#include <vector>

namespace eddy_test::rpc_frame_test {

using namespace eddy;
using namespace eddy::rpc;

namespace {

std::int64_t num(std::span<const std::byte> b) {
  auto r = to_int(b);
  return r ? *r : -1;
}

bytes enc(kind k, std::uint64_t id, std::string_view method, std::span<const std::byte> p) {
  bytes out;
  EXPECT_TRUE(encode(out, k, id, method, p).has_value());
  return out;
}

bool invalid(std::span<const std::byte> b, std::size_t max = default_max_message) {
  auto m = decode(b, max);
  return !m && m.error().code() == errc::invalid_argument;
}

}  // namespace

TEST(RpcFrame, every_kind_round_trips) {
  std::byte credit[4];
  credit_payload(credit, 7);
  std::byte err[9];
  error_payload(err, error{errc::user, 42});
  bytes open(std::begin(credit), std::end(credit));
  open.push_back(std::byte{9});
  struct c {
    kind k;
    std::string method;
    bytes payload;
  } cases[] = {
      {kind::call, "square", from_int(-5)},
      {kind::response, "", to_bytes("hello")},
      {kind::error, "", bytes(std::begin(err), std::end(err))},
      {kind::cancel, "", {}},
      {kind::stream_open, "ticks", open},
      {kind::stream_item, "", {}},
      {kind::stream_end, "", {}},
      {kind::stream_credit, "", bytes(std::begin(credit), std::end(credit))},
  };
  std::uint64_t id = 0xfedcba9876543210u;
  for (auto& x : cases) {
    auto b = enc(x.k, id, x.method, x.payload);
    auto m = decode(b);
    ASSERT_TRUE(m.has_value()) << int(x.k);
    EXPECT_EQ(m->kind, x.k);
    EXPECT_EQ(m->id, id);
    EXPECT_EQ(m->method, x.method);
    EXPECT_EQ(bytes(m->payload.begin(), m->payload.end()), x.payload);
    ++id;
  }
  const bytes eb = enc(kind::error, 1, "", bytes(std::begin(err), std::end(err)));
  auto e = decode(eb);
  EXPECT_EQ(error_of(*e).code(), errc::user);
  EXPECT_EQ(error_of(*e).count(), 42u);
  auto o = decode(open);
  EXPECT_FALSE(o.has_value());  // no header at all
  EXPECT_EQ(credit_of(decode(enc(kind::stream_open, 1, "t", open)).value()), 7u);
  EXPECT_EQ(num(from_int(-5)), -5);
  EXPECT_FALSE(to_int(to_bytes("abc")).has_value());
  EXPECT_EQ(as_string(to_bytes("abc")), "abc");
}

TEST(RpcFrame, malformed_messages_are_invalid_argument) {
  const bytes good = enc(kind::call, 1, "m", from_int(1));
  // Truncated anywhere inside the header or the method name.
  for (std::size_t n = 0; n < header_size + 1; ++n)
    EXPECT_TRUE(invalid(std::span<const std::byte>(good).first(n))) << n;
  // Oversized.
  EXPECT_TRUE(invalid(good, good.size() - 1));
  EXPECT_TRUE(decode(good, good.size()).has_value());
  // Unknown kinds.
  for (int k : {0, 9, 200, 255}) {
    bytes b = good;
    b[0] = std::byte(k);
    EXPECT_TRUE(invalid(b)) << k;
  }
  // A method length past the end.
  bytes b = good;
  b[9] = std::byte{0xff};
  EXPECT_TRUE(invalid(b));
  // A call without a method; a method on a reply.
  EXPECT_TRUE(invalid(enc(kind::call, 1, "", {})));
  EXPECT_TRUE(invalid(enc(kind::response, 1, "x", {})));
  // Credit and error payloads of the wrong size; a credit of 0; payload on a cancel.
  EXPECT_TRUE(invalid(enc(kind::stream_credit, 1, "", from_int(1))));
  std::byte zero[4]{};
  EXPECT_TRUE(invalid(enc(kind::stream_credit, 1, "", zero)));
  EXPECT_TRUE(invalid(enc(kind::stream_open, 1, "s", zero)));
  EXPECT_TRUE(invalid(enc(kind::stream_open, 1, "s", {})));
  EXPECT_TRUE(invalid(enc(kind::error, 1, "", from_int(1))));
  EXPECT_TRUE(invalid(enc(kind::cancel, 1, "", from_int(1))));
  EXPECT_TRUE(invalid(enc(kind::stream_end, 1, "", from_int(1))));
  // An error code outside errc comes back as errc::user.
  bytes bad_err(9, std::byte{0});
  bad_err[0] = std::byte{250};
  EXPECT_EQ(error_of(decode(enc(kind::error, 1, "", bad_err)).value()).code(), errc::user);
  // A method name over 65535 bytes cannot be encoded.
  bytes out;
  EXPECT_FALSE(encode(out, kind::call, 1, std::string(70000, 'a'), {}).has_value());
}

TEST(RpcFrame, length_prefix_decoder_works_on_every_split) {
  std::vector<bytes> msgs = {enc(kind::call, 1, "a", from_int(1)),
                             {},
                             enc(kind::response, 2, "", to_bytes(std::string(300, 'x'))),
                             enc(kind::cancel, 3, "", {})};
  bytes wire;
  for (auto& m : msgs) {
    std::byte p[4];
    put_length_prefix(p, static_cast<std::uint32_t>(m.size()));
    wire.insert(wire.end(), std::begin(p), std::end(p));
    wire.insert(wire.end(), m.begin(), m.end());
  }
  for (std::size_t chunk = 1; chunk <= wire.size(); ++chunk) {
    frame_decoder d{1024};
    std::vector<bytes> got;
    bytes buf;
    for (std::size_t at = 0; at < wire.size(); at += chunk) {
      std::span<const std::byte> in(wire.data() + at, std::min(chunk, wire.size() - at));
      while (!in.empty()) {
        auto r = d.feed(in, buf);
        ASSERT_TRUE(r.has_value());
        if (*r) got.push_back(buf);
      }
    }
    EXPECT_EQ(got, msgs) << "chunk " << chunk;
  }
}

TEST(RpcFrame, length_prefix_over_the_maximum_poisons_the_decoder) {
  frame_decoder d{16};
  std::byte p[4];
  put_length_prefix(p, 17);
  std::span<const std::byte> in(p);
  bytes buf;
  auto r = d.feed(in, buf);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), errc::invalid_argument);
  EXPECT_TRUE(buf.empty());  // nothing allocated for the oversized message
  put_length_prefix(p, 1);
  std::span<const std::byte> again(p);
  EXPECT_FALSE(d.feed(again, buf).has_value());
}

}  // namespace eddy_test::rpc_frame_test
