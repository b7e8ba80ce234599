// SPDX-License-Identifier: BSL-1.0
// libuv TCP through eddy/uv/ on 127.0.0.1, tasks on uv_runtime: an echo server and its clients,
// sessions aborted in every phase (accept, connect, read, write) with their buffers as frame
// locals, thousands of rounds, a graceful shutdown that cancels the server's scope while
// traffic flows, a client that vanishes mid-request, time-outs and tokens around libuv
// requests, tasks on a thread pool using the loop, and the runtime's destructor. Each test runs
// until `uv_run` returns by itself and `uv_loop_close` succeeds (no handle left open).
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <eddy/runtime.hpp>
#include <eddy/runtime/uv_runtime.hpp>
#include <eddy/runtime/with_cancellation.hpp>
#include <eddy/sync/notify.hpp>
#include <eddy/uv/error.hpp>
#include <eddy/uv/tcp.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace eddy_test::uv_socket_test {

using namespace eddy;
using namespace std::chrono_literals;

namespace {

#if defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
constexpr bool sanitized = true;
#else
constexpr bool sanitized = false;
#endif
#else
constexpr bool sanitized = false;
#endif

// A loop with a runtime; the runtime goes first, then the loop must close cleanly.
struct uv_env {
  uv_loop_t loop;
  std::optional<uv_runtime> rt;
  uv_env() {
    uv_loop_init(&loop);
    rt.emplace(&loop);
  }
  ~uv_env() {
    rt.reset();
    uv_run(&loop, UV_RUN_DEFAULT);  // close callbacks
    EXPECT_EQ(uv_loop_close(&loop), 0);
  }
  // Spawns `t` and runs the loop until uv_run returns by itself.
  template <class T>
  result<T> run(task<T> t) {
    auto h = spawn(rt->get_executor(), std::move(t));
    uv_run(&loop, UV_RUN_DEFAULT);
    EXPECT_EQ(rt->live_tasks(), 0u);
    EXPECT_TRUE(h.is_finished());
    return h.try_take();
  }
};

sockaddr_in loopback(int port) {
  sockaddr_in a{};
  uv_ip4_addr("127.0.0.1", port, &a);
  return a;
}

struct drop_counter {
  std::atomic<int>* n;
  ~drop_counter() { n->fetch_add(1); }
};

// Reads up to and including '\n' into `line` (kept across calls); false at the end or on error.
task<bool> read_line(uv::tcp_stream* s, std::string* pending, std::string* line) {
  for (;;) {
    const auto nl = pending->find('\n');
    if (nl != std::string::npos) {
      *line = pending->substr(0, nl + 1);
      pending->erase(0, nl + 1);
      co_return true;
    }
    std::array<char, 256> buf;  // frame-local
    auto n = co_await s->read(buf);
    if (!n || *n == 0) co_return false;
    pending->append(buf.data(), *n);
  }
}

task<bool> write_all(uv::tcp_stream* s, const std::string& data) {
  auto w = co_await s->write(std::span<const char>(data.data(), data.size()));
  co_return w.has_value();
}

task<void> echo_session(uv::tcp_stream s, std::atomic<long>* served) {
  std::string pending, line;
  while (co_await read_line(&s, &pending, &line)) {
    if (!co_await write_all(&s, line)) co_return;
    served->fetch_add(1);
  }
}

task<void> echo_server(uv::tcp_listener* l, scope* sessions, int count, std::atomic<long>* served) {
  for (int i = 0; i < count; ++i) {
    auto s = co_await l->accept();
    if (!s) co_return;
    sessions->spawn(echo_session(std::move(*s), served)).detach();
  }
}

task<int> echo_client(uv_runtime* rt, int port, int rounds) {
  auto s = co_await uv::connect(*rt, loopback(port));
  if (!s) co_return -1;
  std::string pending, line;
  int ok = 0;
  for (int i = 0; i < rounds; ++i) {
    const std::string req = "request " + std::to_string(i) + "\n";
    if (!co_await write_all(&*s, req)) co_return ok;
    if (!co_await read_line(&*s, &pending, &line)) co_return ok;
    if (line == req) ++ok;
  }
  co_return ok;
}

task<uv::tcp_listener> must_listen(uv_runtime* rt, int backlog = 128) {
  auto l = co_await uv::listen(*rt, loopback(0), backlog);
  EXPECT_TRUE(l.has_value());
  co_return std::move(*l);
}

task<result<uv::tcp_stream>> connect_task(uv_runtime* rt, int port) {
  co_return co_await uv::connect(*rt, loopback(port));
}

// A connected pair: first the client side, then the server side.
task<std::pair<uv::tcp_stream, uv::tcp_stream>> connected_pair(uv_runtime* rt) {
  auto l = co_await must_listen(rt);
  auto c = spawn(connect_task(rt, l.port()));
  auto s = co_await l.accept();
  auto cs = co_await c;
  EXPECT_TRUE(s.has_value());
  EXPECT_TRUE(cs.has_value() && cs->has_value());
  co_return std::pair<uv::tcp_stream, uv::tcp_stream>{std::move(**cs), std::move(*s)};
}

// One turn of the loop (its I/O polled once): a libuv timer of 0 ms, awaited until its close
// callback. For tasks on the uv_runtime (the loop's thread). A yield_now would stay inside the
// runtime's cycle, and eddy's sleeps have libuv's millisecond granularity.
class loop_turn {
 public:
  explicit loop_turn(uv_loop_t* l) noexcept : loop_(l) {}
  bool await_ready() const noexcept { return false; }
  void await_suspend(coro::coroutine_handle<> h) noexcept {
    w_ = detail::suspend_here(h);
    uv_timer_init(loop_, &timer_);
    timer_.data = this;
    uv_timer_start(
        &timer_,
        [](uv_timer_t* t) {
          uv_close(reinterpret_cast<uv_handle_t*>(t),
                   [](uv_handle_t* h) { static_cast<loop_turn*>(h->data)->w_.wake(); });
        },
        0, 0);
  }
  void await_resume() noexcept {}

