// SPDX-License-Identifier: BSL-1.0
// examples/rpc: a request/response session, the core of an RPC layer, written once on eddy's
// runtime-agnostic primitives and run unchanged on every runtime that is built (local_runtime,
// thread_pool, sim_runtime, asio_runtime / uv_runtime) and, compiled to WebAssembly, on
// emscripten_runtime under node (the JavaScript event loop; main returns at once there).
//
// - A call is a `request` sent to the server over a bounded `mpsc` channel; it carries an
//   `oneshot` sender for the reply. The client awaits the reply under a `timeout`.
// - The server handles every request in its own task (a `scope` of them, joined at the end).
// - A call that is given up (timed out, its task aborted, or its cancellation_token cancelled)
//   leaves nothing behind: its frames are destroyed, which drops the oneshot receiver. The
//   server sees that: a long job checks `reply.is_closed()` between steps and stops early; a
//   short one finds out when `send` hands its answer back with errc::closed.
//
// Every line printed depends only on the data (the timings have wide margins: a job step is
// 10 ms, a client gives up after 35 ms), so all runtimes print the same lines. The program
// compares them with the expected ones; exit status 0 = all match (ctest: example_rpc).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "eddy/eddy.hpp"
#ifdef __EMSCRIPTEN__
#include <emscripten.h>

#include "eddy/runtime/emscripten_runtime.hpp"
#else
#include "../tour/tour_runtimes.hpp"  // local, thread_pool, sim, and asio / uv when built
#endif

using namespace eddy;
using namespace std::chrono_literals;

namespace {

// ---- the protocol ----------------------------------------------------------------------------

struct request {
  int id;
  std::string method;
  int arg;
  oneshot::sender<result<int>> reply;  // the answer: a value or an error value
};

// ---- the server ------------------------------------------------------------------------------

std::atomic<int> handlers_running{0};  // server side: handler tasks alive

int square(int x) {
  return x * x;
}

// The methods. `sum_to` is a long job in 10 ms steps that stops when nobody waits any more.
task<result<int>> compute(const request& req) {
  if (req.method == "square") co_return square(req.arg);
  if (req.method == "half") {
    if (req.arg % 2 != 0) co_return error{errc::user, 0, "half: odd number"};
    co_return req.arg / 2;
  }
  if (req.method == "slow_square") {
    co_await sleep(20ms);
    co_return square(req.arg);
  }
  if (req.method == "sum_to") {
    int sum = 0;
    for (int i = 1; i <= req.arg; ++i) {
      if (req.reply.is_closed()) co_return error{errc::aborted, 0, "caller gone"};
      co_await sleep(10ms);
      sum += i;
    }
    co_return sum;
  }
  co_return error{errc::invalid_argument, 0, "no such method"};
}

// One request. `log` gets a line when the caller turned out to be gone (for the demo to print).
task<void> handle(request req, mpsc::sender<std::string> log) {
  ++handlers_running;
  result<int> out = co_await compute(req);
  std::string note;
  if (!out && out.error().code() == errc::aborted) {
    note = "stopped early: caller gone";  // sum_to saw reply.is_closed()
  } else if (auto sent = req.reply.send(std::move(out)); !sent) {
    note = "answer handed back by send: caller gone";  // it gave up while we were working
  }
  --handlers_running;
  if (!note.empty())
    (void)log.try_send("    server noticed #" + std::to_string(req.id) + " " + req.method + ": " +
                       note);
}

// Runs until every client sender is gone, then waits for its handlers. Gives the request count.
task<int> serve(mpsc::receiver<request> rx, mpsc::sender<std::string> log) {
  scope handlers;
  int n = 0;
  while (auto req = co_await rx.recv()) {
    ++n;
    handlers.spawn(handle(std::move(*req), log));  // each handler its own copy of the sender
  }
  (void)co_await handlers.join();
  co_return n;
}

// ---- the client ------------------------------------------------------------------------------

std::atomic<int> calls_in_flight{0};  // call frames alive (shows that a cancelled call is gone)

class client {
 public:
  explicit client(mpsc::sender<request> tx) : tx_(std::move(tx)) {}

