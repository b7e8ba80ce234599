// SPDX-License-Identifier: BSL-1.0
// Real sockets on 127.0.0.1 with eddy tasks on the runtime (one and two threads running the
// io_context): an echo server and its clients, sessions aborted in every phase (accept, connect,
// composed and plain reads, writes) with their buffers as frame locals, thousands of rounds, a
// graceful shutdown that cancels the server's scope while traffic flows, a client that vanishes
// mid-request. Each test runs until `io.run()` returns by itself. Sockets live on strands so
// that composed operations are safe with two threads (Asio's rule).
// Shared by both Asio flavours (see net_test.hpp); include a flavour header first.
#pragma once
#include <array>
#include <atomic>
#include <eddy/runtime.hpp>
#include <string>
#include <thread>
#include <vector>

using namespace eddy;
using namespace std::chrono_literals;
using net::ip::tcp;

// A named namespace, one per case file: anonymous types in a header upset g++'s
// -Wsubobject-linkage.
namespace sockets_cases {

#if defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
constexpr int sanitized = 1;
#else
constexpr int sanitized = 0;
#endif
#else
constexpr int sanitized = 0;
#endif

// An io_context, a runtime over it, and `N` threads in io.run().
template <int N>
struct asio_env {
  static constexpr int threads = N;
  net::io_context io;
  net_runtime rt{io, N};

  net::any_io_executor strand() { return net::make_strand(io); }
  // Spawns `t` and runs the loop on N threads until io.run() returns by itself.
  template <class T>
  result<T> run(task<T> t) {
    auto h = spawn(rt.get_executor(), std::move(t));
    std::vector<std::thread> extra;
    for (int i = 1; i < N; ++i) extra.emplace_back([this] { io.run(); });
    io.run();
    for (auto& th : extra) th.join();
    EXPECT_EQ(rt.live_tasks(), 0u);
    EXPECT_TRUE(h.is_finished());
    return h.try_take();
  }
};

// A listening socket on 127.0.0.1, on its own strand. `backlog` 0 keeps one pending
// connection at most: the next connect stays in progress (the kernel drops its SYN).
tcp::acceptor make_acceptor(net::any_io_executor ex,
                            int backlog = net::socket_base::max_listen_connections) {
  tcp::acceptor acc{ex};
  const tcp::endpoint ep{net::ip::address_v4::loopback(), 0};
  acc.open(ep.protocol());
  acc.set_option(tcp::acceptor::reuse_address(true));
  acc.bind(ep);
  acc.listen(backlog);
  return acc;
}

// Echoes lines until the peer goes away; `served` counts the replies.
task<void> echo_session(tcp::socket s, std::atomic<long>* served) {
  std::string buf;  // frame-local: the composed read grows it in place
  for (;;) {
    auto [ec, n] = co_await net::async_read_until(s, net::dynamic_buffer(buf), '\n', use_task);
    if (ec) co_return;  // end of stream or reset: the client is gone
    auto [wec, wn] = co_await net::async_write(s, net::buffer(buf.data(), n), use_task);
    if (wec) co_return;
    buf.erase(0, n);
    served->fetch_add(1);
  }
}

// Accepts `count` clients (or until the scope is cancelled) and serves each in `sessions`.
task<void> echo_server(tcp::acceptor* acc, net::any_io_executor (*strand)(void*), void* env,
                       scope* sessions, int count, std::atomic<long>* served) {
  for (int i = 0; i < count; ++i) {
    auto [ec, s] = co_await acc->async_accept(strand(env), use_task);
    if (ec) co_return;
    sessions->spawn(echo_session(std::move(s), served)).detach();
  }
}

// Connects and makes `rounds` round trips; gives how many replies matched.
task<int> echo_client(net::any_io_executor ex, tcp::endpoint ep, int rounds) {
  tcp::socket s{ex};
  if (co_await s.async_connect(ep, use_task)) co_return -1;
  std::string in;
  int ok = 0;
  for (int i = 0; i < rounds; ++i) {
    const std::string line = "request " + std::to_string(i) + "\n";
    auto [wec, wn] = co_await net::async_write(s, net::buffer(line), use_task);
    if (wec) co_return ok;
    auto [rec, rn] = co_await net::async_read_until(s, net::dynamic_buffer(in), '\n', use_task);
    if (rec) co_return ok;
    if (in.compare(0, rn, line) == 0) ++ok;
    in.erase(0, rn);
  }
  co_return ok;
}

// Lets the io_context run its handlers `k` times around (a yield_now stays inside eddy's drain).
task<void> let_io_run(net::io_context* io, int k) {
  for (int i = 0; i < k; ++i) co_await net::post(*io, use_task);
}

template <class Env>
net::any_io_executor strand_of(void* env) {
  return static_cast<Env*>(env)->strand();
}

// A connected pair (a: client side, b: server side), each on its own strand.
template <class Env>
task<std::pair<tcp::socket, tcp::socket>> connected_pair(Env* env) {
  auto acc = make_acceptor(env->strand());
  tcp::socket a{env->strand()};
  auto connecting = spawn([](tcp::socket* a, tcp::endpoint ep) -> task<net_error_code> {
    co_return co_await a->async_connect(ep, use_task);
  }(&a, acc.local_endpoint()));
  auto [ec, b] = co_await acc.async_accept(env->strand(), use_task);
  auto cec = co_await connecting;
  EXPECT_FALSE(ec);
  EXPECT_FALSE(cec.value());
  co_return std::pair<tcp::socket, tcp::socket>{std::move(a), std::move(b)};
}

}  // namespace sockets_cases
using namespace sockets_cases;

