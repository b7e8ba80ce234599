// SPDX-License-Identifier: BSL-1.0
// The RPC session on sim_runtime over the in-memory pair: calls, thousands in flight, time-outs,
// cancellation reaching the server (its handler aborted), streams with a slow consumer (the
// client's buffer stays within the window), bad input from the wire, connection loss, reconnect.
#include <gtest/gtest.h>

#include <eddy/eddy.hpp>
#include <eddy/rpc/client.hpp>
#include <eddy/rpc/memory_transport.hpp>
#include <eddy/rpc/server.hpp>

#include "rpc/rpc_test_methods.hpp"

namespace eddy_test::rpc_session_test {

using namespace eddy;
using namespace eddy::rpc;
using namespace std::chrono_literals;
using rpc_test::num;
using rpc_test::probe;

namespace {

using mclient = client<memory_transport>;

template <class F>
void on_sim(F body, std::uint64_t seed = 1) {
  sim_runtime sim{seed};
  auto r = sim.try_block_on(body());
  ASSERT_TRUE(r.has_value()) << r.error().message();
}

// The test methods, with the probe that sees what their handlers did.
struct served {
  probe p;
  methods ms = rpc_test::make_methods(&p);
};

// A server of `ms` (its task) and a client `c` connected to it over `ends` (the client's end
// first); made inside a task, as the session spawns its own.
struct session {
  explicit session(const methods& ms, client_options o = {},
                   std::pair<memory_transport, memory_transport> ends = memory_pair())
      : server(spawn(serve(std::move(ends.second), ms))), c(std::move(ends.first), o) {}
  // Closes the client: the server's task, which then ends.
  join_handle<server_stats>& hang_up() {
    c.close();
    return server;
  }
  join_handle<server_stats> server;
  mclient c;
};

}  // namespace

// Every test gets the methods and their probe (`p`, `ms`).
class RpcSession : public ::testing::Test, protected served {};

TEST_F(RpcSession, calls_answers_errors_and_unknown_methods) {
  on_sim([&]() -> task<void> {
    session conn{ms};
    auto& c = conn.c;
    auto r = co_await c.call("square", from_int(7));
    EXPECT_EQ(num(*r), 49);
    auto e = co_await c.call("fail", from_int(3));
    CO_ASSERT_FALSE(e.has_value());
    EXPECT_EQ(e.error().code(), errc::user);
    EXPECT_EQ(e.error().count(), 3u);
    auto u = co_await c.call("no_such_method", {});
    CO_ASSERT_FALSE(u.has_value());
    EXPECT_EQ(u.error().code(), errc::invalid_argument);
    EXPECT_EQ(c.pending(), 0u);
    auto st = co_await conn.hang_up();
    EXPECT_EQ(st.value().calls, 2u);
    EXPECT_EQ(st.value().dropped, 1u);  // the unknown method
  });
}

TEST_F(RpcSession, thousands_of_calls_in_flight_on_one_connection) {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    served fresh;  // a probe of this run only
    on_sim(
        [&]() -> task<void> {
          session conn{fresh.ms, {}, memory_pair(16)};
          auto& c = conn.c;
          constexpr int n = 3000;
          task_set<bool> calls;
          for (int i = 0; i < n; ++i)
            calls.spawn([](mclient* c, int i) -> task<bool> {
              auto r = co_await c->call("slow_square", from_int(i));  // 10 ms each, concurrently
              co_return r&& num(*r) == std::int64_t{i} * i;
            }(&c, i));
          int ok = 0;
          while (auto r = co_await calls.join_next()) ok += r->value() ? 1 : 0;
          EXPECT_EQ(ok, n);
          EXPECT_EQ(fresh.p.max_running.load(), n);  // all of them were in flight at once
          (void)co_await conn.hang_up();
        },
        seed);
  }
}

TEST_F(RpcSession, timeout_sends_a_cancel_that_aborts_the_handler) {
  on_sim([&]() -> task<void> {
    session conn{ms};
    auto& c = conn.c;
    const auto t0 = now();
    auto r = co_await c.call("forever", {}, 50ms);
    CO_ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), errc::timed_out);
    EXPECT_EQ(now() - t0, 50ms);
    co_await sleep(1ms);  // the cancel travels
    EXPECT_EQ(p.aborted.load(), 1);
    EXPECT_EQ(p.running.load(), 0);
    EXPECT_EQ(c.stats().cancels, 1u);
    EXPECT_EQ(c.pending(), 0u);
    auto st = co_await conn.hang_up();
    EXPECT_EQ(st.value().cancelled, 1u);
  });
}

