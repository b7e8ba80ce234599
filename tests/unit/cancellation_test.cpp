// SPDX-License-Identifier: BSL-1.0
#include <gtest/gtest.h>

#include <atomic>
#include <eddy/core/cancellation.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "eddy/core/config.hpp"
#if EDDY_HAS_THREADS
#include <thread>
#endif

namespace eddy_test::unit_cancellation_test {

using namespace eddy;

TEST(cancellation_token, callbacks_run_once_and_at_registration_when_cancelled) {
  cancellation_token t;
  int n = 0;
  auto bump = [](void* p) noexcept { ++*static_cast<int*>(p); };
  {
    cancellation_callback cb(t, bump, &n);
    EXPECT_EQ(n, 0);
    t.cancel();
    EXPECT_EQ(n, 1);
    t.cancel();  // idempotent
    EXPECT_EQ(n, 1);
  }
  cancellation_callback late(t, bump, &n);
  EXPECT_EQ(n, 2);
}

TEST(cancellation_token, deregistered_callback_never_runs) {
  cancellation_token t;
  int n = 0;
  auto bump = [](void* p) noexcept { ++*static_cast<int*>(p); };
  { cancellation_callback cb(t, bump, &n); }
  t.cancel();
  EXPECT_EQ(n, 0);
}

TEST(cancellation_token, copies_share_state_and_moved_from_is_inert) {
  cancellation_token a;
  cancellation_token b = a;
  EXPECT_TRUE(a == b);
  cancellation_token c = std::move(b);
  b.cancel();  // NOLINT: moved-from is defined: does nothing
  EXPECT_FALSE(b.is_cancelled());
  EXPECT_FALSE(a.is_cancelled());
  c.cancel();
  EXPECT_TRUE(a.is_cancelled());
}

TEST(cancellation_token, child_outlives_parent_handle) {
  cancellation_token child;
  {
    cancellation_token parent;
    child = parent.child();
    parent.cancel();
  }
  EXPECT_TRUE(child.is_cancelled());
}

#if EDDY_HAS_STOP_TOKEN
TEST(cancellation_token, stop_token_interop_both_ways) {
  cancellation_token t;
  std::stop_token st = t.get_stop_token();
  EXPECT_FALSE(st.stop_requested());
  t.cancel();
  EXPECT_TRUE(st.stop_requested());

  std::stop_source src;
  auto followed = cancellation_token::from(src.get_token());
  EXPECT_FALSE(followed.is_cancelled());
  src.request_stop();
  EXPECT_TRUE(followed.is_cancelled());
}
#endif

namespace {
// Assignment inside a template: the place where a by-value operator= leaked the old state
// with clang 16 (the leak checker of the ASan build catches a regression).
template <class Token>
void assign_all_ways(Token& a, Token& b, Token& c) {
  a = b;             // copy: a leaves its state, shares b's
  c = std::move(b);  // move: c shares b's state, b is empty
  auto& self = a;
  a = self;  // self copy keeps the state
  a = std::move(self);
  b = {};  // a fresh token (the default constructor makes a new state) replaces the empty one
}
}  // namespace

TEST(cancellation_token, copy_and_move_assignment_share_and_release) {
  cancellation_token a, b, c;
  assign_all_ways(a, b, c);
  EXPECT_FALSE(b.is_cancelled());
  b.cancel();  // b's own fresh state
  EXPECT_TRUE(b.is_cancelled());
  EXPECT_FALSE(a.is_cancelled());
  c.cancel();
  EXPECT_TRUE(a.is_cancelled());  // a and c share the state b had
  EXPECT_TRUE(a == c);
  c = {};  // a fresh state; a keeps the shared one
  EXPECT_FALSE(c.is_cancelled());
  EXPECT_TRUE(a.is_cancelled());
}

// A callback keeps the token it registered with alive: registered on a temporary child, it
// still runs when the parent is cancelled, and its destructor touches live memory (ASan).
TEST(cancellation_callback, keeps_a_temporary_child_alive_and_fires_on_the_parent) {
  cancellation_token root;
  int n = 0;
  auto bump = [](void* p) noexcept { ++*static_cast<int*>(p); };
  {
    cancellation_callback cb{root.child(), bump, &n};
    EXPECT_EQ(n, 0);
    root.cancel();
    EXPECT_EQ(n, 1);
  }
  EXPECT_EQ(n, 1);
}

TEST(cancellation_callback, fires_when_a_grandparent_is_cancelled) {
  cancellation_token root;
  int n = 0;
  auto bump = [](void* p) noexcept { ++*static_cast<int*>(p); };
  cancellation_callback cb{root.child().child().child(), bump, &n};
  root.cancel();
  EXPECT_EQ(n, 1);
}

TEST(cancellation_callback, destroyed_after_every_token_handle_is_gone) {
  int n = 0;
  auto bump = [](void* p) noexcept { ++*static_cast<int*>(p); };
  auto* cb = [&] {
    cancellation_token t;
    return new cancellation_callback{t.child(), bump, &n};
  }();
  delete cb;  // the last reference to both states: nothing left behind (LSan), no UAF (ASan)
  EXPECT_EQ(n, 0);
}

TEST(cancellation_callback, takes_a_lambda_with_captures) {
  cancellation_token t;
  std::string log;
  auto owned = std::make_unique<int>(7);  // a move-only capture
  {
    cancellation_callback cb{
        t, [&log, p = std::move(owned)]() noexcept { log += std::to_string(*p); }};
    static_assert(!std::is_same_v<decltype(cb), cancellation_callback<>>);
    EXPECT_EQ(log, "");
    t.cancel();
    EXPECT_EQ(log, "7");
    t.cancel();
    EXPECT_EQ(log, "7");  // once
  }
  cancellation_callback late{t, [&log] { log += "!"; }};  // already cancelled: runs inline
  EXPECT_EQ(log, "7!");
}

TEST(cancellation_callback, lambda_form_deregisters_and_keeps_a_child_alive) {
  cancellation_token root;
  int n = 0;
  {
    cancellation_callback cb{root, [&n] { ++n; }};
  }
  std::optional<cancellation_callback<std::function<void()>>> held;
  held.emplace(root.child(), [&n] { n += 10; });
  root.cancel();
  EXPECT_EQ(n, 10);
  held.reset();
}

TEST(cancellation_callback, on_an_empty_token_never_runs) {
  cancellation_token t;
  cancellation_token moved = std::move(t);
  int n = 0;
  cancellation_callback cb{t, [&n] { ++n; }};  // NOLINT: t is moved-from (empty)
  moved.cancel();
  EXPECT_EQ(n, 0);
}

TEST(cancellation_callback, may_cancel_its_own_token_and_an_ancestor) {
  cancellation_token root;
  cancellation_token kid = root.child();
  int n = 0;
  cancellation_callback a{kid, [&] {
                            ++n;
                            kid.cancel();   // itself: a no-op
                            root.cancel();  // the ancestor that is cancelling: a no-op too
                          }};
  root.cancel();
  EXPECT_EQ(n, 1);
  EXPECT_TRUE(kid.is_cancelled());
}

TEST(cancel_on_drop, cancels_when_destroyed_unless_disarmed) {
  cancellation_token t;
  {
    cancel_on_drop g{t};
    EXPECT_FALSE(t.is_cancelled());
    EXPECT_TRUE(g.token() == t);
  }
  EXPECT_TRUE(t.is_cancelled());

  cancellation_token u;
  cancellation_token back;
  {
    auto g = u.drop_guard();
    back = g.disarm();
    EXPECT_FALSE(g.token().is_cancelled());  // empty now
  }
  EXPECT_FALSE(u.is_cancelled());
  EXPECT_TRUE(back == u);
}

TEST(cancel_on_drop, move_transfers_and_assignment_cancels_the_old_token) {
  cancellation_token a, b;
  {
    cancel_on_drop ga{a};
    cancel_on_drop moved{std::move(ga)};  // ga is empty: its destructor cancels nothing
    cancel_on_drop gb{b};
    EXPECT_FALSE(a.is_cancelled());
    gb = std::move(moved);  // gb's own token (b) is cancelled now, and gb takes over a
    EXPECT_TRUE(b.is_cancelled());
    EXPECT_FALSE(a.is_cancelled());
  }
  EXPECT_TRUE(a.is_cancelled());
}

TEST(cancellation_token, cancelled_awaiter_holds_the_state) {
  cancellation_token root;
  // The awaiter of a temporary child: ready once the root is cancelled, safe to destroy later.
  std::unique_ptr<cancellation_token::awaiter> aw{
      new cancellation_token::awaiter(root.child().cancelled())};
  EXPECT_FALSE(aw->await_ready());
  root.cancel();
  EXPECT_TRUE(aw->await_ready());
  aw.reset();
}

#if EDDY_HAS_THREADS
// Callbacks registered on temporary children race a cancel of the root from another thread:
// each callback runs at most once, runs for sure when registered before the cancel, and its
// destructor never races the run (TSan, ASan).
TEST(cancellation_callback, registration_races_a_cancel_on_another_thread) {
  for (int round = 0; round < 200; ++round) {
    cancellation_token root;
    std::atomic<int> runs{0};
    std::atomic<bool> go{false};
    std::thread canceller([&] {
      while (!go.load()) {
      }
      root.cancel();
    });
    int registered = 0;
    for (int i = 0; i < 20; ++i) {
      if (i == 5) go.store(true);
      cancellation_callback cb{root.child(), [&runs] { runs.fetch_add(1); }};
      ++registered;
    }
    canceller.join();
    EXPECT_LE(runs.load(), registered);
    int after = 0;
    cancellation_callback cb{root.child(), [&after] { ++after; }};
    EXPECT_EQ(after, 1);  // cancelled by now: runs inline
  }
}
#endif

}  // namespace eddy_test::unit_cancellation_test
