// SPDX-License-Identifier: BSL-1.0
// subject: late subscribers, error/close, send after close, policies, composition, empty,
// bad capacity, across threads.
#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::subject_test {
namespace {

TEST(Subject, EverySubscriberGetsItemsSentAfterItSubscribed) {
  local_runtime rt;
  auto out = rt.block_on([]() -> task<std::pair<items<int>, items<int>>> {
    subject<int> s;
    {
      auto got_ = co_await s.send(0);
      EXPECT_TRUE(got_.has_value());  // nobody subscribed: delivered to nobody
    }
    auto a = s.subscribe();
    (void)co_await s.send(1);
    (void)co_await s.send(2);
    auto b = s.subscribe();
    (void)co_await s.send(3);
    EXPECT_EQ(s.subscriber_count(), 2u);
    s.close();
    co_return std::pair{co_await collect(std::move(a)), co_await collect(std::move(b))};
  }());
  EXPECT_EQ(out.first, (items<int>{1, 2, 3}));
  EXPECT_EQ(out.second, (items<int>{{3}}));
}

TEST(Subject, ErrorDeliversAfterTheBufferThenEnds) {
  local_runtime rt;
  auto out = rt.block_on([]() -> task<items<int>> {
    subject<int> s;
    auto a = s.subscribe();
    (void)co_await s.send(1);
    s.error(E(5));
    s.error(E(6));  // only the first counts
    s.close();
    auto r = co_await s.send(2);
    EXPECT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), errc::closed);
    EXPECT_EQ(std::move(r).into_inner(), 2);  // handed back
    auto t = s.try_send(3);
    EXPECT_EQ(t.error().code(), errc::closed);
    EXPECT_TRUE(s.is_closed());
    auto late = s.subscribe();
    auto none = co_await late.next();
    EXPECT_FALSE(none.has_value());
    co_return co_await collect(std::move(a));
  }());
  EXPECT_EQ(out, (items<int>{1, E(5)}));
}

TEST(Subject, WaitPolicyMakesTheSenderWait) {
  sim_runtime sim{1};
  auto out = sim.block_on([]() -> task<std::vector<seen<int>>> {
    subject<int> s{buffer_policy::wait(2)};
    auto a = s.subscribe();
    auto prod = spawn([](subject<int> s) -> task<int> {
      int sent = 0;
      for (int i = 1; i <= 5; ++i) {
        auto r = co_await s.send(i);
        if (r.has_value()) ++sent;
      }
      s.close();
      co_return sent;
    }(s));
    s = subject<int>{};  // the producer's copy is the last handle: it closes
    std::vector<seen<int>> got;
    for (;;) {
      co_await sleep(10ms);
      auto r = co_await a.next();
      got.push_back({ms_of(now()), r});
      if (!r) break;
    }
    auto n = co_await prod;
    EXPECT_EQ(n.value(), 5);
    co_return got;
  }());
  EXPECT_EQ(out, (std::vector<seen<int>>{V(10, 1), V(20, 2), V(30, 3), V(40, 4), V(50, 5),
                                         End<int>(60)}));
}

TEST(Subject, TrySendReportsFullUnderWait) {
  local_runtime rt;
  rt.block_on([]() -> task<void> {
    subject<int> s{buffer_policy::wait(1)};
    auto a = s.subscribe();
    EXPECT_TRUE(s.try_send(1).has_value());
    auto r = s.try_send(2);
    EXPECT_EQ(r.error().code(), errc::full);
    EXPECT_EQ(std::move(r).into_inner(), 2);
    auto x = co_await a.next();
    EXPECT_EQ(x->value(), 1);
    EXPECT_TRUE(s.try_send(3).has_value());
  }());
}

TEST(Subject, DropPoliciesAndErrorPolicy) {
  local_runtime rt;
  rt.block_on([]() -> task<void> {
    subject<int> s;
    auto oldest = s.subscribe(buffer_policy::drop_oldest(3));
    auto newest = s.subscribe(buffer_policy::drop_newest(3));
    auto fail = s.subscribe(buffer_policy::fail(3));
    for (int i = 1; i <= 7; ++i) EXPECT_TRUE(s.try_send(i).has_value());  // never waits
    s.close();
    EXPECT_EQ(oldest.dropped(), 4u);
    EXPECT_EQ(newest.dropped(), 4u);
    EXPECT_EQ(fail.dropped(), 4u);
    {
      auto got_ = co_await collect(std::move(oldest));
      EXPECT_EQ(got_, (items<int>{5, 6, 7}));
    }
    {
      auto got_ = co_await collect(std::move(newest));
      EXPECT_EQ(got_, (items<int>{1, 2, 3}));
    }
    auto f = co_await collect(std::move(fail));
    EXPECT_EQ(f.size(), 4u);
    if (f.size() != 4u) co_return;
    EXPECT_EQ(f[2], item<int>(3));
    EXPECT_EQ(f[3].error().code(), errc::full);
  }());
}