 private:
  uv_loop_t* loop_;
  uv_timer_t timer_;
  waker w_;
};

// Lets the loop poll for I/O `k` times.
task<void> let_loop_run(int k) {
  for (int i = 0; i < k; ++i)
    co_await loop_turn{static_cast<uv_runtime*>(current_executor().get())->loop()};
}

}  // namespace

TEST(uv_sockets, echo_server_serves_every_client_and_uv_run_returns) {
  uv_env env;
  std::atomic<long> served{0};
  auto r = env.run([](uv_runtime* rt, std::atomic<long>* served) -> task<int> {
    constexpr int clients = 8, rounds = 50;
    auto l = co_await must_listen(rt);
    scope sessions;
    auto server = sessions.spawn(echo_server(&l, &sessions, clients, served));
    std::vector<join_handle<int>> cs;
    for (int i = 0; i < clients; ++i) cs.push_back(spawn(echo_client(rt, l.port(), rounds)));
    int ok = 0;
    for (auto& c : cs) {
      auto v = co_await c;
      ok += v.value();
    }
    (void)co_await server;
    (void)co_await sessions.join();
    co_return ok;
  }(&*env.rt, &served));
  EXPECT_EQ(r.value(), 8 * 50);
  EXPECT_EQ(served.load(), 8 * 50);
}

TEST(uv_sockets, connect_to_a_closed_port_gives_an_informative_error) {
  uv_env env;
  auto r = env.run([](uv_runtime* rt) -> task<bool> {
    int port;
    {
      auto l = co_await must_listen(rt);
      port = l.port();
      (void)co_await l.close();
    }
    auto s = co_await uv::connect(*rt, loopback(port));
    co_return !s && s.error().code() == errc::io && uv::status_of(s.error()) == UV_ECONNREFUSED &&
        std::string(s.error().message()) == uv_strerror(UV_ECONNREFUSED);
  }(&*env.rt));
  EXPECT_TRUE(r.value());
}

