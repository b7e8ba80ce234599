// SPDX-License-Identifier: BSL-1.0
#include <gtest/gtest.h>

#include <eddy/core/cancellation.hpp>

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