  /// `method(arg)` on the server: its answer, or errc::timed_out after `limit` (the reply is
  /// then dropped, which the server notices), or errc::closed if the server is gone.
  task<result<int>> call(std::string method, int arg, duration limit) {
    struct in_flight {  // counts this frame; its destructor runs even if the call is cancelled
      in_flight() { ++calls_in_flight; }
      ~in_flight() { --calls_in_flight; }
    } guard;
    auto [reply_tx, reply_rx] = oneshot::channel<result<int>>();
    // A named variable, not `send(request{...})`: g++ 12 destroys a braced aggregate temporary
    // in a co_await operand wrongly (a bad free of its std::string).
    request req{++last_id_, std::move(method), arg, std::move(reply_tx)};
    mpsc::sender<request> tx = tx_;  // a copy per call: calls may run on several threads
    auto sent = co_await tx.send(std::move(req));
    if (!sent) co_return error{errc::closed, 0, "server gone"};
    auto reply = co_await timeout(limit, reply_rx.recv());
    if (!reply) co_return error{errc::timed_out};
    if (!reply->has_value()) co_return error{errc::closed, 0, "server dropped the call"};
    co_return std::move(*reply).value();
  }

 private:
  mpsc::sender<request> tx_;
  std::atomic<int> last_id_{0};
};

std::string answer(const result<int>& r) {
  return r ? std::to_string(r.value()) : std::string("error: ") + r.error().message();
}
std::string show(const char* what, const result<int>& r) {
  return std::string("  ") + what + " -> " + answer(r);
}

// What joining a call's task gave: the call's result, or the task's own error (aborted).
result<int> joined(const result<result<int>>& r) {
  return r ? r.value() : result<int>(r.error());
}

task<void> cancel_after(cancellation_token t, duration d) {
  co_await sleep(d);
  t.cancel();
}

// ---- the session -----------------------------------------------------------------------------

task<std::vector<std::string>> session() {
  std::vector<std::string> out;
  auto [tx, rx] = mpsc::channel<request>(16);
  auto [log_tx, log_rx] = mpsc::unbounded_channel<std::string>();
  auto server = spawn(serve(std::move(rx), std::move(log_tx)));
  {
    client c{std::move(tx)};
    out.push_back("answers and error values:");
    auto r1 = co_await c.call("square", 7, 1s);
    out.push_back(show("#1 square(7)", r1));
    auto r2 = co_await c.call("half", 7, 1s);
    out.push_back(show("#2 half(7)", r2));
    auto r3 = co_await c.call("frobnicate", 1, 1s);
    out.push_back(show("#3 frobnicate(1)", r3));
    auto r4 = co_await c.call("slow_square", 12, 1s);
    out.push_back(show("#4 slow_square(12), 1 s allowed", r4));

    out.push_back("three calls at once (joined in order):");
    auto a = spawn(c.call("slow_square", 3, 1s));
    auto b = spawn(c.call("square", 4, 1s));
    auto d = spawn(c.call("sum_to", 3, 1s));
    auto ra = co_await a, rb = co_await b, rd = co_await d;
    out.push_back("  slow_square(3) -> " + answer(joined(ra)) + ", square(4) -> " +
                  answer(joined(rb)) + ", sum_to(3) -> " + answer(joined(rd)));

    out.push_back("calls given up (each leaves nothing behind; the server notices):");
    auto r8 = co_await c.call("slow_square", 9, 5ms);  // the server needs 20 ms
    out.push_back(show("#8 slow_square(9), 5 ms allowed", r8));
    auto n8 = co_await log_rx.recv();
    out.push_back(n8.value_or("?"));

    auto r9 = co_await c.call("sum_to", 1000, 35ms);  // ten seconds of work
    out.push_back(show("#9 sum_to(1000), 35 ms allowed", r9));
    auto n9 = co_await log_rx.recv();
    out.push_back(n9.value_or("?"));

    auto h = spawn(c.call("sum_to", 1000, 1h));
    co_await sleep(35ms);
    h.abort();  // the call's frames are destroyed where they wait
    auto r10 = co_await h;
    out.push_back(show("#10 sum_to(1000), its task aborted after 35 ms", joined(r10)));
    auto n10 = co_await log_rx.recv();
    out.push_back(n10.value_or("?"));

    cancellation_token tok;
    spawn(cancel_after(tok, 35ms)).detach();
    auto r11 = co_await with_cancellation(tok, c.call("sum_to", 1000, 1h));
    out.push_back(std::string("  #11 sum_to(1000), token cancelled after 35 ms -> ") +
                  (r11 ? "an answer?" : "cancelled"));
    auto n11 = co_await log_rx.recv();
    out.push_back(n11.value_or("?"));
    out.push_back("  calls in flight on the client: " + std::to_string(calls_in_flight.load()) +
                  ", handlers running on the server: " + std::to_string(handlers_running.load()));
  }  // the client (the last request sender) is gone: the server's loop ends
  auto n = co_await server;
  out.push_back("server stopped after " + std::to_string(n.value()) + " requests");
  co_return out;
}

const std::vector<std::string> expected = {
    "answers and error values:",
    "  #1 square(7) -> 49",
    "  #2 half(7) -> error: half: odd number",
    "  #3 frobnicate(1) -> error: no such method",
    "  #4 slow_square(12), 1 s allowed -> 144",
    "three calls at once (joined in order):",
    "  slow_square(3) -> 9, square(4) -> 16, sum_to(3) -> 6",
    "calls given up (each leaves nothing behind; the server notices):",
    "  #8 slow_square(9), 5 ms allowed -> error: timed out",
    "    server noticed #8 slow_square: answer handed back by send: caller gone",
    "  #9 sum_to(1000), 35 ms allowed -> error: timed out",
    "    server noticed #9 sum_to: stopped early: caller gone",
    "  #10 sum_to(1000), its task aborted after 35 ms -> error: aborted",
    "    server noticed #10 sum_to: stopped early: caller gone",
    "  #11 sum_to(1000), token cancelled after 35 ms -> cancelled",
    "    server noticed #11 sum_to: stopped early: caller gone",
    "  calls in flight on the client: 0, handlers running on the server: 0",
    "server stopped after 11 requests",
};

bool check(const char* name, const std::vector<std::string>& lines, long long wall_ms) {
  std::printf("== %s: %lld ms of wall time\n", name, wall_ms);  // "==": not a result line
  for (auto& l : lines) std::printf("%s\n", l.c_str());
  if (lines == expected) return true;
  std::printf("== %s printed something else than expected\n", name);
  return false;
}

}  // namespace

#ifdef __EMSCRIPTEN__
// WebAssembly: main starts the session on the JavaScript event loop and returns; node runs the
// loop and exits with the code set when the session is done (3 if it never finishes).
int main() {
  EM_ASM({ process.exitCode = 3; });
  static emscripten_runtime rt;
  static double t0 = emscripten_get_now();
  rt.start(session(), [](result<std::vector<std::string>>&& r) {
    const bool ok = r.has_value() && check("emscripten_runtime", r.value(),
                                           static_cast<long long>(emscripten_get_now() - t0));
    std::printf("== %s\n", ok ? "the expected lines" : "OUTPUT DIFFERS");
    EM_ASM({ process.exitCode = $0; }, ok ? 0 : 1);
  });
}
#else
int main() {
  int runs = 0, wrong = 0;
  eddy_tour::for_each_runtime([&](const char* name, auto&& run) {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::string> lines = run(session());
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    ++runs;
    if (!check(name, lines, static_cast<long long>(ms))) ++wrong;
  });
  std::printf("== %d runtimes: %s\n", runs,
              wrong == 0 ? "every runtime printed the expected lines" : "OUTPUT DIFFERS");
  return wrong == 0 ? 0 : 1;
}
#endif
