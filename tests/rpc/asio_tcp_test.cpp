// SPDX-License-Identifier: BSL-1.0
// The RPC session over TCP on 127.0.0.1 with standalone Asio (asio_runtime, one thread): the
// cases of tcp_cases.hpp, and a message over the maximum closing the connection.
#include "eddy/runtime/asio_runtime.hpp"  // first: it orders the standard library before Asio
// (the runtime header first)
#include <gtest/gtest.h>

#ifdef EDDY_TEST_WITH_ASIO
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <eddy/asio/use_task.hpp>
#include <eddy/rpc/asio_tcp.hpp>

#include "rpc/tcp_cases.hpp"

namespace eddy_test::rpc_asio_tcp_test {

using namespace eddy;
using namespace eddy::rpc;
using asio::ip::tcp;

namespace {

task<std::pair<asio_tcp_transport, asio_tcp_transport>> asio_pair(asio::io_context* io,
                                                                  std::size_t max) {
  tcp::acceptor acc{*io, tcp::endpoint{asio::ip::address_v4::loopback(), 0}};
  tcp::socket a{*io};
  auto connecting = spawn([](tcp::socket* a, tcp::endpoint ep) -> task<std::error_code> {
    co_return co_await a->async_connect(ep, use_task);
  }(&a, acc.local_endpoint()));
  auto [ec, b] = co_await acc.async_accept(use_task);
  auto cec = co_await connecting;
  EXPECT_FALSE(ec);
  EXPECT_FALSE(cec.value());
  co_return std::pair<asio_tcp_transport, asio_tcp_transport>{
      asio_tcp_transport{std::move(a), max}, asio_tcp_transport{std::move(b), max}};
}

template <class T>
result<T> run_on_asio(asio::io_context& io, asio_runtime& rt, task<T> t) {
  auto h = spawn(rt.get_executor(), std::move(t));
  io.run();
  EXPECT_EQ(rt.live_tasks(), 0u);
  EXPECT_TRUE(h.is_finished());
  return h.try_take();
}

}  // namespace

TEST(RpcAsioTcp, native_client_and_server_over_loopback) {
  rpc_test::probe p;
  auto ms = rpc_test::make_methods(&p);
  asio::io_context io;
  asio_runtime rt{io};
  auto r = run_on_asio(io, rt,
                       rpc_test::tcp_cases<asio_tcp_transport>(
                           [&io] { return asio_pair(&io, default_max_message); }, &ms, &p));
  EXPECT_TRUE(r.has_value());
}

// Nagle's algorithm would hold a small message (a call's cancel) until the peer's delayed ACK
// of the one before, up to 40 ms on Linux.
TEST(RpcAsioTcp, the_transport_turns_nagle_off_on_both_sides) {
  asio::io_context io;
  asio_runtime rt{io};
  auto r = run_on_asio(io, rt, [](asio::io_context* io) -> task<bool> {
    auto [a, b] = co_await asio_pair(io, default_max_message);
    tcp::no_delay on_a;
    tcp::no_delay on_b;
    a.socket().get_option(on_a);
    b.socket().get_option(on_b);
    co_return on_a.value() && on_b.value();
  }(&io));
  EXPECT_TRUE(r.has_value() && r.value());
}

TEST(RpcAsioTcp, a_message_over_the_maximum_closes_the_connection) {
  rpc_test::probe p;
  auto ms = rpc_test::make_methods(&p);
  asio::io_context io;
  asio_runtime rt{io};
  auto r = run_on_asio(io, rt, [](asio::io_context* io, const methods* ms) -> task<bool> {
    auto [ct, st] = co_await asio_pair(io, 1024);
    // The server accepts 1 KiB; the client 1 MiB, so it sends a big call.
    auto server = spawn(serve(std::move(st), *ms));
    tcp::socket raw = std::move(ct.socket());
    asio_tcp_transport big{std::move(raw), default_max_message};
    client<asio_tcp_transport> c{std::move(big)};
    auto small = co_await c.call("square", from_int(4));
    auto r = co_await c.call("square", bytes(4096, std::byte{1}));
    auto st2 = co_await server;
    co_return small.has_value() && !r && r.error().code() == errc::closed && st2.value().calls == 1;
  }(&io, &ms));
  EXPECT_TRUE(r.has_value() && r.value());
}

}  // namespace eddy_test::rpc_asio_tcp_test
#endif