TEST(uv_sockets, abort_mid_accept_leaves_the_listener_usable) {
  uv_env env;
  std::atomic<int> dropped{0};
  auto r = env.run([](uv_runtime* rt, std::atomic<int>* d) -> task<bool> {
    auto l = co_await must_listen(rt);
    auto h = spawn([](uv::tcp_listener* l, std::atomic<int>* d) -> task<bool> {
      drop_counter g{d};
      auto s = co_await l->accept();
      co_return s.has_value();
    }(&l, d));
    co_await let_loop_run(5);
    h.abort();
    auto v = co_await h;
    // A connection that arrives now waits for the next accept.
    auto c = spawn(connect_task(rt, l.port()));
    auto s = co_await l.accept();
    auto cs = co_await c;
    co_return !v.has_value() && v.error().code() == errc::aborted && d->load() == 1 &&
        s.has_value() && cs.value().has_value();
  }(&*env.rt, &dropped));
  EXPECT_TRUE(r.value());
}

TEST(uv_sockets, abort_mid_connect) {
  uv_env env;
  std::atomic<int> dropped{0};
  auto r = env.run([](uv_runtime* rt, std::atomic<int>* d) -> task<bool> {
    // Never accepts: libuv takes one connection off the kernel's queue and holds it, the queue
    // (backlog 0) holds one more, and the next connect stays in progress (its SYN is dropped).
    auto l = co_await must_listen(rt, 0);
    std::vector<uv::tcp_stream> held;
    for (int i = 0; i < 4; ++i) {
      auto h = spawn([](uv_runtime* rt, int port, std::atomic<int>* d) -> task<uv::tcp_stream> {
        drop_counter g{d};
        auto s = co_await uv::connect(*rt, loopback(port));
        co_return s ? std::move(*s) : uv::tcp_stream{};
      }(rt, l.port(), d));
      co_await let_loop_run(5);
      if (h.is_finished()) {  // connected: the queue had room
        auto v = co_await h;
        held.push_back(std::move(v).value());
        continue;
      }
      const int before = d->load();
      h.abort();
      auto v = co_await h;
      co_return held.size() >= 1 && !v.has_value() && v.error().code() == errc::aborted &&
          d->load() == before + 1;
    }
    co_return false;  // every connect completed: nothing was in progress
  }(&*env.rt, &dropped));
  EXPECT_TRUE(r.value());
}

TEST(uv_sockets, abort_mid_read_keeps_the_stream_usable) {
  uv_env env;
  std::atomic<int> dropped{0};
  auto r = env.run([](uv_runtime* rt, std::atomic<int>* d) -> task<bool> {
    auto [a, b] = co_await connected_pair(rt);
    auto h = spawn([](uv::tcp_stream* s, std::atomic<int>* d) -> task<std::size_t> {
      drop_counter g{d};
      std::array<char, 64> buf;  // frame-local: libuv writes into it
      auto n = co_await s->read(buf);
      co_return n.value();
    }(&b, d));
    co_await let_loop_run(5);
    h.abort();
    auto v = co_await h;
    if (v.has_value() || d->load() != 1) co_return false;
    if (!co_await write_all(&a, "after\n")) co_return false;
    std::string pending, line;
    const bool got = co_await read_line(&b, &pending, &line);
    co_return got&& line == "after\n";
  }(&*env.rt, &dropped));
  EXPECT_TRUE(r.value());
}

TEST(uv_sockets, abort_mid_write_closes_the_stream_after_the_callback) {
  uv_env env;
  std::atomic<int> dropped{0};
  auto r = env.run([](uv_runtime* rt, std::atomic<int>* d) -> task<bool> {
    auto [a, b] = co_await connected_pair(rt);
    auto h = spawn([](uv::tcp_stream* s, std::atomic<int>* d) -> task<bool> {
      drop_counter g{d};
      std::vector<char> big(32 << 20, 'x');  // far more than the socket buffers hold
      auto w = co_await s->write(big);
      co_return w.has_value();
    }(&a, d));
    co_await let_loop_run(10);
    const bool pending = !h.is_finished();  // b never reads
    h.abort();
    auto v = co_await h;
    // libuv cannot take a write back: the stream was closed for it.
    auto again = co_await a.write(std::span<const char>("x", 1));
    co_return pending && !v.has_value() && v.error().code() == errc::aborted && d->load() == 1 &&
        !again && again.error().code() == errc::closed;
  }(&*env.rt, &dropped));
  EXPECT_TRUE(r.value());
}

