// SPDX-License-Identifier: BSL-1.0
// The methods examples/rpc_server serves, which the page (examples/rpc_browser) and the native
// client call through the shared demo session (examples/rpc_browser/demo_client.hpp). Each logs
// to stdout what it does, so that a test (tests/browser/rpc.test.mjs) can read the server's side.
#pragma once
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <eddy/eddy.hpp>
#include <eddy/rpc/server.hpp>
#include <string>

namespace rpc_demo {

using eddy::rpc::bytes;
using namespace std::chrono_literals;

// What the server saw, across connections (one thread: the io_context's).
struct server_log {
  std::int64_t cancelled = 0;  // "forever" handlers aborted by a cancel
  eddy::notify changed;        // notified when `cancelled` grows
  void line(const std::string& s) {
    std::printf("[server] %s\n", s.c_str());
    std::fflush(stdout);
  }
};

inline std::int64_t num(std::span<const std::byte> b) {
  auto r = eddy::rpc::to_int(b);
  return r ? *r : -1;
}

inline eddy::rpc::methods make_methods(server_log* log) {
  using eddy::rpc::from_int;
  eddy::rpc::methods m;
  m.add("square", [log](bytes in) -> eddy::task<eddy::result<bytes>> {
    const std::int64_t x = num(in);
    log->line("call square(" + std::to_string(x) + ") -> " + std::to_string(x * x));
    co_return from_int(x * x);
  });
  m.add("greet", [log](bytes in) -> eddy::task<eddy::result<bytes>> {
    const std::string who{eddy::rpc::as_string(in)};
    log->line("call greet(\"" + who + "\")");
    co_return eddy::rpc::to_bytes("hello, " + who);
  });
  // Never answers: the client gives up and its cancel aborts this handler.
  m.add("forever", [log](bytes) -> eddy::task<eddy::result<bytes>> {
    struct on_abort {
      server_log* log;
      bool done = false;
      ~on_abort() {
        if (done) return;
        ++log->cancelled;
        log->line("cancel forever: the handler was aborted");
        log->changed.notify_waiters();
      }
    } g{log};
    log->line("call forever (waits until cancelled)");
    co_await eddy::sleep(eddy::duration::max());
    g.done = true;
    co_return bytes{};
  });
  // Gives the number of "forever" handlers aborted so far, once it is at least the argument
  // (waiting at most 5 s for it).
  m.add("cancels_seen", [log](bytes in) -> eddy::task<eddy::result<bytes>> {
    const std::int64_t want = num(in);
    for (int i = 0; i < 50 && log->cancelled < want; ++i)
      (void)co_await eddy::timeout(100ms, log->changed.notified());
    log->line("call cancels_seen(" + std::to_string(want) + ") -> " +
              std::to_string(log->cancelled));
    co_return from_int(log->cancelled);
  });
  // The numbers 0 .. n-1, one every 20 ms, within the client's window.
  m.add_stream("count",
               [log](bytes in, eddy::rpc::stream_writer& out) -> eddy::task<eddy::result<void>> {
                 const std::int64_t n = num(in);
                 log->line("stream count(" + std::to_string(n) + ") opened");
                 for (std::int64_t i = 0; i < n; ++i) {
                   co_await eddy::sleep(20ms);
                   if (auto r = co_await out.send(from_int(i)); !r) co_return r.error();
                 }
                 log->line("stream count(" + std::to_string(n) + ") ended after " +
                           std::to_string(n) + " items");
                 co_return eddy::result<void>{};
               });
  return m;
}

}  // namespace rpc_demo
