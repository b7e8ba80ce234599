// SPDX-License-Identifier: BSL-1.0
// subject with a value whose copy constructor throws: a send delivers to every subscriber or
// to none, the sender gets errc::exception and its value back, nothing hangs or terminates.
#include <stdexcept>

#include "stream/stream_test_util.hpp"

#if EDDY_HAS_EXCEPTIONS

namespace eddy_stream_test::subject_copy_throws_test {
namespace {

// Copies throw for a negative value, and for the n-th copy when `copies_left` counts down to
// zero (the tests run on one thread). Moves never throw.
struct fragile {
  int v = 0;
  static inline int copies_left = -1;  // -1: no limit
  explicit fragile(int x) noexcept : v(x) {}
  fragile(const fragile& o) : v(o.v) {
    if (o.v < 0) throw std::runtime_error("fragile: cannot copy");
    if (copies_left == 0) throw std::runtime_error("fragile: out of copies");
    if (copies_left > 0) --copies_left;
  }
  fragile(fragile&& o) noexcept : v(o.v) {}
  fragile& operator=(const fragile&) = default;
  fragile& operator=(fragile&&) noexcept = default;
};

template <class S>
std::optional<int> try_next_value(S& st) {
  std::optional<int> out;
  struct v {
    std::optional<int>& o;
    void value(fragile&& f) { o = f.v; }
    void error(eddy::error&&) { o = -1000; }
    void end() { o = -2000; }
  } vis{out};
  if (!st.try_visit(vis)) return std::nullopt;
  return out;
}

TEST(SubjectCopyThrows, SendDeliversToNobodyAndHandsTheValueBack) {
  local_runtime rt;
  rt.block_on([]() -> task<void> {
    subject<fragile> s;
    auto a = s.subscribe();
    auto b = s.subscribe();
    auto c = s.subscribe();
    struct limit {
      limit() { fragile::copies_left = 1; }  // the first copy works, the second throws
      ~limit() { fragile::copies_left = -1; }
    };
    auto r = co_await [&]() -> task<send_result<fragile>> {
      limit l;
      co_return co_await s.send(fragile{7});
    }();
    EXPECT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), errc::exception);
    EXPECT_STREQ(r.error().message(), "fragile: out of copies");
    EXPECT_TRUE(r.error().exception() != nullptr);
    EXPECT_EQ(std::move(r).into_inner().v, 7);  // the value comes back
    // Nobody got it: the next send is the first item of every subscriber.
    EXPECT_TRUE((co_await s.send(fragile{8})).has_value());
    for (auto* st : {&a, &b, &c}) EXPECT_EQ(try_next_value(*st), std::optional<int>(8));
    for (auto* st : {&a, &b, &c}) EXPECT_EQ(try_next_value(*st), std::nullopt);
  }());
}

TEST(SubjectCopyThrows, TrySendToo) {
  subject<fragile> s;
  auto a = s.subscribe();
  auto b = s.subscribe();
  auto r = s.try_send(fragile{-3});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), errc::exception);
  EXPECT_STREQ(r.error().message(), "fragile: cannot copy");
  EXPECT_EQ(r.inner().v, -3);
  EXPECT_EQ(try_next_value(a), std::nullopt);
  EXPECT_EQ(try_next_value(b), std::nullopt);
  // One subscriber: no copy is made (the value moves), so it is delivered.
  subject<fragile> one;
  auto only = one.subscribe();
  EXPECT_TRUE(one.try_send(fragile{-4}).has_value());
  EXPECT_EQ(try_next_value(only), std::optional<int>(-4));
}