TEST(uv_sockets, thousands_of_sessions_aborted_at_every_point) {
  uv_env env;
  const int rounds = sanitized ? 1000 : 3000;
  struct tally {
    int aborted = 0, completed = 0, bad = 0;
  } t;
  auto r = env.run([](uv_runtime* rt, int rounds, tally* t) -> task<bool> {
    auto l = co_await must_listen(rt);
    for (int i = 0; i < rounds; ++i) {
      auto server = spawn([](uv::tcp_listener* l) -> task<int> {
        auto s = co_await l->accept();
        if (!s) co_return 0;
        std::string pending, line;
        if (!co_await read_line(&*s, &pending, &line)) co_return 0;
        co_return co_await write_all(&*s, line) ? 1 : 0;
      }(&l));
      auto client = spawn(echo_client(rt, l.port(), 1));
      join_handle<int>* first = i % 2 ? &server : &client;
      join_handle<int>* second = i % 2 ? &client : &server;
      co_await let_loop_run(i % 7);
      first->abort();
      auto v1 = co_await *first;
      co_await let_loop_run(i % 3);
      second->abort();
      auto v2 = co_await *second;
      for (auto* v : {&v1, &v2}) {
        if (!v->has_value() && v->error().code() == errc::aborted)
          ++t->aborted;
        else if (v->has_value())
          ++t->completed;
        else
          ++t->bad;
      }
      // A client aborted before the server accepted leaves a connection in the backlog: take
      // it out so that the next round's server meets its own client.
      while (true) {
        auto stale = co_await timeout(0ms, l.accept());
        if (!stale || !stale->has_value()) break;
      }
    }
    co_return true;
  }(&*env.rt, rounds, &t));
  EXPECT_TRUE(r.value());
  EXPECT_EQ(t.bad, 0);
  EXPECT_GT(t.aborted, rounds / 20);
  EXPECT_GT(t.completed, rounds / 20);
}

TEST(uv_sockets, graceful_shutdown_cancels_the_scope_while_traffic_flows) {
  uv_env env;
  std::atomic<long> served{0};
  auto r = env.run([](uv_runtime* rt, std::atomic<long>* served) -> task<bool> {
    constexpr int clients = 6;
    auto l = co_await must_listen(rt);
    scope server;
    server.spawn(echo_server(&l, &server, 1000, served)).detach();
    std::vector<join_handle<int>> cs;
    for (int i = 0; i < clients; ++i) cs.push_back(spawn(echo_client(rt, l.port(), 1 << 30)));
    while (served->load() < 300) co_await yield_now();
    server.cancel();
    (void)co_await server.join();
    int total = 0;
    for (auto& c : cs) {
      auto v = co_await c;
      if (!v) co_return false;
      total += v.value();
    }
    co_return total >= 300 && server.size() == 0;
  }(&*env.rt, &served));
  EXPECT_TRUE(r.value());
}

TEST(uv_sockets, a_client_vanishing_mid_request_ends_only_its_session) {
  uv_env env;
  std::atomic<long> served{0};
  auto r = env.run([](uv_runtime* rt, std::atomic<long>* served) -> task<int> {
    auto l = co_await must_listen(rt);
    scope sessions;
    sessions.spawn(echo_server(&l, &sessions, 2, served)).detach();
    {
      auto s = co_await uv::connect(*rt, loopback(l.port()));
      if (!s || !co_await write_all(&*s, "half a requ")) co_return -1;
    }  // gone without finishing the line
    auto v = co_await spawn(echo_client(rt, l.port(), 20));
    const int ok = v.value();
    (void)co_await sessions.join();
    co_return ok;
  }(&*env.rt, &served));
  EXPECT_EQ(r.value(), 20);
  EXPECT_EQ(served.load(), 20);
}

