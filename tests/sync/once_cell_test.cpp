// SPDX-License-Identifier: BSL-1.0
// once_cell<T> failure paths on sim_runtime: an initialisation that gives an error, throws, is
// aborted or times out stores nothing and lets the next waiting caller try (FIFO); a turn handed
// to a waiter that is aborted before it runs is passed on; a waiter that leaves (timeout) leaves
// no trace; with nobody waiting the cell is empty again and set() works.
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <eddy/eddy.hpp>
#include <eddy/sync/once_cell.hpp>

namespace eddy_test::sync_once_cell_test {

using namespace eddy;
using namespace std::chrono_literals;

namespace {

using cell_t = once_cell<std::string>;
using ref_result = cell_t::ref_result;

// What each caller saw, and which init functions ran.
struct trace {
  std::vector<std::string> ran;  // ids of init functions that were called
  notify gate;                   // lets the running initialiser finish
};

// A caller whose init function (id) waits for the gate, then gives `outcome`:
// "ok" -> the value "v<id>", "err" -> errc::user with count id, "throw" -> an exception.
task<std::string> caller(cell_t* c, trace* t, int id, std::string outcome) {
  auto f = [=]() -> task<result<std::string>> {
    t->ran.push_back(std::to_string(id));
    co_await t->gate.notified();
    if (outcome == "err") co_return error{errc::user, static_cast<std::uint64_t>(id)};
#if EDDY_HAS_EXCEPTIONS
    if (outcome == "throw")
      throw std::runtime_error(std::string("init ").append(std::to_string(id)));
#endif
    co_return std::string("v").append(std::to_string(id));
  };
#if EDDY_HAS_EXCEPTIONS
  try {
    ref_result r = co_await c->get_or_init(f);
    if (!r.has_value()) co_return std::string("error ").append(std::to_string(r.error().count()));
    co_return r.value().get();
  } catch (const std::runtime_error& e) {
    co_return std::string("caught ").append(e.what());
  }
#else
  ref_result r = co_await c->get_or_init(f);
  if (!r.has_value()) co_return std::string("error ").append(std::to_string(r.error().count()));
  co_return r.value().get();
#endif
}

task<void> until_ran(trace* t, std::size_t n) {
  while (t->ran.size() != n) co_await yield_now();
}
task<void> until_waiters(cell_t* c, std::size_t n) {
  while (c->waiter_count() != n) co_await yield_now();
}

template <class F>
void on_sim(F body) {
  for (std::uint64_t seed = 1; seed <= 16; ++seed) {
    sim_runtime sim{seed};
    sim.block_on(body());
  }
}

}  // namespace

TEST(once_cell, a_failed_initialisation_lets_the_next_waiter_try) {
  on_sim([]() -> task<void> {
    cell_t c;
    trace t;
    auto a = spawn(caller(&c, &t, 1, "err"));
    co_await until_ran(&t, 1);
    auto b = spawn(caller(&c, &t, 2, "ok"));
    co_await until_waiters(&c, 1);
    auto d = spawn(caller(&c, &t, 3, "ok"));
    co_await until_waiters(&c, 2);
    t.gate.notify_one();  // 1 fails
    EXPECT_EQ((co_await a).value(), "error 1");
    co_await until_ran(&t, 2);  // 2 (first in line) tries; 3 still waits
    EXPECT_EQ(c.waiter_count(), 1u);
    EXPECT_EQ(c.get(), nullptr);
    t.gate.notify_one();
    EXPECT_EQ((co_await b).value(), "v2");
    EXPECT_EQ((co_await d).value(), "v2");  // 3 got 2's value; its f never ran
    EXPECT_EQ(t.ran, (std::vector<std::string>{"1", "2"}));
    EXPECT_EQ(*c.get(), "v2");
  });
}

#if EDDY_HAS_EXCEPTIONS
TEST(once_cell, an_initialiser_that_throws_lets_the_next_waiter_try) {
  on_sim([]() -> task<void> {
    cell_t c;
    trace t;
    auto a = spawn(caller(&c, &t, 1, "throw"));
    co_await until_ran(&t, 1);
    auto b = spawn(caller(&c, &t, 2, "ok"));
    co_await until_waiters(&c, 1);
    t.gate.notify_one();
    EXPECT_EQ((co_await a).value(), "caught init 1");  // the exception reached its caller
    co_await until_ran(&t, 2);
    t.gate.notify_one();
    EXPECT_EQ((co_await b).value(), "v2");
  });
}
#endif

TEST(once_cell, an_aborted_initialiser_lets_the_next_waiter_try) {
  on_sim([]() -> task<void> {
    cell_t c;
    trace t;
    auto a = spawn(caller(&c, &t, 1, "ok"));
    co_await until_ran(&t, 1);
    auto b = spawn(caller(&c, &t, 2, "ok"));
    co_await until_waiters(&c, 1);
    a.abort();  // while its f waits for the gate
    auto ra = co_await a;
    EXPECT_FALSE(ra.has_value());
    co_await until_ran(&t, 2);
    t.gate.notify_one();
    EXPECT_EQ((co_await b).value(), "v2");
    EXPECT_EQ(*c.get(), "v2");
  });
}

TEST(once_cell, an_initialiser_that_times_out_lets_the_next_waiter_try) {
  on_sim([]() -> task<void> {
    cell_t c;
    trace t;
    auto a = spawn([](cell_t* c, trace* t) -> task<bool> {
      auto r = co_await timeout(5ms, c->get_or_init([t]() -> task<std::string> {
        t->ran.push_back("1");
        co_await sleep(1h);
        co_return "never";
      }));
      co_return r.has_value();
    }(&c, &t));
    co_await until_ran(&t, 1);
    auto b = spawn(caller(&c, &t, 2, "ok"));
    co_await until_waiters(&c, 1);
    EXPECT_FALSE((co_await a).value());  // timed out
    co_await until_ran(&t, 2);
    t.gate.notify_one();
    EXPECT_EQ((co_await b).value(), "v2");
  });
}

TEST(once_cell, a_turn_handed_to_an_aborted_waiter_is_passed_on) {
  on_sim([]() -> task<void> {
    cell_t c;
    trace t;
    auto a = spawn(caller(&c, &t, 1, "err"));
    co_await until_ran(&t, 1);
    auto b = spawn(caller(&c, &t, 2, "ok"));
    co_await until_waiters(&c, 1);
    auto d = spawn(caller(&c, &t, 3, "ok"));
    co_await until_waiters(&c, 2);
    t.gate.notify_one();
    EXPECT_EQ((co_await a).value(), "error 1");  // the turn was handed to 2 ...
    b.abort();  // ... which, by the seed, did not run yet, or runs its f: either way it is gone
    auto rb = co_await b;
    EXPECT_FALSE(rb.has_value());
    while (t.ran.back() != "3") co_await yield_now();  // 3 tries
    EXPECT_TRUE(t.ran == (std::vector<std::string>{"1", "3"}) ||
                t.ran == (std::vector<std::string>{"1", "2", "3"}));
    t.gate.notify_one();
    EXPECT_EQ((co_await d).value(), "v3");
  });
}

TEST(once_cell, a_waiter_that_leaves_leaves_no_trace_and_a_lone_failure_empties_the_cell) {
  on_sim([]() -> task<void> {
    cell_t c;
    trace t;
    auto a = spawn(caller(&c, &t, 1, "err"));
    co_await until_ran(&t, 1);
    auto w = co_await timeout(1ms, c.wait());  // gives up waiting
    EXPECT_FALSE(w.has_value());
    auto g = co_await timeout(1ms, c.get_or_init([] { return std::string("x"); }));
    EXPECT_FALSE(g.has_value());
    EXPECT_EQ(c.waiter_count(), 0u);
    t.gate.notify_one();
    EXPECT_EQ((co_await a).value(), "error 1");
    EXPECT_EQ(c.get(), nullptr);  // nobody waited: empty again
    EXPECT_TRUE(c.set("set after").has_value());
    EXPECT_EQ(*c.get(), "set after");
    EXPECT_EQ(t.ran, (std::vector<std::string>{"1"}));
  });
}

TEST(once_cell, wait_only_waiters_never_initialise) {
  on_sim([]() -> task<void> {
    cell_t c;
    trace t;
    auto a = spawn(caller(&c, &t, 1, "err"));
    co_await until_ran(&t, 1);
    auto w = spawn([](cell_t* c) -> task<std::string> { co_return co_await c->wait(); }(&c));
    co_await until_waiters(&c, 1);
    auto b = spawn(caller(&c, &t, 2, "ok"));
    co_await until_waiters(&c, 2);
    t.gate.notify_one();
    EXPECT_EQ((co_await a).value(), "error 1");
    co_await until_ran(&t, 2);  // the turn skipped the wait-only waiter
    EXPECT_EQ(c.waiter_count(), 1u);
    t.gate.notify_one();
    EXPECT_EQ((co_await b).value(), "v2");
    EXPECT_EQ((co_await w).value(), "v2");
  });
}

}  // namespace eddy_test::sync_once_cell_test