// drop_oldest buffers that are full keep their oldest item when the delivery fails.
TEST(SubjectCopyThrows, AFailedSendDropsNothing) {
  subject<fragile> s;
  auto a = s.subscribe(buffer_policy::drop_oldest(2));
  auto b = s.subscribe(buffer_policy::drop_oldest(2));
  EXPECT_TRUE(s.try_send(fragile{1}).has_value());
  EXPECT_TRUE(s.try_send(fragile{2}).has_value());
  EXPECT_FALSE(s.try_send(fragile{-1}).has_value());
  EXPECT_EQ(a.dropped(), 0u);
  EXPECT_EQ(b.dropped(), 0u);
  EXPECT_TRUE(s.try_send(fragile{3}).has_value());  // now 1 is dropped, in both
  EXPECT_EQ(a.dropped(), 1u);
  for (auto* st : {&a, &b}) {
    EXPECT_EQ(try_next_value(*st), std::optional<int>(2));
    EXPECT_EQ(try_next_value(*st), std::optional<int>(3));
  }
}

// A send waiting for room, served when the reader takes an item: the reader keeps its item,
// the sender completes with the failure and its value (no hang), the next send is served.
TEST(SubjectCopyThrows, AWaitingSendFailsInsteadOfHanging) {
  sim_runtime sim{5};
  sim.block_on([]() -> task<void> {
    subject<fragile> s{buffer_policy::wait(1)};
    auto a = s.subscribe();
    auto b = s.subscribe(buffer_policy::drop_newest(4));
    EXPECT_TRUE((co_await s.send(fragile{1})).has_value());
    auto failing = spawn([](subject<fragile> s) -> task<send_result<fragile>> {
      co_return co_await s.send(fragile{-5});  // waits: a is full
    }(s));
    auto next = spawn([](subject<fragile> s) -> task<send_result<fragile>> {
      co_await sleep(1ms);                    // queued after the failing one
      co_return co_await s.send(fragile{6});  // then served
    }(s));
    co_await sleep(5ms);
    EXPECT_FALSE(failing.is_finished());
    auto x = co_await a.next();                            // makes room: serves the failing send
    EXPECT_TRUE(x && x->is_value() && x->value().v == 1);  // the reader's item is not lost
    auto f = co_await failing;
    EXPECT_TRUE(f.has_value() && f.value().error().code() == errc::exception &&
                f.value().inner().v == -5);
    auto n = co_await next;
    EXPECT_TRUE(n.value().has_value());
    auto y = co_await a.next();
    EXPECT_EQ(y->value().v, 6);
    EXPECT_EQ(try_next_value(b), std::optional<int>(1));
    EXPECT_EQ(try_next_value(b), std::optional<int>(6));  // -5 reached nobody
  }());
}

// Dropping the subscriber a send waits for serves the send with the remaining subscribers:
// a copy that throws there fails the send (it used to call std::terminate).
TEST(SubjectCopyThrows, DroppingASubscriberWhileASendWaits) {
  sim_runtime sim{6};
  sim.block_on([]() -> task<void> {
    subject<fragile> s;
    auto full = std::make_optional(s.subscribe(buffer_policy::wait(1)));
    auto b = s.subscribe(buffer_policy::drop_oldest(4));
    auto c = s.subscribe(buffer_policy::drop_oldest(4));
    EXPECT_TRUE((co_await s.send(fragile{1})).has_value());
    auto waiting = spawn([](subject<fragile> s) -> task<send_result<fragile>> {
      co_return co_await s.send(fragile{-9});
    }(s));
    co_await sleep(1ms);
    EXPECT_FALSE(waiting.is_finished());
    full.reset();  // unsubscribes: serves the waiting send, whose copy throws
    auto w = co_await waiting;
    EXPECT_TRUE(w.has_value() && w.value().error().code() == errc::exception &&
                w.value().inner().v == -9);
    for (auto* st : {&b, &c}) {
      EXPECT_EQ(try_next_value(*st), std::optional<int>(1));
      EXPECT_EQ(try_next_value(*st), std::nullopt);
    }
  }());
}

}  // namespace
}  // namespace eddy_stream_test::subject_copy_throws_test

#endif  // EDDY_HAS_EXCEPTIONS