template <class Env>
class NET_SUITE(sockets) : public ::testing::Test {
 protected:
  Env env;
};
using asio_envs = ::testing::Types<asio_env<1>, asio_env<2>>;
struct env_names {
  template <class E>
  static std::string GetName(int) {
    return std::string(net_name) + (E::threads == 1 ? "1" : "2");
  }
};
NET_TYPED_TEST_SUITE(sockets, asio_envs, env_names);

NET_TYPED_TEST(sockets, echo_server_serves_every_client_and_io_run_returns) {
  auto* env = &this->env;
  std::atomic<long> served{0};
  auto r = env->run([](TypeParam* env, std::atomic<long>* served) -> task<int> {
    constexpr int clients = 8, rounds = 50;
    auto acc = make_acceptor(env->strand());
    scope sessions;
    auto server =
        sessions.spawn(echo_server(&acc, &strand_of<TypeParam>, env, &sessions, clients, served));
    std::vector<join_handle<int>> cs;
    for (int i = 0; i < clients; ++i)
      cs.push_back(spawn(echo_client(env->strand(), acc.local_endpoint(), rounds)));
    int ok = 0;
    for (auto& c : cs) {
      auto v = co_await c;
      ok += v.value();
    }
    (void)co_await server;
    (void)co_await sessions.join();  // the sessions end as their clients hang up
    co_return ok;
  }(env, &served));
  EXPECT_EQ(r.value(), 8 * 50);
  EXPECT_EQ(served.load(), 8 * 50);
}

NET_TYPED_TEST(sockets, abort_mid_accept) {
  std::atomic<int> dropped{0};
  auto r = this->env.run([](TypeParam* env, std::atomic<int>* d) -> task<bool> {
    auto acc = make_acceptor(env->strand());
    auto h =
        spawn([](tcp::acceptor* acc, net::any_io_executor ex, std::atomic<int>* d) -> task<int> {
          drop_counter g{d};
          auto [ec, s] = co_await acc->async_accept(ex, use_task);
          co_return ec ? 1 : 2;
        }(&acc, env->strand(), d));
    for (int i = 0; i < 10; ++i) co_await yield_now();
    h.abort();
    auto v = co_await h;
    // The acceptor is usable again: the cancelled accept is gone.
    auto [pa, pb] = co_await connected_pair(env);
    co_return !v.has_value() && v.error().code() == errc::aborted && d->load() == 1 &&
        pa.is_open() && pb.is_open();
  }(&this->env, &dropped));
  EXPECT_TRUE(r.value());
}

