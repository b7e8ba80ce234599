// SPDX-License-Identifier: BSL-1.0
// replay_subject and behavior_subject: what a new subscriber sees first (the newest values that
// fit its buffer), the handover from replayed to live values with nothing lost or repeated (also
// with a sender on another worker), the end and the error after a close, copies that throw.
#include <stdexcept>

#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::replay_subject_test {
namespace {

/// A vector of ints (g++ 12 miscompiles braced lists in coroutine bodies, see L()).
template <class... A>
std::vector<int> ints(A... a) {
  std::vector<int> v;
  (v.push_back(a), ...);
  return v;
}

/// Values of a list of items (errors become -1).
std::vector<int> vals(const items<int>& v) {
  std::vector<int> out;
  for (auto& x : v) out.push_back(x.is_value() ? x.value() : -1);
  return out;
}

TEST(ReplaySubject, ANewSubscriberGetsTheLastNThenTheLiveValues) {
  local_runtime rt;
  rt.block_on([]() -> task<void> {
    replay_subject<int> s{2};
    auto early = s.subscribe();
    for (int i = 1; i <= 3; ++i) EXPECT_TRUE((co_await s.send(i)).has_value());
    EXPECT_EQ(s.replay_size(), 2u);
    auto late = s.subscribe();
    EXPECT_TRUE((co_await s.send(4)).has_value());
    s.close();
    auto after_close = s.subscribe();
    EXPECT_EQ(vals(co_await collect(std::move(early))), ints(1, 2, 3, 4));
    EXPECT_EQ(vals(co_await collect(std::move(late))), ints(2, 3, 4));
    EXPECT_EQ(vals(co_await collect(std::move(after_close))), ints(3, 4));
  }());
}

TEST(ReplaySubject, ASmallBufferGetsTheNewestValuesThatFit) {
  local_runtime rt;
  rt.block_on([]() -> task<void> {
    replay_subject<int> s{5};
    for (int i = 1; i <= 5; ++i) (void)s.try_send(i);
    auto small = s.subscribe(buffer_policy::wait(2));
    s.close();
    EXPECT_EQ(vals(co_await collect(std::move(small))), ints(4, 5));
    EXPECT_EQ(s.replay_size(), 5u);
  }());
}

TEST(ReplaySubject, AfterAnErrorALateSubscriberGetsTheValuesTheErrorAndTheEnd) {
  local_runtime rt;
  rt.block_on([]() -> task<void> {
    replay_subject<int> s{3};
    (void)s.try_send(1);
    (void)s.try_send(2);
    s.error(E(9));
    auto late = s.subscribe();
    EXPECT_EQ(co_await collect(std::move(late)), L(1, 2, E(9)));
    // A plain subject gives a late subscriber only the end.
    subject<int> plain;
    (void)plain.try_send(1);
    plain.error(E(9));
    EXPECT_EQ(co_await collect(plain.subscribe()), L());
  }());
}

TEST(ReplaySubject, ZeroKeepsNothingAndAWaitingSendEntersWhenItCompletes) {
  local_runtime rt;
  rt.block_on([]() -> task<void> {
    replay_subject<int> none{0};
    (void)none.try_send(1);
    EXPECT_EQ(none.replay_size(), 0u);
    none.close();
    EXPECT_EQ(co_await collect(none.subscribe()), L());

    replay_subject<int> s{4, buffer_policy::wait(1)};
    auto reader = s.subscribe();
    EXPECT_TRUE(s.try_send(1).has_value());
    EXPECT_EQ(s.try_send(2).error().code(), errc::full);  // refused: not kept
    EXPECT_EQ(s.replay_size(), 1u);
    auto waiting = spawn(
        [](replay_subject<int> s) -> task<bool> { co_return (co_await s.send(3)).has_value(); }(s));
    co_await yield_now();
    EXPECT_EQ(s.replay_size(), 1u);  // still waiting for room
    auto first = co_await reader.next();
    EXPECT_EQ(first->value(), 1);
    EXPECT_TRUE((co_await waiting).value());
    EXPECT_EQ(s.replay_size(), 2u);
    s.close();
    // The default policy holds one value: the newest fits; a larger buffer gets both.
    EXPECT_EQ(vals(co_await collect(s.subscribe())), ints(3));
    EXPECT_EQ(vals(co_await collect(s.subscribe(buffer_policy::wait(8)))), ints(1, 3));
  }());
}

TEST(ReplaySubject, ItIsASubject) {
  local_runtime rt;
  rt.block_on([]() -> task<void> {
    replay_subject<int> r{1};
    subject<int> as_subject = r;  // another handle to the same state
    (void)as_subject.try_send(7);
    EXPECT_EQ(r.replay_size(), 1u);
    EXPECT_EQ(as_subject.subscriber_count(), 0u);
    auto s = r.subscribe();
    EXPECT_EQ(as_subject.subscriber_count(), 1u);
    as_subject.close();
    EXPECT_EQ(vals(co_await collect(std::move(s))), ints(7));
  }());
}

// A subscriber made while another worker sends sees one run of consecutive values that ends
// with the last one: the replay and the live values meet with no gap and no repeat.
TEST(ReplaySubject, ReplayAndLiveValuesMeetWithoutGapOrRepeatAcrossThreads) {
  constexpr int n = 2000;
  for (int round = 0; round < 20; ++round) {
    thread_pool pool{2};
    auto got = pool.block_on([round]() -> task<std::vector<int>> {
      replay_subject<int> s{8, buffer_policy::wait(64)};
      auto keep_open = s.subscribe(buffer_policy::drop_oldest(1));
      auto sender = spawn([](replay_subject<int> s) -> task<void> {
        for (int i = 0; i < n; ++i) (void)co_await s.send(i);
        s.close();
      }(s));
      for (int i = 0; i < round * 5; ++i) co_await yield_now();
      auto late = s.subscribe();
      auto out = vals(co_await collect(std::move(late)));
      (void)co_await sender;
      co_return out;
    }());
    ASSERT_FALSE(got.empty()) << "round " << round;
    EXPECT_EQ(got.back(), n - 1) << "round " << round;
    for (std::size_t i = 1; i < got.size(); ++i)
      ASSERT_EQ(got[i], got[i - 1] + 1) << "round " << round << " at " << i;
  }
}

TEST(BehaviorSubject, StartsWithItsValueAndKeepsTheLastOne) {
  local_runtime rt;
  rt.block_on([]() -> task<void> {
    behavior_subject<int> s{20};
    EXPECT_EQ(s.value(), 20);
    auto first = s.subscribe();
    EXPECT_TRUE((co_await s.send(21)).has_value());
    EXPECT_EQ(s.value(), 21);
    auto second = s.subscribe();
    (void)s.try_send(22);
    s.close();
    EXPECT_EQ(s.value(), 22);
    EXPECT_EQ(vals(co_await collect(std::move(first))), ints(20, 21, 22));
    EXPECT_EQ(vals(co_await collect(std::move(second))), ints(21, 22));
    EXPECT_EQ(vals(co_await collect(s.subscribe())), ints(22));
  }());
}

TEST(BehaviorSubject, ComposesWithOperators) {
  sim_runtime sim{3};
  auto out = sim.block_on([]() -> task<items<int>> {
    behavior_subject<int> s{1};
    auto doubled = s.subscribe() | map([](int x) { return x * 2; });
    (void)s.try_send(2);
    s.close();
    co_return co_await collect_subscribe(std::move(doubled));
  }());
  EXPECT_EQ(out, L(2, 4));
}

#if EDDY_HAS_EXCEPTIONS
// Copies of -1 throw, and every copy while `fail_copies` is set.
struct brittle {
  int v = 0;
  static inline bool fail_copies = false;
  explicit brittle(int x) noexcept : v(x) {}
  brittle(const brittle& o) : v(o.v) {
    if (o.v < 0 || fail_copies) throw std::runtime_error("brittle");
  }
  brittle(brittle&&) noexcept = default;
  brittle& operator=(const brittle&) = default;
  brittle& operator=(brittle&&) noexcept = default;
};

TEST(ReplaySubject, ASendWhoseCopyThrowsIsNotKept) {
  local_runtime rt;
  rt.block_on([]() -> task<void> {
    replay_subject<brittle> s{3};
    EXPECT_TRUE(s.try_send(brittle{1}).has_value());
    auto r = s.try_send(brittle{-1});  // the copy into the ring throws
    EXPECT_EQ(r.error().code(), errc::exception);
    EXPECT_EQ(s.replay_size(), 1u);
    s.close();
    auto late = co_await collect(s.subscribe());
    EXPECT_EQ(late.size(), 1u);
    if (late.size() != 1u) co_return;
    EXPECT_EQ(late[0].value().v, 1);
  }());
}

TEST(ReplaySubject, AReplayedCopyThatThrowsBecomesAnErrorItemInItsPlace) {
  local_runtime rt;
  rt.block_on([]() -> task<void> {
    replay_subject<brittle> s{2};
    (void)s.try_send(brittle{1});
    (void)s.try_send(brittle{2});
    brittle::fail_copies = true;
    auto late = s.subscribe();  // both replayed copies throw
    brittle::fail_copies = false;
    (void)s.try_send(brittle{3});
    s.close();
    auto got = co_await collect(std::move(late));
    EXPECT_EQ(got.size(), 3u);
    if (got.size() != 3u) co_return;
    EXPECT_EQ(got[0].error().code(), errc::exception);
    EXPECT_STREQ(got[0].error().message(), "brittle");
    EXPECT_EQ(got[1].error().code(), errc::exception);
    EXPECT_EQ(got[2].value().v, 3);
  }());
}
#endif

TEST(ReplaySubject, AMovedFromHandleIsEmpty) {
  replay_subject<int> a{2};
  replay_subject<int> b = std::move(a);
  EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): the documented state
  EXPECT_EQ(a.replay_size(), 0u);
  EXPECT_TRUE(b.valid());
}

}  // namespace
}  // namespace eddy_stream_test::replay_subject_test
