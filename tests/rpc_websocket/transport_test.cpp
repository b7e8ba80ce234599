// SPDX-License-Identifier: BSL-1.0
// rpc::beast_websocket_transport on its own, client and server over 127.0.0.1: an echo keeps
// every message whole and in order (empty and large ones too), the configured maximum is
// enforced exactly, a text message is refused, close() ends the peer's receive and the owner's
// pending operations with errc::closed, and an aborted receive leaves the transport closable.
#include "rpc_websocket/ws_env.hpp"
// (the env header first: it orders the standard library before Asio)
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace eddy_test::rpc_websocket_transport_test {

using namespace eddy;
using namespace ws_test;

namespace {

std::vector<std::byte> pattern(std::size_t n, unsigned seed) {
  std::vector<std::byte> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::byte>((i * 31u + seed) & 0xffu);
  return v;
}

// Echoes every message back until the connection ends; gives how many it echoed.
task<int> echo(transport* t) {
  std::vector<std::byte> buf;
  int n = 0;
  for (;;) {
    auto r = co_await t->receive(buf);
    if (!r.has_value()) co_return n;
    if (!(co_await t->send(std::span<const std::byte>(buf.data(), r.value()))).has_value())
      co_return n;
    ++n;
  }
}

// One receive on `t`, with its own buffer.
task<result<std::size_t>> read_one(transport* t) {
  std::vector<std::byte> buf;
  co_return co_await t->receive(buf);
}

}  // namespace

TEST(beast_websocket_transport, echo_keeps_messages_whole_and_in_order) {
  env e;
  auto r = e.run([](net::io_context* io) -> task<int> {
    auto p = co_await connected_pair(io);
    EXPECT_TRUE(p.has_value());
    if (!p.has_value()) co_return -1;
    auto& [client, server] = p.value();
    auto echoing = spawn(echo(&server));
    constexpr int rounds = 200;
    int ok = 0;
    std::vector<std::byte> in;
    for (int i = 0; i < rounds; ++i) {
      // sizes 0, 1, 2, ... and every 50th a large one (several TCP segments, Beast frames)
      const std::size_t n = i % 50 == 49 ? 300000 : static_cast<std::size_t>(i);
      const auto out = pattern(n, static_cast<unsigned>(i));
      EXPECT_TRUE((co_await client.send(out)).has_value());
      auto got = co_await client.receive(in);
      if (got.has_value() && got.value() == n && in == out) ++ok;
    }
    client.close();
    auto echoed = co_await echoing;  // the server's receive ends with the connection
    EXPECT_EQ(echoed.value(), rounds);
    co_return ok;
  }(&e.io));
  EXPECT_EQ(r.value(), 200);
}

TEST(beast_websocket_transport, pipelined_sends_arrive_in_order) {
  env e;
  auto r = e.run([](net::io_context* io) -> task<int> {
    auto p = co_await connected_pair(io);
    if (!p.has_value()) co_return -1;
    auto& [client, server] = p.value();
    constexpr int count = 1000;
    // the client sends everything before the server reads anything
    auto sending = spawn([](transport* c) -> task<bool> {
      for (std::uint32_t i = 0; i < count; ++i) {
        const auto* b = reinterpret_cast<const std::byte*>(&i);
        if (!(co_await c->send(std::span<const std::byte>(b, sizeof i))).has_value())
          co_return false;
      }
      co_return true;
    }(&client));
    std::vector<std::byte> buf;
    int in_order = 0;
    for (std::uint32_t i = 0; i < count; ++i) {
      auto got = co_await server.receive(buf);
      std::uint32_t v = ~0u;
      if (got.has_value() && got.value() == sizeof v) std::memcpy(&v, buf.data(), sizeof v);
      if (v == i) ++in_order;
    }
    EXPECT_TRUE((co_await sending).value());
    client.close();
    auto end = co_await server.receive(buf);
    EXPECT_TRUE(!end.has_value() && end.error().code() == errc::closed);
    co_return in_order;
  }(&e.io));
  EXPECT_EQ(r.value(), 1000);
}

TEST(beast_websocket_transport, the_maximum_size_is_exact_and_over_it_is_invalid_argument) {
  env e;
  auto r = e.run([](net::io_context* io) -> task<bool> {
    rpc::beast_websocket_options o;
    o.read_message_max = 1000;
    auto p = co_await connected_pair(io, o);
    if (!p.has_value()) co_return false;
    auto& [client, server] = p.value();
    std::vector<std::byte> buf;
    EXPECT_TRUE((co_await client.send(pattern(1000, 1))).has_value());
    auto at_max = co_await server.receive(buf);
    EXPECT_TRUE(at_max.has_value() && at_max.value() == 1000 && buf == pattern(1000, 1));
    // Beast fails the connection with a close frame (1009) and waits for the answer, which
    // the client's reader gives, as a session's reader does.
    auto reader = spawn(read_one(&client));
    (void)co_await client.send(pattern(1001, 2));
    auto over = co_await server.receive(buf);
    EXPECT_TRUE(!over.has_value() && over.error().code() == errc::invalid_argument);
    auto client_end = co_await reader;
    EXPECT_TRUE(!client_end.value().has_value() &&
                client_end.value().error().code() == errc::closed);
    server.close();
    client.close();
    co_return at_max.has_value() && !over.has_value() &&
        over.error().code() == errc::invalid_argument;
  }(&e.io));
  EXPECT_TRUE(r.value());
}

TEST(beast_websocket_transport, a_text_message_is_invalid_argument) {
  env e;
  auto r = e.run([](net::io_context* io) -> task<bool> {
    auto p = co_await connected_pair(io);
    if (!p.has_value()) co_return false;
    auto& [client, server] = p.value();
    client.stream().text(true);
    auto reader = spawn(read_one(&client));
    const std::byte hello[] = {std::byte{'h'}, std::byte{'e'}, std::byte{'l'}, std::byte{'l'},
                               std::byte{'o'}};  // valid UTF-8: Beast checks text messages
    (void)co_await client.send(hello);
    std::vector<std::byte> buf;
    auto got = co_await server.receive(buf);
    server.close();  // the server gives up on this client
    (void)co_await reader;
    client.close();
    co_return !got.has_value() && got.error().code() == errc::invalid_argument;
  }(&e.io));
  EXPECT_TRUE(r.value());
}

TEST(beast_websocket_transport, close_ends_pending_and_later_operations_with_closed) {
  env e;
  auto r = e.run([](net::io_context* io) -> task<bool> {
    auto p = co_await connected_pair(io);
    if (!p.has_value()) co_return false;
    auto& [client, server] = p.value();
    std::vector<std::byte> cbuf, sbuf;
    // the client waits; then its owner closes it: the pending receive gives closed
    auto pending = spawn([](transport* c, std::vector<std::byte>* b) -> task<result<std::size_t>> {
      co_return co_await c->receive(*b);
    }(&client, &cbuf));
    for (int i = 0; i < 20; ++i) co_await yield_now();
    EXPECT_FALSE(pending.is_finished());
    client.close();
    client.close();  // idempotent
    auto c = (co_await pending).value();
    auto later = co_await client.send(pattern(5, 4));
    auto peer = co_await server.receive(sbuf);  // the peer sees the end
    auto peer_send = co_await server.send(pattern(5, 5));
    server.close();
    EXPECT_TRUE(!c.has_value() && c.error().code() == errc::closed);
    EXPECT_TRUE(!later.has_value() && later.error().code() == errc::closed);
    EXPECT_TRUE(!peer.has_value() && peer.error().code() == errc::closed);
    (void)peer_send;  // may still succeed: the kernel takes the bytes before it learns of the reset
    co_return !c.has_value() && !later.has_value() && !peer.has_value();
  }(&e.io));
  EXPECT_TRUE(r.value());
}

TEST(beast_websocket_transport, an_aborted_receive_leaves_the_transport_closable) {
  env e;
  auto r = e.run([](net::io_context* io) -> task<bool> {
    auto p = co_await connected_pair(io);
    if (!p.has_value()) co_return false;
    auto& [client, server] = p.value();
    std::vector<std::byte> buf;
    auto pending = spawn([](transport* c, std::vector<std::byte>* b) -> task<result<std::size_t>> {
      co_return co_await c->receive(*b);
    }(&client, &buf));
    for (int i = 0; i < 20; ++i) co_await yield_now();
    pending.abort();
    auto a = co_await pending;
    client.close();
    std::vector<std::byte> sbuf;
    auto peer = co_await server.receive(sbuf);
    server.close();
    EXPECT_TRUE(!a.has_value() && a.error().code() == errc::aborted);
    co_return !a.has_value() && a.error().code() == errc::aborted && !peer.has_value();
  }(&e.io));
  EXPECT_TRUE(r.value());
}

TEST(beast_websocket_transport, a_graceful_close_runs_the_closing_handshake) {
  env e;
  auto r = e.run([](net::io_context* io) -> task<bool> {
    auto p = co_await connected_pair(io);
    if (!p.has_value()) co_return false;
    auto& [client, server] = p.value();
    std::vector<std::byte> sbuf;
    // the server's pending receive answers the close frame and reports the end
    auto peer = spawn([](transport* s, std::vector<std::byte>* b) -> task<result<std::size_t>> {
      co_return co_await s->receive(*b);
    }(&server, &sbuf));
    auto closed = co_await client.close_gracefully();
    auto end = (co_await peer).value();
    server.close();
    EXPECT_TRUE(closed.has_value());
    EXPECT_TRUE(!end.has_value() && end.error().code() == errc::closed);
    co_return closed.has_value() && !end.has_value();
  }(&e.io));
  EXPECT_TRUE(r.value());
}

TEST(beast_websocket_transport, connecting_where_nobody_listens_is_closed) {
  env e;
  auto r = e.run([](net::io_context* io) -> task<bool> {
    tcp::endpoint ep;
    {
      auto acc = make_acceptor(*io);
      ep = acc.local_endpoint();
    }  // the port is free again: nobody listens there
    auto c = co_await transport::connect(io->get_executor(), ep);
    co_return !c.has_value() && c.error().code() == errc::closed;
  }(&e.io));
  EXPECT_TRUE(r.value());
}

}  // namespace eddy_test::rpc_websocket_transport_test