NET_TYPED_TEST(sockets, abort_mid_connect) {
  std::atomic<int> dropped{0};
  auto r = this->env.run([](TypeParam* env, std::atomic<int>* d) -> task<bool> {
    auto acc = make_acceptor(env->strand(), 0);  // never accepts: room for one connection
    tcp::socket first{env->strand()};
    if (co_await first.async_connect(acc.local_endpoint(), use_task)) co_return false;
    auto h = spawn([](net::any_io_executor ex, tcp::endpoint ep, std::atomic<int>* d) -> task<int> {
      drop_counter g{d};
      tcp::socket s{ex};  // frame-local: lives until the connect's completion has run
      auto ec = co_await s.async_connect(ep, use_task);
      co_return ec ? 1 : 2;
    }(env->strand(), acc.local_endpoint(), d));
    for (int i = 0; i < 10; ++i) co_await yield_now();
    const bool pending = !h.is_finished();
    h.abort();
    auto v = co_await h;
    co_return pending && !v.has_value() && v.error().code() == errc::aborted && d->load() == 1;
  }(&this->env, &dropped));
  EXPECT_TRUE(r.value());
}

NET_TYPED_TEST(sockets, abort_mid_composed_read_and_mid_read_some) {
  std::atomic<int> dropped{0};
  auto r = this->env.run([](TypeParam* env, std::atomic<int>* d) -> task<int> {
    auto [a, b] = co_await connected_pair(env);
    // A composed read that already consumed part of a line into its frame-local string.
    auto h1 = spawn([](tcp::socket* s, std::atomic<int>* d) -> task<std::size_t> {
      drop_counter g{d};
      std::string line;
      auto [ec, n] = co_await net::async_read_until(*s, net::dynamic_buffer(line), '\n', use_task);
      co_return n;
    }(&b, d));
    (void)co_await net::async_write(a, net::buffer(std::string("half a line")), use_task);
    for (int i = 0; i < 10; ++i) co_await yield_now();
    h1.abort();
    auto v1 = co_await h1;
    if (v1.has_value() || v1.error().code() != errc::aborted || d->load() != 1) co_return 1;
    // A plain read into a frame-local array.
    auto h2 = spawn([](tcp::socket* s, std::atomic<int>* d) -> task<std::size_t> {
      drop_counter g{d};
      std::array<char, 256> buf;
      auto [ec, n] = co_await s->async_read_some(net::buffer(buf), use_task);
      co_return n;
    }(&b, d));
    for (int i = 0; i < 10; ++i) co_await yield_now();
    h2.abort();
    auto v2 = co_await h2;
    if (v2.has_value() || v2.error().code() != errc::aborted || d->load() != 2) co_return 2;
    // The socket still works: the next line arrives whole.
    (void)co_await net::async_write(a, net::buffer(std::string("end\n")), use_task);
    std::string rest;
    auto [ec, n] = co_await net::async_read_until(b, net::dynamic_buffer(rest), '\n', use_task);
    co_return !ec && rest.substr(0, n).ends_with("end\n") ? 0 : 3;
  }(&this->env, &dropped));
  EXPECT_EQ(r.value(), 0);
}

NET_TYPED_TEST(sockets, abort_mid_write) {
  std::atomic<int> dropped{0};
  auto r = this->env.run([](TypeParam* env, std::atomic<int>* d) -> task<bool> {
    auto [a, b] = co_await connected_pair(env);
    a.set_option(net::socket_base::send_buffer_size(64 * 1024));
    b.set_option(net::socket_base::receive_buffer_size(64 * 1024));
    auto h = spawn([](tcp::socket* s, std::atomic<int>* d) -> task<std::size_t> {
      drop_counter g{d};
      std::vector<char> big(8 << 20, 'x');  // far more than the socket buffers hold
      auto [ec, n] = co_await net::async_write(*s, net::buffer(big), use_task);
      co_return n;
    }(&a, d));
    for (int i = 0; i < 20; ++i) co_await yield_now();
    const bool pending = !h.is_finished();  // b never reads
    h.abort();
    auto v = co_await h;
    co_return pending && !v.has_value() && v.error().code() == errc::aborted && d->load() == 1;
  }(&this->env, &dropped));
  EXPECT_TRUE(r.value());
}