TEST_F(RpcSession, aborting_the_calling_task_cancels_on_the_server) {
  on_sim([&]() -> task<void> {
    session conn{ms};
    auto& c = conn.c;
    auto h = spawn(c.call("forever", {}));
    co_await sleep(5ms);
    EXPECT_EQ(p.running.load(), 1);
    h.abort();
    auto r = co_await h;
    EXPECT_EQ(r.error().code(), errc::aborted);
    co_await sleep(1ms);
    EXPECT_EQ(p.aborted.load(), 1);
    // A token works the same way.
    cancellation_token tok;
    auto w = spawn([](mclient* c, cancellation_token t) -> task<bool> {
      auto r = co_await with_cancellation(t, c->call("forever", {}));
      co_return !r.has_value();
    }(&c, tok));
    co_await sleep(5ms);
    tok.cancel();
    EXPECT_TRUE((co_await w).value());
    co_await sleep(1ms);
    EXPECT_EQ(p.aborted.load(), 2);
    EXPECT_EQ(p.running.load(), 0);
    (void)co_await conn.hang_up();
  });
}

TEST_F(RpcSession, slow_consumer_keeps_the_buffer_within_the_window) {
  on_sim([&]() -> task<void> {
    session conn{ms, client_options{.outbox = 64, .window = 8}};
    auto& c = conn.c;
    auto s = c.open_stream("count", from_int(200));
    std::int64_t expect = 0;
    std::size_t most = 0;
    while (auto it = co_await s.next()) {
      if (!it->is_value()) ADD_FAILURE() << it->error().message() << int(it->error().code());
      CO_ASSERT_TRUE(it->is_value());
      EXPECT_EQ(num(it->value()), expect++);
      co_await sleep(10ms);  // a slow consumer: the server produces at once
      most = std::max(most, s.buffered());
      EXPECT_LE(s.buffered(), 8u);
      EXPECT_LE(p.sent_ahead(expect), 8);  // the server is held back too
    }
    EXPECT_EQ(expect, 200);
    EXPECT_EQ(most, 8u);  // the window was used
    (void)co_await conn.hang_up();
  });
}

TEST_F(RpcSession, streams_end_with_the_server_error_and_dropping_one_cancels_it) {
  on_sim([&]() -> task<void> {
    session conn{ms, client_options{.outbox = 64, .window = 4}};
    auto& c = conn.c;
    {
      auto s = c.open_stream("count_then_fail", from_int(3));
      std::vector<std::int64_t> got;
      std::optional<error> err;
      while (auto it = co_await s.next()) {
        if (it->is_value())
          got.push_back(num(it->value()));
        else
          err = it->error();
      }
      EXPECT_EQ(got, (std::vector<std::int64_t>{0, 1, 2}));
      CO_ASSERT_TRUE(err.has_value());
      EXPECT_EQ(err->code(), errc::user);
    }
    {
      auto s = c.open_stream("count", from_int(1000000));
      for (int i = 0; i < 3; ++i) (void)co_await s.next();
    }  // dropped mid-stream: the server's handler is aborted
    co_await sleep(1ms);
    EXPECT_EQ(p.aborted.load(), 1);
    auto st = co_await conn.hang_up();
    EXPECT_EQ(st.value().streams, 2u);
    EXPECT_EQ(st.value().cancelled, 1u);
  });
}

TEST_F(RpcSession, connection_loss_fails_every_call_and_stream_with_closed) {
  on_sim([&]() -> task<void> {
    session conn{ms};
    auto& c = conn.c;
    task_set<int> calls;
    for (int i = 0; i < 50; ++i)
      calls.spawn([](mclient* c) -> task<int> {
        auto r = co_await c->call("forever", {});
        co_return r ? 0 : int(r.error().code());
      }(&c));
    auto s = c.open_stream("count", from_int(1000000));
    (void)co_await s.next();
    co_await sleep(5ms);
    EXPECT_EQ(p.running.load(), 51);
    conn.server.abort();  // the server goes away mid-call
    (void)co_await conn.server;
    int closed = 0;
    while (auto r = co_await calls.join_next()) closed += r->value() == int(errc::closed) ? 1 : 0;
    EXPECT_EQ(closed, 50);
    std::optional<error> err;
    while (auto it = co_await s.next())
      if (it->is_error()) err = it->error();
    CO_ASSERT_TRUE(err.has_value());
    EXPECT_EQ(err->code(), errc::closed);
    co_await c.closed();
    EXPECT_TRUE(c.is_closed());
    EXPECT_EQ(c.pending(), 0u);
    co_await sleep(1ms);
    EXPECT_EQ(p.running.load(), 0);  // every handler was aborted
    auto late = co_await c.call("square", from_int(2));
    EXPECT_EQ(late.error().code(), errc::closed);

    // Reconnect: a new client on a new transport.
    session conn2{ms};
    auto r9 = co_await conn2.c.call("square", from_int(9));
    EXPECT_EQ(num(r9.value()), 81);
    (void)co_await conn2.hang_up();
  });
}

