// SPDX-License-Identifier: BSL-1.0
// The native client <-> native server cases over a real TCP connection on 127.0.0.1, shared by
// the Asio and libuv transports: calls, concurrent calls, a time-out and an abort that reach
// the server, a stream with a slow consumer, the server killed mid-call. "The server has seen
// it" is checked without sleeping: a `square` call sent afterwards on the same connection is
// answered only after the server's single reader has handled everything sent before it.
#pragma once
#include <eddy/eddy.hpp>
#include <eddy/rpc/client.hpp>
#include <eddy/rpc/server.hpp>

#include "rpc/rpc_test_methods.hpp"

namespace rpc_test {

using namespace eddy;
using namespace eddy::rpc;

template <class C>
task<bool> ping(C* c) {
  auto r = co_await c->call("square", from_int(3));
  co_return r&& num(*r) == 9;
}

// `make_pair()` gives a connected (client side, server side) pair of transports.
template <class Transport, class MakePair>
task<void> tcp_cases(MakePair make_pair, const methods* ms, probe* p) {
  using namespace std::chrono_literals;
  auto [ct, st] = co_await make_pair();
  auto server = spawn(serve(std::move(st), *ms));
  {
    client<Transport> c{std::move(ct), client_options{.outbox = 64, .window = 4}};
    // Calls and error values.
    auto r = co_await c.call("square", from_int(12));
    EXPECT_EQ(num(r.value()), 144);
    auto e = co_await c.call("fail", from_int(7));
    EXPECT_EQ(e.error().code(), errc::user);
    EXPECT_EQ(e.error().count(), 7u);

    // Many calls at once on one connection.
    constexpr int n = 1000;
    task_set<bool> calls;
    for (int i = 0; i < n; ++i)
      calls.spawn([](client<Transport>* c, int i) -> task<bool> {
        auto r = co_await c->call("slow_square", from_int(i));
        co_return r&& num(*r) == std::int64_t{i} * i;
      }(&c, i));
    int ok = 0;
    while (auto j = co_await calls.join_next()) ok += j->value() ? 1 : 0;
    EXPECT_EQ(ok, n);
    EXPECT_GT(p->max_running.load(), 1);

    // A time-out cancels the handler on the server.
    auto timed = spawn(c.call("forever", {}, 100ms));
    for (int i = 0; i < 1000 && c.pending() == 0; ++i) co_await yield_now();  // it is sent
    EXPECT_TRUE(co_await ping(&c));
    EXPECT_EQ(p->running.load(), 1);  // the handler runs
    auto t = co_await timed;
    EXPECT_EQ(t.value().error().code(), errc::timed_out);
    EXPECT_TRUE(co_await ping(&c));
    EXPECT_EQ(p->aborted.load(), 1);
    EXPECT_EQ(p->running.load(), 0);

    // So does aborting the calling task.
    auto h = spawn(c.call("forever", {}));
    for (int i = 0; i < 1000 && c.pending() == 0; ++i) co_await yield_now();  // it is sent
    EXPECT_TRUE(co_await ping(&c));
    EXPECT_EQ(p->running.load(), 1);
    h.abort();
    auto joined = co_await h;
    EXPECT_EQ(joined.error().code(), errc::aborted);
    EXPECT_TRUE(co_await ping(&c));
    EXPECT_EQ(p->aborted.load(), 2);
    EXPECT_EQ(p->running.load(), 0);

    // A stream with a slow consumer: the client's buffer and the server's lead stay within
    // the window.
    {
      auto s = c.open_stream("count", from_int(60));
      std::int64_t got = 0;
      std::size_t most = 0;
      while (auto it = co_await s.next()) {
        EXPECT_TRUE(it->is_value());
        if (!it->is_value()) break;
        EXPECT_EQ(num(it->value()), got);
        ++got;
        co_await sleep(1ms);  // slow consumer
        most = std::max(most, s.buffered());
        EXPECT_LE(s.buffered(), 4u);
        EXPECT_LE(p->sent_ahead(got), 4);
      }
      EXPECT_EQ(got, 60);
      EXPECT_LE(most, 4u);
    }

    // The server killed mid-call: every pending call completes with errc::closed.
    task_set<int> pending;
    for (int i = 0; i < 10; ++i)
      pending.spawn([](client<Transport>* c) -> task<int> {
        auto r = co_await c->call("forever", {});
        co_return r ? 0 : int(r.error().code());
      }(&c));
    for (int i = 0; i < 1000 && c.pending() < 10; ++i) co_await yield_now();  // all sent
    EXPECT_TRUE(co_await ping(&c));
    EXPECT_EQ(p->running.load(), 10);
    server.abort();
    int closed = 0;
    while (auto j = co_await pending.join_next()) closed += j->value() == int(errc::closed);
    EXPECT_EQ(closed, 10);
    co_await c.closed();
    EXPECT_EQ(c.pending(), 0u);
    auto late = co_await c.call("square", from_int(1));
    EXPECT_EQ(late.error().code(), errc::closed);
  }
  (void)co_await server;
  EXPECT_EQ(p->running.load(), 0);
}

}  // namespace rpc_test