NET_TYPED_TEST(sockets, thousands_of_sessions_aborted_at_every_point) {
  // Each round: a server side (accept, read a line, reply) and a client side (connect, write,
  // read the reply); one of them is aborted after a round-dependent number of yields, the other
  // a little later. Every outcome is an abort or a clean end; nothing leaks or touches freed
  // memory, and io.run() returns.
  const int rounds = sanitized ? 1000 : 3000;
  struct tally {
    int aborted = 0, completed = 0, bad = 0;
  } t;
  auto r = this->env.run([](TypeParam* env, int rounds, tally* t) -> task<bool> {
    for (int i = 0; i < rounds; ++i) {
      auto acc = make_acceptor(env->strand());
      auto server = spawn([](tcp::acceptor* acc, net::any_io_executor ex) -> task<int> {
        auto [ec, s] = co_await acc->async_accept(ex, use_task);
        if (ec) co_return 0;
        std::string buf;
        auto [rec, n] = co_await net::async_read_until(s, net::dynamic_buffer(buf), '\n', use_task);
        if (rec) co_return 0;
        auto [wec, wn] = co_await net::async_write(s, net::buffer(buf.data(), n), use_task);
        co_return wec ? 0 : 1;
      }(&acc, env->strand()));
      auto client = spawn(echo_client(env->strand(), acc.local_endpoint(), 1));
      join_handle<int>* first = i % 2 ? &server : &client;
      join_handle<int>* second = i % 2 ? &client : &server;
      co_await let_io_run(&env->io, i % 23);
      first->abort();
      auto v1 = co_await *first;
      co_await let_io_run(&env->io, i % 5);
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
    }
    co_return true;
  }(&this->env, rounds, &t));
  EXPECT_TRUE(r.value());
  EXPECT_EQ(t.bad, 0);
  EXPECT_GT(t.aborted, rounds / 20);    // the early aborts land inside the I/O
  EXPECT_GT(t.completed, rounds / 20);  // the late ones find the session done
}

NET_TYPED_TEST(sockets, graceful_shutdown_cancels_the_scope_while_traffic_flows) {
  std::atomic<long> served{0};
  auto r = this->env.run([](TypeParam* env, std::atomic<long>* served) -> task<bool> {
    constexpr int clients = 6;
    auto acc = make_acceptor(env->strand());
    scope server;  // the accept loop and every session
    server.spawn(echo_server(&acc, &strand_of<TypeParam>, env, &server, 1000, served)).detach();
    std::vector<join_handle<int>> cs;
    for (int i = 0; i < clients; ++i)
      cs.push_back(spawn(echo_client(env->strand(), acc.local_endpoint(), 1 << 30)));
    while (served->load() < 300) co_await yield_now();
    server.cancel();  // sessions stop mid-read or mid-write, the accept loop mid-accept
    (void)co_await server.join();  // every frame gone: each after its operation completed
    // A client the accept loop had not reached yet sits in the listen backlog, its request
    // unanswered: closing the acceptor resets that connection, so it too sees its end.
    acc.close();
    int total = 0;
    for (auto& c : cs) {
      auto v = co_await c;  // each client sees its connection end
      if (!v.has_value()) co_return false;
      total += v.value();
    }
    co_return total >= 300 && server.size() == 0;
  }(&this->env, &served));
  EXPECT_TRUE(r.value());
}

NET_TYPED_TEST(sockets, a_client_vanishing_mid_request_ends_only_its_session) {
  std::atomic<long> served{0};
  auto r = this->env.run([](TypeParam* env, std::atomic<long>* served) -> task<int> {
    auto acc = make_acceptor(env->strand());
    scope sessions;
    sessions.spawn(echo_server(&acc, &strand_of<TypeParam>, env, &sessions, 2, served)).detach();
    {
      tcp::socket s{env->strand()};
      if (co_await s.async_connect(acc.local_endpoint(), use_task)) co_return -1;
      (void)co_await net::async_write(s, net::buffer(std::string("half a requ")), use_task);
    }  // gone without finishing the line
    auto v = co_await spawn(echo_client(env->strand(), acc.local_endpoint(), 20));
    const int ok = v.value();
    (void)co_await sessions.join();
    co_return ok;
  }(&this->env, &served));
  EXPECT_EQ(r.value(), 20);
  EXPECT_EQ(served.load(), 20);
}
