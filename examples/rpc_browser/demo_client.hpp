// SPDX-License-Identifier: BSL-1.0
// The demo session: what the page (examples/rpc_browser, in the browser) and the native client
// (examples/rpc_server --self-test, on boost_asio_runtime) both run, from this one source, over
// whatever message_transport they have (the browser's WebSocket, a Beast WebSocket). Calls, a
// cancelled call whose cancel reaches the server, and a stream. Each step prints one line
// through `print` ("ok ..." or "FAIL ..."); the task gives the number of failures.
#pragma once
#include <chrono>
#include <cstdint>
#include <eddy/eddy.hpp>
#include <eddy/rpc/client.hpp>
#include <string>
#include <utility>

namespace rpc_demo {

using namespace std::chrono_literals;

template <eddy::rpc::message_transport T, class Print>
eddy::task<int> run_demo_client(eddy::rpc::client<T>& c, Print print) {
  using eddy::rpc::from_int;
  using eddy::rpc::to_int;
  int failures = 0;
  auto report = [&](bool ok, const std::string& what) {
    print(std::string(ok ? "ok " : "FAIL ") + what);
    if (!ok) ++failures;
  };
  auto as_int = [](const eddy::result<eddy::rpc::bytes>& r) -> std::int64_t {
    if (!r) return -1;
    auto v = to_int(r.value());
    return v ? *v : -1;
  };

  // 1. Calls.
  auto sq = co_await c.call("square", from_int(7), 5s);
  report(as_int(sq) == 49, "call square(7) = " + std::to_string(as_int(sq)));
  auto hi = co_await c.call("greet", eddy::rpc::to_bytes("eddy"), 5s);
  const std::string greeting = hi ? std::string(eddy::rpc::as_string(hi.value())) : "(error)";
  report(greeting == "hello, eddy", "call greet(\"eddy\") = \"" + greeting + "\"");

  // 2. A cancelled call: "forever" never answers; aborting the call's task sends a cancel, and
  //    the server aborts the handler ("cancels_seen" waits until it has).
  const std::int64_t before = as_int(co_await c.call("cancels_seen", from_int(0), 5s));
  auto pending = eddy::spawn(c.call("forever", {}));
  co_await eddy::sleep(100ms);
  pending.abort();
  auto gone = co_await pending;
  report(!gone && gone.error().code() == eddy::errc::aborted,
         "call forever() cancelled on the client after 100 ms");
  const std::int64_t after = as_int(co_await c.call("cancels_seen", from_int(before + 1), 5s));
  report(after == before + 1, "the cancel reached the server: its handler was aborted");

  // 3. A stream: count(5) gives 0 1 2 3 4, then its end.
  auto s = c.open_stream("count", from_int(5));
  std::string got;
  bool clean = true;
  while (auto it = co_await s.next()) {
    if (!it->is_value()) {
      clean = false;
      break;
    }
    got += (got.empty() ? "" : " ") + std::to_string(to_int(it->value()).value_or(-1));
  }
  report(clean && got == "0 1 2 3 4", "stream count(5): " + got + (clean ? ", end" : ", error"));
  co_return failures;
}

}  // namespace rpc_demo
