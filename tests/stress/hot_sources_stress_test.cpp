// SPDX-License-Identifier: BSL-1.0
// Hot sources under many schedules: seeded exploration on sim_runtime (1000 seeds each for
// subject, share and partition) and real threads on thread_pool (run under TSan).
// Checked: under overflow::wait no item is lost or duplicated and per-producer order is kept;
// under the dropping policies what is received is in order, received + dropped() == sent,
// drop_oldest keeps the newest `capacity` items, drop_newest the oldest `capacity`, and
// overflow::error delivers a prefix then errc::full; no deadlock (try_block_on).
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "conformance/runtimes.hpp"
#include "conformance/seeded_pause.hpp"

namespace eddy_test::stress_hot_sources_stress_test {

using namespace eddy;
using namespace std::chrono_literals;

namespace {

constexpr int seeds = 1000;

using eddy_test::pause;
using eddy_test::rng;

struct received {
  std::vector<int> values;  ///< values, and user errors as -1000 - code (they are items too)
  int full_errors = 0;
  int other_errors = 0;
  std::uint64_t dropped = 0;

  void record(item<int>&& x) {
    if (x.is_value()) {
      values.push_back(x.value());
    } else if (x.error().code() == errc::full) {
      ++full_errors;
    } else {
      values.push_back(-1000 - static_cast<int>(x.error().count()));
      ++other_errors;
    }
  }
};

/// The items `paced(n)` yields: 0..n-1, with an error (code i) before each i with i % 17 == 16.
std::vector<int> paced_items(int n, int parity = -1) {
  std::vector<int> out;
  for (int i = 0; i < n; ++i) {
    if (i % 17 == 16) out.push_back(-1000 - i);
    if (parity < 0 || i % 2 == parity) out.push_back(i);
  }
  return out;
}

/// Reads `*s` to its end with seed-chosen pauses. (`dropped` is read by the caller once every
/// producer is done: a cut-off subscriber keeps counting what it misses.)
template <class S>
task<received> drain_ptr(S* s, std::uint64_t seed) {
  rng r{seed | 1};
  received out;
  for (;;) {
    co_await pause(r);
    auto x = co_await s->next();
    if (!x) break;
    out.record(std::move(*x));
  }
  co_return out;
}

/// Owns the stream while it is drained; reads `dropped` at the end.
template <class S>
task<received> drain(S s, std::uint64_t seed) {
  received out = co_await drain_ptr(&s, seed);
  out.dropped = s.dropped();
  co_return out;
}

/// `sub` is a subsequence of `all`.
bool subsequence(const std::vector<int>& sub, const std::vector<int>& all) {
  std::size_t i = 0;
  for (int v : all) {
    if (i < sub.size() && sub[i] == v) ++i;
  }
  return i == sub.size();
}

/// The checks of a dropping policy against the lossless order `all`.
::testing::AssertionResult check_policy(overflow p, std::size_t cap, const received& got,
                                        const std::vector<int>& all) {
  const std::size_t n = all.size();
  if (!subsequence(got.values, all)) return ::testing::AssertionFailure() << "not in order";
  if (got.values.size() + got.dropped != n) {
    return ::testing::AssertionFailure()
           << "received " << got.values.size() << " + dropped " << got.dropped << " != " << n;
  }
  const std::size_t keep = std::min(cap, n);
  switch (p) {
    case overflow::wait:
      if (got.values != all) return ::testing::AssertionFailure() << "lost or duplicated";
      break;
    case overflow::drop_oldest:
      if (!std::equal(all.end() - static_cast<long>(keep), all.end(),
                      got.values.end() - static_cast<long>(keep)))
        return ::testing::AssertionFailure() << "the newest items are missing";
      break;
    case overflow::drop_newest:
      if (!std::equal(all.begin(), all.begin() + static_cast<long>(keep), got.values.begin()))
        return ::testing::AssertionFailure() << "the oldest items are missing";
      break;
    case overflow::error:
      if (!std::equal(got.values.begin(), got.values.end(), all.begin()))
        return ::testing::AssertionFailure() << "not a prefix";
      if (got.values.size() < keep) return ::testing::AssertionFailure() << "prefix too short";
      if (got.full_errors != (got.values.size() < n ? 1 : 0))
        return ::testing::AssertionFailure() << "errc::full count " << got.full_errors;
      break;
  }
  return ::testing::AssertionSuccess();
}

// ---- subject ------------------------------------------------------------------------------

struct subject_outcome {
  std::vector<received> subs;
  int sent = 0;
};

task<int> produce(subject<int> s, int p, int n, std::uint64_t seed) {
  rng r{seed * 31 + static_cast<std::uint64_t>(p) + 7};
  int sent = 0;
  for (int i = 0; i < n; ++i) {
    co_await pause(r);
    auto res = co_await s.send(p * 1000 + i);
    if (res.has_value()) ++sent;
  }
  co_return sent;
}

task<subject_outcome> subject_schedule(std::uint64_t seed) {
  const buffer_policy policies[] = {buffer_policy::wait(2), buffer_policy::wait(1),
                                    buffer_policy::drop_oldest(3), buffer_policy::drop_newest(3),
                                    buffer_policy::fail(3)};
  subject<int> s;
  std::vector<subject_stream<int>> streams;
  for (const auto& p : policies) streams.push_back(s.subscribe(p));
  std::vector<join_handle<received>> readers;
  for (std::size_t k = 0; k < streams.size(); ++k) {
    readers.push_back(spawn(drain_ptr(&streams[k], seed * 7 + k)));
  }
  std::vector<join_handle<int>> producers;
  for (int p = 0; p < 3; ++p) producers.push_back(spawn(produce(s, p, 15, seed)));
  subject_outcome out;
  for (auto& h : producers) {
    auto r = co_await h;
    out.sent += r.value();
  }
  s.close();
  for (std::size_t k = 0; k < streams.size(); ++k) {
    auto r = co_await readers[k];
    out.subs.push_back(r.value());
    out.subs.back().dropped = streams[k].dropped();
  }
  co_return out;
}

TEST(HotSourcesExplore, SubjectUnderEveryPolicy) {
  for (int seed = 0; seed < seeds; ++seed) {
    sim_runtime sim{static_cast<std::uint64_t>(seed)};
    auto r = sim.try_block_on(subject_schedule(static_cast<std::uint64_t>(seed)));
    ASSERT_TRUE(r.has_value()) << "seed " << seed << ": " << r.error().message();
    const subject_outcome& o = r.value();
    ASSERT_EQ(o.sent, 45) << "seed " << seed;
    const std::vector<int>& all = o.subs[0].values;  // the lossless order of delivery
    ASSERT_EQ(all.size(), 45u) << "seed " << seed;
    for (int p = 0; p < 3; ++p) {  // per-producer order
      int last = -1;
      for (int v : all) {
        if (v / 1000 != p) continue;
        ASSERT_GT(v, last) << "seed " << seed;
        last = v;
      }
    }
    const overflow kinds[] = {overflow::wait, overflow::wait, overflow::drop_oldest,
                              overflow::drop_newest, overflow::error};
    const std::size_t caps[] = {2, 1, 3, 3, 3};
    for (std::size_t k = 0; k < 5; ++k) {
      ASSERT_TRUE(check_policy(kinds[k], caps[k], o.subs[k], all))
          << "seed " << seed << " sub " << k;
    }
  }
}

// ---- share --------------------------------------------------------------------------------

generator<int> paced(int n, std::uint64_t seed) {
  rng r{seed * 13 + 5};
  for (int i = 0; i < n; ++i) {
    co_await pause(r);
    if (i % 17 == 16) co_yield error{errc::user, static_cast<std::uint64_t>(i)};
    co_yield i;
  }
}

task<received> drain_with_cancels(shared_subscriber<generator<int>> s, std::uint64_t seed) {
  rng r{seed | 1};
  received out;
  for (;;) {
    co_await pause(r);
    if (r.next() % 5 == 0) {  // a next() given up early: nothing may be lost
      auto t = co_await timeout(std::chrono::microseconds(r.next() % 20), s.next());
      if (t) {
        if (!*t) break;
        out.record(std::move(**t));
      }
      continue;
    }
    auto x = co_await s.next();
    if (!x) break;
    out.record(std::move(*x));
  }
  out.dropped = s.dropped();
  co_return out;
}

task<std::vector<received>> share_schedule(std::uint64_t seed, int n) {
  auto sh = paced(n, seed) | share();
  std::vector<join_handle<received>> hs;
  hs.push_back(spawn(drain_with_cancels(sh.subscribe(buffer_policy::wait(2)), seed * 3 + 1)));
  hs.push_back(spawn(drain_with_cancels(sh.subscribe(buffer_policy::wait(1)), seed * 3 + 2)));
  hs.push_back(spawn(drain(sh.subscribe(buffer_policy::drop_oldest(2)), seed * 3 + 3)));
  hs.push_back(spawn(drain(sh.subscribe(buffer_policy::drop_newest(2)), seed * 3 + 4)));
  auto fail = sh.subscribe(buffer_policy::fail(2));
  hs.push_back(spawn(drain_ptr(&fail, seed * 3 + 5)));
  std::vector<received> out;
  for (auto& h : hs) {
    auto r = co_await h;
    out.push_back(r.value());
  }
  out.back().dropped = fail.dropped();  // once the upstream has ended
  co_return out;
}

TEST(HotSourcesExplore, ShareLosesNothingUnderWaitAndCountsDrops) {
  constexpr int n = 40;
  const std::vector<int> all = paced_items(n);  // 40 values and 2 errors, in order
  for (int seed = 0; seed < seeds; ++seed) {
    sim_runtime sim{static_cast<std::uint64_t>(seed)};
    auto r = sim.try_block_on(share_schedule(static_cast<std::uint64_t>(seed), n));
    ASSERT_TRUE(r.has_value()) << "seed " << seed << ": " << r.error().message();
    const auto& subs = r.value();
    ASSERT_TRUE(check_policy(overflow::wait, 2, subs[0], all)) << "seed " << seed;
    ASSERT_TRUE(check_policy(overflow::wait, 1, subs[1], all)) << "seed " << seed;
    ASSERT_TRUE(check_policy(overflow::drop_oldest, 2, subs[2], all)) << "seed " << seed;
    ASSERT_TRUE(check_policy(overflow::drop_newest, 2, subs[3], all)) << "seed " << seed;
    ASSERT_TRUE(check_policy(overflow::error, 2, subs[4], all)) << "seed " << seed;
    sim.run();
    ASSERT_EQ(sim.live_tasks(), 0u) << "seed " << seed;
  }
}

// ---- partition ----------------------------------------------------------------------------

task<std::pair<received, received>> partition_schedule(std::uint64_t seed, int n, buffer_policy p,
                                                       bool drop_even) {
  auto [odd, even] = paced(n, seed) | partition([](int x) { return x % 2 != 0; }, p);
  auto ho = spawn(drain(std::move(odd), seed * 5 + 1));
  received e;
  if (drop_even) {
    rng r{seed};
    const int keep = static_cast<int>(r.next() % 6);
    for (int i = 0; i < keep; ++i) {
      auto x = co_await even.next();
      if (!x) break;
      e.record(std::move(*x));
    }
    { auto gone = std::move(even); }
  } else {
    e = co_await drain(std::move(even), seed * 5 + 2);
  }
  auto o = co_await ho;
  co_return std::pair{o.value(), e};
}

TEST(HotSourcesExplore, PartitionRoutesEverythingAndSurvivesADroppedSide) {
  constexpr int n = 40;
  const std::vector<int> odds = paced_items(n, 1), evens = paced_items(n, 0);  // errors in both
  for (int seed = 0; seed < seeds; ++seed) {
    const auto useed = static_cast<std::uint64_t>(seed);
    const buffer_policy pol = seed % 2 ? buffer_policy::wait(1) : buffer_policy::wait(3);
    {
      sim_runtime sim{useed};
      auto r = sim.try_block_on(partition_schedule(useed, n, pol, false));
      ASSERT_TRUE(r.has_value()) << "seed " << seed << ": " << r.error().message();
      ASSERT_EQ(r.value().first.values, odds) << "seed " << seed;
      ASSERT_EQ(r.value().second.values, evens) << "seed " << seed;
    }
    {
      sim_runtime sim{useed + 100000};
      auto r = sim.try_block_on(partition_schedule(useed, n, pol, true));
      ASSERT_TRUE(r.has_value()) << "seed " << seed << " (dropped side): " << r.error().message();
      ASSERT_EQ(r.value().first.values, odds) << "seed " << seed;
      const auto& ev = r.value().second.values;
      ASSERT_TRUE(std::equal(ev.begin(), ev.end(), evens.begin())) << "seed " << seed;
      sim.run();
      ASSERT_EQ(sim.live_tasks(), 0u) << "seed " << seed;
    }
  }
}

#if EDDY_HAS_THREADS
task<std::pair<received, received>> partition_drop_schedule(std::uint64_t seed, int n,
                                                            buffer_policy p) {
  auto [odd, even] = paced(n, seed) | partition([](int x) { return x % 2 != 0; }, p);
  auto ho = spawn(drain_ptr(&odd, seed * 5 + 3));
  auto he = spawn(drain_ptr(&even, seed * 5 + 4));
  auto o = co_await ho;
  auto e = co_await he;
  std::pair<received, received> out{o.value(), e.value()};
  out.first.dropped = odd.dropped();  // read once both sides are done
  out.second.dropped = even.dropped();
  co_return out;
}

TEST(HotSourcesExplore, PartitionCountsUnderEveryDroppingPolicy) {
  constexpr int n = 40;
  const std::vector<int> odds = paced_items(n, 1), evens = paced_items(n, 0);
  const buffer_policy policies[] = {buffer_policy::drop_oldest(2), buffer_policy::drop_newest(2),
                                    buffer_policy::fail(2)};
  for (int seed = 0; seed < seeds; ++seed) {
    const buffer_policy p = policies[seed % 3];
    sim_runtime sim{static_cast<std::uint64_t>(seed)};
    auto r = sim.try_block_on(partition_drop_schedule(static_cast<std::uint64_t>(seed), n, p));
    ASSERT_TRUE(r.has_value()) << "seed " << seed << ": " << r.error().message();
    ASSERT_TRUE(check_policy(p.on_full, 2, r.value().first, odds)) << "seed " << seed;
    ASSERT_TRUE(check_policy(p.on_full, 2, r.value().second, evens)) << "seed " << seed;
  }
}

// ---- real threads (TSan) ------------------------------------------------------------------

TEST(HotSourcesThreads, SubjectManyProducersAndSubscribers) {
  thread_pool pool{2};
  for (int round = 0; round < 10; ++round) {
    auto r = pool.block_on([]() -> task<std::vector<std::size_t>> {
      subject<int> s;
      std::vector<join_handle<received>> readers;
      readers.push_back(spawn(drain(s.subscribe(buffer_policy::wait(4)), 1)));
      readers.push_back(spawn(drain(s.subscribe(buffer_policy::wait(1)), 2)));
      readers.push_back(spawn(drain(s.subscribe(buffer_policy::drop_oldest(2)), 3)));
      std::vector<join_handle<int>> producers;
      for (int p = 0; p < 3; ++p) producers.push_back(spawn(produce(s, p, 300, 9)));
      for (auto& h : producers) (void)co_await h;
      s.close();
      std::vector<std::size_t> counts;
      for (auto& h : readers) {
        auto x = co_await h;
        counts.push_back(x.value().values.size() + x.value().dropped);
        std::vector<int> v = x.value().values;
        std::sort(v.begin(), v.end());
        EXPECT_TRUE(std::adjacent_find(v.begin(), v.end()) == v.end());  // no duplicate
      }
      co_return counts;
    }());
    EXPECT_EQ(r, (std::vector<std::size_t>{900, 900, 900}));
  }
}

TEST(HotSourcesThreads, ShareToFourSubscribersAndPartition) {
  thread_pool pool{2};
  for (int round = 0; round < 10; ++round) {
    auto sums = pool.block_on([]() -> task<std::vector<long>> {
      auto sh = paced(500, 3) | share(buffer_policy::wait(8));
      std::vector<shared_subscriber<generator<int>>> subs;  // all subscribed before any pull
      for (int k = 0; k < 4; ++k) subs.push_back(sh.subscribe());
      std::vector<join_handle<received>> hs;
      for (auto& sub : subs) hs.push_back(spawn(drain(std::move(sub), hs.size())));
      auto [odd, even] =
          paced(500, 4) | partition([](int x) { return x % 2 != 0; }, buffer_policy::wait(2));
      auto ho = spawn(drain(std::move(odd), 11));
      auto he = spawn(drain(std::move(even), 12));
      std::vector<long> out;
      for (auto& h : hs) {
        auto x = co_await h;
        long sum = 0;
        for (int v : x.value().values) sum += v >= 0 ? v : 0;
        out.push_back(sum);
      }
      auto o = co_await ho;
      auto e = co_await he;
      long ps = 0;
      for (int v : o.value().values) ps += v >= 0 ? v : 0;
      for (int v : e.value().values) ps += v >= 0 ? v : 0;
      out.push_back(ps);
      co_return out;
    }());
    EXPECT_EQ(sums, (std::vector<long>{124750, 124750, 124750, 124750, 124750}));
  }
}

#endif  // EDDY_HAS_THREADS

}  // namespace

}  // namespace eddy_test::stress_hot_sources_stress_test
