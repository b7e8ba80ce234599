// SPDX-License-Identifier: BSL-1.0
// Abort of a task waiting in an Asio operation is a request: the operation is cancelled through
// its cancellation slot and the task's frame (with the buffers the operation writes to) lives
// until the operation's completion handler has run. Every path that ends such a wait early is
// covered: join_handle::abort, scope::cancel, timeout, with_cancellation, runtime shutdown.
// The reads are composed operations (`async_read_until` into a frame-local std::string through
// `dynamic_buffer`): before the fix each of these was a heap-use-after-free under ASan.
// Shared by both Asio flavours (see net_test.hpp); include a flavour header first.
#pragma once
#include <atomic>
#include <eddy/runtime.hpp>
#include <eddy/runtime/with_cancellation.hpp>
#include <memory>
#include <stdexcept>
#include <string>

using namespace eddy;
using namespace std::chrono_literals;
using net::ip::tcp;

// A named namespace, one per case file: anonymous types in a header upset g++'s
// -Wsubobject-linkage.
namespace foreign_abort_cases {

// A connected pair of sockets on 127.0.0.1 (synchronous setup; the kernel completes the
// connection through the listen backlog).
struct socket_pair {
  explicit socket_pair(net::io_context& io) : a(io), b(io) {
    tcp::acceptor acc{io, tcp::endpoint{net::ip::address_v4::loopback(), 0}};
    a.connect(acc.local_endpoint());
    b = acc.accept();
  }
  tcp::socket a;
  tcp::socket b;
};

// Reads one line into a frame-local string (what a line protocol server does).
task<std::size_t> read_line(tcp::socket* s, std::atomic<int>* started, std::atomic<int>* dropped) {
  drop_counter g{dropped};
  std::string line;
  started->fetch_add(1);
  auto [ec, n] = co_await net::async_read_until(*s, net::dynamic_buffer(line), '\n', use_task);
  co_return ec ? 0 : n;
}

// Runs `io` until `pred` holds; false if the loop ran out of work first.
template <class Pred>
bool run_until(net::io_context& io, Pred pred) {
  for (int i = 0; i < 100000 && !pred(); ++i) {
    if (io.run_one_for(10ms) == 0 && io.stopped()) return pred();
  }
  return pred();
}

}  // namespace foreign_abort_cases
using namespace foreign_abort_cases;

NET_TEST(foreign_abort, abort_waits_for_the_composed_read_to_complete) {
  net::io_context io;
  net_runtime rt{io, 1};
  socket_pair sp{io};
  std::atomic<int> started{0}, dropped{0};
  auto h = spawn(rt.get_executor(), read_line(&sp.b, &started, &dropped));
  ASSERT_TRUE(run_until(io, [&] { return started.load() == 1; }));
  net::write(sp.a, net::buffer(std::string("no newline yet")));  // the read is under way
  io.poll();
  h.abort();
  io.run();  // returns by itself: the operation completed (cancelled), the task finished
  ASSERT_TRUE(h.is_finished());
  EXPECT_EQ(h.try_take().error().code(), errc::aborted);
  EXPECT_EQ(dropped.load(), 1);
  EXPECT_EQ(rt.live_tasks(), 0u);
}

NET_TEST(foreign_abort, scope_cancel_waits_for_the_composed_read) {
  net::io_context io;
  net_runtime rt{io, 1};
  socket_pair sp{io};
  std::atomic<int> started{0}, dropped{0};
  {
    scope sc;
    auto h = sc.spawn(rt.get_executor(), read_line(&sp.b, &started, &dropped));
    ASSERT_TRUE(run_until(io, [&] { return started.load() == 1; }));
    io.poll();
    sc.cancel();
    io.run();
    ASSERT_TRUE(h.is_finished());
    EXPECT_EQ(h.try_take().error().code(), errc::aborted);
  }
  EXPECT_EQ(dropped.load(), 1);
}

NET_TEST(foreign_abort, timeout_waits_for_the_composed_read) {
  net::io_context io;
  net_runtime rt{io, 1};
  socket_pair sp{io};
  auto r = rt.block_on([](tcp::socket* s) -> task<bool> {
    std::string line;
    auto v =
        co_await timeout(2ms, net::async_read_until(*s, net::dynamic_buffer(line), '\n', use_task));
    co_return !v.has_value() && line.empty();
  }(&sp.b));
  EXPECT_TRUE(r);
}

