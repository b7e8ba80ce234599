// SPDX-License-Identifier: BSL-1.0
// examples/rpc_browser: an eddy RPC client in a web page. On load it connects to the native
// server (examples/rpc_server) over the browser's WebSocket (rpc::browser_websocket_transport,
// on emscripten_runtime) and runs the demo session of demo_client.hpp, the same source the
// native client runs: calls, a cancelled call whose cancel reaches the server, a stream.
//
// The server is ws://127.0.0.1:<port>/rpc, <port> from the page's query (`?port=8080`), else
// the page's own port. Each step's line goes to the list #results and to the console; when the
// session is over, <body data-done> is set to the number of failures (the browser test,
// tests/browser/rpc.test.mjs, waits for it).
#include <emscripten.h>

#include <cstdio>
#include <eddy/eddy.hpp>
#include <eddy/rpc/client.hpp>
#include <eddy/rpc/emscripten_websocket_transport.hpp>
#include <eddy/runtime/emscripten_runtime.hpp>
#include <string>

#include "demo_client.hpp"

using namespace eddy;

namespace {

// clang-format off
EM_JS(void, page_line, (const char* text), {
  var s = UTF8ToString(text);
  var li = document.createElement("li");
  li.textContent = s;
  li.className = s.indexOf("ok ") === 0 ? "ok" : (s.indexOf("FAIL") === 0 ? "fail" : "info");
  document.getElementById("results").appendChild(li);
  console.log("[page] " + s);
});
EM_JS(void, page_done, (int failures), {
  document.body.dataset.done = String(failures);
  document.getElementById("status").textContent =
      failures === 0 ? "all steps passed" : failures + " step(s) failed";
  console.log("[page] done: " + failures + " failure(s)");
});
// The server's URL: ws://127.0.0.1:<port>/rpc, the port from ?port= or the page's own.
EM_JS(void, page_server_url, (char* buf, int size), {
  var q = new URLSearchParams(window.location.search).get("port");
  var port = q || window.location.port || "8080";
  stringToUTF8("ws://127.0.0.1:" + port + "/rpc", buf, size);
});
// clang-format on

void line(const std::string& s) {
  page_line(s.c_str());
}

task<int> session() {
  char url[128];
  page_server_url(url, sizeof url);
  line(std::string("connecting to ") + url);
  auto t = co_await rpc::browser_websocket_transport::connect(url);
  if (!t) {
    line(std::string("FAIL cannot connect: ") + t.error().message());
    co_return 1;
  }
  line("connected");
  rpc::client<rpc::browser_websocket_transport> c{std::move(t.value())};
  const int failures = co_await rpc_demo::run_demo_client(c, line);
  c.close();
  co_return failures;
}

emscripten_runtime* rt = nullptr;

}  // namespace

int main() {
  rt = new emscripten_runtime;  // lives as long as the page
  rt->start(session(), [](result<int> r) { page_done(r ? r.value() : 1); });
}
