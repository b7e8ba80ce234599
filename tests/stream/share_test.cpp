// SPDX-License-Identifier: BSL-1.0
// share: every subscriber gets every later item, errors pass, pull-driven, policies, stops
// pulling when the last subscriber goes, cancel safety, composition, empty, bad capacity;
// replay = n: the last n values first, then live ones, with no gap or repeat; the resets (on
// completion, when the last subscriber left, after a grace on the virtual clock).
#include "stream/stream_test_util.hpp"

namespace eddy_stream_test::share_test {
namespace {

/// A generator of 1..n, one per `step`, counting what it produced.
generator<int> counted(int n, duration step, int* produced) {
  for (int i = 1; i <= n; ++i) {
    co_await sleep(step);
    ++*produced;
    co_yield i;
  }
}

TEST(Share, SynchronousUpstreamPurePull) {
  local_runtime rt;
  auto out = rt.block_on([]() -> task<std::pair<items<int>, items<int>>> {
    auto sh = from_items<int>({1, 2, E(3), 4}) | share();
    auto a = sh.subscribe();
    auto b = sh.subscribe();
    // a pulls everything it can; b's buffer (64) keeps its copies
    auto ra = co_await collect(std::move(a));
    auto rb = co_await collect(std::move(b));
    co_return std::pair{ra, rb};
  }());
  EXPECT_EQ(out.first, (items<int>{1, 2, E(3), 4}));
  EXPECT_EQ(out.second, (items<int>{1, 2, E(3), 4}));
}

TEST(Share, HandleAssignmentAndMovedFrom) {
  auto sh = from_items<int>({1, 2}) | share();
  auto a = sh.subscribe();
  EXPECT_EQ(sh.subscriber_count(), 1u);
  auto copy = sh;  // copy-assign and move-assign keep the one shared state
  copy = sh;
  auto moved = std::move(copy);
  EXPECT_EQ(copy.subscriber_count(), 0u);  // NOLINT: a moved-from handle answers 0
  EXPECT_EQ(moved.subscriber_count(), 1u);
  moved = std::move(sh);
  EXPECT_EQ(moved.subscriber_count(), 1u);
}

TEST(Share, LateSubscriberSeesOnlyLaterItems) {
  sim_runtime sim{1};
  auto out = sim.block_on([]() -> task<std::pair<items<int>, items<int>>> {
    int produced = 0;
    auto sh = counted(4, 10ms, &produced) | share();
    auto a = sh.subscribe();
    items<int> ra;
    for (int i = 0; i < 2; ++i) {
      auto r = co_await a.next();
      ra.push_back(*r);
    }
    auto b = sh.subscribe();
    auto rest = co_await collect(std::move(a));
    ra.insert(ra.end(), rest.begin(), rest.end());
    auto rb = co_await collect(std::move(b));
    co_return std::pair{ra, rb};
  }());
  EXPECT_EQ(out.first, (items<int>{1, 2, 3, 4}));
  EXPECT_EQ(out.second, (items<int>{3, 4}));
}

TEST(Share, ConcurrentSubscribersOnVirtualTime) {
  sim_runtime sim{7};
  auto out = sim.block_on([]() -> task<std::vector<std::vector<seen<int>>>> {
    auto sh = timed_source<int>({{10, 1}, {20, E(2)}, {30, 3}, {40, std::nullopt}}) | share();
    std::vector<join_handle<std::vector<seen<int>>>> hs;
    for (int k = 0; k < 3; ++k) hs.push_back(spawn(marble(sh.subscribe())));
    std::vector<std::vector<seen<int>>> res;
    for (auto& h : hs) {
      auto r = co_await h;
      res.push_back(r.value());
    }
    co_return res;
  }());
  for (auto& o : out) {
    EXPECT_EQ(o, (std::vector<seen<int>>{V(10, 1), Err<int>(20, 2), V(30, 3), End<int>(40)}));
  }
}

TEST(Share, WaitPolicyHoldsThePullerForTheSlowest) {
  sim_runtime sim{2};
  auto out = sim.block_on([]() -> task<std::pair<std::vector<seen<int>>, items<int>>> {
    int produced = 0;
    auto sh = counted(6, 1ms, &produced) | share(buffer_policy::wait(2));
    auto fast = sh.subscribe();
    auto slow = sh.subscribe();
    auto f = spawn(marble(std::move(fast)));
    co_await sleep(20ms);
    EXPECT_EQ(produced, 2);  // slow's buffer (2) is full: nothing more is pulled
    auto s = co_await collect(std::move(slow));
    auto fr = co_await f;
    co_return std::pair{fr.value(), s};
  }());
  EXPECT_EQ(out.first, (std::vector<seen<int>>{V(1, 1), V(2, 2), V(21, 3), V(22, 4), V(23, 5),
                                               V(24, 6), End<int>(24)}));
  EXPECT_EQ(out.second, (items<int>{1, 2, 3, 4, 5, 6}));
}

TEST(Share, DropPoliciesNeverHoldThePuller) {
  local_runtime rt;
  rt.block_on([]() -> task<void> {
    auto sh = from_range(std::vector<int>{1, 2, 3, 4, 5, 6}) | share();
    auto puller = sh.subscribe(buffer_policy::wait(1));
    auto oldest = sh.subscribe(buffer_policy::drop_oldest(2));
    auto newest = sh.subscribe(buffer_policy::drop_newest(2));
    auto fail = sh.subscribe(buffer_policy::fail(2));
    {
      auto got_ = co_await collect(std::move(puller));
      EXPECT_EQ(got_, (items<int>{1, 2, 3, 4, 5, 6}));
    }
    EXPECT_EQ(oldest.dropped(), 4u);
    {
      auto got_ = co_await collect(std::move(oldest));
      EXPECT_EQ(got_, (items<int>{5, 6}));
    }
    {
      auto got_ = co_await collect(std::move(newest));
      EXPECT_EQ(got_, (items<int>{1, 2}));
    }
    auto f = co_await collect(std::move(fail));
    EXPECT_EQ(f.size(), 3u);
    if (f.size() != 3u) co_return;
    EXPECT_EQ(f[2].error().code(), errc::full);
  }());
}

TEST(Share, StopsPullingWhenTheLastSubscriberGoes) {
  sim_runtime sim{3};
  int produced = 0;
  sim.block_on([](int* produced) -> task<void> {
    auto sh = counted(100, 10ms, produced) | share();
    {
      auto a = sh.subscribe();
      for (int i = 0; i < 3; ++i) co_await a.next();
    }
    co_await sleep(1s);
    EXPECT_EQ(*produced, 3);  // nobody asked: nothing was pulled
    auto b = sh.subscribe();
    auto r = co_await b.next();
    EXPECT_EQ(r->value(), 4);
  }(&produced));
  sim.run();
  EXPECT_EQ(produced, 4);
  EXPECT_EQ(sim.live_tasks(), 0u);
}

TEST(Share, CancelledPullerLosesNothing) {
  sim_runtime sim{4};
  auto out = sim.block_on([]() -> task<items<int>> {
    auto sh = timed_source<int>({{10, 1}, {20, 2}, {30, std::nullopt}}) | share();
    auto a = sh.subscribe();
    auto t = co_await timeout(5ms, a.next());  // the pull goes on in the pump
    EXPECT_FALSE(t.has_value());
    co_return co_await collect(std::move(a));
  }());
  EXPECT_EQ(out, (items<int>{1, 2}));
}

TEST(Share, ComposesEmptyAndBadCapacity) {
  sim_runtime sim{5};
  sim.block_on([]() -> task<void> {
    auto sh = timed_source<int>({{1, 1}, {2, 2}, {3, 3}}) | share();
    auto doubled = sh.subscribe() | map([](int x) { return x * 2; });
    auto odd = sh.subscribe() | filter([](int x) { return x % 2 == 1; });
    auto h = spawn(collect(std::move(odd)));
    {
      auto got_ = co_await collect(std::move(doubled));
      EXPECT_EQ(got_, (items<int>{2, 4, 6}));
    }
    auto o = co_await h;
    EXPECT_EQ(o.value(), (items<int>{1, 3}));
    auto e = empty<int>() | share();
    {
      auto got_ = co_await collect(e.subscribe());
      EXPECT_TRUE(got_.empty());
    }
    {
      auto got_ = co_await collect(e.subscribe());
      EXPECT_TRUE(got_.empty());  // ended: a later one ends at once
    }
    auto bad = co_await collect(e.subscribe(buffer_policy::wait(0)));
    EXPECT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].error().code(), errc::invalid_argument);
  }());
}