TEST(uv_sockets, timeout_and_token_around_a_read_wait_for_libuv) {
  uv_env env;
  auto r = env.run([](uv_runtime* rt) -> task<bool> {
    auto [a, b] = co_await connected_pair(rt);
    std::array<char, 16> buf;
    auto t1 = co_await timeout(2ms, b.read(buf));
    auto t0 = co_await timeout(0ms, b.read(buf));  // started, then cancelled at once
    cancellation_token tok;
    auto canceller = spawn([](cancellation_token t) -> task<void> {
      co_await sleep(1ms);
      t.cancel();
    }(tok));
    auto t2 = co_await with_cancellation(tok, b.read(buf));
    (void)co_await canceller;
    if (!co_await write_all(&a, "x\n")) co_return false;
    auto n = co_await b.read(buf);  // the stream is fine
    co_return !t1 && !t0 && !t2 && n && *n == 2;
  }(&*env.rt));
  EXPECT_TRUE(r.value());
}

TEST(uv_sockets, tasks_on_a_thread_pool_use_a_loop_run_by_another_thread) {
  // The loop's thread runs a server on uv_runtime; clients on a thread pool connect, write and
  // read through the same runtime (their libuv calls are posted to the loop's thread), and one
  // of them is aborted mid-read from the pool.
  std::atomic<uv_runtime*> rt_ptr{nullptr};
  std::atomic<int> port{0};
  notify clients_done;
  std::atomic<long> served{0};
  std::thread loop_thread([&] {
    uv_env env;
    rt_ptr.store(&*env.rt);
    auto r = env.run([](std::atomic<int>* port, notify* done, std::atomic<long>* served,
                        uv_runtime* rt) -> task<bool> {
      auto l = co_await must_listen(rt);
      scope sessions;
      sessions.spawn(echo_server(&l, &sessions, 1000, served)).detach();
      port->store(l.port());
      co_await done->notified();
      sessions.cancel();
      (void)co_await sessions.join();
      co_return true;
    }(&port, &clients_done, &served, &*env.rt));
    EXPECT_TRUE(r.value());
  });
  while (port.load() == 0) std::this_thread::yield();
  {
    thread_pool pool{2};
    auto ok = pool.block_on([](uv_runtime* rt, int port) -> task<bool> {
      std::vector<join_handle<int>> cs;
      for (int i = 0; i < 4; ++i) cs.push_back(spawn(echo_client(rt, port, 25)));
      auto reader = spawn([](uv_runtime* rt, int port) -> task<int> {
        auto s = co_await uv::connect(*rt, loopback(port));
        if (!s) co_return -1;
        std::array<char, 32> buf;
        auto n = co_await s->read(buf);  // the server echoes nothing: aborted here
        co_return n ? 1 : 2;
      }(rt, port));
      int ok = 0;
      for (auto& c : cs) {
        auto v = co_await c;
        ok += v.value();
      }
      reader.abort();
      auto rv = co_await reader;
      co_return ok == 100 && !rv && rv.error().code() == errc::aborted;
    }(rt_ptr.load(), port.load()));
    EXPECT_TRUE(ok);
  }
  clients_done.notify_one();
  loop_thread.join();
  EXPECT_EQ(served.load(), 100);
}

TEST(uv_sockets, destroying_the_runtime_waits_for_a_pending_write) {
  std::atomic<int> dropped{0}, started{0};
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    std::optional<std::pair<uv::tcp_stream, uv::tcp_stream>> pair;  // outlives the runtime
    uv_runtime rt{&loop};
    pair.emplace(rt.block_on(connected_pair(&rt)));
    spawn(rt.get_executor(),
          [](uv::tcp_stream* s, std::atomic<int>* d, std::atomic<int>* st) -> task<void> {
            drop_counter g{d};
            std::vector<char> big(32 << 20, 'x');
            st->fetch_add(1);
            (void)co_await s->write(big);
          }(&pair->first, &dropped, &started))
        .detach();
    while (started.load() == 0) uv_run(&loop, UV_RUN_NOWAIT);
    uv_run(&loop, UV_RUN_NOWAIT);
    // ~uv_runtime: aborts the task, closes the stream for the write and turns the loop until
    // the write's callback has run; only then is the frame (and `big`) destroyed.
  }
  EXPECT_EQ(dropped.load(), 1);
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

}  // namespace eddy_test::uv_socket_test