// A raw peer: the test plays the other side of the wire by hand.
TEST_F(RpcSession, bad_input_from_the_server_is_dropped_or_closes) {
  on_sim([&]() -> task<void> {
    auto [a, b] = memory_pair();
    mclient c{std::move(a)};
    auto call = spawn(c.call("x", {}));
    bytes in, out;
    CO_ASSERT_TRUE((co_await b.receive(in)).has_value());
    auto m = decode(in);
    CO_ASSERT_TRUE(m.has_value());
    const auto id = m->id;
    // An unknown id, a kind a server never sends: dropped and counted.
    (void)encode(out, kind::response, id + 100, {}, from_int(1));
    (void)co_await b.send(out);
    (void)encode(out, kind::call, id, "x", {});
    (void)co_await b.send(out);
    // The answer, then a duplicate of it.
    (void)encode(out, kind::response, id, {}, from_int(5));
    (void)co_await b.send(out);
    (void)co_await b.send(out);
    auto r = co_await call;
    EXPECT_EQ(num(r.value().value()), 5);
    // A stream item beyond the window ends that stream with an error and cancels it.
    auto s = c.open_stream("s", {});
    auto first = spawn([](client_stream<memory_transport>* s) -> task<bool> {
      auto it = co_await s->next();
      co_return it && it->is_value();
    }(&s));
    CO_ASSERT_TRUE((co_await b.receive(in)).has_value());
    auto open = decode(in);
    CO_ASSERT_EQ(open->kind, kind::stream_open);
    const auto sid = open->id;
    for (std::uint32_t i = 0; i < credit_of(*open) + 1; ++i) {
      (void)encode(out, kind::stream_item, sid, {}, from_int(i));
      (void)co_await b.send(out);
    }
    EXPECT_TRUE((co_await first).value());
    std::optional<error> err;
    while (auto it = co_await s.next())
      if (it->is_error()) err = it->error();
    CO_ASSERT_TRUE(err.has_value());
    EXPECT_EQ(err->code(), errc::invalid_argument);
    co_await sleep(1ms);
    EXPECT_EQ(c.stats().over_window, 1u);
    EXPECT_EQ(c.stats().dropped, 3u);
    EXPECT_FALSE(c.is_closed());
    // A malformed frame closes the connection.
    auto pending = spawn(c.call("y", {}));
    const bytes junk = {std::byte{77}, std::byte{1}};
    (void)co_await b.send(junk);
    EXPECT_EQ((co_await pending).value().error().code(), errc::closed);
    EXPECT_EQ(c.stats().malformed, 1u);
    EXPECT_TRUE(c.is_closed());
  });
}

TEST_F(RpcSession, bad_input_from_the_client_is_dropped_or_closes) {
  on_sim([&]() -> task<void> {
    auto [a, b] = memory_pair();
    auto server = spawn(serve(std::move(b), ms));
    bytes out, in;
    // A call, the same id again while it runs, a cancel and a credit for unknown ids, a
    // response (never sent by a client).
    (void)encode(out, kind::call, 1, "slow_square", from_int(3));
    (void)co_await a.send(out);
    (void)co_await a.send(out);
    (void)encode(out, kind::cancel, 99, {}, {});
    (void)co_await a.send(out);
    std::byte c4[4];
    credit_payload(c4, 5);
    (void)encode(out, kind::stream_credit, 98, {}, c4);
    (void)co_await a.send(out);
    (void)encode(out, kind::response, 1, {}, {});
    (void)co_await a.send(out);
    CO_ASSERT_TRUE((co_await a.receive(in)).has_value());
    auto m = decode(in);
    EXPECT_EQ(m->kind, kind::response);
    EXPECT_EQ(num(m->payload), 9);
    // Garbage closes the connection: serve returns.
    const bytes junk(5, std::byte{3});
    (void)co_await a.send(junk);
    auto st = co_await server;
    EXPECT_EQ(st.value().calls, 1u);
    EXPECT_EQ(st.value().dropped, 4u);
    EXPECT_EQ(st.value().malformed, 1u);
    EXPECT_FALSE((co_await a.receive(in)).has_value());
  });
}

// The same session with its tasks on a two-thread pool: the tables, the outbox and the credit
// are used from both threads at once (TSan checks the locking).
TEST_F(RpcSession, on_a_thread_pool) {
  thread_pool pool{2};
  auto r = pool.try_block_on([](const methods* ms) -> task<bool> {
    session conn{*ms, client_options{.outbox = 8, .window = 4}, memory_pair(8)};
    bool ok = true;
    {
      auto& c = conn.c;
      task_set<bool> calls;
      for (int i = 0; i < 2000; ++i)
        calls.spawn([](mclient* c, int i) -> task<bool> {
          auto r = co_await c->call("square", from_int(i));
          co_return r&& num(*r) == std::int64_t{i} * i;
        }(&c, i));
      auto s = c.open_stream("count", from_int(300));
      std::int64_t next = 0;
      while (auto it = co_await s.next()) {
        ok = ok && it->is_value() && num(it->value()) == next++ && s.buffered() <= 4;
      }
      ok = ok && next == 300;
      while (auto j = co_await calls.join_next()) ok = ok && j->value();
    }
    auto st = co_await conn.hang_up();
    co_return ok&& st.value().calls == 2000;
  }(&ms));
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r.value());
}

}  // namespace eddy_test::rpc_session_test