// ---- replay ---------------------------------------------------------------------------------

TEST(ShareReplay, LateSubscriberGetsTheLastValuesThenLiveOnes) {
  sim_runtime sim{11};
  auto out = sim.block_on([]() -> task<std::vector<std::vector<seen<int>>>> {
    auto sh =
        timed_source<int>({{10, 1}, {20, 2}, {30, E(7)}, {40, 3}, {50, 4}, {60, std::nullopt}}) |
        share(share_options{.replay = 2});
    auto a = sh.subscribe();
    auto ha = spawn(marble(std::move(a)));
    co_await sleep(45ms);  // 1, 2, E, 3 pulled: kept 2 and 3 (errors are not kept)
    auto hb = spawn(marble(sh.subscribe()));
    auto ra = co_await ha;
    auto rb = co_await hb;
    auto rc = co_await marble(sh.subscribe());  // after the end: the kept values, then the end
    std::vector<std::vector<seen<int>>> res;
    res.push_back(ra.value());
    res.push_back(rb.value());
    res.push_back(std::move(rc));
    co_return res;
  }());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], (std::vector<seen<int>>{V(10, 1), V(20, 2), Err<int>(30, 7), V(40, 3), V(50, 4),
                                            End<int>(60)}));
  EXPECT_EQ(out[1], (std::vector<seen<int>>{V(45, 2), V(45, 3), V(50, 4), End<int>(60)}));
  EXPECT_EQ(out[2], (std::vector<seen<int>>{V(60, 3), V(60, 4), End<int>(60)}));
}