NET_TEST(foreign_abort, timeout_keeps_the_inner_frame_until_the_read_completed) {
  net::io_context io;
  net_runtime rt{io, 1};
  socket_pair sp{io};
  std::atomic<int> started{0}, dropped{0};
  auto r = rt.block_on([](tcp::socket* s, std::atomic<int>* st, std::atomic<int>* d) -> task<bool> {
    auto v = co_await timeout(2ms, read_line(s, st, d));
    co_return !v.has_value() && d->load() == 1;
  }(&sp.b, &started, &dropped));
  EXPECT_TRUE(r);
  io.restart();
  io.run();  // whatever the operation still had to do runs here (nothing, once it completed)
}

NET_TEST(foreign_abort, a_cancelled_token_keeps_the_inner_frame_until_the_read_completed) {
  net::io_context io;
  net_runtime rt{io, 1};
  socket_pair sp{io};
  std::atomic<int> started{0}, dropped{0};
  auto r = rt.block_on([](tcp::socket* s, std::atomic<int>* st, std::atomic<int>* d) -> task<bool> {
    cancellation_token tok;
    auto canceller = spawn([](cancellation_token t) -> task<void> {
      co_await sleep(1ms);
      t.cancel();
    }(tok));
    auto v = co_await with_cancellation(tok, read_line(s, st, d));
    (void)co_await canceller;
    co_return !v.has_value() && d->load() == 1;
  }(&sp.b, &started, &dropped));
  EXPECT_TRUE(r);
  io.restart();
  io.run();  // whatever the operation still had to do runs here (nothing, once it completed)
}

NET_TEST(foreign_abort, runtime_shutdown_waits_for_the_composed_read) {
  net::io_context io;
  socket_pair sp{io};
  std::atomic<int> started{0}, dropped{0};
  {
    net_runtime rt{io, 1};
    spawn(rt.get_executor(), read_line(&sp.b, &started, &dropped)).detach();
    ASSERT_TRUE(run_until(io, [&] { return started.load() == 1; }));
    io.poll();
    io.stop();
  }  // ~net_runtime aborts the task and drives io until the read's completion has run
  EXPECT_EQ(dropped.load(), 1);
  io.restart();
  io.run();  // nothing left to touch the task's frame
}

NET_TEST(foreign_abort, an_io_context_destroyed_first_aborts_the_waiting_task) {
  // The task runs on a local_runtime; the Asio operation's handler is destroyed without being
  // called (its io_context goes away): the operation can never complete, so the task is aborted
  // instead of waiting for ever.
  local_runtime rt;
  auto io = std::make_unique<net::io_context>();
  auto timer = std::make_unique<net::steady_timer>(*io, std::chrono::hours(1));
  std::atomic<int> dropped{0};
  auto h = spawn(rt.get_executor(), [](net::steady_timer* t, std::atomic<int>* d) -> task<int> {
    drop_counter g{d};
    net_error_code ec = co_await t->async_wait(use_task);
    co_return ec ? 1 : 2;
  }(timer.get(), &dropped));
  rt.run_until_idle();  // the task waits in async_wait
  timer.reset();        // the wait completes (operation_aborted) into the queue of io...
  io.reset();           // ...which is destroyed without running it
  rt.run_until_idle();
  ASSERT_TRUE(h.is_finished());
  EXPECT_EQ(h.try_take().error().code(), errc::aborted);
  EXPECT_EQ(dropped.load(), 1);
}

NET_TEST(foreign_abort, initiations_that_throw_or_drop_the_handler) {
  net::io_context io;
  net_runtime rt{io, 1};
  auto throwing = [](auto token) {
    return net::async_initiate<decltype(token), void(net_error_code)>(
        [](auto) { throw std::runtime_error("initiation failed"); }, token);
  };
  auto dropping = [](auto token) {
    return net::async_initiate<decltype(token), void(net_error_code)>(
        [](auto handler) { auto gone = std::move(handler); }, token);
  };
  auto r = rt.block_on([](decltype(throwing) th) -> task<bool> {
    bool caught = false;
    try {
      (void)co_await th(use_task);
    } catch (const std::runtime_error&) {
      caught = true;
    }
    // The failed wait left no registration behind: an abort of this task later is prompt.
    co_await sleep(1ms);
    co_return caught;
  }(throwing));
  EXPECT_TRUE(r);
  auto h = spawn(rt.get_executor(), [](decltype(dropping) dr) -> task<int> {
    (void)co_await dr(use_task);  // never completes: the task is aborted
    co_return 1;
  }(dropping));
  io.restart();
  io.run();
  ASSERT_TRUE(h.is_finished());
  EXPECT_EQ(h.try_take().error().code(), errc::aborted);
}
