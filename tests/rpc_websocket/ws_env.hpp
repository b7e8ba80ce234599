// SPDX-License-Identifier: BSL-1.0
// A Boost.Asio io_context on one thread with a boost_asio_runtime over it, a listening socket on
// 127.0.0.1 and helpers to open a connected pair of Beast WebSocket transports. Shared by the
// transport's own tests and the session's tests over it.
#pragma once
#include <eddy/runtime/boost_asio_runtime.hpp>  // first: it orders the standard library before Asio

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <eddy/boost_asio/use_task.hpp>
#include <eddy/rpc/boost_asio_websocket_transport.hpp>
#include <eddy/runtime.hpp>
#include <utility>

namespace ws_test {

namespace net = ::boost::asio;
using net::ip::tcp;
using transport = eddy::rpc::beast_websocket_transport;

// One io_context run by the calling thread, and the runtime over it.
struct env {
  net::io_context io;
  eddy::boost_asio_runtime rt{io};

  // Spawns `t` and runs the loop until io.run() returns by itself (every task has finished).
  template <class T>
  eddy::result<T> run(eddy::task<T> t) {
    auto h = eddy::spawn(rt.get_executor(), std::move(t));
    io.run();
    EXPECT_EQ(rt.live_tasks(), 0u);
    EXPECT_TRUE(h.is_finished());
    return h.try_take();
  }
};

// A listening socket on 127.0.0.1, any free port.
inline tcp::acceptor make_acceptor(net::io_context& io) {
  tcp::acceptor acc{io};
  const tcp::endpoint ep{net::ip::address_v4::loopback(), 0};
  acc.open(ep.protocol());
  acc.set_option(tcp::acceptor::reuse_address(true));
  acc.bind(ep);
  acc.listen();
  return acc;
}

// Accepts one connection on `acc` and runs the server side of the handshake.
inline eddy::task<eddy::result<transport>> accept_one(tcp::acceptor* acc,
                                                      eddy::rpc::beast_websocket_options o = {}) {
  auto [ec, s] = co_await acc->async_accept(eddy::use_task);
  if (ec) co_return eddy::errc::io;
  co_return co_await transport::accept(std::move(s), o);
}

// A connected pair: .first the client side, .second the server side (with options `so`).
inline eddy::task<eddy::result<std::pair<transport, transport>>> connected_pair(
    net::io_context* io, eddy::rpc::beast_websocket_options so = {}) {
  auto acc = make_acceptor(*io);
  auto server = eddy::spawn(accept_one(&acc, so));
  auto c = co_await transport::connect(io->get_executor(), acc.local_endpoint());
  auto s = co_await server;
  if (!c.has_value()) co_return c.error();
  if (!s.has_value()) co_return s.error();
  if (!s.value().has_value()) co_return s.value().error();
  co_return std::pair<transport, transport>{std::move(c.value()), std::move(s.value().value())};
}

}  // namespace ws_test