TEST(ShareReplay, ReplayIsCutToTheSubscribersCapacityAndZeroIsToday) {
  local_runtime rt;
  rt.block_on([]() -> task<void> {
    auto sh = from_range(std::vector<int>{1, 2, 3, 4, 5}) | share(share_options{.replay = 4});
    {
      auto all = co_await collect(sh.subscribe());
      EXPECT_EQ(all, L(1, 2, 3, 4, 5));
    }
    {
      auto small = co_await collect(sh.subscribe(buffer_policy::wait(2)));
      EXPECT_EQ(small, L(4, 5));  // the newest that fit
    }
    {
      auto four = co_await collect(sh.subscribe());
      EXPECT_EQ(four, L(2, 3, 4, 5));
    }
    auto none = from_range(std::vector<int>{1, 2}) | share(share_options{.replay = 0});
    {
      auto first = co_await collect(none.subscribe());
      EXPECT_EQ(first, L(1, 2));
    }
    {
      auto late = co_await collect(none.subscribe());
      EXPECT_TRUE(late.empty());  // as share(): a late subscriber ends at once
    }
    auto bad = co_await collect(sh.subscribe(buffer_policy::wait(0)));
    EXPECT_EQ(bad.size(), 1u);
    if (!bad.empty()) {
      EXPECT_EQ(bad[0].error().code(), errc::invalid_argument);
    }
  }());
}

TEST(ShareReplay, DefaultPolicyComesFromTheOptions) {
  local_runtime rt;
  rt.block_on([]() -> task<void> {
    auto sh = from_range(std::vector<int>{1, 2, 3, 4, 5, 6}) |
              share(share_options{.policy = buffer_policy::drop_oldest(2), .replay = 1});
    auto a = sh.subscribe(buffer_policy::wait(8));
    auto b = sh.subscribe();  // drop_oldest(2)
    {
      auto got_ = co_await collect(std::move(a));
      EXPECT_EQ(got_, L(1, 2, 3, 4, 5, 6));
    }
    EXPECT_EQ(b.dropped(), 4u);
    {
      auto got_ = co_await collect(std::move(b));
      EXPECT_EQ(got_, L(5, 6));
    }
  }());
}

/// Values 0..n-1 at 0..n-1 ms, the end at n ms.
std::vector<timed<int>> ramp(int n) {
  std::vector<timed<int>> v;
  for (int i = 0; i < n; ++i) v.push_back({static_cast<std::int64_t>(i), item<int>(i)});
  v.push_back({n, std::nullopt});
  return v;
}

