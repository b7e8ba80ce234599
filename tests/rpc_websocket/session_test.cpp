// SPDX-License-Identifier: BSL-1.0
// The RPC session (rpc::client, rpc::serve) over rpc::beast_websocket_transport on 127.0.0.1,
// native client and native server on one boost_asio_runtime: calls and concurrent calls, a
// cancel (an aborted call, a time-out) reaching the server and aborting its handler, a stream
// with a slow consumer held within the window, a server closed mid-call (errc::closed for the
// call and the stream), and a reconnect. Waits for the other side are bounded loops of
// io_context turns, never sleeps.
#include "rpc_websocket/ws_env.hpp"
// (the env header first: it orders the standard library before Asio)
#include <boost/asio/post.hpp>
#include <eddy/rpc/client.hpp>
#include <eddy/rpc/server.hpp>

#include "rpc/rpc_test_methods.hpp"

namespace eddy_test::rpc_websocket_session_test {

using namespace eddy;
using namespace eddy::rpc;
using namespace ws_test;
using namespace std::chrono_literals;
using rpc_test::num;
using rpc_test::probe;

namespace {

using wclient = client<transport>;

// Turns the io_context until `pred()` holds, at most 100000 turns; gives `pred()`.
template <class P>
task<bool> eventually(net::io_context* io, P pred) {
  for (int i = 0; i < 100000 && !pred(); ++i) co_await net::post(*io, use_task);
  co_return pred();
}

// Accepts one WebSocket connection and serves it with `m` until it ends.
task<server_stats> serve_one(tcp::acceptor* acc, const methods* m) {
  auto t = co_await accept_one(acc);
  if (!t.has_value()) co_return server_stats{};
  co_return co_await serve(std::move(t.value()), *m);
}

// A client connected to `acc` (a server must be accepting there).
task<result<transport>> dial(net::io_context* io, tcp::acceptor* acc) {
  co_return co_await transport::connect(io->get_executor(), acc->local_endpoint());
}

// The served side of a session.
using server_task = join_handle<server_stats>;

}  // namespace

// Every test gets the methods with their probe (`p`, `ms`) and the env `e`; a session is a
// server of the methods on an acceptor and a client connected to it.
class beast_websocket_session : public ::testing::Test {
 protected:
  // Runs `body(server, c)` on the env's runtime with a session on a new acceptor, the client
  // made with `o`.
  template <class F>
  void run_session(F body, client_options o = {}) {
    auto r = e.run([](beast_websocket_session* self, F* body, client_options o) -> task<void> {
      auto acc = make_acceptor(self->e.io);
      co_await self->session_on(&acc, *body, o);
    }(this, &body, o));
    EXPECT_TRUE(r.has_value());
  }
  // A session on `acc`: starts the server, connects the client, then `co_await body(server, c)`.
  template <class F>
  task<void> session_on(tcp::acceptor* acc, F& body, client_options o = {}) {
    auto server = spawn(serve_one(acc, &ms));
    auto t = co_await dial(&e.io, acc);
    CO_ASSERT_TRUE(t.has_value());
    wclient c{std::move(t.value()), o};
    co_await body(server, c);
  }
  probe p;
  methods ms = rpc_test::make_methods(&p);
  env e;
};

TEST_F(beast_websocket_session, calls_errors_and_concurrent_calls) {
  run_session([this](server_task& server, wclient& c) -> task<void> {
    auto sq = co_await c.call("square", from_int(12));
    EXPECT_EQ(num(sq.value()), 144);
    auto f = co_await c.call("fail", from_int(5));
    CO_ASSERT_FALSE(f.has_value());
    EXPECT_EQ(f.error().code(), errc::user);
    EXPECT_EQ(f.error().count(), 5u);
    constexpr int n = 500;  // all in flight on one connection
    task_set<bool> calls;
    for (int i = 0; i < n; ++i)
      calls.spawn([](wclient* c, int i) -> task<bool> {
        auto r = co_await c->call("slow_square", from_int(i), 10s);
        co_return r.has_value() && num(r.value()) == std::int64_t{i} * i;
      }(&c, i));
    int ok = 0;
    while (auto one = co_await calls.join_next()) ok += one->value() ? 1 : 0;
    EXPECT_EQ(ok, n);
    EXPECT_GT(p.max_running.load(), 1);  // they overlapped on the server
    c.close();
    auto st = co_await server;
    EXPECT_EQ(st.value().calls, 2u + n);
  });
}

TEST_F(beast_websocket_session, an_aborted_or_timed_out_call_cancels_the_handler_on_the_server) {
  run_session([this](server_task& server, wclient& c) -> task<void> {
    net::io_context* io = &e.io;
    // aborted by its caller
    auto h = spawn(c.call("forever", {}));
    CO_ASSERT_TRUE(co_await eventually(io, [this] { return p.running.load() == 1; }));
    h.abort();
    auto a = co_await h;
    EXPECT_EQ(a.error().code(), errc::aborted);
    EXPECT_TRUE(co_await eventually(io, [this] { return p.aborted.load() == 1; }));
    // timed out
    auto to = co_await c.call("forever", {}, 50ms);
    CO_ASSERT_FALSE(to.has_value());
    EXPECT_EQ(to.error().code(), errc::timed_out);
    EXPECT_TRUE(co_await eventually(io, [this] { return p.aborted.load() == 2; }));
    EXPECT_EQ(p.running.load(), 0);
    EXPECT_EQ(c.stats().cancels, 2u);
    EXPECT_EQ(c.pending(), 0u);
    c.close();
    auto st = co_await server;
    EXPECT_EQ(st.value().cancelled, 2u);
  });
}

constexpr std::uint32_t slow_window = 8;

TEST_F(beast_websocket_session, a_slow_consumer_holds_the_server_within_the_window) {
  run_session(
      [this](server_task& server, wclient& c) -> task<void> {
        net::io_context* io = &e.io;
        constexpr std::uint32_t window = slow_window;
        auto s = c.open_stream("count", from_int(100));
        std::int64_t expect = 0;
        int ahead = 0;
        while (auto it = co_await s.next()) {
          CO_ASSERT_TRUE(it->is_value());
          EXPECT_EQ(num(it->value()), expect++);
          // A slow consumer: the server runs ahead as far as its credit goes, and no further.
          // At the start the whole window is sent; later credit comes back in batches of at
          // most half the window, so the server is always at least half a window ahead.
          const std::int64_t least = std::min<std::int64_t>(100, expect + window / 2);
          if (co_await eventually(io, [&] {
                return expect == 1 ? s.buffered() == window - 1  // the whole window arrived
                                   : p.produced >= least;
              }))
            ++ahead;
          EXPECT_LE(s.buffered(), window);
          EXPECT_LE(p.sent_ahead(expect), std::int64_t{window});  // the server is held back
        }
        EXPECT_EQ(expect, 100);
        EXPECT_EQ(ahead, 100);
        // a stream the server ends with an error
        auto bad = c.open_stream("count_then_fail", from_int(2));
        int values = 0;
        std::optional<error> err;
        while (auto it = co_await bad.next()) {
          if (it->is_value())
            ++values;
          else
            err = it->error();
        }
        EXPECT_EQ(values, 2);
        EXPECT_TRUE(err && err->code() == errc::user);
        c.close();
        (void)co_await server;
      },
      client_options{.outbox = 64, .window = slow_window});
}

TEST_F(beast_websocket_session, a_server_closed_mid_call_gives_closed_and_the_client_reconnects) {
  auto r = e.run([](auto* self) -> task<void> {  // self: this test, which may reach the fixture
    auto acc = make_acceptor(self->e.io);
    auto closed_mid_call = [self](server_task& server, wclient& c) -> task<void> {
      probe& p = self->p;
      auto call = spawn(c.call("forever", {}));
      auto s = c.open_stream("count", from_int(1000000));
      auto first = co_await s.next();  // the stream is open and flowing
      CO_ASSERT_TRUE(first && first->is_value());
      CO_ASSERT_TRUE(co_await eventually(&self->e.io, [&p] { return p.running.load() == 2; }));
      server.abort();  // the server goes away: its handlers are aborted, the socket closed
      (void)co_await server;
      auto cr = co_await call;
      CO_ASSERT_TRUE(cr.has_value());
      CO_ASSERT_FALSE(cr.value().has_value());
      EXPECT_EQ(cr.value().error().code(), errc::closed);
      std::optional<error> end;
      for (int i = 0; i < 100 && !end; ++i) {  // at most a window of items, then the error
        auto it = co_await s.next();
        if (!it) break;
        if (!it->is_value()) end = it->error();
      }
      EXPECT_TRUE(end && end->code() == errc::closed);
      co_await c.closed();
      EXPECT_TRUE(c.is_closed());
      auto later = co_await c.call("square", from_int(2));
      EXPECT_EQ(later.error().code(), errc::closed);
      EXPECT_EQ(p.running.load(), 0);
    };
    co_await self->session_on(&acc, closed_mid_call);
    // a new connection to a new server works
    auto reconnected = [](server_task& server, wclient& c) -> task<void> {
      auto sq = co_await c.call("square", from_int(9));
      EXPECT_EQ(num(sq.value()), 81);
      c.close();
      (void)co_await server;
    };
    co_await self->session_on(&acc, reconnected);
  }(this));
  EXPECT_TRUE(r.has_value());
}

}  // namespace eddy_test::rpc_websocket_session_test
