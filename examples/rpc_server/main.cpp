// SPDX-License-Identifier: BSL-1.0
// examples/rpc_server: the native side of the browser demo. On boost_asio_runtime it listens on
// 127.0.0.1 and, on one port, serves the page's files over HTTP (Beast) and the RPC session over
// WebSocket (rpc::beast_websocket_transport at /rpc, rpc::serve with the methods of
// methods.hpp). It logs each call, cancel and stream to stdout.
//
//   eddy_rpc_server [--port N] [--root DIR]   serve until SIGINT / SIGTERM; DIR holds the page
//                                             (index.html, rpc_browser.js, rpc_browser.wasm)
//   eddy_rpc_server --self-test               serve, run the demo session from a native client
//                                             (the page's own source, demo_client.hpp), exit
//
// The first line is "listening on http://127.0.0.1:<port>/" (the browser test reads the port).
#include <eddy/runtime/boost_asio_runtime.hpp>  // first: it orders the standard library before Asio

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <eddy/boost_asio/use_task.hpp>
#include <eddy/eddy.hpp>
#include <eddy/rpc/boost_asio_websocket_transport.hpp>
#include <eddy/rpc/client.hpp>
#include <eddy/rpc/server.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "../rpc_browser/demo_client.hpp"
#include "methods.hpp"

using namespace eddy;
namespace net = boost::asio;
namespace http = boost::beast::http;
using net::ip::tcp;
using transport = rpc::beast_websocket_transport;

namespace {

struct settings {
  unsigned short port = 0;
  std::string root = ".";
  bool self_test = false;
};

const char* content_type(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript";
  if (name.ends_with(".wasm")) return "application/wasm";
  return "application/octet-stream";
}

// A file of the page for `target` ("/", "/index.html?port=1", "/rpc_browser.js"), or 404.
http::response<http::string_body> page_file(const http::request<http::string_body>& req,
                                            const std::string& root) {
  std::string name{req.target().substr(0, req.target().find('?'))};
  if (name == "/") name = "/index.html";
  name.erase(0, 1);
  const bool safe = !name.empty() &&
                    name.find_first_not_of(
                        "abcdefghijklmnopqrstuvwxyz"
                        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == std::string::npos &&
                    name.find("..") == std::string::npos;
  http::response<http::string_body> res;
  res.version(req.version());
  res.keep_alive(false);
  std::ifstream in;
  if (safe) in.open(root + "/" + name, std::ios::binary);
  if (!in) {
    res.result(http::status::not_found);
    res.set(http::field::content_type, "text/plain");
    res.body() = "not found\n";
  } else {
    std::ostringstream body;
    body << in.rdbuf();
    res.result(http::status::ok);
    res.set(http::field::content_type, content_type(name));
    res.set(http::field::cache_control, "no-store");
    res.body() = std::move(body).str();
  }
  res.prepare_payload();
  return res;
}

// One TCP connection: an HTTP request for a file, or the WebSocket upgrade of an RPC session.
task<void> connection(tcp::socket sock, const rpc::methods* m, rpc_demo::server_log* log,
                      const std::string* root) {
  boost::beast::tcp_stream stream{std::move(sock)};
  boost::beast::flat_buffer buf;
  http::request<http::string_body> req;
  auto [ec, n] = co_await http::async_read(stream, buf, req, use_task);
  (void)n;
  if (ec) co_return;
  if (boost::beast::websocket::is_upgrade(req)) {
    auto t = co_await transport::accept(std::move(stream), std::move(req));
    if (!t) {
      log->line("a WebSocket handshake failed");
      co_return;
    }
    log->line("session opened (WebSocket)");
    const rpc::server_stats st = co_await rpc::serve(std::move(t.value()), *m);
    log->line("session closed: " + std::to_string(st.calls) + " calls, " +
              std::to_string(st.streams) + " streams, " + std::to_string(st.cancelled) +
              " cancelled");
    co_return;
  }
  auto res = page_file(req, *root);
  log->line("http " + std::string(req.target()) + " -> " + std::to_string(res.result_int()));
  auto [wec, wn] = co_await http::async_write(stream, res, use_task);
  (void)wec;
  (void)wn;
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

task<void> accept_loop(tcp::acceptor* acc, scope* conns, const rpc::methods* m,
                       rpc_demo::server_log* log, const std::string* root) {
  for (;;) {
    auto [ec, s] = co_await acc->async_accept(use_task);
    if (ec) co_return;
    conns->spawn(connection(std::move(s), m, log, root)).detach();
  }
}

task<int> run(net::io_context* io, settings o) {
  rpc_demo::server_log log;
  const auto methods = rpc_demo::make_methods(&log);
  tcp::acceptor acc{*io};
  const tcp::endpoint want{net::ip::address_v4::loopback(), o.port};
  acc.open(want.protocol());
  acc.set_option(tcp::acceptor::reuse_address(true));
  boost::system::error_code bec;
  acc.bind(want, bec);
  if (bec) {
    std::fprintf(stderr, "cannot listen on 127.0.0.1:%u: %s\n", o.port, bec.message().c_str());
    co_return 2;
  }
  acc.listen();
  const auto ep = acc.local_endpoint();
  std::printf("listening on http://127.0.0.1:%u/ (the RPC at ws://127.0.0.1:%u/rpc)\n", ep.port(),
              ep.port());
  std::fflush(stdout);
  scope conns;
  conns.spawn(accept_loop(&acc, &conns, &methods, &log, &o.root)).detach();
  int failures = 0;
  if (o.self_test) {
    rpc::beast_websocket_options wo;
    wo.target = "/rpc";
    auto t = co_await transport::connect(io->get_executor(), ep, wo);
    if (!t) {
      std::printf("[native client] FAIL cannot connect: %s\n", t.error().message());
      failures = 1;
    } else {
      rpc::client<transport> c{std::move(t.value())};
      failures = co_await rpc_demo::run_demo_client(c, [](const std::string& line) {
        std::printf("[native client] %s\n", line.c_str());
        std::fflush(stdout);
      });
      c.close();
      co_await c.closed();
    }
  } else {
    net::signal_set sigs{*io, SIGINT, SIGTERM};
    auto [sec, sig] = co_await sigs.async_wait(use_task);
    std::printf("[server] signal %d: stopping\n", sec ? 0 : sig);
  }
  boost::system::error_code ignored;
  acc.close(ignored);
  conns.cancel();
  (void)co_await conns.join();
  co_return failures;
}

}  // namespace

int main(int argc, char** argv) {
  settings o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--port" && i + 1 < argc)
      o.port = static_cast<unsigned short>(std::atoi(argv[++i]));
    else if (a == "--root" && i + 1 < argc)
      o.root = argv[++i];
    else if (a == "--self-test")
      o.self_test = true;
    else {
      std::fprintf(stderr, "usage: %s [--port N] [--root DIR] [--self-test]\n", argv[0]);
      return 2;
    }
  }
  net::io_context io;
  int rc;
  {
    boost_asio_runtime rt{io};
    auto h = spawn(rt.get_executor(), run(&io, o));
    io.run();
    auto r = h.try_take();
    rc = r ? r.value() : 1;
  }
  if (o.self_test) std::printf("%s\n", rc == 0 ? "all steps passed" : "some steps FAILED");
  return rc == 0 ? 0 : 1;
}