TEST(ShareReplay, ComposesAndNeverRepeatsUnderSeededSchedules) {
  // A subscriber joining at a seed-chosen moment gets a contiguous run of the upstream's values:
  // the replay (up to 3) and the live values meet with no gap and no repeat.
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    sim_runtime sim{seed};
    auto r = sim.try_block_on([](std::uint64_t sd) -> task<std::pair<items<int>, items<int>>> {
      auto sh = timed_source<int>(ramp(20)) | share(share_options{.replay = 3});
      auto ha = spawn(collect(sh.subscribe(buffer_policy::wait(1))));
      co_await sleep(std::chrono::microseconds(static_cast<std::int64_t>(sd * 97 % 21000)));
      auto late = sh.subscribe(buffer_policy::wait(1)) | map([](int x) { return x + 100; });
      auto rb = co_await collect(std::move(late));
      auto ra = co_await ha;
      co_return std::pair{ra.value(), rb};
    }(seed));
    ASSERT_TRUE(r.has_value()) << "seed " << seed << ": " << r.error().message();
    items<int> all;
    for (int i = 0; i < 20; ++i) all.push_back(i);
    ASSERT_EQ(r.value().first, all) << "seed " << seed;
    const auto& b = r.value().second;
    ASSERT_FALSE(b.empty()) << "seed " << seed;  // at least the last values are replayed
    ASSERT_EQ(b.back().value(), 119) << "seed " << seed;
    for (std::size_t i = 1; i < b.size(); ++i)
      ASSERT_EQ(b[i].value(), b[i - 1].value() + 1) << "seed " << seed << " at " << i;
    sim.run();
    ASSERT_EQ(sim.live_tasks(), 0u) << "seed " << seed;
  }
}

// ---- resets ---------------------------------------------------------------------------------

/// A copyable stream: 1..n, one every `step` of runtime time; each copy starts at 1 and counts
/// its start in `*starts`.
class ticks {
 public:
  ticks(int n, duration step, int* starts) : n_(n), step_(step), starts_(starts) {}
  task<std::optional<item<int>>> next() {
    if (i_ == 0) ++*starts_;
    if (i_ == n_) co_return std::nullopt;
    co_await sleep(step_);
    co_return item<int>(++i_);
  }

 private:
  int n_;
  duration step_;
  int* starts_;
  int i_ = 0;
};

/// The first `k` values of `s`, with their times.
template <class S>
task<std::vector<seen<int>>> first(S& s, int k) {
  std::vector<seen<int>> out;
  for (int i = 0; i < k; ++i) {
    auto r = co_await s.next();
    out.push_back({ms_of(now()), r});
    if (!r) break;
  }
  co_return out;
}

TEST(ShareReset, RefCountZeroRestartsTheUpstreamForTheNextSubscriber) {
  sim_runtime sim{21};
  int starts = 0;
  auto out = sim.block_on([](int* st) -> task<std::vector<std::vector<seen<int>>>> {
    auto sh = ticks(100, 10ms, st) | share(share_options{.reset_on_refcount_zero = true});
    std::vector<std::vector<seen<int>>> res;
    {
      auto a = sh.subscribe();
      res.push_back(co_await first(a, 3));
    }  // a leaves at 30 ms: the next subscriber starts again
    co_await sleep(5ms);
    auto b = sh.subscribe();
    res.push_back(co_await first(b, 2));
    co_return res;
  }(&starts));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], (std::vector<seen<int>>{V(10, 1), V(20, 2), V(30, 3)}));
  EXPECT_EQ(out[1], (std::vector<seen<int>>{V(45, 1), V(55, 2)}));
  EXPECT_EQ(starts, 2);
  sim.run();
  EXPECT_EQ(sim.live_tasks(), 0u);  // the first upstream's pump was aborted
}