TEST(Subject, ComposesWithOperatorsAndMultiInputOperators) {
  sim_runtime sim{2};
  auto out = sim.block_on([]() -> task<items<int>> {
    subject<stamped<int>> a, b;
    auto merged = a.subscribe() | ordered_merge(b.subscribe()) | unstamp() |
                  map([](int x) { return x * 10; });
    auto prod = spawn([](subject<stamped<int>> a, subject<stamped<int>> b) -> task<void> {
      co_await sleep(1ms);
      (void)co_await a.send(stamped<int>{1, now()});
      co_await sleep(1ms);
      (void)co_await b.send(stamped<int>{2, now()});
      (void)co_await a.send(stamped<int>{3, now()});
      a.close();
      b.close();
    }(a, b));
    { auto gone = std::move(a); }  // the producer's copies are the last handles
    { auto gone = std::move(b); }
    auto r = co_await collect(std::move(merged));
    (void)co_await prod;
    co_return r;
  }());
  EXPECT_EQ(out, (items<int>{10, 20, 30}));
}

TEST(Subject, LastHandleClosesAndBadCapacity) {
  local_runtime rt;
  rt.block_on([]() -> task<void> {
    auto s = std::make_unique<subject<int>>();
    auto a = s->subscribe();
    auto bad = s->subscribe(buffer_policy::wait(0));
    s.reset();
    auto r = co_await a.next();
    EXPECT_FALSE(r.has_value());
    auto e = co_await collect(std::move(bad));
    EXPECT_EQ(e.size(), 1u);
    EXPECT_EQ(e[0].error().code(), errc::invalid_argument);
    subject<int> moved;
    subject<int> other = std::move(moved);
    auto m = co_await moved.send(1);
    EXPECT_EQ(m.error().code(), errc::invalid_argument);
    {
      auto got_ = co_await moved.subscribe().next();
      EXPECT_FALSE(got_);
    }
  }());
}

TEST(Subject, CancelledSendSendsNothingAndCancelledNextLosesNothing) {
  sim_runtime sim{3};
  sim.block_on([]() -> task<void> {
    subject<int> s{buffer_policy::wait(1)};
    auto a = s.subscribe();
    (void)co_await s.send(1);
    auto t = co_await timeout(5ms, s.send(2));  // waits for room, then gives up
    EXPECT_FALSE(t.has_value());
    auto x = co_await a.next();
    EXPECT_EQ(x->value(), 1);
    auto y = co_await timeout(5ms, a.next());  // nothing came: nothing lost either
    EXPECT_FALSE(y.has_value());
    (void)co_await s.send(3);
    auto z = co_await a.next();
    EXPECT_EQ(z->value(), 3);
  }());
}

#if EDDY_HAS_THREADS
TEST(Subject, ProducerAndConsumersOnAThreadPool) {
  thread_pool pool{2};
  auto sums = pool.block_on([]() -> task<std::vector<long>> {
    subject<int> s{buffer_policy::wait(4)};
    std::vector<join_handle<long>> readers;
    for (int k = 0; k < 3; ++k) {
      readers.push_back(spawn([](subject_stream<int> st) -> task<long> {
        long sum = 0;
        while (auto r = co_await st.next()) sum += r->value();
        co_return sum;
      }(s.subscribe())));
    }
    auto prod = spawn([](subject<int> s) -> task<void> {
      for (int i = 1; i <= 2000; ++i) (void)co_await s.send(i);
    }(s));
    (void)co_await prod;
    s.close();
    std::vector<long> out;
    for (auto& h : readers) {
      auto r = co_await h;
      out.push_back(r.value());
    }
    co_return out;
  }());
  EXPECT_EQ(sums, (std::vector<long>{2001000, 2001000, 2001000}));
}

#endif  // EDDY_HAS_THREADS

}  // namespace
}  // namespace eddy_stream_test::subject_test