TEST(ShareReset, GraceIsExactOnVirtualTime) {
  sim_runtime sim{22};
  int starts = 0;
  auto out = sim.block_on([](int* st) -> task<std::vector<std::vector<seen<int>>>> {
    auto sh =
        ticks(100, 10ms, st) | share(share_options{.reset_on_refcount_zero = true, .grace = 50ms});
    std::vector<std::vector<seen<int>>> res;
    {
      auto a = sh.subscribe();
      res.push_back(co_await first(a, 3));
    }                      // left at 30 ms
    co_await sleep(49ms);  // 79 ms: within the grace, the same upstream goes on
    {
      auto b = sh.subscribe();
      res.push_back(co_await first(b, 1));
    }                      // left at 89 ms
    co_await sleep(50ms);  // 139 ms: the grace is over, a fresh upstream
    auto c = sh.subscribe();
    res.push_back(co_await first(c, 1));
    co_return res;
  }(&starts));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[1], (std::vector<seen<int>>{V(89, 4)}));
  EXPECT_EQ(out[2], (std::vector<seen<int>>{V(149, 1)}));
  EXPECT_EQ(starts, 2);
}

TEST(ShareReset, OnCompleteRestartsAfterTheEndWithAFreshReplay) {
  sim_runtime sim{23};
  int starts = 0;
  auto out = sim.block_on([](int* st) -> task<std::vector<std::vector<seen<int>>>> {
    auto reset = ticks(2, 10ms, st) | share(share_options{.replay = 1, .reset_on_complete = true});
    auto keep = ticks(2, 10ms, st) | share(share_options{.replay = 1});
    std::vector<std::vector<seen<int>>> res;
    res.push_back(co_await marble(reset.subscribe()));
    res.push_back(co_await marble(reset.subscribe()));  // after the end: starts again
    res.push_back(co_await marble(keep.subscribe()));
    res.push_back(co_await marble(keep.subscribe()));  // after the end: the kept value, the end
    co_return res;
  }(&starts));
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0], (std::vector<seen<int>>{V(10, 1), V(20, 2), End<int>(20)}));
  EXPECT_EQ(out[1], (std::vector<seen<int>>{V(30, 1), V(40, 2), End<int>(40)}));
  EXPECT_EQ(out[2], (std::vector<seen<int>>{V(50, 1), V(60, 2), End<int>(60)}));
  EXPECT_EQ(out[3], (std::vector<seen<int>>{V(60, 2), End<int>(60)}));
  EXPECT_EQ(starts, 3);
}

TEST(ShareReset, NeedsACopyableUpstream) {
  sim_runtime sim{24};
  sim.block_on([]() -> task<void> {
    auto sh = timed_source<int>({{1, 1}}) | share(share_options{.reset_on_complete = true});
    auto got = co_await collect(sh.subscribe());
    EXPECT_EQ(got.size(), 1u);
    if (!got.empty()) {
      EXPECT_EQ(got[0].error().code(), errc::invalid_argument);
    }
  }());
}

#if EDDY_HAS_THREADS
/// Subscribes `rounds` times, each time reading up to 5 values; counts the reads that were not
/// one more than the previous one of the same subscription.
template <class H>
task<int> come_and_go(H sh, int rounds) {
  int gaps = 0;
  for (int i = 0; i < rounds; ++i) {
    auto s = sh.subscribe();
    int last = -1;
    for (int k = 0; k < 5; ++k) {
      auto r = co_await s.next();
      if (!r) break;
      if (last >= 0 && r->value() != last + 1) ++gaps;
      last = r->value();
    }
    co_await yield_now();
  }
  co_return gaps;
}

TEST(ShareReset, SubscribersComingAndGoingOnAThreadPool) {
  std::vector<int> data;
  for (int i = 0; i < 100000; ++i) data.push_back(i);
  thread_pool pool{2};
  auto gaps = pool.block_on([](std::vector<int>* d) -> task<int> {
    auto sh = from_range(*d) | share(share_options{.policy = buffer_policy::wait(4),
                                                   .reset_on_complete = true,
                                                   .reset_on_refcount_zero = true});
    std::vector<join_handle<int>> hs;
    for (int t = 0; t < 6; ++t) hs.push_back(spawn(come_and_go(sh, 40)));
    int g = 0;
    for (auto& h : hs) {
      auto r = co_await h;
      g += r.value();
    }
    co_return g;
  }(&data));
  EXPECT_EQ(gaps, 0);  // every subscription sees consecutive values of one upstream
}
#endif  // EDDY_HAS_THREADS

}  // namespace
}  // namespace eddy_stream_test::share_test
